// The client of a cluster: the SimulationSupervisor service with every simulation served by the
// runner its shard is assigned to. A caller (the deployer) uses it as it uses the in-process one.
import { randomUUID } from "node:crypto"
import { NodeClusterSocket } from "@effect/platform-node"
import { Cause, Effect, Layer, PubSub, Result, Schedule } from "effect"
import type { ShardingConfig } from "effect/cluster"
import { ValidationError } from "../../domain/errors.ts"
import { formatThrown } from "../../domain/format-value.ts"
import { makeSimulationConfig } from "../../domain/simulation-config.ts"
import type { EngineEvent } from "../../engine/engine-events.ts"
import type { TradingModel } from "../../engine/trading-model.ts"
import { decodeResults, type StoredResults } from "../operation-window.ts"
import { type InvalidOperationIdError, InvalidSimulationIdError, type SimulationNotRecoveredError, SimulationUnavailableError, type UnknownSimulationError } from "../runtime-errors.ts"
import { journalBatch, type SimulationInput } from "../simulation-input.ts"
import { type ApplyResult, type InstanceSnapshot, SimulationInstance } from "../simulation-instance.ts"
import { SimulationStore } from "../simulation-store.ts"
import { type SendError, type SupervisedEvent, SimulationSupervisor } from "../simulation-supervisor.ts"
import { modelParamsIssue, type SimulationSpec } from "../simulation-spec.ts"
import { keys, simulationIdPattern } from "../store-keys.ts"
import { checkedPostgresLayer } from "./postgres-connection.ts"
import { MAX_CLUSTER_MESSAGE_BYTES } from "./message-size.ts"
import { shardMoveTuning } from "./shard-move-tuning.ts"
import { PostgresStore } from "../postgres-store.ts"
import { Simulation, type SummaryReply, type SubmitReply } from "./simulation-entity.ts"
import { fromRemote, type RemoteSimulationError } from "./wire-errors.ts"

export interface ClusterClientOptions {
  readonly postgresUrl: string
  /**
   * A name for this client, at the start of its operation ids (`<clientId>-<session>-<n>`, where
   * the session is new for every client made, so a client made again with the same name never
   * repeats an id): 1–64 letters, digits, '.', '_', ':' or '-'.
   */
  readonly clientId?: string
  /**
   * How long a call may take, in milliseconds, its message sent again meanwhile while no runner
   * serves its shard (default 60,000). Past it the call fails with SimulationUnavailableError: its
   * inputs may still be applied, which `submitOnce` with the same operation id then answers.
   */
  readonly routingPatience?: number
  readonly sharding?: Partial<ShardingConfig.ShardingConfig["Service"]>
}

/** Reads run on a restored copy that is never applied to: its model is never called. */
const readOnlyModel: TradingModel = {
  initialState: null,
  onUpdate: () => {
    throw new Error("a simulation read through the cluster client is read-only")
  }
}

type CreateError = Effect.Error<ReturnType<SimulationSupervisor["Service"]["create"]>>

const checkOptions = (options: ClusterClientOptions): Effect.Effect<void, ValidationError> => {
  const issues = [
    ...(options.clientId === undefined || (typeof options.clientId === "string" && /^[A-Za-z0-9_.:-]{1,64}$/.test(options.clientId))
      ? []
      : [{ field: "clientId", rule: "must be 1–64 letters, digits, '.', '_', ':' or '-' (it starts every operation id)", value: options.clientId }]),
    ...(options.routingPatience === undefined || (typeof options.routingPatience === "number" && Number.isFinite(options.routingPatience) && options.routingPatience >= 0)
      ? []
      : [{ field: "routingPatience", rule: "must be a finite number of milliseconds, 0 or more", value: options.routingPatience }])
  ]
  return issues.length === 0 ? Effect.void : Effect.fail(new ValidationError({ subject: "config", issues }))
}

/** The spec as the message carries it (JSON), or why it cannot be. */
const jsonSpec = (spec: SimulationSpec): unknown => {
  try {
    return JSON.parse(JSON.stringify(spec)) as unknown
  } catch (e) {
    return new ValidationError({ subject: "config", issues: [{ field: "(spec)", rule: `must be plain JSON, which the store keeps (${formatThrown(e)})`, value: undefined }] })
  }
}

/** A message its runner let go of unanswered; only ever retried. */
const shardMoved = { _tag: "ShardMoved", message: "its runner let the simulation go while handling the message (its shard moved)" } as const

const isRemote = (e: { readonly _tag: string }): e is RemoteSimulationError => e._tag === "RemoteSimulationError"

