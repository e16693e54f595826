import { Context } from "effect"
import type { Effect } from "effect"
import type { Mark } from "./acknowledgement-ledger.ts"
import type { StoreReadError, StoreWriteError } from "./store-errors.ts"

/** One operation of an atomic batch. Operations apply in order: a later one on the same key wins. */
export type StoreWrite =
  | { readonly type: "put"; readonly key: string; readonly value: string }
  | { readonly type: "del"; readonly key: string }
  /**
   * A put of a key that must not exist yet: a journal record. A store several processes share
   * (PostgreSQL, memory) refuses the whole batch when it does: another process wrote that record
   * first (a runner still busy with a simulation that has moved on), and this one must reload. A
   * store one process owns (LevelDB, under its lock) has no other writer and writes it as a put.
   */
  | { readonly type: "insert"; readonly key: string; readonly value: string }

/** The keys a batch inserts after an earlier operation of the same batch wrote them: taken too, by the batch itself. */
export const insertsWrittenBefore = (batch: ReadonlyArray<StoreWrite>): string[] => {
  const written = new Set<string>()
  const taken: string[] = []
  for (const op of batch) {
    if (op.type === "insert" && written.has(op.key)) taken.push(op.key)
    if (op.type !== "del") written.add(op.key)
  }
  return taken
}

/**
 * Keys with `gte ≤ key < lt`, compared as LevelDB compares utf8 keys (bytewise on the UTF-8
 * encoding, i.e. by code point). `limit`: a non-negative integer caps the count; anything else
 * (or absent) means no cap.
 */
export interface RangeQuery {
  readonly gte: string
  readonly lt: string
  readonly reverse?: boolean
  readonly limit?: number
}

/** The key-value storage every simulation's journal and snapshots go through. */
export class SimulationStore extends Context.Service<SimulationStore, {
  /**
   * Writes the batch atomically and durably (LevelDB: one batch with { sync: true }), then records
   * `marks` (simulations and the sequence numbers this batch makes durable) as acknowledged. On
   * failure nothing is acknowledged, and none of the batch is visible through this store.
   */
  readonly write: (batch: ReadonlyArray<StoreWrite>, marks?: ReadonlyArray<Mark>) => Effect.Effect<void, StoreWriteError>
  /**
   * The last sequence number acknowledged per simulation, kept apart from the data (LevelDB: the
   * ledger file): recovery compares what it finds with it, so a rollback is an error, not silence.
   */
  readonly acknowledged: ReadonlyMap<string, number>
  /**
   * The last sequence number acknowledged for one simulation, as the store holds it now: where
   * several processes share a store (PostgreSQL), another may have acknowledged more since
   * `acknowledged` was read. A runner recovering one simulation asks this.
   */
  readonly acknowledgedOf: (simulationId: string) => Effect.Effect<number | undefined, StoreReadError>
  readonly get: (key: string) => Effect.Effect<string | undefined, StoreReadError>
  /** Entries with gte ≤ key < lt in key order (descending when reverse), at most `limit`. */
  readonly range: (query: RangeQuery) => Effect.Effect<ReadonlyArray<readonly [string, string]>, StoreReadError>
  /** Where the data lives, for messages ("memory" for the memory layer). */
  readonly location: string
}>()("paperfloor/runtime/SimulationStore") {}

/** Normalises `RangeQuery.limit` the way LevelDB iterators do. */
export const effectiveLimit = (limit: number | undefined): number =>
  limit !== undefined && Number.isInteger(limit) && limit >= 0 ? limit : Infinity
