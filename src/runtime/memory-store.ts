import { Context, Effect, Layer } from "effect"
import { insertsWrittenBefore, SimulationStore, effectiveLimit } from "./simulation-store.ts"
import type { RangeQuery, StoreWrite } from "./simulation-store.ts"
import type { Mark } from "./acknowledgement-ledger.ts"
import { StoreKeyTakenError, StoreReadError, StoreWriteError } from "./store-errors.ts"

const location = "memory"

/**
 * Orders keys as LevelDB orders utf8 keys: bytewise on UTF-8, which is code point order. Plain
 * `<` on JS strings compares UTF-16 code units and puts U+E000–U+FFFF after astral characters.
 */
export const compareKeys = (a: string, b: string): number => {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x !== y) return codePointRank(x) - codePointRank(y)
  }
  return a.length - b.length
}

// Surrogates (astral code points) rank above U+E000–U+FFFF; the order within each group is kept.
const codePointRank = (unit: number): number =>
  unit >= 0xd800 && unit <= 0xdfff ? unit + 0x2000 : unit >= 0xe000 ? unit - 0x800 : unit

export interface MemoryStoreOptions {
  /** Initial contents. */
  readonly entries?: Iterable<readonly [string, string]>
  /** Consulted before every write; `true` fails that write with StoreWriteError and applies nothing. */
  readonly failWrites?: (batch: ReadonlyArray<StoreWrite>) => boolean
}

/** Fault injection and inspection for a memory store (tests only). */
export class MemoryStoreControl extends Context.Service<MemoryStoreControl, {
  /** The next `count` (default 1) writes fail with StoreWriteError, e.g. a full disk; nothing of them is applied. */
  readonly failNextWrites: (count?: number) => void
  /** The next `count` (default 1) reads (`get` or `range`) fail with StoreReadError. */
  readonly failNextReads: (count?: number) => void
  /** A copy of the raw contents in key order. */
  readonly entries: () => ReadonlyArray<readonly [string, string]>
  /** Overwrites (or creates) a stored value behind the store's back, e.g. to simulate a torn or corrupted write. */
  readonly corrupt: (key: string, value: string) => void
  /** Deletes a stored entry behind the store's back. */
  readonly remove: (key: string) => void
  /** How many batches were written successfully so far (empty batches count). */
  readonly writeCount: () => number
  /**
   * Sets what the store says it acknowledged for a simulation, e.g. to simulate a crash after a
   * batch reached the store but before it was acknowledged (a torn write is never acknowledged).
   */
  readonly setAcknowledged: (simulationId: string, seq: number) => void
}>()("paperfloor/runtime/MemoryStoreControl") {}

/** One memory store: the service, its control, and a layer that provides both. */
export interface MemoryStoreInstance {
  readonly store: SimulationStore["Service"]
  readonly control: MemoryStoreControl["Service"]
  /** Provides this very instance: every build sees the same data, so rebuilding simulates a restart. */
  readonly layer: Layer.Layer<SimulationStore | MemoryStoreControl>
}

const injected = (what: string): Error => new Error(`Injected ${what} failure (memory store)`)

const make = (options: MemoryStoreOptions = {}): MemoryStoreInstance => {
  const values = new Map<string, string>()
  const keys: Array<string> = [] // sorted by compareKeys, same members as `values`
  let failingWrites = 0
  let failingReads = 0
  let written = 0

  // First index whose key is ≥ `key` (or > `key` when `strict`).
  const lowerBound = (key: string, strict = false): number => {
    let lo = 0
    let hi = keys.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      const c = compareKeys(keys[mid]!, key)
      if (c < 0 || (strict && c === 0)) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  const put = (key: string, value: string): void => {
    if (!values.has(key)) keys.splice(lowerBound(key), 0, key)
    values.set(key, value)
  }

  const del = (key: string): void => {
    if (!values.delete(key)) return
    keys.splice(lowerBound(key), 1)
  }

  for (const [key, value] of options.entries ?? []) put(key, value)

  // Survives rebuilds of the layer, like the ledger file beside a LevelDB store.
  const acknowledged = new Map<string, number>()

  const write = (batch: ReadonlyArray<StoreWrite>, marks: ReadonlyArray<Mark> = []): Effect.Effect<void, StoreWriteError> =>
    Effect.suspend(() => {
      try {
        if (failingWrites > 0) {
          failingWrites--
          throw injected("write")
        }
        if (options.failWrites?.(batch) === true) throw injected("write")
        const taken = [...batch.filter((op) => op.type === "insert" && values.has(op.key)).map((op) => op.key), ...insertsWrittenBefore(batch)]
        if (taken.length > 0) throw new StoreKeyTakenError({ keys: taken })
        // Applied synchronously and in order, after all checks: all of the batch or none of it.
        for (const op of batch) {
          if (op.type === "del") del(op.key)
          else put(op.key, op.value)
        }
        written++
        for (const [id, seq] of marks) acknowledged.set(id, Math.max(seq, acknowledged.get(id) ?? -1))
        return Effect.void
      } catch (cause) {
        return Effect.fail(new StoreWriteError({ location, cause }))
      }
    })

  const checkRead = (key?: string): StoreReadError | undefined => {
    if (failingReads === 0) return undefined
    failingReads--
    return key === undefined
      ? new StoreReadError({ location, cause: injected("read") })
      : new StoreReadError({ location, key, cause: injected("read") })
  }

  const get = (key: string): Effect.Effect<string | undefined, StoreReadError> =>
    Effect.suspend(() => {
      const error = checkRead(key)
      return error === undefined ? Effect.succeed(values.get(key)) : Effect.fail(error)
    })

  const range = (query: RangeQuery): Effect.Effect<ReadonlyArray<readonly [string, string]>, StoreReadError> =>
    Effect.suspend(() => {
      const error = checkRead()
      if (error !== undefined) return Effect.fail(error)
      const limit = effectiveLimit(query.limit)
      const from = lowerBound(query.gte)
      const to = lowerBound(query.lt)
      const out: Array<readonly [string, string]> = []
      if (query.reverse === true) {
        for (let i = to - 1; i >= from && out.length < limit; i--) out.push([keys[i]!, values.get(keys[i]!)!])
      } else {
        for (let i = from; i < to && out.length < limit; i++) out.push([keys[i]!, values.get(keys[i]!)!])
      }
      return Effect.succeed(out)
    })

  const store = SimulationStore.of({ write, get, range, acknowledged, acknowledgedOf: (id) => Effect.sync(() => acknowledged.get(id)), location })

  const control = MemoryStoreControl.of({
    failNextWrites: (count = 1) => {
      failingWrites = count
    },
    failNextReads: (count = 1) => {
      failingReads = count
    },
    entries: () => keys.map((key) => [key, values.get(key)!] as const),
    corrupt: put,
    remove: del,
    writeCount: () => written,
    setAcknowledged: (simulationId, seq) => {
      acknowledged.set(simulationId, seq)
    }
  })

  const layer = Layer.merge(Layer.succeed(SimulationStore, store), Layer.succeed(MemoryStoreControl, control))

  return { store, control, layer }
}

/** The in-memory SimulationStore for tests: same semantics as LevelDB (ordering, atomic batches), no durability. */
export const MemoryStore = {
  /** A store instance to keep across layer builds (simulated restarts) or to use directly. */
  make,
  /** A fresh, empty (or `options.entries`) store on every build, with its control. */
  layer: (options?: MemoryStoreOptions): Layer.Layer<SimulationStore | MemoryStoreControl> =>
    Layer.unwrap(Effect.sync(() => make(options).layer))
} as const
