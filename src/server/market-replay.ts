/**
 * A replay of market data files onto the server's tape (`paperfloor serve --replay <file...>`):
 * the files' records merged by time (`alignByTime`), fed at a speed (a multiple of the files' own
 * pace, or `max`: as fast as the accounts take them) or step by step, as the admin API asks.
 *
 * After a restart the replay of the same files resumes where the tape is: the updates of theirs the
 * tape holds are read past (the last of them must be at the time the tape holds for it, or the
 * files have changed), and the replay goes on from the next one. Other files start from their
 * beginning, and their updates must not be earlier than the tape's last.
 */
import { extname, resolve } from "node:path"
import { Data } from "effect"
import { type AlignedUpdate, alignByTime } from "../data/aligned-updates.ts"
import { readCsvBars } from "../data/csv-bars.ts"
import { readJsonlBars, readJsonlQuotes, readJsonlTrades } from "../data/jsonl-records.ts"
import type { MarketDataSource } from "../data/market-data-source.ts"
import type { MarketRecord } from "../data/market-records.ts"
import { readParquetBars, readParquetQuotes, readParquetTrades } from "../data/parquet-records.ts"
import { symbolRuleBroken } from "../domain/simulation-config.ts"
import type { MarketTape } from "./market-tape.ts"

/** A replay argument that cannot be read as one, or files that do not continue the tape. */
export class MarketReplayError extends Data.TaggedError("MarketReplayError")<{
  readonly argument: string
  readonly rule: string
}> {
  override get message(): string {
    return `--replay ${this.argument}: ${this.rule}`
  }
}

export type ReplayKind = "bars" | "trades" | "quotes"

export interface ReplayFile {
  readonly kind: ReplayKind
  readonly path: string
  /** The symbol of every row, for a file of one symbol without a symbol column. */
  readonly symbol?: string
}

/** `--speed`: a multiple of the files' pace, `max`, or `step` (only the admin API's steps advance it). */
export type ReplaySpeed = number | "max" | "step"

/** Updates per tape batch (one journal write, one write per account). */
const BATCH = 500

/** Extensions read as CSV bars (a `.txt` as the command line's `--data` files are). */
const CSV = new Set([".csv", ".txt"])

/** `[bars:|trades:|quotes:][SYMBOL=]path`: bars unless a kind is given. */
export const parseReplayFile = (argument: string): ReplayFile => {
  const prefix = /^(bars|trades|quotes):(.*)$/.exec(argument)
  const kind = (prefix?.[1] ?? "bars") as ReplayKind
  let rest = prefix?.[2] ?? argument
  const named = /^([^=/\\]+)=(.+)$/.exec(rest)
  let symbol: string | undefined
  if (named !== null) {
    const broken = symbolRuleBroken(named[1]!)
    if (broken !== undefined) throw new MarketReplayError({ argument, rule: `the symbol ${JSON.stringify(named[1])} ${broken}` })
    symbol = named[1]!
    rest = named[2]!
  }
  const extension = extname(rest).toLowerCase()
  if (![".csv", ".txt", ".jsonl", ".ndjson", ".parquet"].includes(extension))
    throw new MarketReplayError({ argument, rule: "must be a .csv (or .txt), .jsonl (or .ndjson) or .parquet file, optionally as bars:, trades: or quotes:, and SYMBOL= for a file of one symbol" })
  if (CSV.has(extension) && kind !== "bars") throw new MarketReplayError({ argument, rule: `a CSV file holds bars (${kind} come as .jsonl or .parquet)` })
  return { kind, path: rest, ...(symbol === undefined ? {} : { symbol }) }
}

export const parseReplaySpeed = (text: string): ReplaySpeed => {
  if (text === "max" || text === "step") return text
  const speed = Number(text)
  if (!/^\d+(\.\d+)?$/.test(text) || !(speed > 0)) throw new MarketReplayError({ argument: `--speed ${text}`, rule: "must be a number above 0 (a multiple of the files' pace), max, or step" })
  return speed
}

