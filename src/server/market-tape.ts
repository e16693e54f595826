/**
 * The server's one market: every update fed to it (a replay, a live feed, a push) goes on the tape
 * in time order and to every account's simulation that trades its symbols, durably, in order.
 *
 * - **Which accounts**: those whose simulation takes updates when the batch comes, each given the
 *   batch's records of its own config's `symbols` (an update with none of them is not its update),
 *   from its last update's time on (an account pushed ahead of the tape on its own skips what is
 *   behind it). An account created while the tape runs takes the tape from its next batch: it is
 *   not given the past. A stopped account takes nothing, and takes nothing it missed.
 * - **Durably, once**: a batch is journaled (see market-journal.ts) before any account is given
 *   it; after a crash, the accounts that had not taken the last batch are given it, and none twice.
 * - **In order**: one batch at a time, also with the per-account pushes of the admin API, so a
 *   batch's "count before" is exact for every account.
 */
import { toMarketUpdateInput, type AlignedUpdate } from "../data/aligned-updates.ts"
import type { MarketRecord } from "../data/market-records.ts"
import type { MarketUpdateInput } from "../domain/market-update.ts"
import type { PaperTradingDeployer, UpdateReceipt } from "../deploy/paper-trading-deployer.ts"
import { type SimulationStatus, simulationStatusesTagged } from "../../machines/index.ts"
import type { AccountBook } from "./account-book.ts"
import { unprocessable } from "./broker-error.ts"
import { errorAnswer } from "./error-answer.ts"
import { MarketJournal, type TapeBatch, type TapeSource } from "./market-journal.ts"
import { MarketStore } from "./market-store.ts"

const TAKES_UPDATES = simulationStatusesTagged("takesUpdates")

/** What feeding a batch did. */
export interface FeedReceipt {
  /** The tape index of the batch's first update. */
  readonly from: number
  readonly fed: number
  /** Updates on the tape after the batch. */
  readonly position: number
  /** The time of the tape's last update (ms since the epoch). */
  readonly time: number | null
  /** The accounts given some of the batch. */
  readonly accounts: number
  /** Accounts whose simulation refused its share (it was left as it was). */
  readonly refused: ReadonlyArray<{ readonly accountId: string; readonly message: string }>
}

/** One batch as the tape's listeners (the market-data stream) get it: the updates and the tape index of the first. */
export type TapeListener = (from: number, updates: ReadonlyArray<AlignedUpdate>) => void

/** A replay's files (its key) and how many of their updates are on the tape, the last at `lastTime`. */
export interface ReplayProgress {
  readonly key: string
  readonly updates: number
  readonly lastTime: number
}

interface TapeState {
  position: number
  lastTime: number | null
  replay: ReplayProgress | undefined
}

const replayAfter = (progress: ReplayProgress | undefined, batch: TapeBatch): ReplayProgress | undefined => {
  const last = batch.updates.at(-1)
  if (batch.replay === undefined || last === undefined) return progress
  const updates = (progress?.key === batch.replay ? progress.updates : 0) + batch.updates.length
  return { key: batch.replay, updates, lastTime: last.time }
}

interface AccountView {
  readonly status: SimulationStatus
  readonly updates: number
  readonly lastTime: number | null
  readonly symbols: ReadonlySet<string>
}

/** An account's share of a batch: its symbols' records, from its last update's time on. */
const shareOf = (updates: ReadonlyArray<AlignedUpdate>, view: AccountView): MarketUpdateInput[] => {
  const share: MarketUpdateInput[] = []
  for (const update of updates) {
    if (view.lastTime !== null && update.time < view.lastTime) continue
    let records: MarketRecord[] | undefined
    for (const record of update.records) if (view.symbols.has(record.symbol)) (records ??= []).push(record)
    if (records !== undefined) share.push(toMarketUpdateInput({ time: update.time, records }))
  }
  return share
}

export class MarketTape {
  readonly store: MarketStore
  readonly #paper: PaperTradingDeployer
  readonly #accounts: AccountBook
  readonly #journal: MarketJournal
  readonly #listeners = new Set<TapeListener>()
  readonly #symbols = new Map<string, ReadonlySet<string>>()
  #position: number
  #lastTime: number | null
  #replay: ReplayProgress | undefined
  #exclusive: Promise<unknown> = Promise.resolve()

  private constructor(paper: PaperTradingDeployer, accounts: AccountBook, journal: MarketJournal, store: MarketStore, state: TapeState) {
    this.#paper = paper
    this.#accounts = accounts
    this.#journal = journal
    this.store = store
    this.#position = state.position
    this.#lastTime = state.lastTime
    this.#replay = state.replay
  }

