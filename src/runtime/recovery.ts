import { Effect } from "effect"
import { storedSimulationConfig } from "../domain/simulation-config.ts"
import {
  ENGINE_LIVE_SNAPSHOT_FORMAT,
  type EngineOptions,
  HistoryGapError,
  type HistoryMarks,
  NO_HISTORY,
  type RestoredHistory
} from "../engine/trading-simulation-engine.ts"
import type { TradingModel } from "../engine/trading-model.ts"
import { parseHistoryRecord, type RestoredHistoryRecord } from "./history-text.ts"
import { readRecord } from "./record-codec.ts"
import { AcknowledgedInputsLostError, UnrecoverableSimulationError } from "./runtime-errors.ts"
import { type InstanceLiveSnapshot, type InstanceSnapshot, SimulationInstance } from "./simulation-instance.ts"
import { type JournalRecord, JOURNAL_FORMAT, readJournal } from "./journal-record.ts"
import { OperationWindow, readOperations } from "./operation-window.ts"
import { SNAPSHOT_FORMAT, type SimulationRecord, type SnapshotRecord } from "./simulation-record.ts"
import { SimulationStore } from "./simulation-store.ts"
import { keys } from "./store-keys.ts"

export interface Recovered {
  readonly instance: SimulationInstance
  /** The last journal entry applied. */
  readonly seq: number
  /** Sequences of the snapshots in the store up to `seq`, oldest first. */
  readonly snapshots: ReadonlyArray<number>
  /** The marks of the history in the store: the next snapshot's history starts there. */
  readonly written: HistoryMarks
  /** Snapshot keys that were skipped as unreadable. */
  readonly badSnapshots: ReadonlyArray<string>
  /** Journal keys dropped as a torn tail (written, never acknowledged). */
  readonly tornTail: ReadonlyArray<string>
  /** The operations the simulation remembers (their answers), up to `seq`. */
  readonly operations: OperationWindow
}

const readSnapshot = (key: string, value: string): SnapshotRecord | string => {
  const read = readRecord(key, value)
  if ("problem" in read) return read.problem
  const record = read.body as SnapshotRecord
  if (record.formatVersion !== SNAPSHOT_FORMAT) return `format ${String(record.formatVersion)}, expected ${SNAPSHOT_FORMAT}`
  if (record.seq !== keys.seqOf(key)) return `sequence ${record.seq} does not match its key`
  if (record.operations !== undefined) {
    const operations = readOperations(record.operations)
    if (typeof operations === "string") return operations
  }
  return withStoredConfig(record)
}

/**
 * The record with its config as validation gave it, when it was stored so (the engine then does
 * not validate it again: recovering 1,000 simulations of one config validates it once); as it is
 * otherwise, for the restore to validate (and refuse) as always.
 */
const withStoredConfig = (record: SnapshotRecord): SnapshotRecord => {
  const engine = (record.instance as { readonly engine?: { readonly config?: unknown } } | undefined)?.engine
  const config = storedSimulationConfig(engine?.config)
  if (config === undefined) return record
  return { ...record, instance: { ...record.instance, engine: { ...record.instance.engine, config } } as SnapshotRecord["instance"] }
}

const readHistory = (key: string, value: string): RestoredHistoryRecord | string => {
  const read = readRecord(key, value, parseHistoryRecord)
  if ("problem" in read) return read.problem
  const record = read.body as RestoredHistoryRecord
  return record.seq === keys.seqOf(key) ? record : `sequence ${record.seq} does not match its key`
}

/** The history records up to a snapshot, each read at most once however many snapshots are tried. */
const historyReader = (entries: ReadonlyArray<readonly [string, string]>) => {
  const read = new Map<number, RestoredHistoryRecord | string>()
  return (upTo: number): ReadonlyArray<RestoredHistory> | string => {
    const out: RestoredHistory[] = []
    for (let i = 0; i < entries.length && keys.seqOf(entries[i]![0]) <= upTo; i++) {
      const [key, value] = entries[i]!
      let record = read.get(i)
      if (record === undefined) read.set(i, (record = readHistory(key, value)))
      if (typeof record === "string") return `its history record ${key} is unreadable: ${record}`
      out.push(record.history)
    }
    return out
  }
}

const isLive = (instance: SnapshotRecord["instance"]): instance is InstanceLiveSnapshot => instance.engine.formatVersion === ENGINE_LIVE_SNAPSHOT_FORMAT