const sourceOf = ({ kind, path, symbol }: ReplayFile): MarketDataSource<MarketRecord> => {
  const options = symbol === undefined ? {} : { symbol }
  const extension = extname(path).toLowerCase()
  if (CSV.has(extension)) return readCsvBars(path, options)
  const readers = extension === ".parquet" ? { bars: readParquetBars, trades: readParquetTrades, quotes: readParquetQuotes } : { bars: readJsonlBars, trades: readJsonlTrades, quotes: readJsonlQuotes }
  return readers[kind](path, options) as MarketDataSource<MarketRecord>
}

/** The files' updates in time order. */
export const replayUpdates = (files: ReadonlyArray<ReplayFile>): MarketDataSource<AlignedUpdate> => alignByTime(files.map(sourceOf))

export interface ReplayStatus {
  readonly files: ReadonlyArray<string>
  readonly speed: ReplaySpeed
  /** Updates of the files on the tape. */
  readonly replayed: number
  /** The files are read to their end. */
  readonly done: boolean
  /** Why the replay stopped early, when it did. */
  readonly error: string | null
}

export interface StepReceipt {
  readonly fed: number
  readonly replayed: number
  readonly position: number
  readonly time: number | null
  readonly done: boolean
}

/** How to wait, and what time it is: real by default, a test's own otherwise. */
export interface ReplayClock {
  readonly now: () => number
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>
}

const realClock: ReplayClock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, ms)
      signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true })
    })
}

export class MarketReplay {
  readonly #tape: MarketTape
  readonly #files: ReadonlyArray<ReplayFile>
  readonly #speed: ReplaySpeed
  readonly #reader: AsyncIterator<ReadonlyArray<AlignedUpdate>>
  readonly #clock: ReplayClock
  /** Which replay this is on the tape: the files' absolute paths. */
  readonly #key: string
  readonly #stop = new AbortController()
  // Read from the files, not yet fed.
  #buffer: AlignedUpdate[] = []
  #done = false
  #error: string | null = null
  #running: Promise<void> = Promise.resolve()
  #stepping: Promise<unknown> = Promise.resolve()

  private constructor(tape: MarketTape, files: ReadonlyArray<ReplayFile>, speed: ReplaySpeed, clock: ReplayClock) {
    this.#tape = tape
    this.#files = files
    this.#speed = speed
    this.#clock = clock
    this.#key = files.map((f) => `${f.kind}:${f.symbol ?? ""}=${resolve(f.path)}`).join("\n")
    this.#reader = replayUpdates(files).batches()[Symbol.asyncIterator]()
  }