  /**
   * Opens the store's market: reads the journal back into the market store (the window of it), and
   * gives the journal's last batch to the accounts that had not taken it when the server stopped.
   */
  static async open(options: { readonly storageRoot: string; readonly paper: PaperTradingDeployer; readonly accounts: AccountBook; readonly window?: number }): Promise<MarketTape> {
    const store = new MarketStore(options.window)
    const state: TapeState = { position: 0, lastTime: null, replay: undefined }
    let last: TapeBatch | undefined
    const journal = await MarketJournal.open(options.storageRoot, (batch) => {
      batch.updates.forEach((update, i) => store.add(batch.at + i, update.records))
      state.position = batch.at + batch.updates.length
      state.lastTime = batch.updates.at(-1)?.time ?? state.lastTime
      state.replay = replayAfter(state.replay, batch)
      last = batch
    })
    const tape = new MarketTape(options.paper, options.accounts, journal, store, state)
    if (last !== undefined) await tape.#recover(last)
    return tape
  }

  /** Updates on the tape. */
  get position(): number {
    return this.#position
  }

  get lastTime(): number | null {
    return this.#lastTime
  }

  /** The last replay on the tape, and how far it went: where a replay of the same files resumes. */
  get replay(): ReplayProgress | undefined {
    return this.#replay
  }

  /** Calls `listener` with each batch once every account has journaled its share. */
  subscribe(listener: TapeListener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /**
   * Puts `updates` (in time order, none before the tape's last time) on the tape and gives each
   * account its share; resolves once every account has journaled it.
   */
  feed(source: TapeSource, updates: ReadonlyArray<AlignedUpdate>, replay?: string): Promise<FeedReceipt> {
    return this.#serially(async () => {
      let previous = this.#lastTime
      updates.forEach((update, i) => {
        if (previous !== null && update.time < previous)
          throw unprocessable(`updates[${i}].time must not be earlier than the market's last update (${new Date(previous).toISOString()})`)
        previous = update.time
      })
      const from = this.#position
      const shares = new Map<string, MarketUpdateInput[]>()
      const before: Record<string, number> = {}
      for (const { id, view } of await this.#views()) {
        if (!TAKES_UPDATES.has(view.status)) continue
        const share = shareOf(updates, view)
        if (share.length === 0) continue
        shares.set(id, share)
        before[id] = view.updates
      }
      const batch: TapeBatch = { at: from, source, ...(replay === undefined ? {} : { replay }), updates, before }
      if (updates.length > 0) await this.#journal.append(batch)
      this.#position += updates.length
      this.#lastTime = updates.at(-1)?.time ?? this.#lastTime
      this.#replay = replayAfter(this.#replay, batch)
      const refused = await this.#give(shares)
      updates.forEach((update, i) => this.store.add(from + i, update.records))
      for (const listener of this.#listeners) listener(from, updates)
      return { from, fed: updates.length, position: this.#position, time: this.#lastTime, accounts: shares.size, refused }
    })
  }

  /** The admin API's push into one account, in turn with the tape's batches. */
  pushToAccount(accountId: string, updates: ReadonlyArray<MarketUpdateInput>): Promise<UpdateReceipt> {
    return this.#serially(() => this.#paper.processMarketUpdates(accountId, updates))
  }

  close(): Promise<void> {
    return this.#serially(() => this.#journal.close())
  }

  #serially<A>(run: () => Promise<A>): Promise<A> {
    const next = this.#exclusive.then(run)
    this.#exclusive = next.catch(() => undefined)
    return next
  }

  async #views(ids: ReadonlyArray<string> = this.#accounts.list().map((a) => a.id)): Promise<Array<{ id: string; view: AccountView }>> {
    const views = await Promise.all(
      ids.map((id) =>
        this.#paper
          .inspectSimulation(id, (engine) => {
            let symbols = this.#symbols.get(id)
            if (symbols === undefined) this.#symbols.set(id, (symbols = new Set(engine.config.symbols)))
            return { id, view: { status: engine.status, updates: engine.updateCount, lastTime: engine.lastUpdateTime, symbols } }
          })
          // A simulation the store no longer runs (stopped and archived) takes nothing.
          .catch(() => undefined)
      )
    )
    return views.filter((v) => v !== undefined)
  }

  /** Gives each account its share, all at once; a refusal is reported, not thrown. */
  async #give(shares: ReadonlyMap<string, ReadonlyArray<MarketUpdateInput>>): Promise<FeedReceipt["refused"]> {
    const results = await Promise.allSettled([...shares].map(([id, share]) => this.#paper.processMarketUpdates(id, share)))
    const ids = [...shares.keys()]
    return results.flatMap((result, i) => (result.status === "rejected" ? [{ accountId: ids[i]!, message: errorAnswer(result.reason).message }] : []))
  }

  /** The journal's last batch, given to the accounts still holding the count they had before it. */
  async #recover(batch: TapeBatch): Promise<void> {
    const shares = new Map<string, MarketUpdateInput[]>()
    for (const { id, view } of await this.#views(Object.keys(batch.before))) {
      if (view.updates !== batch.before[id]) continue
      const share = shareOf(batch.updates, view)
      if (share.length > 0) shares.set(id, share)
    }
    const refused = await this.#give(shares)
    for (const { accountId, message } of refused) process.stderr.write(`paperfloor serve: ${accountId} refused the market's update ${batch.at} after a restart: ${message}\n`)
  }
}
