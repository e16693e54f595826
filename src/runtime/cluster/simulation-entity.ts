// The simulation as a cluster entity: its messages are the runtime's inputs and two reads. Every
// payload and reply is JSON (inputs in journal form, results and errors encoded), so what a
// runner receives is exactly what the journal records.
//
// Volatile messages, not persisted ones. Exactly once comes from the store instead: a Submit
// carries an operation id, and the runner applies it with `submitOnce`, which records the id in
// the same commit as the inputs and answers a repeat from the store without applying anything.
// When a runner dies, the cluster client sends an in-flight message again to the shard's new
// runner (and the client retries it itself on a routing error): if the first attempt was made
// durable, the repeat gets its results; if not, it is applied now. Either way once (the failover
// test kills runners right after a commit, before the reply, and fails without the dedupe).
// Persisted messages add nothing to that, since the store's writes do not join the cluster's
// message transaction (the supervisor's group commit spans many simulations), and they cost:
// each is written, polled for (1 s) and its reply written and polled for (200 ms). Measured with
// the cluster benchmark, one runner, 10 updates a message: 835-944 updates/s persisted against
// 9,227-10,705 volatile. A persisted message would also outlive a client that died, applying
// inputs nobody waits for; a volatile one dies with its sender, unacknowledged.
import { Schema } from "effect"
import { Entity } from "effect/cluster"
import { Rpc } from "effect/rpc"
import { RemoteSimulationError } from "./wire-errors.ts"

/** `Create`: `spec` is a SimulationSpec in JSON form; sent again with its operation id, it finds the simulation it made. */
export const Create = Rpc.make("Create", { payload: { spec: Schema.Unknown, operationId: Schema.String }, error: RemoteSimulationError })

/** What a Submit answers: the inputs' results encoded (`encodeResults`: a count when all are plain successes), their events (JSON), and the journal's sequence after them. */
export const SubmitReply = Schema.Struct({
  results: Schema.Unknown,
  events: Schema.Array(Schema.Unknown),
  seq: Schema.Number
})

/** `Submit`: inputs in journal form, applied once per (simulation, operationId). */
export const Submit = Rpc.make("Submit", {
  payload: { operationId: Schema.String, inputs: Schema.Array(Schema.Unknown) },
  success: SubmitReply,
  error: RemoteSimulationError
})

/** The cheap read (the supervisor's `summary`): what callers check before and after sending inputs. */
export const SummaryReply = Schema.Struct({
  status: Schema.Literals(["deployed", "running", "paused", "halted", "stopped", "failed"]),
  statusReason: Schema.NullOr(Schema.String),
  lastUpdateTime: Schema.NullOr(Schema.Number),
  updateCount: Schema.Number,
  seq: Schema.Number
})
export const Summary = Rpc.make("Summary", { success: SummaryReply, error: RemoteSimulationError })

/** The whole simulation for any read on the client: its snapshot (`InstanceSnapshot`) as JSON text, parsed once there. */
export const Snapshot = Rpc.make("Snapshot", { success: Schema.String, error: RemoteSimulationError })

/** Completes when the simulation is not waiting for a restart (the supervisor's `settled`). */
export const Settled = Rpc.make("Settled", { error: RemoteSimulationError })

export const Simulation = Entity.make("Simulation", [Create, Submit, Summary, Snapshot, Settled])