  /**
   * Opens the files and reads past what the tape already holds of them; throws
   * `MarketReplayError` when they do not continue it. Call `start` to run at its speed.
   */
  static async open(tape: MarketTape, files: ReadonlyArray<ReplayFile>, speed: ReplaySpeed, clock: ReplayClock = realClock): Promise<MarketReplay> {
    const replay = new MarketReplay(tape, files, speed, clock)
    const held = tape.replay?.key === replay.#key ? tape.replay.updates : 0
    let skipped = 0
    let last: AlignedUpdate | undefined
    while (skipped < held) {
      if (!(await replay.#fill())) break
      const take = Math.min(held - skipped, replay.#buffer.length)
      last = replay.#buffer[take - 1]
      replay.#buffer = replay.#buffer.slice(take)
      skipped += take
    }
    const argument = files.map((f) => f.path).join(" ")
    if (skipped < held) throw new MarketReplayError({ argument, rule: `hold ${skipped} updates, but the store's market holds ${held} of a replay: they are not the files it was fed` })
    if (last !== undefined && last.time !== tape.replay?.lastTime)
      throw new MarketReplayError({ argument, rule: `update ${held} is at ${new Date(last.time).toISOString()}, but the store's last replayed update is at ${new Date(tape.replay?.lastTime ?? NaN).toISOString()}: they are not the files it was fed` })
    // The first updates to feed are read now, so files that cannot be read stop the server from starting.
    await replay.#fill()
    return replay
  }

  get speed(): ReplaySpeed {
    return this.#speed
  }

  status(): ReplayStatus {
    return { files: this.#files.map((f) => f.path), speed: this.#speed, replayed: this.#replayed(), done: this.#done && this.#buffer.length === 0, error: this.#error }
  }

  /** Runs the replay at its speed (not `step`) until the files end or `close`. */
  start(): void {
    if (this.#speed === "step") return
    this.#running = this.#run(this.#speed).catch((e: unknown) => {
      this.#error ??= e instanceof Error ? e.message : String(e)
      process.stderr.write(`paperfloor serve: the replay stopped: ${this.#error}\n`)
    })
  }

  /**
   * Feeds the next `updates` updates, or those up to `until` (ms, inclusive); resolves once every
   * account has journaled them.
   */
  step(by: { readonly updates: number } | { readonly until: number }): Promise<StepReceipt> {
    const run = this.#stepping.then(async () => {
      let fed = 0
      for (;;) {
        const want = "updates" in by ? Math.min(BATCH, by.updates - fed) : BATCH
        if (want <= 0 || !(await this.#fill())) break
        let take = Math.min(want, this.#buffer.length)
        if ("until" in by) {
          const later = this.#buffer.findIndex((u) => u.time > by.until)
          if (later !== -1) take = Math.min(take, later)
          if (take === 0) break
        }
        fed += (await this.#feed(take)).fed
      }
      return { fed, replayed: this.#replayed(), position: this.#tape.position, time: this.#tape.lastTime, done: this.status().done }
    })
    this.#stepping = run.catch(() => undefined)
    return run
  }

  /** Stops the replay after the batch it is feeding. */
  async close(): Promise<void> {
    this.#stop.abort()
    await this.#running
    await this.#stepping
    await this.#reader.return?.()
  }

  #replayed(): number {
    return this.#tape.replay?.key === this.#key ? this.#tape.replay.updates : 0
  }

  /**
   * Has at least one update buffered, reading the files if needed; false at their end. A file that
   * cannot be read on (a bad row, a file gone) ends the replay with a `MarketReplayError`.
   */
  async #fill(): Promise<boolean> {
    if (this.#error !== null) throw this.#stopped()
    while (this.#buffer.length === 0 && !this.#done) {
      let next: IteratorResult<ReadonlyArray<AlignedUpdate>>
      try {
        next = await this.#reader.next()
      } catch (e) {
        this.#error = e instanceof Error ? e.message : String(e)
        throw this.#stopped()
      }
      if (next.done === true) this.#done = true
      else this.#buffer = [...next.value]
    }
    return this.#buffer.length > 0
  }

  #stopped(): MarketReplayError {
    return new MarketReplayError({ argument: this.#files.map((f) => f.path).join(" "), rule: `the replay stopped: ${this.#error}` })
  }

  #feed(count: number) {
    const batch = this.#buffer.slice(0, count)
    this.#buffer = this.#buffer.slice(count)
    return this.#tape.feed("replay", batch, this.#key)
  }

  async #run(speed: number | "max"): Promise<void> {
    const signal = this.#stop.signal
    // The pace: an update at market time m is due at wall time `wall + (m - market) / speed`.
    let origin: { readonly wall: number; readonly market: number } | undefined
    const due = (update: AlignedUpdate) => (speed === "max" || origin === undefined ? -Infinity : origin.wall + (update.time - origin.market) / speed)
    while (!signal.aborted && (await this.#fill())) {
      origin ??= { wall: this.#clock.now(), market: this.#buffer[0]!.time }
      const wait = due(this.#buffer[0]!) - this.#clock.now()
      if (wait > 0) {
        await this.#clock.sleep(wait, signal)
        continue
      }
      const now = this.#clock.now()
      let take = 1
      while (take < Math.min(BATCH, this.#buffer.length) && due(this.#buffer[take]!) <= now) take++
      await this.#feed(take)
    }
  }
}
