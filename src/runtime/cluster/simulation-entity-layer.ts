// The runner's side of the Simulation entity: each activation serves one simulation through the
// runner's supervisor (recovery "onDemand"). The simulation is held (recovered from the store) at
// its first message and released when the activation ends (idle, or its shard moved away), so a
// runner holds in memory only the simulations it is serving now.
import { type Duration, Effect } from "effect"
import { Entity } from "effect/cluster"
import { encodeResults } from "../operation-window.ts"
import type { SimulationInput } from "../simulation-input.ts"
import { SimulationStore } from "../simulation-store.ts"
import { type SimulationSpec, SimulationSupervisor } from "../simulation-supervisor.ts"
import { Simulation } from "./simulation-entity.ts"
import { toRemote } from "./wire-errors.ts"

export interface EntityOptions {
  /** Idle time after which an activation ends and its simulation is released (default 5 minutes). */
  readonly maxIdleTime?: Duration.Input
}

export const simulationEntityLayer = (options: EntityOptions = {}) =>
  Simulation.toLayer(
    Effect.gen(function* () {
      const id = (yield* Entity.CurrentAddress).entityId
      const supervisor = yield* SimulationSupervisor
      const store = yield* SimulationStore
      /** The journal's sequence once held: everything in the store was acknowledged, so its mark is where the journal ends. */
      let seq: number | null = null
      const held = Effect.suspend(() =>
        seq !== null
          ? Effect.succeed(seq)
          : supervisor.hold(id).pipe(
              Effect.andThen(store.acknowledgedOf(id)),
              Effect.map((mark) => (seq = mark ?? 0))
            )
      )
      yield* Effect.addFinalizer(() => (seq === null ? Effect.void : supervisor.release(id)))
      const read = <A>(f: Parameters<typeof supervisor.inspect<A>>[1]) => Effect.andThen(held, supervisor.inspect(id, f))
      return Simulation.of({
        Create: ({ payload }) =>
          supervisor.create(payload.spec as SimulationSpec).pipe(
            Effect.tap(() => Effect.sync(() => (seq = 0))),
            Effect.mapError(toRemote)
          ),
        Submit: ({ payload }) =>
          Effect.andThen(held, supervisor.submitOnce(id, payload.operationId, payload.inputs as ReadonlyArray<SimulationInput>)).pipe(
            Effect.map((reply) => {
              seq = reply.seq
              return { results: encodeResults(reply.results), events: JSON.parse(JSON.stringify(reply.events)) as unknown[], seq: reply.seq }
            }),
            Effect.mapError(toRemote)
          ),
        Summary: () =>
          read((instance) => {
            const engine = instance.engine
            return { status: engine.status, statusReason: engine.statusReason, lastUpdateTime: engine.lastUpdateTime, updateCount: engine.updateCount, seq: seq ?? 0 }
          }).pipe(Effect.mapError(toRemote)),
        Snapshot: () => read((instance) => JSON.stringify(instance.snapshot())).pipe(Effect.mapError(toRemote)),
        Settled: () => Effect.andThen(held, supervisor.settled(id)).pipe(Effect.mapError(toRemote))
      })
    }),
    { maxIdleTime: options.maxIdleTime ?? "5 minutes" }
  )