/** A journal record, why it is unreadable, or the newer format it is in. */
const readEntry = (key: string, value: string): JournalRecord | string | { readonly newer: number } => {
  const read = readRecord(key, value)
  if ("problem" in read) return read.problem
  const record = readJournal(read.body)
  return "problem" in record ? record.problem : record
}

type Entries = ReadonlyArray<readonly [string, string]>

/** What the store holds of one simulation: its snapshots newest first, its history and journal records oldest first. */
export interface StoredSimulation {
  readonly snapshots: Entries
  readonly histories: Entries
  readonly journal: Entries
}

/** One simulation's records: three range reads. */
const readStored = (id: string) =>
  Effect.gen(function* () {
    const store = yield* SimulationStore
    const [snapshots, histories, journal] = yield* Effect.all([
      store.range({ ...keys.snapshotsOf(id), reverse: true }),
      store.range(keys.historyOf(id)),
      store.range(keys.journalFrom(id, 0))
    ])
    return { snapshots, histories, journal } satisfies StoredSimulation
  })

/**
 * The records of many simulations, read with three range reads for all of them rather than
 * three each (a range read costs far more than the bytes it reads). `ids` must be adjacent in
 * key order (`byKeyOrder`); records of other simulations between them are left out.
 */
export const readStoredSimulations = (ids: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const store = yield* SimulationStore
    const out = new Map<string, { snapshots: Array<readonly [string, string]>; histories: Array<readonly [string, string]>; journal: Array<readonly [string, string]> }>()
    for (const id of ids) out.set(id, { snapshots: [], histories: [], journal: [] })
    const first = ids[0]
    const last = ids.at(-1)
    if (first === undefined || last === undefined) return out as ReadonlyMap<string, StoredSimulation>
    const prefixes = ["snapshot", "history", "journal"] as const
    const read = yield* Effect.forEach(prefixes, (prefix) => store.range({ gte: `${prefix}:${first}:`, lt: `${prefix}:${last};` }), { concurrency: "unbounded" })
    prefixes.forEach((prefix, i) => {
      const field = prefix === "snapshot" ? "snapshots" : prefix === "history" ? "histories" : "journal"
      for (const entry of read[i]!) out.get(entry[0].slice(prefix.length + 1, entry[0].lastIndexOf(":")))?.[field].push(entry)
    })
    for (const stored of out.values()) stored.snapshots.reverse()
    return out as ReadonlyMap<string, StoredSimulation>
  })

/** Simulation ids in the order of their records' keys (`<prefix>:<id>:<seq>`), which is not always the ids' order ("a.b" before "a"). */
export const byKeyOrder = (ids: ReadonlyArray<string>): ReadonlyArray<string> =>
  ids.map((id) => `${id}:`).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((key) => key.slice(0, -1))

/**
 * Rebuilds a simulation from the store: its newest readable snapshot, then every journal entry
 * after it. An unreadable snapshot is skipped for an older one (and a longer replay). A bad entry
 * at the end of the journal is a torn write that was never acknowledged: it is dropped. A bad
 * entry with good ones after it cannot be explained that way, so recovery stops with an error
 * rather than guess. Recovery must reach `acknowledged` (the store's record of what its callers
 * were told is durable): ending short of it is a loss, reported as such and never resumed.
 */
