import { Cause, Context, Data, Deferred, Effect, Exit, FiberMap, Layer, type LogLevel, PubSub, Queue, References, Schedule } from "effect"
import type { SimulationStatus } from "../../machines/index.ts"
import { ValidationError } from "../domain/errors.ts"
import type { EngineEvent } from "../engine/engine-events.ts"
import { type EngineOptions, type HistoryMarks, NO_HISTORY } from "../engine/trading-simulation-engine.ts"
import type { TradingModel } from "../engine/trading-model.ts"
import { makeGroupCommitter } from "./group-commit.ts"
import { encodeJournal } from "./journal-record.ts"
import { ModelCatalog } from "./model-catalog.ts"
import { encodeJson, encodeRecord, readRecord } from "./record-codec.ts"
import { byKeyOrder, readStoredSimulations, recoverSimulation, type Recovered, type StoredSimulation } from "./recovery.ts"
import { decodeResults, digestOf, encodeResults, OperationWindow, operationIdPattern, reusedRefusals, type StoredOperation } from "./operation-window.ts"
import {
  AcknowledgedInputsLostError,
  InvalidOperationIdError,
  InvalidSimulationIdError,
  SimulationNotRecoveredError,
  UnrecoverableSimulationError,
  SimulationExistsError,
  SimulationUnavailableError,
  UnknownModelError,
  UnknownSimulationError
} from "./runtime-errors.ts"
import { type ApplyResult, type InputError, SimulationInstance } from "./simulation-instance.ts"
import { journalBatch, type SimulationInput } from "./simulation-input.ts"
import { SNAPSHOT_FORMAT, type SimulationRecord } from "./simulation-record.ts"
import { modelParamsIssue, type SimulationSpec } from "./simulation-spec.ts"
import { SimulationStore, type StoreWrite } from "./simulation-store.ts"
import { StoreReadError, StoreWriteError, takenKeysOf } from "./store-errors.ts"
import { keys, simulationIdPattern } from "./store-keys.ts"

export interface SupervisorOptions {
  /** Inputs a simulation's mailbox holds before senders wait (default 1,024). */
  readonly mailboxCapacity?: number
  /** Journal entries between snapshots (default 1,000); a stop always writes one. */
  readonly snapshotEvery?: number
  /** Snapshots kept per simulation (default 3); the journal is kept from the oldest on. */
  readonly keepSnapshots?: number
  /** When a simulation fails (its model threw, or its fiber died): how often and how soon to restart it. */
  readonly restartSchedule?: Schedule.Schedule<unknown, unknown>
  /** Batches without a failure after which a simulation's restart schedule starts afresh (default 100). */
  readonly healthyBatches?: number
  readonly engineOptions?: Omit<EngineOptions, "autoStart">
  /** The runtime's log level: "Warn" by default (quiet), "Debug" to see every batch. */
  readonly logLevel?: LogLevel.LogLevel
  /**
   * "all" (the default): every simulation in the store is recovered at start, as one process that
   * owns its store does. "onDemand": none is; a simulation is recovered from the store when first
   * used (or `hold`), and `release` lets it go: for runners that share a store, each holding the
   * simulations assigned to it.
   */
  readonly recovery?: "all" | "onDemand"
}

/** A simulation's event, tagged with the simulation. */
export interface SupervisedEvent {
  readonly simulationId: string
  readonly event: EngineEvent
}

export type { SimulationSpec }

export type SendError = UnknownSimulationError | SimulationNotRecoveredError | SimulationUnavailableError | StoreWriteError

/** Where a simulation is: what callers check before and after sending it inputs, without reading it whole. */
export interface SimulationSummary {
  readonly status: SimulationStatus
  readonly statusReason: string | null
  readonly lastUpdateTime: number | null
  readonly updateCount: number
  /** The journal's last sequence number. */
  readonly seq: number
}

/** What a submission answers: each input's result, the events it caused, and the journal's last sequence number after its batch. */
export interface Submitted {
  readonly results: ReadonlyArray<ApplyResult>
  readonly events: ReadonlyArray<EngineEvent>
  readonly seq: number
}

/** Why a stored simulation was not recovered: a typed error (an unknown model, a journal that cannot be replayed, a loss…). */
export type NotRecoveredReason = { readonly _tag: string; readonly message: string }

const isStoreError = (u: unknown): u is StoreReadError | StoreWriteError => u instanceof StoreReadError || u instanceof StoreWriteError

const isTagged = (u: unknown): u is NotRecoveredReason =>
  u instanceof Error && typeof (u as { _tag?: unknown })._tag === "string"

/** The model threw (or asked for a refused order): the simulation is failed until restarted. */
class ModelFailed extends Data.TaggedError("ModelFailed")<{ readonly cause: string }> {}
/** Something other than the model broke inside the simulation's fiber. */
class FiberDefect extends Data.TaggedError("FiberDefect")<{ readonly cause: unknown }> {}

