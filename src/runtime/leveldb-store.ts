import { existsSync, statSync } from "node:fs"
import { mkdir, readdir, readFile } from "node:fs/promises"
import * as path from "node:path"
import { Effect, Layer, Semaphore } from "effect"
import { Level } from "level"
import { SimulationStore, effectiveLimit } from "./simulation-store.ts"
import type { RangeQuery, StoreWrite } from "./simulation-store.ts"
import { type AcknowledgementLedger, createLedger, LEDGER_FILE, type Mark, openLedger, readLedger } from "./acknowledgement-ledger.ts"
import { StoreDamagedError, StoreLockedError, StoreOpenError, StoreReadError, StoreWriteError } from "./store-errors.ts"

export interface LevelDbStoreOptions {
  /** The store directory; created (with parents) if missing. Resolved to an absolute path. */
  readonly directory: string
  /**
   * Opens a store whose acknowledgement ledger is missing or damaged by starting a new one. What
   * the store holds is then taken as whole: losses from before cannot be detected. Off by default.
   */
  readonly trustStore?: boolean
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

/** Files LevelDB leaves when it was interrupted while creating a store, before any data. */
const isCreationLeftover = (directory: string, name: string): boolean =>
  name === "LOCK" || name === "LOG" || name === "LOG.old" || /^MANIFEST-\d+$/.test(name) ||
  (/^\d+\.log$/.test(name) && statSync(path.join(directory, name)).size === 0)

/**
 * Whether the directory is a store, may become one, or must be left alone. LevelDB re-creates a
 * store whose CURRENT file is missing and then deletes its tables, so a directory without CURRENT
 * is only made a store when it holds no data.
 */
const inspectDirectory = (directory: string, trustStore: boolean) =>
  Effect.gen(function*() {
    const names = yield* Effect.tryPromise({
      try: () => readdir(directory),
      catch: (cause) => new StoreOpenError({ directory, cause })
    }).pipe(Effect.catchIf((e) => (e.cause as NodeJS.ErrnoException).code === "ENOENT", () => Effect.succeed(undefined)))
    if (names === undefined) return "new" as const
    const damaged = (reason: string) => Effect.fail(new StoreDamagedError({ directory, reason }))
    const ledger = yield* Effect.tryPromise({
      try: () => readFile(path.join(directory, LEDGER_FILE), "utf8").then((text) => readLedger(text), () => undefined),
      catch: (cause) => new StoreOpenError({ directory, cause })
    })
    const holdsData = (name: string) => !isCreationLeftover(directory, name) && !(name === LEDGER_FILE && ledger !== undefined && "marks" in ledger && ledger.marks.size === 0)
    if (!names.includes("CURRENT")) {
      const data = names.filter(holdsData)
      if (data.length === 0) return "new" as const
      return yield* damaged(
        `it has no CURRENT file but holds ${data.slice(0, 5).join(", ")}${data.length > 5 ? ", …" : ""}: a store whose CURRENT is lost ` +
          "(LevelDB would replace it with an empty one and delete its tables), or no store at all"
      )
    }
    if (trustStore) return "existing" as const
    if (ledger === undefined) {
      // A store interrupted between LevelDB's creation and the ledger's holds nothing to vouch for.
      if (!names.some(holdsData)) return "existing" as const
      return yield* damaged(`its acknowledgement ledger ${LEDGER_FILE} is missing, so nothing proves the store holds what it acknowledged (open it with trustStore to start a new ledger)`)
    }
    if ("problem" in ledger)
      return yield* damaged(`${ledger.problem}, so nothing proves the store holds what it acknowledged (open it with trustStore to start a new ledger)`)
    return "existing" as const
  })

const openDb = (directory: string, create: boolean): Effect.Effect<Db, StoreLockedError | StoreOpenError> =>
  Effect.gen(function*() {
    if (create)
      yield* Effect.tryPromise({
        try: () => mkdir(directory, { recursive: true }),
        catch: (cause) => new StoreOpenError({ directory, cause })
      })
    const db = yield* Effect.try({
      try: (): Db => new Level<string, string>(directory, { keyEncoding: "utf8", valueEncoding: "utf8", createIfMissing: create }),
      catch: (cause) => new StoreOpenError({ directory, cause })
    })
    yield* Effect.tryPromise({
      try: () => db.open(),
      catch: (cause) => isLockedError(cause) ? new StoreLockedError({ directory }) : new StoreOpenError({ directory, cause })
    })
    return db
  })

/** The ledger, opened under the store's lock: a new one for a new (or trusted) store. */
const openLedgerOf = (directory: string, fresh: boolean, trustStore: boolean) =>
  Effect.tryPromise({
    try: async (): Promise<AcknowledgementLedger | { readonly problem: string }> => {
      const opened = fresh ? undefined : await openLedger(directory)
      if (opened !== undefined && !("problem" in opened)) return opened
      // Checked before the lock was taken: a missing ledger here vouches for an empty store.
      if (fresh || trustStore || !existsSync(path.join(directory, LEDGER_FILE))) return createLedger(directory)
      return opened!
    },
    catch: (cause) => new StoreOpenError({ directory, cause })
  }).pipe(Effect.flatMap((l) => ("problem" in l ? Effect.fail(new StoreDamagedError({ directory, reason: l.problem })) : Effect.succeed(l))))

const closeDb = (db: Db, directory: string): Effect.Effect<void> =>
  Effect.tryPromise(() => db.close()).pipe(
    Effect.catch((error) => Effect.logWarning(`Closing the store at ${directory} failed`, error))
  )

const toLevelOps = (batch: ReadonlyArray<StoreWrite>) =>
  batch.map((op) =>
    op.type !== "del"
      ? { type: "put" as const, key: op.key, value: op.value }
      : { type: "del" as const, key: op.key }
  )

/**
 * Builds the SimulationStore service over an open LevelDB handle. The handle is opened when the
 * layer is built and closed when the layer's scope closes; while open, the directory's LevelDB
 * lock keeps every other opener (in this or another process) out with StoreLockedError.
 *
 * A write that fails may have left part of itself in LevelDB's log (a full disk cuts a record
 * short), and LevelDB would append the next write after it, where reopening drops both. So a
 * failed write retires the handle: the next operation reopens the store (LevelDB then drops the
 * torn record, which was never acknowledged) and the ledger, and fails with the reason while that
 * is not possible.
 */
const make = (options: LevelDbStoreOptions) =>
  Effect.gen(function*() {
    const directory = path.resolve(options.directory)
    const trustStore = options.trustStore === true
    const fresh = (yield* inspectDirectory(directory, trustStore)) === "new"
    let db = yield* openDb(directory, fresh)
    /** Closed with the layer's scope: a captured service then fails instead of reopening the store. */
    let closed = false
    yield* Effect.addFinalizer(() => Effect.suspend(() => {
      closed = true
      return closeDb(db, directory)
    }))
    const ledger = yield* openLedgerOf(directory, fresh, trustStore)
    yield* Effect.addFinalizer(() => Effect.promise(() => ledger.close().catch(() => undefined)))
    /** Why the handle was retired, until a reopen succeeds. */
    let failed: unknown
    const reopenLock = yield* Semaphore.make(1)

    const attempt = <A>(run: () => Promise<A>) => Effect.tryPromise({ try: run, catch: (cause) => cause })
    const retire = (cause: unknown) => Effect.sync(() => {
      failed ??= cause
    })
    const describe = (cause: unknown) => (cause instanceof Error ? cause.message : String(cause))

    const reopened = reopenLock.withPermits(1)(
      Effect.gen(function*() {
        if (failed === undefined || closed) return
        yield* closeDb(db, directory)
        db = yield* openDb(directory, false)
        yield* attempt(() => ledger.reopen())
        yield* Effect.logWarning(`The store at ${directory} was reopened after a failed write (${describe(failed)})`)
        failed = undefined
      }).pipe(Effect.mapError((cause) => new Error(`the store is closed since a write failed (${describe(failed)}), and reopening it failed: ${describe(cause)}`)))
    )

    const write = (batch: ReadonlyArray<StoreWrite>, marks: ReadonlyArray<Mark> = []): Effect.Effect<void, StoreWriteError> =>
      batch.length === 0 && marks.length === 0
        ? Effect.void
        : Effect.gen(function*() {
          yield* reopened
          yield* attempt(() => db.batch(toLevelOps(batch), { sync: true })).pipe(Effect.tapError(retire))
          yield* attempt(() => ledger.append(marks)).pipe(Effect.tapError(retire))
        }).pipe(Effect.mapError((cause) => new StoreWriteError({ location: directory, cause })))

    const get = (key: string): Effect.Effect<string | undefined, StoreReadError> =>
      reopened.pipe(
        // level 10 resolves a missing key to undefined (its declared type says string).
        Effect.andThen(attempt((): Promise<string | undefined> => db.get(key))),
        Effect.mapError((cause) => new StoreReadError({ location: directory, key, cause }))
      )

    const range = (query: RangeQuery): Effect.Effect<ReadonlyArray<readonly [string, string]>, StoreReadError> =>
      reopened.pipe(
        Effect.andThen(attempt((): Promise<ReadonlyArray<readonly [string, string]>> => {
          const limit = effectiveLimit(query.limit)
          // `all()` closes the iterator, also when it fails.
          return db.iterator({
            gte: query.gte,
            lt: query.lt,
            reverse: query.reverse === true,
            limit: limit === Infinity ? -1 : limit
          }).all()
        })),
        Effect.mapError((cause) => new StoreReadError({ location: directory, cause }))
      )

    return SimulationStore.of({ write, get, range, acknowledged: ledger.marks, acknowledgedOf: (id) => Effect.sync(() => ledger.marks.get(id)), location: directory })
  })

/** The durable SimulationStore: one LevelDB directory owned by this process while the layer lives. */
export const LevelDbStore = {
  /** `Layer<SimulationStore, StoreLockedError | StoreOpenError | StoreDamagedError>`; the handle closes with the layer's scope. */
  layer: (options: LevelDbStoreOptions): Layer.Layer<SimulationStore, StoreLockedError | StoreOpenError | StoreDamagedError> =>
    Layer.effect(SimulationStore, make(options))
} as const