const make = (options: ClusterClientOptions) =>
  Effect.gen(function* () {
    const clientFor = yield* Simulation.client
    const store = yield* SimulationStore
    const events$ = yield* PubSub.unbounded<SupervisedEvent>()
    const prefix = options.clientId === undefined ? "" : `${options.clientId}-`
    const session = randomUUID()
    let operations = 0
    const nextOperation = () => `${prefix}${session}-${++operations}`
    const patience = options.routingPatience ?? 60_000

    /**
     * One message to the simulation's runner. While its shard has no runner (one died, its shards
     * are moving), or when its runner lets it go mid-message (a runner joined and took the shard),
     * the same message is sent again: Create's and Submit's operation ids make that safe, and the
     * rest are reads. A runtime error comes back as its own class; the caller knows which of them
     * its method can get.
     */
    const call = <E, A>(
      id: string,
      send: (entity: ReturnType<typeof clientFor>) => Effect.Effect<A, RemoteSimulationError | { readonly _tag: string; readonly message: string }>,
      operationId?: string
    ): Effect.Effect<A, E> =>
      Effect.suspend(() => send(clientFor(id))).pipe(
        // The entity was interrupted while handling it (its shard moved: a runner joined or left): sent again like a routing error.
        Effect.catchCause((cause) => (Cause.hasInterruptsOnly(cause) ? Effect.fail(shardMoved) : Effect.failCause(cause))),
        Effect.retry({ while: (e) => !isRemote(e), schedule: Schedule.spaced("250 millis") }),
        // A message for a shard no runner serves waits without failing: the patience bounds the whole call. Cut off, a
        // message no runner took is dropped; one a runner was applying may still be applied, which its operation id tells.
        Effect.timeoutOrElse({
          duration: `${patience} millis`,
          orElse: () =>
            Effect.fail({
              _tag: "Timeout",
              message: `none within the routing patience of ${patience} ms${operationId === undefined ? "" : `; operation ${operationId} may still be applied by a runner that had it: submitOnce with that id answers which`}`
            })
        }),
        Effect.mapError((e) => (isRemote(e) ? fromRemote(e) : new SimulationUnavailableError({ simulationId: id, cause: `no runner answered: ${e.message}` })) as E)
      )

    const submitOnce = (id: string, operationId: string, inputs: ReadonlyArray<SimulationInput>) =>
      Effect.gen(function* () {
        // Refusals of inputs with no JSON form stay here; the rest go in journal form.
        const forms = journalBatch(inputs)
        const sent = forms.filter((f) => !(f instanceof ValidationError))
        const reply = yield* call<SendError | InvalidOperationIdError, typeof SubmitReply.Type>(id, (entity) => entity.Submit({ operationId, inputs: sent }), operationId)
        const events = reply.events as ReadonlyArray<EngineEvent>
        // Published before the results are returned, as the in-process supervisor does.
        if (events.length > 0) yield* PubSub.publishAll(events$, events.map((event) => ({ simulationId: id, event })))
        const decoded = decodeResults(reply.results as StoredResults)
        let next = 0
        const results = forms.map((f): ApplyResult => (f instanceof ValidationError ? { ok: false, error: f } : decoded[next++]!))
        return { results, events, seq: reply.seq }
      })

    /** A fresh operation id per call: a message the cluster or this client sends again is still applied once. */
    const submit = (id: string, inputs: ReadonlyArray<SimulationInput>) =>
      Effect.map(submitOnce(id, nextOperation(), inputs), (submitted) => submitted.results) as Effect.Effect<ReadonlyArray<ApplyResult>, SendError>

    return SimulationSupervisor.of({
      create: (spec) =>
        simulationIdPattern.test(spec.id)
          ? Effect.suspend(() => {
              // Checked here as the runner would, so a config JSON cannot carry (a bigint, a getter that throws) is refused naming its field.
              const config = makeSimulationConfig(spec.config ?? {})
              if (Result.isFailure(config)) return Effect.fail(config.failure)
              const paramsIssue = modelParamsIssue(spec)
              if (paramsIssue !== undefined) return Effect.fail(paramsIssue)
              const json = jsonSpec(spec)
              if (json instanceof ValidationError) return Effect.fail(json)
              // One id for every attempt: a creation whose answer was lost is found, not refused as a duplicate.
              const operationId = nextOperation()
              return call<CreateError, void>(spec.id, (entity) => entity.Create({ spec: json, operationId }), operationId)
            })
          : Effect.fail(new InvalidSimulationIdError({ simulationId: spec.id })),
      submit,
      submitOnce,
      // The runner whose shard it is holds it (its entity's first message recovers it) and releases it when the entity passivates or moves.
      hold: (id) => Effect.asVoid(call<UnknownSimulationError | SimulationNotRecoveredError, unknown>(id, (entity) => entity.Summary())),
      summary: (id) => call<SendError, typeof SummaryReply.Type>(id, (entity) => entity.Summary()),
      release: () => Effect.void,
      send: (id, input) => Effect.flatMap(submit(id, [input]), ([result]) => (result!.ok ? Effect.succeed(result!.value) : Effect.fail(result!.error))),
      settled: (id) => call<UnknownSimulationError | SimulationNotRecoveredError, void>(id, (entity) => entity.Settled()),
      inspect: (id, read) =>
        Effect.map(call<SendError, string>(id, (entity) => entity.Snapshot()), (text) =>
          read(SimulationInstance.fromSnapshot(JSON.parse(text) as InstanceSnapshot, readOnlyModel))
        ),
      list: store.range(keys.allMeta).pipe(
        Effect.map((metas) => metas.map(([key]) => key.slice(keys.meta("").length))),
        Effect.orDie
      ),
      events: events$,
      // Recovery happens per simulation, on its runner: a simulation that cannot be recovered fails its calls with SimulationNotRecoveredError.
      recovered: [],
      unrecoverable: []
    })
  })

/** The cluster client as the SimulationSupervisor service. */
export const ClusterSupervisor = {
  /** Fails with a ValidationError naming `clientId` or `routingPatience` when one breaks its rule, before connecting. */
  layer: (options: ClusterClientOptions) =>
    Layer.effect(SimulationSupervisor, Effect.andThen(checkOptions(options), make(options))).pipe(
      Layer.provide(
        Layer.merge(PostgresStore.layerWithClient(), NodeClusterSocket.layer({ clientOnly: true, storage: "sql", serializationMaxBufferSize: MAX_CLUSTER_MESSAGE_BYTES, shardingConfig: { ...shardMoveTuning, ...options.sharding } }))
      ),
      Layer.provide(checkedPostgresLayer(options.postgresUrl))
    )
}
