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
import { takenKeysOf } from "../store-errors.ts"
import { toRemote } from "./wire-errors.ts"

export interface EntityOptions {
  /** Idle time after which an activation ends and its simulation is released (default 5 minutes). */
  readonly maxIdleTime?: Duration.Input
}

/**
 * The handler's error as the client gets it. A simulation released here mid-message (its shard
 * moved) did not take the message, nor did one whose journal record another runner wrote first
 * (this runner held it past its shard lock, or that one did): the handler ends interrupted, which
 * the client sends again, through the shard's current runner, as it does for a routing error
 * (operation ids make that safe; the instance here has reloaded what the store holds).
 */
const answered = <A, E extends Error & { readonly _tag: string }>(effect: Effect.Effect<A, E>) =>
  effect.pipe(
    Effect.catchIf(
      (e) => (e._tag === "SimulationUnavailableError" && (e as { readonly released?: true }).released === true) || takenKeysOf(e).length > 0,
      () => Effect.interrupt
    ),
    Effect.mapError(toRemote)
  )

export const simulationEntityLayer = (options: EntityOptions = {}) =>
  Simulation.toLayer(
    Effect.gen(function* () {
      const id = (yield* Entity.CurrentAddress).entityId
      const supervisor = yield* SimulationSupervisor
      // Its first message recovers it (recovery "onDemand"); the activation's end lets it go.
      yield* Effect.addFinalizer(() => supervisor.release(id))
      return Simulation.of({
        Create: ({ payload }) => answered(supervisor.create(payload.spec as SimulationSpec, payload.operationId)),
        Submit: ({ payload }) =>
          answered(
            supervisor.submitOnce(id, payload.operationId, payload.inputs as ReadonlyArray<SimulationInput>).pipe(
              Effect.map((reply) => ({ results: encodeResults(reply.results), events: JSON.parse(JSON.stringify(reply.events)) as unknown[], seq: reply.seq }))
            )
          ),
        Summary: () => answered(supervisor.summary(id)),
        Snapshot: () => answered(supervisor.inspect(id, (instance) => JSON.stringify(instance.snapshot()))),
        Settled: () => answered(supervisor.settled(id))
      })
    }),
    { maxIdleTime: options.maxIdleTime ?? "5 minutes" }
  )