export const recoverSimulation = (
  record: SimulationRecord,
  model: TradingModel,
  options: Omit<EngineOptions, "autoStart"> = {},
  acknowledged = 0,
  /** The simulation's records when already read (`readStoredSimulations`); read here otherwise. */
  stored?: StoredSimulation
) =>
  Effect.gen(function* () {
    const store = yield* SimulationStore
    const id = record.id
    const lost = (held: number) => new AcknowledgedInputsLostError({ simulationId: id, acknowledged, held })
    const { snapshots, histories: storedHistories, journal } = stored ?? (yield* readStored(id))
    // Without a snapshot no history record is chained to: they are left as they are.
    const histories = snapshots.length === 0 ? [] : storedHistories
    const historyUpTo = historyReader(histories)
    /** A live snapshot with its history records, or (stores from before them) a whole one; or why not. */
    const restore = (snapshot: SnapshotRecord) => {
      if (!isLive(snapshot.instance))
        return { instance: SimulationInstance.fromSnapshot(snapshot.instance as InstanceSnapshot, model, options), written: NO_HISTORY }
      const segments = historyUpTo(snapshot.seq)
      if (typeof segments === "string") return segments
      const restored = SimulationInstance.fromCheckpoint(snapshot.instance, segments, model, options)
      return restored instanceof HistoryGapError ? restored.message : { instance: restored, written: snapshot.instance.engine.history }
    }
    const badSnapshots: string[] = []
    let instance: SimulationInstance | undefined
    let seq = 0
    let written = NO_HISTORY
    let operations = new OperationWindow()
    for (const [key, value] of snapshots) {
      const snapshot = readSnapshot(key, value)
      const restored = typeof snapshot === "string" ? snapshot : restore(snapshot)
      if (typeof restored === "string") {
        badSnapshots.push(key)
        yield* Effect.logWarning(`snapshot ${key} skipped: ${restored}`)
        continue
      }
      instance = restored.instance
      written = restored.written
      seq = (snapshot as SnapshotRecord).seq
      operations = new OperationWindow((snapshot as SnapshotRecord).operations)
      break
    }
    // History records past the snapshot restored (or all, when it holds its history itself) belong
    // to snapshots that are gone: the next snapshot writes that history again.
    const chainedUpTo = written === NO_HISTORY ? -1 : seq
    const strayHistory = histories.map(([key]) => key).filter((key) => keys.seqOf(key) > chainedUpTo)
    // Records wholly inside the snapshot restored (snapshots are taken at the ends of records) are not replayed.
    const entries = journal.filter(([key]) => keys.seqOf(key) > seq)
    if (instance === undefined) {
      const first = entries[0]
      if (snapshots.length > 0 && first !== undefined && keys.seqOf(first[0]) !== 1) {
        if (acknowledged > 0) return yield* lost(0)
        return yield* new UnrecoverableSimulationError({ simulationId: id, reason: `no readable snapshot, and the journal starts at ${first[0]}` })
      }
      instance = SimulationInstance.create(record.config, model, options)
    }
    let bad: { key: string; reason: string } | undefined
    const tornTail: string[] = []
    for (const [key, value] of entries) {
      const entry = readEntry(key, value)
      // Written by a newer version of this code: neither torn nor readable here.
      if (typeof entry !== "string" && "newer" in entry)
        return yield* new UnrecoverableSimulationError({ simulationId: id, reason: `journal record ${key} is in format ${entry.newer}, newer than the ${JOURNAL_FORMAT} this version reads` })
      if (bad === undefined && typeof entry !== "string" && entry.seq === seq + 1) {
        for (const input of entry.inputs) instance.apply(input)
        seq += entry.inputs.length
        if (entry.operations !== undefined) for (const op of entry.operations) operations.add(op)
        continue
      }
      if (bad === undefined) {
        // A readable record out of sequence is not a torn write: records are missing before it.
        if (typeof entry !== "string") {
          if (acknowledged > seq) return yield* lost(seq)
          return yield* new UnrecoverableSimulationError({ simulationId: id, reason: `journal record ${key} has sequence ${entry.seq}, expected ${seq + 1}: records are missing` })
        }
        bad = { key, reason: entry }
        tornTail.push(key)
        continue
      }
      if (typeof entry !== "string")
        return yield* new UnrecoverableSimulationError({
          simulationId: id,
          reason: `journal entry ${bad.key} is corrupt (${bad.reason}) but readable entries follow it (${key})`
        })
      tornTail.push(key)
    }
    // A torn tail was never acknowledged; anything short of what was is a loss, not a torn write.
    if (seq < acknowledged) return yield* lost(seq)
    // A stored snapshot proves the simulation got that far; ending before it (with no torn write to explain it) is a loss.
    const newest = snapshots[0]
    if (newest !== undefined && seq < keys.seqOf(newest[0]) && tornTail.length === 0)
      return yield* new UnrecoverableSimulationError({ simulationId: id, reason: `the journal ends at ${seq}, before the unreadable snapshot ${newest[0]}` })
    if (tornTail.length > 0)
      yield* Effect.logWarning(`simulation ${id}: dropping a torn journal tail of ${tornTail.length} entries from ${tornTail[0]}`)
    // Unreadable snapshots go too: left in place they would count towards the snapshots kept.
    const dropped = [...tornTail, ...badSnapshots, ...strayHistory]
    if (dropped.length > 0) yield* store.write(dropped.map((key) => ({ type: "del" as const, key })))
    instance.drainEvents()
    const kept = snapshots
      .map(([key]) => key)
      .filter((key) => !badSnapshots.includes(key))
      .map((key) => keys.seqOf(key))
      .filter((s) => s <= seq)
      .reverse()
    return { instance, seq, snapshots: kept, written, badSnapshots, tornTail, operations } satisfies Recovered
  })
