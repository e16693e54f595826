// The runner's side of the Simulation entity: each activation serves one simulation through the
// runner's supervisor (recovery "onDemand"). The simulation is recovered from the store at its
// first message and released when the activation ends (idle, or its shard moved away), so a
// runner holds in memory only the simulations it is serving now.
import { type Duration, Effect } from "effect"
import { Entity } from "effect/cluster"
import { encodeResults } from "../operation-window.ts"
import type { SimulationInput } from "../simulation-input.ts"
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
      // Its first message recovers it (recovery "onDemand"); the activation's end lets it go.
      yield* Effect.addFinalizer(() => supervisor.release(id))
      return Simulation.of({
        Create: ({ payload }) => supervisor.create(payload.spec as SimulationSpec, payload.operationId).pipe(Effect.mapError(toRemote)),
        Submit: ({ payload }) =>
          supervisor.submitOnce(id, payload.operationId, payload.inputs as ReadonlyArray<SimulationInput>).pipe(
            Effect.map((reply) => ({ results: encodeResults(reply.results), events: JSON.parse(JSON.stringify(reply.events)) as unknown[], seq: reply.seq })),
            Effect.mapError(toRemote)
          ),
        Summary: () => supervisor.summary(id).pipe(Effect.mapError(toRemote)),
        Snapshot: () => supervisor.inspect(id, (instance) => JSON.stringify(instance.snapshot())).pipe(Effect.mapError(toRemote)),
        Settled: () => supervisor.settled(id).pipe(Effect.mapError(toRemote))
      })
    }),
    { maxIdleTime: options.maxIdleTime ?? "5 minutes" }
  )
