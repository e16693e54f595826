import { Cause, Deferred, Effect, Exit, Queue } from "effect"
import { SimulationStore, type StoreWrite } from "./simulation-store.ts"
import { takenKeysOf, type StoreWriteError } from "./store-errors.ts"
import type { Mark } from "./acknowledgement-ledger.ts"

export interface GroupCommitter {
  /**
   * Resolves once the writes are durable and `marks` acknowledged; fails if the batch they went into
   * failed. `owner` names the simulation they are of, for `settled`. A caller interrupted while it
   * waits leaves its writes to be written: the store may still take them.
   */
  readonly commit: (writes: ReadonlyArray<StoreWrite>, marks?: ReadonlyArray<Mark>, owner?: string) => Effect.Effect<void, StoreWriteError>
  /**
   * Waits until the simulation's last commit handed here is written or failed: what reads the store
   * to recover it then sees everything an instance let go of (released, say) may still have written.
   */
  readonly settled: (owner: string) => Effect.Effect<void>
}

interface Pending {
  readonly writes: ReadonlyArray<StoreWrite>
  readonly marks: ReadonlyArray<Mark>
  readonly done: Deferred.Deferred<void, StoreWriteError>
}

/**
 * Group commit: every simulation hands its journal writes here, and one fiber writes everything
 * pending in a single atomic, synced batch, then resolves them all. A sync costs about the same
 * for one write as for a thousand, so throughput grows with the number of simulations.
 */
export const makeGroupCommitter = Effect.gen(function* () {
  const store = yield* SimulationStore
  const queue = yield* Queue.unbounded<Pending>()
  yield* Effect.forkScoped(
    Effect.forever(
      Effect.gen(function* () {
        let pending: ReadonlyArray<Pending> = yield* Queue.takeAll(queue)
        while (pending.length > 0) {
          const exit = yield* Effect.exit(store.write(pending.flatMap((p) => p.writes), pending.flatMap((p) => p.marks)))
          // Keys another process took fail only the simulations that wrote them (they moved away); the rest is written again without them.
          const taken = new Set(Exit.isFailure(exit) ? takenKeysOf(Cause.squash(exit.cause)) : [])
          const fenced = pending.filter((p) => p.writes.some((w) => taken.has(w.key)))
          const settled = fenced.length === 0 ? pending : fenced
          for (const p of settled) yield* Deferred.done(p.done, exit)
          pending = pending.filter((p) => !settled.includes(p))
        }
      })
    )
  )
  /** Each simulation's last commit not yet settled. */
  const lastOf = new Map<string, Deferred.Deferred<void, StoreWriteError>>()
  const commit = (writes: ReadonlyArray<StoreWrite>, marks: ReadonlyArray<Mark> = [], owner?: string) =>
    Effect.gen(function* () {
      const done = yield* Deferred.make<void, StoreWriteError>()
      if (owner !== undefined) lastOf.set(owner, done)
      yield* Queue.offer(queue, { writes, marks, done })
      return yield* Deferred.await(done).pipe(
        Effect.ensuring(Effect.sync(() => {
          if (owner !== undefined && lastOf.get(owner) === done && Deferred.isDoneUnsafe(done)) lastOf.delete(owner)
        }))
      )
    })
  const settled = (owner: string) => {
    const last = lastOf.get(owner)
    return last === undefined ? Effect.void : Effect.ignore(Deferred.await(last))
  }
  return { commit, settled } satisfies GroupCommitter
})
