import { mkdir } from "node:fs/promises"
import * as path from "node:path"
import { Effect, Layer } from "effect"
import { Level } from "level"
import { SimulationStore, effectiveLimit } from "./simulation-store.ts"
import type { RangeQuery, StoreWrite } from "./simulation-store.ts"
import { StoreLockedError, StoreOpenError, StoreReadError, StoreWriteError } from "./store-errors.ts"

export interface LevelDbStoreOptions {
  /** The store directory; created (with parents) if missing. Resolved to an absolute path. */
  readonly directory: string
}

type Db = Level<string, string>

/** True for level's open failure caused by another holder of the directory's LOCK file. */
const isLockedError = (error: unknown): boolean => {
  if (typeof error !== "object" || error === null) return false
  const { code, cause } = error as { readonly code?: unknown; readonly cause?: unknown }
  if (code === "LEVEL_LOCKED") return true
  return code === "LEVEL_DATABASE_NOT_OPEN" &&
    typeof cause === "object" && cause !== null &&
    (cause as { readonly code?: unknown }).code === "LEVEL_LOCKED"
}

const openDb = (directory: string): Effect.Effect<Db, StoreLockedError | StoreOpenError> =>
  Effect.gen(function*() {
    yield* Effect.tryPromise({
      try: () => mkdir(directory, { recursive: true }),
      catch: (cause) => new StoreOpenError({ directory, cause })
    })
    const db = yield* Effect.try({
      try: (): Db => new Level<string, string>(directory, { keyEncoding: "utf8", valueEncoding: "utf8" }),
      catch: (cause) => new StoreOpenError({ directory, cause })
    })
    yield* Effect.tryPromise({
      try: () => db.open(),
      catch: (cause) => isLockedError(cause) ? new StoreLockedError({ directory }) : new StoreOpenError({ directory, cause })
    })
    return db
  })

const closeDb = (db: Db, directory: string): Effect.Effect<void> =>
  Effect.tryPromise(() => db.close()).pipe(
    Effect.catch((error) => Effect.logWarning(`Closing the store at ${directory} failed`, error))
  )

const toLevelOps = (batch: ReadonlyArray<StoreWrite>) =>
  batch.map((op) =>
    op.type === "put"
      ? { type: "put" as const, key: op.key, value: op.value }
      : { type: "del" as const, key: op.key }
  )

/**
 * Builds the SimulationStore service over an open LevelDB handle. The handle is opened when the
 * layer is built and closed when the layer's scope closes; while open, the directory's LevelDB
 * lock keeps every other opener (in this or another process) out with StoreLockedError.
 */
const make = (options: LevelDbStoreOptions) =>
  Effect.gen(function*() {
    const directory = path.resolve(options.directory)
    const db = yield* Effect.acquireRelease(openDb(directory), (db) => closeDb(db, directory))

    const write = (batch: ReadonlyArray<StoreWrite>): Effect.Effect<void, StoreWriteError> =>
      batch.length === 0
        ? Effect.void
        : Effect.tryPromise({
          try: () => db.batch(toLevelOps(batch), { sync: true }),
          catch: (cause) => new StoreWriteError({ location: directory, cause })
        })

    const get = (key: string): Effect.Effect<string | undefined, StoreReadError> =>
      Effect.tryPromise({
        // level 10 resolves a missing key to undefined (its declared type says string).
        try: (): Promise<string | undefined> => db.get(key),
        catch: (cause) => new StoreReadError({ location: directory, key, cause })
      })

    const range = (query: RangeQuery): Effect.Effect<ReadonlyArray<readonly [string, string]>, StoreReadError> =>
      Effect.tryPromise({
        try: (): Promise<ReadonlyArray<readonly [string, string]>> => {
          const limit = effectiveLimit(query.limit)
          // `all()` closes the iterator, also when it fails.
          return db.iterator({
            gte: query.gte,
            lt: query.lt,
            reverse: query.reverse === true,
            limit: limit === Infinity ? -1 : limit
          }).all()
        },
        catch: (cause) => new StoreReadError({ location: directory, cause })
      })

    return SimulationStore.of({ write, get, range, location: directory })
  })

/** The durable SimulationStore: one LevelDB directory owned by this process while the layer lives. */
export const LevelDbStore = {
  /** `Layer<SimulationStore, StoreLockedError | StoreOpenError>`; the handle closes with the layer's scope. */
  layer: (options: LevelDbStoreOptions): Layer.Layer<SimulationStore, StoreLockedError | StoreOpenError> =>
    Layer.effect(SimulationStore, make(options))
} as const