interface Command {
  readonly inputs: ReadonlyArray<SimulationInput>
  /** Set for `submitOnce`: the operation applies once, however often it is sent. */
  readonly operationId: string | undefined
  readonly done: Deferred.Deferred<Submitted, SendError>
}

interface Supervised {
  record: SimulationRecord
  readonly model: TradingModel
  readonly mailbox: Queue.Queue<Command>
  instance: SimulationInstance
  /** The last journal entry written. */
  seq: number
  /** Sequences of the snapshots in the store, oldest first. */
  snapshots: number[]
  /** The marks of the history in the store: the next snapshot writes the history from there on. */
  written: HistoryMarks
  /** A batch was not made durable and reloading from the store failed: the instance may hold it until a restart reloads it. */
  stale: boolean
  unavailable: string | null
  /** Set from a model failure until the restart the schedule makes (or giving up): inputs wait for it. */
  restarting: Deferred.Deferred<void> | null
  /** The operations it remembers, as durable as its journal. */
  operations: OperationWindow
}

export class SimulationSupervisor extends Context.Service<
  SimulationSupervisor,
  {
    /**
     * Creates a simulation (status `deployed`) and starts its fiber. With an operation id, a
     * creation sent again (its answer was lost) finds the simulation it made and succeeds, where
     * any other creation of the id gets SimulationExistsError.
     */
    readonly create: (
      spec: SimulationSpec,
      operationId?: string
    ) => Effect.Effect<void, InvalidSimulationIdError | InvalidOperationIdError | SimulationExistsError | SimulationNotRecoveredError | UnknownModelError | ValidationError | StoreWriteError>
    /**
     * Applies inputs in order and acknowledges them once they are durable. Each input's result
     * says whether it was refused (a refused input changed nothing and is not journaled).
     */
    readonly submit: (id: string, inputs: ReadonlyArray<SimulationInput>) => Effect.Effect<ReadonlyArray<ApplyResult>, SendError>
    /**
     * Applies inputs once per (simulation, operation id): sent again (its answer was lost: a
     * runner died, a connection was cut), it applies nothing and answers as the first did, from
     * the store, for the simulation's last 1,024 operations. An operation whose every input was
     * refused changed nothing and is not remembered. The events are those of this application
     * (none for a repeat).
     */
    readonly submitOnce: (
      id: string,
      operationId: string,
      inputs: ReadonlyArray<SimulationInput>
    ) => Effect.Effect<Submitted, SendError | InvalidOperationIdError>
    /** Makes sure the simulation is held: recovered from the store now ("onDemand"), or already. */
    readonly hold: (id: string) => Effect.Effect<void, UnknownSimulationError | SimulationNotRecoveredError>
    /**
     * Stops holding the simulation (its fiber ends; the store keeps everything durable). Inputs
     * waiting for it are refused with SimulationUnavailableError; under "onDemand" the next use
     * recovers it again.
     */
    readonly release: (id: string) => Effect.Effect<void>
    /** One input; a refusal is the error. */
    readonly send: (id: string, input: SimulationInput) => Effect.Effect<unknown, InputError | SendError>
    /**
     * Completes once the simulation is not waiting for a restart: after a model failure, when the
     * restart schedule has restarted it (or given it up). Inputs submitted meanwhile wait the same
     * way, so a caller sees the same outcome whatever the schedule's timing.
     */
    readonly settled: (id: string) => Effect.Effect<void, UnknownSimulationError | SimulationNotRecoveredError>
    /** Where the simulation is (status, last update, counts): a small read, also where reading it whole is not (a cluster's client). */
    readonly summary: (id: string) => Effect.Effect<SimulationSummary, SendError>
    /** Reads a simulation between batches (never while one is being applied). */
    readonly inspect: <A>(id: string, read: (instance: SimulationInstance) => A) => Effect.Effect<A, SendError>
    readonly list: Effect.Effect<ReadonlyArray<string>>
    /** Every simulation's events, once durable. Subscribe before sending to see them all. */
    readonly events: PubSub.PubSub<SupervisedEvent>
    /** What recovery found at start, per simulation. */
    readonly recovered: ReadonlyArray<RecoveryReport>
    /** The simulations in the store that recovery could not bring back, each with why; their inputs fail with SimulationNotRecoveredError. */
    readonly unrecoverable: ReadonlyArray<{ readonly simulationId: string; readonly error: NotRecoveredReason }>
  }
>()("paperfloor/runtime/SimulationSupervisor") {
  static layer(options: SupervisorOptions = {}): Layer.Layer<SimulationSupervisor, StoreReadError | StoreWriteError, SimulationStore | ModelCatalog> {
    const level = options.logLevel ?? "Warn"
    // Fibers forked while the supervisor is built inherit the level; its methods are wrapped too.
    return Layer.effect(SimulationSupervisor, makeSupervisor(options, level).pipe(Effect.provideService(References.MinimumLogLevel, level)))
  }
}

