import { join } from "node:path"
import { Effect } from "effect"
import { Level } from "level"
import { DeploymentStoreError, StorageRootLockedError } from "./deployment-errors.ts"

/**
 * The lock every writer of a storage root holds: the deployer while it is open, the deployment
 * manager while it writes a record. Within a process holders share it (counted); across processes
 * a LevelDB lock file in `<root>/lock` keeps a second holder out. The OS drops that lock with the
 * process, so a crash never leaves a stale one.
 */
interface Holding {
  readonly db: Promise<Level<string, string>>
  count: number
}

const holdings = new Map<string, Holding>()
/** A lock being given up: the next holder in this process opens it only after that. */
const closing = new Map<string, Promise<void>>()

const isLocked = (error: unknown): boolean => {
  const { code, cause } = (error ?? {}) as { readonly code?: unknown; readonly cause?: { readonly code?: unknown } }
  return code === "LEVEL_LOCKED" || cause?.code === "LEVEL_LOCKED"
}

const acquire = (storageRoot: string): Effect.Effect<void, StorageRootLockedError | DeploymentStoreError> =>
  Effect.tryPromise({
    try: async () => {
      let holding = holdings.get(storageRoot)
      if (holding === undefined) {
        const previous = closing.get(storageRoot) ?? Promise.resolve()
        holding = {
          db: previous.then(async () => {
            const db = new Level<string, string>(join(storageRoot, "lock"))
            await db.open()
            return db
          }),
          count: 0
        }
        holdings.set(storageRoot, holding)
      }
      holding.count++
      try {
        await holding.db
      } catch (e) {
        if (--holding.count === 0 && holdings.get(storageRoot) === holding) holdings.delete(storageRoot)
        throw e
      }
    },
    catch: (cause) => (isLocked(cause) ? new StorageRootLockedError({ storageRoot }) : new DeploymentStoreError({ operation: "lock", path: join(storageRoot, "lock"), cause }))
  })

const release = (storageRoot: string): Effect.Effect<void> =>
  Effect.promise(() => {
    const holding = holdings.get(storageRoot)
    if (holding === undefined || --holding.count > 0) return Promise.resolve()
    holdings.delete(storageRoot)
    const closed = holding.db.then((db) => db.close()).catch(() => undefined)
    closing.set(storageRoot, closed)
    return closed
  })

/** Holds the storage root's lock for as long as the scope lives. */
export const holdStorageRoot = (storageRoot: string) => Effect.acquireRelease(acquire(storageRoot), () => release(storageRoot))

/** Runs `effect` holding the storage root's lock. */
export const withStorageRoot =
  (storageRoot: string) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | StorageRootLockedError | DeploymentStoreError, R> =>
    Effect.scoped(Effect.andThen(holdStorageRoot(storageRoot), effect))

/**
 * Whether a process holds the storage root's lock now: a look that creates nothing and lets go at
 * once (the command line asks it to tell a running server from a stale trace of one).
 */
export const isStorageRootHeld = async (storageRoot: string): Promise<boolean> => {
  if (holdings.has(storageRoot)) return true
  const db = new Level<string, string>(join(storageRoot, "lock"), { createIfMissing: false })
  try {
    await db.open()
  } catch (e) {
    return isLocked(e)
  }
  await db.close()
  return false
}