/** What recovery found of one simulation. */
export type RecoveryReport = { readonly id: string } & Omit<Recovered, "instance" | "snapshots" | "written" | "operations">

/** Simulations whose records recovery reads at once (three range reads for all of them). */
const RECOVERY_CHUNK = 64

const defaultRestartSchedule = Schedule.exponential("10 millis").pipe(Schedule.upTo({ times: 3 }))

const makeSupervisor = (options: SupervisorOptions, level: LogLevel.LogLevel) =>
  Effect.gen(function* () {
    const leveled = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.provideService(effect, References.MinimumLogLevel, level)
    const store = yield* SimulationStore
    const catalog = yield* ModelCatalog
    const committer = yield* makeGroupCommitter
    const fibers = yield* FiberMap.make<string>()
    const events = yield* PubSub.unbounded<SupervisedEvent>()
    const simulations = new Map<string, Supervised>()
    const mailboxCapacity = options.mailboxCapacity ?? 1024
    const snapshotEvery = options.snapshotEvery ?? 1000
    const keepSnapshots = Math.max(1, options.keepSnapshots ?? 3)
    const restartSchedule = options.restartSchedule ?? defaultRestartSchedule
    const healthyBatches = Math.max(1, options.healthyBatches ?? 100)
    const onDemand = options.recovery === "onDemand"
    const engineOptions = options.engineOptions ?? {}

    /**
     * Writes for a snapshot after `seq` (the live state, and in its own record the history since the
     * previous snapshot: what is written per update does not grow with the run), and the pruning of
     * what the kept snapshots no longer need. Returns the history marks the snapshot ends at.
     */
    const snapshotWrites = (sim: Supervised, seq: number, writes: StoreWrite[], answered: ReadonlyArray<StoredOperation>) =>
      Effect.gen(function* () {
        const id = sim.record.id
        const { live, history } = sim.instance.checkpoint(sim.written)
        // The operations remembered at `seq`: those before this batch, then its own.
        const window = sim.operations.copy()
        for (const op of answered) window.add(op)
        const operations = window.toJSON()
        const snapshot = operations.length === 0 ? { formatVersion: SNAPSHOT_FORMAT, seq, instance: live } : { formatVersion: SNAPSHOT_FORMAT, seq, instance: live, operations }
        writes.push(
          { type: "put", key: keys.snapshot(id, seq), value: encodeRecord(snapshot) },
          { type: "put", key: keys.history(id, seq), value: encodeRecord({ seq, history }) }
        )
        const kept = [...sim.snapshots, seq]
        const dropped = kept.splice(0, Math.max(0, kept.length - keepSnapshots))
        for (const s of dropped) writes.push({ type: "del", key: keys.snapshot(id, s) })
        // Records up to the oldest kept snapshot are inside every kept snapshot: no recovery replays
        // them. Snapshots are taken at batch ends, so a record is wholly before it or wholly after.
        if (dropped.length > 0) for (const [key] of yield* store.range(keys.journalBefore(id, kept[0]! + 1))) writes.push({ type: "del", key })
        return live.engine.history
      })

    /** Applies one mailbox batch, makes it durable in one commit, then acknowledges and publishes. */
    const processBatch = (sim: Supervised) =>
      Effect.flatMap(Queue.takeAll(sim.mailbox), (commands) =>
        applyBatch(sim, commands).pipe(
          // Released mid-batch: its callers hear so (the batch may still become durable: an operation sent again answers as it did).
          Effect.onInterrupt(() =>
            Effect.forEach(commands, (c) => Deferred.fail(c.done, new SimulationUnavailableError({ simulationId: sim.record.id, cause: sim.unavailable ?? "it was interrupted", released: true })), { discard: true })
          )
        )
      )

    const applyBatch = (sim: Supervised, commands: ReadonlyArray<Command>) =>
      Effect.gen(function* () {
        const id = sim.record.id
        if (sim.stale) {
          // The store failed earlier and the instance may hold what it never took: nothing goes on until it is reloaded.
          const reloaded = yield* Effect.exit(reload(sim))
          if (Exit.isFailure(reloaded)) {
            const error = Cause.squash(reloaded.cause)
            if (!isStoreError(error)) return yield* Effect.failCause(reloaded.cause)
            for (const c of commands) yield* Deferred.fail(c.done, new StoreWriteError({ location: store.location, cause: error }))
            return
          }
        }
        const writes: StoreWrite[] = []
        const journaled: SimulationInput[] = []
        let seq = sim.seq
        let stopped = false
        const results: Array<{ readonly results: ReadonlyArray<ApplyResult>; readonly events: ReadonlyArray<EngineEvent> }> = []
        /** The operations this batch applies, with their answers: journaled with its inputs. */
        const answered: StoredOperation[] = []
        const answeredHere = new Map<string, StoredOperation>()
        const applied = yield* Effect.try({
          try: () => {
            for (const command of commands) {
              const operationId = command.operationId
              const forms = journalBatch(command.inputs)
              const digest = operationId === undefined ? undefined : digestOf(forms)
              const repeat = operationId === undefined ? undefined : (answeredHere.get(operationId) ?? sim.operations.get(operationId))
              if (repeat !== undefined) {
                const same = repeat[2] === undefined || repeat[2] === digest
                results.push({ results: same ? decodeResults(repeat[1]) : reusedRefusals(operationId!, forms), events: [] })
                continue
              }
              const out: ApplyResult[] = []
              const journaledBefore = journaled.length
              for (const form of forms) {
                if (form instanceof ValidationError) {
                  out.push({ ok: false, error: form })
                  continue
                }
                const result = sim.instance.apply(form)
                out.push(result)
                if (!result.ok) continue
                seq += 1
                journaled.push(form)
                if (form.type === "stop") stopped = true
              }
              results.push({ results: out, events: sim.instance.drainEvents() })
              if (operationId !== undefined && journaled.length > journaledBefore) {
                const op: StoredOperation = [operationId, encodeResults(out), digest!]
                answered.push(op)
                answeredHere.set(operationId, op)
              }
            }
          },
          catch: (cause) => new FiberDefect({ cause })
        }).pipe(Effect.exit)
        if (journaled.length > 0) {
          // One record for the batch.
          const first = sim.seq + 1
          // Inserted, not put: where runners share the store, one that kept a simulation after it moved finds its record taken, and reloads.
          writes.push({ type: "insert", key: keys.journal(id, first), value: encodeJson(encodeJournal(first, journaled, answered)) })
        }
        let snapshotted: HistoryMarks | null = null
        const durable = Effect.gen(function* () {
          if (stopped || seq - (sim.snapshots.at(-1) ?? 0) >= snapshotEvery) snapshotted = yield* snapshotWrites(sim, seq, writes, answered)
          yield* committer.commit(writes, journaled.length > 0 ? [[id, seq]] : [], id)
        }).pipe(
          Effect.catchTag("StoreReadError", (e) =>
            Effect.fail(new SimulationUnavailableError({ simulationId: id, cause: `its snapshot could not be prepared: ${e.message}` }))
          )
        )
        const committed = Exit.isSuccess(applied) && writes.length > 0 ? yield* Effect.exit(durable) : Exit.void
        if (Exit.isFailure(applied) || Exit.isFailure(committed)) {
          // Nothing of the batch is acknowledged: the instance goes back to what the store holds, then
          // the callers get the error, even when the reload fails (the restart then reloads first).
          const reloaded = yield* Effect.exit(reload(sim))
          const error = Exit.isFailure(committed)
            ? committed.cause
            : Cause.fail(new SimulationUnavailableError({ simulationId: id, cause: "the simulation broke while applying this batch; it is being restarted" }))
          for (const c of commands) yield* Deferred.failCause(c.done, error)
          // A store that fails now may work later: the next batch reloads first (sim.stale stays set).
          if (Exit.isFailure(reloaded) && !isStoreError(Cause.squash(reloaded.cause))) return yield* Effect.failCause(reloaded.cause)
          return yield* Exit.isFailure(applied) ? Effect.failCause(applied.cause) : Effect.void
        }
        sim.seq = seq
        for (const op of answered) sim.operations.add(op)
        if (snapshotted !== null) {
          sim.snapshots = [...sim.snapshots, seq].slice(-keepSnapshots)
          sim.written = snapshotted
        }
        // Published before the acknowledgement: a caller that resumes has its batch's events behind it, not ahead.
        const batchEvents = results.flatMap((r) => r.events)
        if (batchEvents.length > 0) yield* PubSub.publishAll(events, batchEvents.map((event) => ({ simulationId: id, event })))
        // A failed model is restarted on the schedule: inputs sent from now on wait for that (see `settled`).
        if (sim.instance.engine.status === "failed" && sim.record.gaveUp === undefined) sim.restarting ??= Deferred.makeUnsafe<void>()
        commands.forEach((c, i) => Deferred.doneUnsafe(c.done, Exit.succeed({ ...results[i]!, seq })))
        yield* Effect.logDebug(`applied ${journaled.length} inputs, journal at ${seq}`).pipe(Effect.annotateLogs("simulation", id))
        const failed = sim.instance.engine.status === "failed"
        if (failed) return yield* new ModelFailed({ cause: sim.instance.engine.statusReason ?? "unknown" })
      })

    /** A restart after a failure: a model failure gets a journaled restart; a broken fiber was already reloaded. */
    const restart = (sim: Supervised) =>
      Effect.gen(function* () {
        if (sim.instance.engine.status !== "failed") return settle(sim)
        const { results: [result] } = yield* submitTo(sim, [{ type: "restart" }], undefined, true).pipe(Effect.ensuring(Effect.sync(() => settle(sim))))
        yield* Effect.logInfo(`restarted: ${result?.ok === true ? "running again" : "restart refused"}`).pipe(Effect.annotateLogs("simulation", sim.record.id))
      })

    /** The restart a failure scheduled happened (or will not): inputs waiting for it go on. */
    const settle = (sim: Supervised) => {
      if (sim.restarting === null) return
      Deferred.doneUnsafe(sim.restarting, Exit.void)
      sim.restarting = null
    }

    /** The simulation's fiber: batches forever; failures restart it on the schedule; past it, it is given up. */
    /** The simulation broke past repair: every waiting and later input is refused with the cause. */
    const markUnavailable = (sim: Supervised, cause: string) =>
      Effect.gen(function* () {
        yield* Effect.logError(`given up after repeated failures, the simulation is unavailable: ${cause}`)
        sim.unavailable = cause
        settle(sim)
        const waiting = yield* Queue.clear(sim.mailbox)
        for (const c of waiting) yield* Deferred.fail(c.done, new SimulationUnavailableError({ simulationId: sim.record.id, cause }))
      })

    const describeFailure = (error: ModelFailed | FiberDefect | { readonly message: string; readonly _tag: string }) =>
      error._tag === "ModelFailed" || error._tag === "FiberDefect" ? String((error as ModelFailed | FiberDefect).cause) : error.message

    /**
     * Past its restart schedule a failing model is given up on: the simulation stays failed with its
     * cause (recorded in the store, so a process restart does not revive it), and still takes
     * commands such as `stop` or an explicit `restart`. Anything else breaking then makes it unavailable.
     */
    const serveFailed = (sim: Supervised) =>
      Effect.forever(processBatch(sim).pipe(Effect.catchTag("ModelFailed", () => Effect.void))).pipe(
        Effect.catch((error) => markUnavailable(sim, describeFailure(error)))
      )

    const giveUp = (sim: Supervised, cause: string) =>
      Effect.gen(function* () {
        yield* Effect.logError(`given up after repeated failures: ${cause}`)
        sim.record = { ...sim.record, gaveUp: cause }
        settle(sim)
        yield* Effect.ignore(committer.commit([{ type: "put", key: keys.meta(sim.record.id), value: encodeRecord(sim.record) }], [], sim.record.id))
        return yield* serveFailed(sim)
      })

    /**
     * The simulation's fiber. A failure restarts it on the schedule; a stretch of healthy batches
     * completes the retried effect, so the next failure starts a fresh schedule rather than using
     * up an old one.
     */
    const run = (sim: Supervised) => {
      const stretch = Effect.gen(function* () {
        yield* Effect.forkChild(restart(sim))
        for (let i = 0; i < healthyBatches; i++) yield* processBatch(sim)
      })
      const supervised =
        sim.record.gaveUp !== undefined
          ? serveFailed(sim)
          : Effect.forever(Effect.retry(stretch, restartSchedule)).pipe(
              Effect.catch((error) => (error._tag === "ModelFailed" ? giveUp(sim, error.cause) : markUnavailable(sim, describeFailure(error))))
            )
      return supervised.pipe(Effect.annotateLogs("simulation", sim.record.id))
    }

    const submitTo = (sim: Supervised, inputs: ReadonlyArray<SimulationInput>, operationId?: string, restarting = false) =>
      Effect.gen(function* () {
        if (!restarting && sim.restarting !== null) yield* Deferred.await(sim.restarting)
        if (sim.unavailable !== null) return yield* new SimulationUnavailableError({ simulationId: sim.record.id, cause: sim.unavailable })
        const done = yield* Deferred.make<Submitted, SendError>()
        yield* Queue.offer(sim.mailbox, { inputs, operationId, done })
        return yield* Deferred.await(done)
      })

    /** Rebuilds the simulation from the store, held to what the store says it acknowledged now. */
    const recover = (record: SimulationRecord, model: TradingModel, stored?: StoredSimulation) =>
      // After this process's own writes of it: an instance released with a commit still queued may yet write it.
      Effect.andThen(committer.settled(record.id), store.acknowledgedOf(record.id)).pipe(
        Effect.flatMap((acknowledged) => recoverSimulation(record, model, engineOptions, acknowledged ?? 0, stored)),
        Effect.provideService(SimulationStore, store)
      )

    /**
     * Whether a read must reload the simulation first: a batch of it was not made durable, or (where
     * processes share the store, "onDemand") another process has written it since: a runner that
     * held it past its shard lock, say.
     */
    const isStale = (sim: Supervised): Effect.Effect<boolean, SimulationUnavailableError> =>
      sim.stale || !onDemand
        ? Effect.succeed(sim.stale)
        : store.acknowledgedOf(sim.record.id).pipe(
          Effect.map((mark) => (sim.stale = (mark ?? 0) > sim.seq)),
          Effect.mapError((e) => new SimulationUnavailableError({ simulationId: sim.record.id, cause: `its store could not be read: ${e.message}` }))
        )

    /** Puts the instance back to what the store holds, dropping whatever was applied but not made durable. */
    const reload = (sim: Supervised) =>
      Effect.gen(function* () {
        sim.stale = true
        const reloaded = yield* recover(sim.record, sim.model)
        sim.instance = reloaded.instance
        sim.seq = reloaded.seq
        sim.snapshots = [...reloaded.snapshots]
        sim.written = reloaded.written
        sim.operations = reloaded.operations
        sim.stale = false
      })

    const supervise = (
      record: SimulationRecord,
      model: TradingModel,
      recovered: { instance: SimulationInstance; seq: number; snapshots: number[]; written: HistoryMarks; operations: OperationWindow }
    ) =>
      Effect.gen(function* () {
        const sim: Supervised = {
          record,
          model,
          mailbox: yield* Queue.bounded<Command>(mailboxCapacity),
          instance: recovered.instance,
          seq: recovered.seq,
          snapshots: recovered.snapshots,
          written: recovered.written,
          stale: false,
          unavailable: null,
          restarting: null,
          operations: recovered.operations
        }
        simulations.set(record.id, sim)
        yield* FiberMap.run(fibers, record.id, run(sim))
        return sim
      })

    /** Recoveries under way ("onDemand"): concurrent uses of a simulation recover it once. */
    const holding = new Map<string, Deferred.Deferred<Supervised, UnknownSimulationError | SimulationNotRecoveredError>>()

    /** One simulation from the store ("onDemand"). A failure is not remembered: the next use tries again (the store may be back). */
    const recoverById = (id: string): Effect.Effect<Supervised, UnknownSimulationError | SimulationNotRecoveredError> =>
      Effect.gen(function* () {
        const key = keys.meta(id)
        const value = yield* store.get(key)
        if (value === undefined) {
          const acknowledged = yield* store.acknowledgedOf(id)
          if (acknowledged === undefined) return yield* new UnknownSimulationError({ simulationId: id })
          return yield* new AcknowledgedInputsLostError({ simulationId: id, acknowledged, held: null })
        }
        const read = readRecord(key, value)
        if ("problem" in read) return yield* new UnrecoverableSimulationError({ simulationId: id, reason: `its record ${key} is unreadable: ${read.problem}` })
        const record = read.body as SimulationRecord
        if (record.id !== id) return yield* new UnrecoverableSimulationError({ simulationId: id, reason: `its record ${key} names simulation ${JSON.stringify(record.id)}` })
        const model = yield* catalog.resolve(record.model)
        const result = yield* recover(record, model)
        yield* Effect.logInfo(`recovered at ${result.seq}`).pipe(Effect.annotateLogs("simulation", id))
        return yield* supervise(record, model, { ...result, snapshots: [...result.snapshots] })
      }).pipe(
        Effect.exit,
        Effect.flatMap((exit): Effect.Effect<Supervised, UnknownSimulationError | SimulationNotRecoveredError> => {
          if (Exit.isSuccess(exit)) return Effect.succeed(exit.value)
          const error = Cause.squash(exit.cause)
          if (error instanceof UnknownSimulationError) return Effect.fail(error)
          const reason = isTagged(error) ? error : new UnrecoverableSimulationError({ simulationId: id, reason: String(error) })
          return Effect.andThen(Effect.logError(`simulation ${id} not recovered: ${reason.message}`), Effect.fail(new SimulationNotRecoveredError({ simulationId: id, reason })))
        })
      )

    /** The simulation, held: under "onDemand" recovered from the store when it is not. */
    const lookup = (id: string): Effect.Effect<Supervised, UnknownSimulationError | SimulationNotRecoveredError> =>
      Effect.suspend(() => {
        const sim = simulations.get(id)
        if (sim !== undefined) return Effect.succeed(sim)
        if (!onDemand || !simulationIdPattern.test(id)) {
          const reason = unrecoverable.get(id)
          return Effect.fail(reason === undefined ? new UnknownSimulationError({ simulationId: id }) : new SimulationNotRecoveredError({ simulationId: id, reason }))
        }
        const pending = holding.get(id)
        if (pending !== undefined) return Deferred.await(pending)
        const done = Deferred.makeUnsafe<Supervised, UnknownSimulationError | SimulationNotRecoveredError>()
        holding.set(id, done)
        return recoverById(id).pipe(
          Effect.onExit((exit) =>
            Effect.sync(() => {
              holding.delete(id)
              Deferred.doneUnsafe(done, exit)
            })
          )
        )
      })

    const release = (id: string) =>
      Effect.gen(function* () {
        const sim = simulations.get(id)
        if (sim === undefined) return
        simulations.delete(id)
        const cause = "it was released here (moved to another runner, or passivated); send it again"
        sim.unavailable = cause
        yield* FiberMap.remove(fibers, id)
        settle(sim)
        for (const c of yield* Queue.clear(sim.mailbox)) yield* Deferred.fail(c.done, new SimulationUnavailableError({ simulationId: id, cause, released: true }))
        yield* Effect.logDebug("released").pipe(Effect.annotateLogs("simulation", id))
      })

    // Recovery: every simulation in the store, several at a time so that one's reads overlap
    // another's replay; one that cannot be rebuilt is reported, not fatal.
    const recovered: RecoveryReport[] = []
    const unrecoverable = new Map<string, NotRecoveredReason>()
    const notRecovered = (id: string, error: NotRecoveredReason) =>
      Effect.gen(function* () {
        unrecoverable.set(id, error)
        yield* Effect.logError(`simulation ${id} not recovered: ${error.message}`)
      })
    const recoverOne = (key: string, value: string, stored: StoredSimulation | undefined) =>
      Effect.gen(function* () {
        const id = key.slice(keys.meta("").length)
        const read = readRecord(key, value)
        if ("problem" in read) return yield* notRecovered(id, new UnrecoverableSimulationError({ simulationId: id, reason: `its record ${key} is unreadable: ${read.problem}` }))
        const record = read.body as SimulationRecord
        const outcome = yield* Effect.gen(function* () {
          const model = yield* catalog.resolve(record.model)
          // Records read for the simulation its meta key names: a record naming another id reads its own.
          const result = yield* recover(record, model, record.id === id ? stored : undefined)
          yield* supervise(record, model, { ...result, snapshots: [...result.snapshots] })
          const { instance: _instance, snapshots: _snapshots, written: _written, operations: _operations, ...report } = result
          recovered.push({ id: record.id, ...report })
        }).pipe(Effect.exit)
        if (Exit.isFailure(outcome)) {
          const error = Cause.squash(outcome.cause)
          yield* notRecovered(record.id, isTagged(error) ? error : new UnrecoverableSimulationError({ simulationId: record.id, reason: String(error) }))
        }
      })
    const metas = onDemand ? [] : yield* store.range(keys.allMeta)
    const idOf = (key: string) => key.slice(keys.meta("").length)
    const metaOf = new Map(metas.map(([key, value]) => [idOf(key), value] as const))
    // In chunks of simulations adjacent in key order, each chunk's records read at once; a few
    // chunks at a time, so that one's reads overlap another's replay.
    const ordered = byKeyOrder([...metaOf.keys()])
    const chunks = Array.from({ length: Math.ceil(ordered.length / RECOVERY_CHUNK) }, (_, i) => ordered.slice(i * RECOVERY_CHUNK, (i + 1) * RECOVERY_CHUNK))
    yield* Effect.forEach(
      chunks,
      (ids) =>
        Effect.gen(function* () {
          // A chunk whose read fails is read simulation by simulation: a failing read is then that one's cause, as before.
          const stored = yield* readStoredSimulations(ids).pipe(
            Effect.provideService(SimulationStore, store),
            Effect.catchTag("StoreReadError", () => Effect.succeed(undefined))
          )
          for (const id of ids) yield* recoverOne(keys.meta(id), metaOf.get(id)!, stored?.get(id))
        }),
      { concurrency: 3, discard: true }
    )
    // Acknowledged simulations whose record is gone were lost, not never made ("onDemand" finds out when one is used).
    if (!onDemand) for (const [id, acknowledged] of store.acknowledged)
      if (!metaOf.has(id)) yield* notRecovered(id, new AcknowledgedInputsLostError({ simulationId: id, acknowledged, held: null }))
    recovered.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))

    // Ids being created: the check and the claim happen in one step, so two concurrent creates of an id cannot both pass.
    const creating = new Set<string>()

    const create = (spec: SimulationSpec, operationId?: string) =>
      Effect.gen(function* () {
        if (!simulationIdPattern.test(spec.id)) return yield* new InvalidSimulationIdError({ simulationId: spec.id })
        if (operationId !== undefined && (typeof operationId !== "string" || !operationIdPattern.test(operationId))) return yield* new InvalidOperationIdError({ operationId })
        const held = simulations.get(spec.id)
        if (held !== undefined && operationId !== undefined && held.record.createdBy === operationId) return
        if (held !== undefined || creating.has(spec.id)) return yield* new SimulationExistsError({ simulationId: spec.id })
        const reason = unrecoverable.get(spec.id)
        if (reason !== undefined) return yield* new SimulationNotRecoveredError({ simulationId: spec.id, reason })
        creating.add(spec.id)
        return yield* createClaimed(spec, operationId).pipe(Effect.ensuring(Effect.sync(() => creating.delete(spec.id))))
      })

    /** True when the stored record was made by this operation (a creation sent again). */
    const madeBy = (key: string, value: string, operationId: string | undefined) => {
      if (operationId === undefined) return false
      const read = readRecord(key, value)
      return !("problem" in read) && (read.body as SimulationRecord).createdBy === operationId
    }

    const createClaimed = (spec: SimulationSpec, operationId: string | undefined) =>
      Effect.gen(function* () {
        const key = keys.meta(spec.id)
        const stored = yield* store.get(key).pipe(Effect.orDie)
        if (stored !== undefined) return madeBy(key, stored, operationId) ? undefined : yield* new SimulationExistsError({ simulationId: spec.id })
        const paramsIssue = modelParamsIssue(spec)
        if (paramsIssue !== undefined) return yield* paramsIssue
        const model = yield* catalog.resolve(spec.model)
        const instance = yield* Effect.try({
          try: () => SimulationInstance.create(spec.config ?? {}, model, engineOptions),
          catch: (e) => (e instanceof ValidationError ? e : new ValidationError({ subject: "config", issues: [{ field: "(config)", rule: String(e), value: spec.config }] }))
        })
        const record: SimulationRecord = { id: spec.id, config: instance.engine.config, model: spec.model, ...(operationId === undefined ? {} : { createdBy: operationId }) }
        // Inserted: where processes share the store, of two creations at once the second finds the record taken.
        const taken = yield* committer.commit([{ type: "insert", key, value: encodeRecord(record) }], [[spec.id, 0]], spec.id).pipe(
          Effect.as(false),
          Effect.catchIf((e) => takenKeysOf(e).includes(key), () => Effect.succeed(true))
        )
        if (taken) {
          const winner = yield* store.get(key).pipe(Effect.orDie)
          return winner !== undefined && madeBy(key, winner, operationId) ? undefined : yield* new SimulationExistsError({ simulationId: spec.id })
        }
        yield* supervise(record, model, { instance, seq: 0, snapshots: [], written: NO_HISTORY, operations: new OperationWindow() })
        yield* Effect.logInfo(`created ${spec.id} running ${spec.model.kind}`)
      })

    const submit = (id: string, inputs: ReadonlyArray<SimulationInput>) => Effect.flatMap(lookup(id), (sim) => Effect.map(submitTo(sim, inputs), (s) => s.results))

    const submitOnce = (id: string, operationId: string, inputs: ReadonlyArray<SimulationInput>): Effect.Effect<Submitted, SendError | InvalidOperationIdError> =>
      typeof operationId === "string" && operationIdPattern.test(operationId)
        ? Effect.flatMap(lookup(id), (sim) => submitTo(sim, inputs, operationId))
        : Effect.fail(new InvalidOperationIdError({ operationId }))

    return SimulationSupervisor.of({
      create: (spec, operationId) => leveled(create(spec, operationId)),
      submit: (id, inputs) => leveled(submit(id, inputs)),
      submitOnce: (id, operationId, inputs) => leveled(submitOnce(id, operationId, inputs)),
      hold: (id) => leveled(Effect.asVoid(lookup(id))),
      release: (id) => leveled(release(id)),
      send: (id, input) =>
        leveled(Effect.flatMap(submit(id, [input]), ([result]) => (result!.ok ? Effect.succeed(result!.value) : Effect.fail(result!.error)))),
      inspect: (id, read) =>
        Effect.flatMap(lookup(id), (sim) =>
          // A simulation whose batch was not made durable may still hold it: reloaded first, through its mailbox.
          Effect.flatMap(isStale(sim), (stale) => (stale ? Effect.map(submitTo(sim, []), () => read(sim.instance)) : Effect.succeed(read(sim.instance))))
        ),
      summary: (id) =>
        Effect.flatMap(lookup(id), (sim) => {
          const read = (): SimulationSummary => {
            const engine = sim.instance.engine
            return { status: engine.status, statusReason: engine.statusReason, lastUpdateTime: engine.lastUpdateTime, updateCount: engine.updateCount, seq: sim.seq }
          }
          // As `inspect`: a simulation whose batch was not made durable is reloaded first.
          return Effect.flatMap(isStale(sim), (stale) => (stale ? Effect.map(submitTo(sim, []), read) : Effect.sync(read)))
        }),
      settled: (id) => Effect.flatMap(lookup(id), (sim) => (sim.restarting === null ? Effect.void : Deferred.await(sim.restarting))),
      list: Effect.sync(() => [...simulations.keys()]),
      events,
      recovered,
      unrecoverable: [...unrecoverable].map(([simulationId, error]) => ({ simulationId, error })).sort((a, b) => (a.simulationId < b.simulationId ? -1 : 1))
    })
  })
