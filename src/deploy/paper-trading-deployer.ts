/**
 * Paper trading: deploy a registered model version into a supervised simulation, feed it market
 * updates, and archive its results when it stops.
 *
 * ```ts
 * const store = new LocalArtifactStore({ storageRoot: "./.paperfloor" })
 * const registry = new ModelRegistry({ artifactStore: store })
 * const deployments = new DeploymentManager({ modelRegistry: registry, artifactStore: store })
 * const paper = new PaperTradingDeployer({ deploymentManager: deployments, modelRegistry: registry, artifactStore: store })
 * const id = await paper.deployToPaperTrading({ modelId: "my_model", modelVersion: "v1.0", simulationConfig })
 * await paper.startSimulation(id)
 * await paper.processMarketUpdate(id, { AAPL: 150, GOOGL: 2600, MSFT: 300 })
 * const status = await paper.getSimulationStatus(id)   // state, portfolioValue, cash, positions, openOrders
 * const results = await paper.stopSimulation(id)       // metrics, trades, equity curve; archived
 * await paper.close()                                  // releases the store
 * ```
 *
 * - **Where things live**, under the artifact store's root: deployment records in `deployments/`
 *   (DeploymentManager), the simulations' journals and snapshots in a LevelDB store in
 *   `simulations/` (the runtime's SimulationSupervisor), and archived results in `artifacts/`.
 *   The simulation id is the deployment id.
 * - **Restarts**: the store is opened on first use. Every simulation in it is then recovered
 *   (snapshot + journal replay) exactly as it was, so a deployer built after a restart over the
 *   same root continues each deployment where it stopped. `close()` releases the store (one
 *   process owns it at a time: another gets `StoreLockedError`).
 * - **Time**: the engine has no clock. An update without a `time` (the seed's bare price map
 *   `{ AAPL: 150 }`, or `{ prices }` / `{ bars }` without one) is stamped with the deployer's
 *   clock (`now`, the wall clock by default), never earlier than the simulation's last update.
 *   So day orders expire and the daily stop-loss resets on real trading days. Recorded data
 *   should carry its own times.
 * - **Durability**: an update is acknowledged once it is in the simulation's journal. A batch
 *   (`processMarketUpdates`) is checked whole first: if any update is invalid, none is applied.
 * - **Models** that throw are contained by the runtime's supervision: the simulation is marked
 *   failed (recorded in the deployment's history with the cause), the call reports
 *   `ModelFailedError`, and the supervisor restarts the model on its schedule.
 * - **Errors** are typed (`Data.TaggedError`); a refused call changes nothing.
 *
 * Each operation is a Promise method and an Effect in `paper.effect`, failing with the same errors.
 */
import { existsSync } from "node:fs"
import { join } from "node:path"
import { Context, Effect, Exit, Fiber, Layer, type LogLevel, ManagedRuntime, PubSub, Redacted, References, Result, Scope, Semaphore } from "effect"
import { type SimulationStatus, simulationStatusesTagged } from "../../machines/index.ts"
import { SimulationStateError, ValidationError, type ValidationIssue } from "../domain/errors.ts"
import { formatThrown } from "../domain/format-value.ts"
import { firstNotJson } from "../domain/json.ts"
import { fieldOf } from "../domain/input-path.ts"
import { readPlainInput, unreadableIssue } from "../domain/plain-input.ts"
import { type MarketUpdateInput, normalizeMarketUpdate } from "../domain/market-update.ts"
import { portfolioRecord, type PositionRecord } from "../domain/portfolio.ts"
import type { SimulationConfig, SimulationConfigInput } from "../domain/simulation-config.ts"
import type { Trade } from "../domain/trade.ts"
import type { EquityPoint } from "../engine/equity-curve.ts"
import type { PerformanceMetrics } from "../engine/metrics.ts"
import type { OrderView } from "../engine/order-entry.ts"
import type { OrderListPlacement, TradingSimulationEngine } from "../engine/trading-simulation-engine.ts"
import type { OrderRequest, ReplaceRequest } from "../domain/order.ts"
import type { OrderListRequest } from "../domain/order-list.ts"
import { type ClusterClientOptions, ClusterSupervisor } from "../runtime/cluster/cluster-supervisor.ts"
import { LevelDbStore } from "../runtime/leveldb-store.ts"
import { postgresTarget } from "../runtime/postgres-client.ts"
import { ModelCatalog } from "../runtime/model-catalog.ts"
import { SimulationUnavailableError, type UnknownSimulationError } from "../runtime/runtime-errors.ts"
import type { SimulationInstance } from "../runtime/simulation-instance.ts"
import type { SimulationInput } from "../runtime/simulation-input.ts"
import { type SupervisedEvent, SimulationSupervisor, type SupervisorOptions } from "../runtime/simulation-supervisor.ts"
import type { LocalArtifactStore } from "./artifact-store.ts"
import { DeploymentRecordMissingError, ModelFailedError, ResultsNotArchivedError, UnsupportedEnvironmentError } from "./deployment-errors.ts"
import {
  type DeploymentEnvironment,
  type DeploymentManager,
  type DeploymentRecord,
  type DeploymentStatus,
  deploymentEnvironments,
  deploymentStatusOf
} from "./deployment-manager.ts"
import type { ModelRegistry, ModelVersionSpec } from "./model-registry.ts"
import { holdStorageRoot } from "./storage-root-lock.ts"

export interface PaperTradingDeployerOptions {
  readonly deploymentManager: DeploymentManager
  readonly modelRegistry: ModelRegistry
  readonly artifactStore: LocalArtifactStore
  /** The clock that stamps updates without a time; the wall clock by default. */
  readonly now?: () => Date
  /** The simulations' LevelDB store; `<storageRoot>/simulations` by default. */
  readonly storeDirectory?: string
  /** The runtime's supervisor: snapshot interval, mailbox size, restart schedule, log level. */
  readonly supervisor?: SupervisorOptions
  /**
   * Cluster mode: the simulations live in PostgreSQL (`cluster.postgresUrl`) and run on the
   * cluster's runners (`paperfloor runner`), spread over their shards, instead of in this process
   * over LevelDB. The API is the same. Deployment records and results stay under the storage root.
   */
  readonly cluster?: ClusterClientOptions
}

export interface DeployRequest {
  readonly modelId: string
  readonly modelVersion: string
  /** Validated with the engine's schema (the seed's defaults fill what is missing). */
  readonly simulationConfig?: SimulationConfigInput
  /** "paper", the default; another environment gets `UnsupportedEnvironmentError`. */
  readonly environment?: string
}

/** A position, decimals as strings. */
export type PositionStatus = PositionRecord

/** A portfolio as plain JSON, decimals as strings. */
export interface PortfolioStatus {
  /** cash + Σ position × mark. */
  readonly portfolioValue: string
  readonly cash: string
  readonly buyingPower: string
  readonly realizedPnl: string
  readonly unrealizedPnl: string
  readonly totalCommission: string
  readonly positions: ReadonlyArray<PositionStatus>
}

export interface SimulationStatusReport extends PortfolioStatus {
  readonly deploymentId: string
  readonly environment: DeploymentEnvironment
  readonly modelId: string
  readonly modelVersion: string
  /** The simulation's state: deployed, running, paused, halted (daily stop-loss), failed or stopped. */
  readonly state: SimulationStatus
  /** Why it is halted or failed. */
  readonly reason: string | null
  /** The deployment's status (its record; `halted` counts as running there). */
  readonly deploymentStatus: DeploymentStatus
  readonly openOrders: ReadonlyArray<OrderView>
  /** Market updates processed. */
  readonly updates: number
  /** ms since the epoch of the last update; null before the first. */
  readonly lastUpdateTime: number | null
}

export interface UpdateReceipt {
  readonly deploymentId: string
  /** Updates of this call that were applied (all of them, unless the model failed). */
  readonly applied: number
  readonly state: SimulationStatus
  readonly reason: string | null
  /** Market updates processed by the simulation so far. */
  readonly updates: number
}

export const RESULTS_FORMAT = 1

/** What a stopped simulation leaves behind: archived as JSON in the artifact store. */
export interface PaperTradingResults {
  readonly format: typeof RESULTS_FORMAT
  readonly deploymentId: string
  readonly environment: DeploymentEnvironment
  readonly modelId: string
  readonly modelVersion: string
  readonly model: ModelVersionSpec
  readonly config: SimulationConfig
  readonly state: SimulationStatus
  readonly updates: number
  readonly firstUpdateTime: number | null
  readonly lastUpdateTime: number | null
  readonly metrics: PerformanceMetrics
  readonly portfolio: PortfolioStatus
  readonly fills: number
  readonly orders: { readonly total: number; readonly filled: number; readonly rejected: number; readonly cancelled: number; readonly expired: number }
  readonly trades: ReadonlyArray<Trade>
  readonly equityCurve: ReadonlyArray<EquityPoint>
}

/** Results as returned: the archived JSON and the artifact (sha256) it is stored as. */
export interface ArchivedResults extends PaperTradingResults {
  readonly resultsArtifact: string
}

type Supervisor = (typeof SimulationSupervisor)["Service"]

/** What `replaceOrder` answers: done, or refused by a check with its code and reason (the order is as it was). */
export type ReplaceOutcome = ReturnType<TradingSimulationEngine["replaceOrder"]>

/** The inputs that place or change orders from outside the model. */
type OrderInput = Extract<SimulationInput, { readonly type: "submitOrder" | "submitOrderList" | "cancelOrder" | "replaceOrder" }>

const ACCEPTS_UPDATES = simulationStatusesTagged("takesUpdates")


const portfolioOf = (instance: SimulationInstance): PortfolioStatus => {
  const { totalValue, ...rest } = portfolioRecord(instance.engine.getPortfolio())
  return { portfolioValue: totalValue, ...rest }
}

const statusReport = (record: DeploymentRecord, instance: SimulationInstance): SimulationStatusReport => {
  const engine = instance.engine
  return {
    deploymentId: record.id,
    environment: record.environment,
    modelId: record.modelId,
    modelVersion: record.modelVersion,
    state: engine.status,
    reason: engine.statusReason,
    deploymentStatus: record.status,
    ...portfolioOf(instance),
    openOrders: engine.getOpenOrders(),
    updates: engine.updateCount,
    lastUpdateTime: engine.lastUpdateTime
  }
}

const resultsOf = (record: DeploymentRecord, instance: SimulationInstance): PaperTradingResults => {
  const engine = instance.engine
  const orders = engine.getOrders()
  const count = (status: string) => orders.reduce((n, o) => (o.status === status ? n + 1 : n), 0)
  const curve = engine.getEquityCurve()
  const results: PaperTradingResults = {
    format: RESULTS_FORMAT,
    deploymentId: record.id,
    environment: record.environment,
    modelId: record.modelId,
    modelVersion: record.modelVersion,
    model: record.model,
    config: engine.config,
    state: engine.status,
    updates: engine.updateCount,
    firstUpdateTime: curve[0]?.time ?? null,
    lastUpdateTime: curve.at(-1)?.time ?? null,
    metrics: engine.getPerformanceMetrics(),
    portfolio: portfolioOf(instance),
    fills: engine.historyMarks().fills,
    orders: { total: orders.length, filled: count("filled"), rejected: count("rejected"), cancelled: count("cancelled"), expired: count("expired") },
    trades: engine.getTrades(),
    equityCurve: curve
  }
  // Exactly what reading the archive back gives.
  return JSON.parse(JSON.stringify(results)) as PaperTradingResults
}

const isRecord = (u: unknown): u is Record<string, unknown> => u !== null && typeof u === "object" && !Array.isArray(u)

/** The update with `time` set, unless it has one (anything that is not an object is left for validation to report). */
const stamp = (update: unknown, time: number): unknown => (isRecord(update) && update["time"] === undefined ? { ...update, time } : update)

const atIndex = (i: number, issues: ReadonlyArray<ValidationIssue>): ReadonlyArray<ValidationIssue> =>
  issues.map((issue) => ({ ...issue, field: issue.field === "(update)" ? `updates[${i}]` : `updates[${i}].${issue.field}` }))

/**
 * The caller's updates as the journal will hold them: read once into plain data (no code of the
 * caller's runs after this: a getter, a Proxy, a `toJSON`), then as JSON, which is what the
 * simulation applies and a replay sees. A part that cannot be read or written as JSON (a throwing
 * getter, a bigint, a cycle), or a hole in the array, is refused with the rest, naming it: none of
 * the batch is applied.
 */
const plainUpdates = (updates: unknown, single: boolean): ReadonlyArray<unknown> | ValidationError => {
  const refuse = (issues: ReadonlyArray<ValidationIssue>) => new ValidationError({ subject: "marketUpdate", issues })
  const read = readPlainInput(updates)
  // The single form names an update's own fields; a batch names them under updates[i].
  const field = (path: ReadonlyArray<string | number>) => (single ? fieldOf(path.slice(1)) || "(update)" : fieldOf(path, "updates"))
  if (Result.isFailure(read)) return refuse([unreadableIssue(read.failure, field(read.failure.path))])
  const plain = read.success
  if (!Array.isArray(plain) || plain.length === 0) return refuse([{ field: "updates", rule: "must be a non-empty array of market updates", value: updates }])
  const issues: ValidationIssue[] = []
  const updatesOut: unknown[] = []
  for (let i = 0; i < plain.length; i++) {
    if (!(i in plain)) {
      issues.push({ field: field([i]), rule: "must be a market update (the array has a hole here)", value: undefined })
      continue
    }
    const notJson = firstNotJson(plain[i])
    if (notJson !== undefined) {
      issues.push({ field: field([i, ...notJson.path]), rule: `must be plain JSON, which the journal stores (it holds ${notJson.reason})`, value: undefined })
      continue
    }
    try {
      updatesOut.push(JSON.parse(JSON.stringify(plain[i]) ?? "null"))
    } catch (e) {
      // A class instance whose toJSON throws (a revoked Date, say).
      issues.push({ field: field([i]), rule: `must be plain JSON, which the journal stores (${formatThrown(e)})`, value: undefined })
    }
  }
  return issues.length > 0 ? refuse(issues) : updatesOut
}

/** The runtime a deployer owns: the supervisor over the LevelDB store, with the registry's catalog. */
const supervisorLayer = (registry: ModelRegistry, storageRoot: string, directory: string, options: SupervisorOptions) =>
  SimulationSupervisor.layer(options).pipe(
    Layer.provide(
      Layer.merge(
        // The store first (a second process gets StoreLockedError), then the root its records live in.
        Layer.effectDiscard(holdStorageRoot(storageRoot)).pipe(Layer.provideMerge(LevelDbStore.layer({ directory }))),
        Layer.unwrap(Effect.map(registry.effect.catalog(), (factories) => ModelCatalog.layer(factories)))
      )
    )
  )

/** In cluster mode: the cluster's client as the supervisor; this process holds only the root its records live in. */
const clusterLayer = (storageRoot: string, options: ClusterClientOptions) =>
  ClusterSupervisor.layer(options).pipe(Layer.provideMerge(Layer.effectDiscard(holdStorageRoot(storageRoot))))

/** Why the simulations' store could not be opened (or its simulations recovered, or the cluster reached). */
export type DeployerRuntimeError = Layer.Error<ReturnType<typeof supervisorLayer>> | Layer.Error<ReturnType<typeof clusterLayer>>

interface DeployerContext {
  readonly manager: DeploymentManager
  readonly store: LocalArtifactStore
  /** Where the simulations are, for messages: the LevelDB directory, or the cluster's PostgreSQL. */
  readonly storeLocation: string
  /** Whether the simulations' store may hold any (opening a LevelDB store that is not there would make it). */
  readonly storeExists: () => boolean
  /**
   * Whether other deployers' simulations share the store (a cluster's PostgreSQL): a simulation
   * without a record here is then theirs, not one whose record this deployer lost.
   */
  readonly storeShared: boolean
  readonly supervisor: () => Effect.Effect<Supervisor, DeployerRuntimeError>
  readonly now: () => Date
  readonly close: () => Effect.Effect<void>
  readonly logLevel: LogLevel.LogLevel
}

/**
 * Runs paper-trading deployments: one supervised simulation per deployment, durable in LevelDB,
 * with its record kept by the DeploymentManager and its results archived in the artifact store.
 * See the top of this file.
 */
export class PaperTradingDeployer {
  readonly deploymentManager: DeploymentManager
  readonly modelRegistry: ModelRegistry
  readonly artifactStore: LocalArtifactStore
  /** The simulations' LevelDB store (not used in cluster mode). */
  readonly storeDirectory: string
  /** The operations as Effects, with their typed errors. */
  readonly effect: PaperTradingDeployerEffects
  #runtime: ManagedRuntime.ManagedRuntime<SimulationSupervisor, DeployerRuntimeError> | undefined

  constructor(options: PaperTradingDeployerOptions) {
    this.deploymentManager = options.deploymentManager
    this.modelRegistry = options.modelRegistry
    this.artifactStore = options.artifactStore
    this.storeDirectory = options.storeDirectory ?? join(options.artifactStore.storageRoot, "simulations")
    const supervisorOptions = options.supervisor ?? {}
    const release = (runtime: ManagedRuntime.ManagedRuntime<SimulationSupervisor, DeployerRuntimeError>) =>
      Effect.promise(async () => {
        if (this.#runtime !== runtime) return
        this.#runtime = undefined
        await runtime.dispose()
      })
    const cluster = options.cluster
    const root = this.artifactStore.storageRoot
    this.effect = makeEffects({
      manager: this.deploymentManager,
      store: this.artifactStore,
      storeLocation: cluster === undefined ? this.storeDirectory : `the cluster's PostgreSQL at ${postgresTarget({ url: Redacted.make(cluster.postgresUrl) }).address}`,
      storeExists: () => cluster !== undefined || existsSync(this.storeDirectory),
      storeShared: cluster !== undefined,
      now: options.now ?? (() => new Date()),
      logLevel: supervisorOptions.logLevel ?? "Warn",
      // Opened on first use; every simulation in the store is recovered then.
      supervisor: () =>
        Effect.suspend(() => {
          const layer: Layer.Layer<SimulationSupervisor, DeployerRuntimeError> =
            cluster === undefined ? supervisorLayer(this.modelRegistry, root, this.storeDirectory, supervisorOptions) : clusterLayer(root, cluster)
          const runtime = (this.#runtime ??= ManagedRuntime.make(layer))
          return runtime.contextEffect.pipe(
            Effect.map((context) => Context.get(context, SimulationSupervisor)),
            // A store that could not be opened (held by another process, say) is tried again on the next call.
            Effect.tapError(() => release(runtime))
          )
        }),
      close: () => Effect.suspend(() => (this.#runtime === undefined ? Effect.void : release(this.#runtime)))
    })
  }

  /** Validates the request, records the deployment and creates its simulation (`deployed`); returns the deployment id. */
  deployToPaperTrading(request: DeployRequest): Promise<string> {
    return Effect.runPromise(this.effect.deployToPaperTrading(request))
  }

  startSimulation(deploymentId: string): Promise<void> {
    return Effect.runPromise(this.effect.startSimulation(deploymentId))
  }

  /** One market update: `{ AAPL: 150 }`, `{ time, prices }` or `{ time, bars }`; acknowledged once durable. */
  processMarketUpdate(deploymentId: string, update: MarketUpdateInput): Promise<UpdateReceipt> {
    return Effect.runPromise(this.effect.processMarketUpdate(deploymentId, update))
  }

  /** Several updates, in order, in one journal write; checked whole first (one invalid update and none is applied). */
  processMarketUpdates(deploymentId: string, updates: ReadonlyArray<MarketUpdateInput>): Promise<UpdateReceipt> {
    return Effect.runPromise(this.effect.processMarketUpdates(deploymentId, updates))
  }

  getSimulationStatus(deploymentId: string): Promise<SimulationStatusReport> {
    return Effect.runPromise(this.effect.getSimulationStatus(deploymentId))
  }

  pauseSimulation(deploymentId: string): Promise<void> {
    return Effect.runPromise(this.effect.pauseSimulation(deploymentId))
  }

  resumeSimulation(deploymentId: string): Promise<void> {
    return Effect.runPromise(this.effect.resumeSimulation(deploymentId))
  }

  /** Stops the simulation (open orders are cancelled), archives its results and returns them. */
  stopSimulation(deploymentId: string): Promise<ArchivedResults> {
    return Effect.runPromise(this.effect.stopSimulation(deploymentId))
  }

  /**
   * Orders from outside the model (a broker API's client, say), beside the model's own: each is
   * journaled before it is acknowledged, as updates are, and refused (changing nothing) with the
   * engine's typed error. The engine's answer is returned: an order id, a list's placement, a
   * replace's outcome.
   */
  submitOrder(deploymentId: string, request: OrderRequest): Promise<string> {
    return Effect.runPromise(this.effect.submitOrder(deploymentId, request))
  }

  submitOrderList(deploymentId: string, request: OrderListRequest): Promise<OrderListPlacement> {
    return Effect.runPromise(this.effect.submitOrderList(deploymentId, request))
  }

  cancelOrder(deploymentId: string, orderId: string): Promise<void> {
    return Effect.runPromise(this.effect.cancelOrder(deploymentId, orderId))
  }

  replaceOrder(deploymentId: string, orderId: string, changes: ReplaceRequest): Promise<ReplaceOutcome> {
    return Effect.runPromise(this.effect.replaceOrder(deploymentId, orderId, changes))
  }

  /** Reads the simulation's engine (orders, fills, portfolio, config) between inputs; `read` must not change it. */
  inspectSimulation<A>(deploymentId: string, read: (engine: TradingSimulationEngine) => A): Promise<A> {
    return Effect.runPromise(this.effect.inspectSimulation(deploymentId, read))
  }

  /**
   * Calls `listener` with every engine event of the store's simulations, each published once the
   * batch that caused it is durable, until the returned function is called (or the store closes).
   */
  subscribeEvents(listener: (event: SupervisedEvent) => void): Promise<() => void> {
    return Effect.runPromise(this.effect.subscribeEvents(listener))
  }

  /** Paper deployments (their records), oldest first. */
  listSimulations(): Promise<ReadonlyArray<DeploymentRecord>> {
    return Effect.runPromise(this.effect.listSimulations())
  }

  /** The archived results of a stopped deployment, also after a restart. */
  getResults(deploymentId: string): Promise<ArchivedResults> {
    return Effect.runPromise(this.effect.getResults(deploymentId))
  }

  /**
   * Opens the simulations' store now, rather than on first use, and keeps it until `close`: fails
   * with `StoreLockedError` while another process owns it. Before writing anything elsewhere (a
   * model's registration), so that nothing is written when the store is not this process's.
   */
  open(): Promise<void> {
    return Effect.runPromise(this.effect.open())
  }

  /** Releases the simulations' store (its simulations stay in it). The next call opens it again. */
  close(): Promise<void> {
    return Effect.runPromise(this.effect.close())
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }
}

const makeEffects = (ctx: DeployerContext) => {
  const { manager, store, now } = ctx
  /** The supervisor the records were last brought up to; a new one (the store reopened) gets recovery's pass. */
  let reconciled: Supervisor | undefined
  const supervisor = () =>
    Effect.tap(ctx.supervisor(), (sup) =>
      sup === reconciled
        ? Effect.void
        : Effect.andThen(finishInterrupted(sup), Effect.sync(() => {
            reconciled = sup
          }))
    )
  // Calls that change a deployment run one at a time per deployment: a batch's checks and its
  // stamps rely on the simulation's last update time, which only the previous call moves.
  const locks = new Map<string, Semaphore.Semaphore>()
  const exclusive =
    (id: string) =>
    <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> => {
      let lock = locks.get(id)
      if (lock === undefined) locks.set(id, (lock = Semaphore.makeUnsafe(1)))
      return lock.withPermits(1)(effect)
    }

  /**
   * Reads the deployment's simulation. A deployment recorded but whose simulation was never
   * created (the process died in between) gets it now; any other missing simulation is unavailable.
   */
  const inspect = <A>(sup: Supervisor, record: DeploymentRecord, read: (instance: SimulationInstance) => A) => created(sup, record, () => sup.inspect(record.id, read))

  /** Where the deployment's simulation is (status, last update time, count), created as `inspect` does. */
  const summaryOf = (sup: Supervisor, record: DeploymentRecord) => created(sup, record, () => sup.summary(record.id))

  const created = <A, E>(sup: Supervisor, record: DeploymentRecord, use: () => Effect.Effect<A, E | UnknownSimulationError>) =>
    use().pipe(
      Effect.catchTag("UnknownSimulationError", () =>
        Effect.gen(function* () {
          if (record.status !== "deployed" || record.resultsArtifact !== undefined) {
            return yield* new SimulationUnavailableError({
              simulationId: record.id,
              cause: `deployment ${record.id} is ${record.status} but its simulation is not in the store at ${ctx.storeLocation}`
            })
          }
          yield* sup.create({ id: record.id, config: record.config, model: record.model }).pipe(Effect.catchTag("SimulationExistsError", () => Effect.void))
          return yield* use()
        })
      )
    )

  /** The paper deployments; a simulation in the store without its record fails the listing, naming it, rather than being left out. */
  const listSimulations = () =>
    Effect.gen(function* () {
      const records = yield* manager.effect.listDeployments({ environment: "paper" })
      if (!ctx.storeExists() || ctx.storeShared) return records
      const sup = yield* supervisor()
      const known = new Set((yield* manager.effect.listDeployments()).map((r) => r.id))
      const orphan = [...(yield* sup.list), ...sup.unrecoverable.map((u) => u.simulationId)].find((id) => !known.has(id))
      if (orphan !== undefined) return yield* new DeploymentRecordMissingError({ deploymentId: orphan, path: manager.recordPath(orphan) })
      return records
    })

  /**
   * The deployment's record. One that is gone while its simulation is in the store (deleted behind
   * the deployer's back) is `DeploymentRecordMissingError`, not a deployment that never was.
   */
  const recordOf = (id: string) =>
    manager.effect.getDeployment(id).pipe(
      Effect.catchTag("UnknownDeploymentError", (unknown) =>
        Effect.gen(function* () {
          // No store yet, no simulation: opening one to look would create it.
          if (typeof id !== "string" || !ctx.storeExists() || ctx.storeShared) return yield* unknown
          const sup = yield* supervisor()
          const held = (yield* sup.list).includes(id) || sup.unrecoverable.some((u) => u.simulationId === id)
          return yield* held ? Effect.fail(new DeploymentRecordMissingError({ deploymentId: id, path: manager.recordPath(id) })) : Effect.fail(unknown)
        })
      )
    )

  /** Waits for a restart the supervisor has scheduled; a simulation it does not have is left to `inspect`. */
  const settled = (sup: Supervisor, id: string) => sup.settled(id).pipe(Effect.catchTag("UnknownSimulationError", () => Effect.void))

  /**
   * Brings the record's status up to the simulation's state: after a command (`commanded`, no
   * reason recorded), or for a failure or a restart by the supervisor that happened since.
   */
  const sync = (record: DeploymentRecord, state: SimulationStatus, reason: string | null, commanded = false) => {
    const status = deploymentStatusOf(state)
    if (status === record.status) return Effect.succeed(record)
    if (commanded) return manager.effect.recordStatus(record.id, status)
    const why = status === "failed" ? (reason ?? "the model failed") : record.status === "failed" ? "restarted by the supervisor" : `the simulation is ${state}`
    return manager.effect.recordStatus(record.id, status, why)
  }


  const deployToPaperTrading = (input: DeployRequest) =>
    Effect.gen(function* () {
      // Read once: what is checked is what is deployed, and none of the caller's code runs after this.
      const read = readPlainInput(input)
      if (Result.isFailure(read)) return yield* new ValidationError({ subject: "config", issues: [unreadableIssue(read.failure, fieldOf(read.failure.path) || "(request)")] })
      const request = read.success as DeployRequest
      const environment = isRecord(request) ? request["environment"] : undefined
      if (environment !== undefined && environment !== "paper") {
        // Only a string names an environment; anything else is bad input, described without calling its toString.
        if (typeof environment !== "string") return yield* new ValidationError({ subject: "config", issues: [{ field: "environment", rule: 'must be "paper"', value: environment }] })
        return yield* new UnsupportedEnvironmentError({ environment, available: deploymentEnvironments })
      }
      const deployment = isRecord(request) ? { ...request, environment: "paper" } : request
      // Everything is checked before anything is written; the store is opened only then.
      yield* manager.effect.prepareDeployment(deployment)
      const sup = yield* supervisor()
      for (;;) {
        const record = yield* manager.effect.createDeployment(deployment)
        const created = yield* sup
          .create({ id: record.id, config: record.config, model: record.model })
          .pipe(Effect.onError(() => Effect.ignore(manager.effect.discard(record.id))), Effect.as(true))
          // A simulation whose record was lost holds this id: the next number is free.
          .pipe(Effect.catchTag("SimulationExistsError", () => Effect.succeed(false)))
        if (created) return record.id
      }
    })

  const lifecycle = (id: string, type: "start" | "pause" | "resume") =>
    Effect.gen(function* () {
      const record = yield* recordOf(id)
      const sup = yield* supervisor()
      yield* settled(sup, id)
      const before = yield* summaryOf(sup, record)
      // Refused, it changes nothing; done, the record catches up with the simulation, then records the command.
      yield* sup.send(id, { type })
      const synced = yield* sync(record, before.status, before.statusReason)
      const after = yield* sup.summary(id)
      yield* sync(synced, after.status, after.statusReason, true)
    })

  const processMarketUpdates = (id: string, updates: ReadonlyArray<MarketUpdateInput>, single = false) =>
    Effect.gen(function* () {
      const plain = plainUpdates(updates, single)
      if (plain instanceof ValidationError) return yield* plain
      const record = yield* recordOf(id)
      const sup = yield* supervisor()
      yield* settled(sup, id)
      const current = yield* summaryOf(sup, record)
      if (!ACCEPTS_UPDATES.has(current.status)) return yield* new SimulationStateError({ status: current.status, command: "processMarketUpdate" })

      // Stamp and check the whole batch before any of it is applied.
      const clock = now().getTime()
      const symbols = new Set(record.config.symbols)
      const inputs: SimulationInput[] = []
      const issues: ValidationIssue[] = []
      let previous = current.lastUpdateTime
      plain.forEach((raw, i) => {
        const update = stamp(raw, previous === null ? clock : Math.max(clock, previous))
        const normalized = normalizeMarketUpdate(update, symbols, previous)
        if (normalized instanceof ValidationError) {
          issues.push(...(single ? normalized.issues : atIndex(i, normalized.issues)))
          return
        }
        previous = normalized.time
        inputs.push({ type: "marketUpdate", update: update as MarketUpdateInput })
      })
      if (issues.length > 0) return yield* new ValidationError({ subject: "marketUpdate", issues })
      const synced = yield* sync(record, current.status, current.statusReason)

      // The batch's status changes come back as events, published before the batch is acknowledged.
      const { results, failure } = yield* Effect.scoped(
        Effect.gen(function* () {
          const subscription = yield* PubSub.subscribe(sup.events)
          const results = yield* sup.submit(id, inputs)
          const events = yield* PubSub.takeUpTo(subscription, Number.MAX_SAFE_INTEGER)
          let failure: string | null = null
          for (const { simulationId, event } of events) {
            if (simulationId === id && event.type === "simulationStatusChanged" && event.to === "failed") failure = event.reason ?? "the model failed"
          }
          return { results, failure }
        })
      )
      let applied = 0
      let refusal: unknown = undefined
      results.forEach((result) => {
        if (result.ok) applied += 1
        else refusal ??= result.error
      })
      // A batch answered from the store (its runner died before answering: cluster mode) comes without
      // its events, so a failure it caused is read from the state, which had been running.
      const after = yield* sup.summary(id)
      const failed = failure ?? (after.status === "failed" && current.status !== "failed" ? (after.statusReason ?? "the model failed") : null)
      if (failed !== null) {
        yield* sync(synced, "failed", failed)
        return yield* new ModelFailedError({ deploymentId: id, cause: failed, applied, total: inputs.length })
      }
      // Calls for a deployment run one at a time, so an update that passed the checks above is not
      // refused; if one were, its error is reported as it is.
      if (refusal !== undefined) return yield* Effect.fail(refusal as SimulationStateError | ValidationError)
      return { deploymentId: id, applied, state: after.status, reason: after.statusReason, updates: after.updateCount } satisfies UpdateReceipt as UpdateReceipt
    })

  const archive = (record: DeploymentRecord, results: PaperTradingResults) =>
    Effect.gen(function* () {
      const ref = yield* store.effect.put(`${JSON.stringify(results, null, 2)}\n`, {
        name: `${record.id}-results.json`,
        contentType: "application/json",
        metadata: { kind: "paper-trading-results", deploymentId: record.id, modelId: record.modelId, modelVersion: record.modelVersion }
      })
      yield* manager.effect.attachResults(record.id, ref.sha256)
      return { ...results, resultsArtifact: ref.sha256 } as ArchivedResults
    })

  const stopSimulation = (id: string) =>
    Effect.gen(function* () {
      const record = yield* recordOf(id)
      const sup = yield* supervisor()
      yield* settled(sup, id)
      const before = yield* summaryOf(sup, record)
      yield* sup.send(id, { type: "stop" })
      const synced = yield* sync(record, before.status, before.statusReason)
      const results = yield* sup.inspect(id, (instance) => resultsOf(synced, instance))
      const stopped = yield* sync(synced, "stopped", null, true)
      return yield* archive(stopped, results)
    })

  const readResults = (sha256: string) =>
    Effect.map(store.effect.get(sha256), ({ content }) => ({ ...(JSON.parse(content.toString("utf8")) as PaperTradingResults), resultsArtifact: sha256 }) as ArchivedResults)

  const getResults = (id: string) =>
    Effect.gen(function* () {
      const record = yield* recordOf(id)
      if (record.resultsArtifact !== undefined) return yield* readResults(record.resultsArtifact)
      // Stopped, but the process died before its results were archived: archive them now.
      const sup = yield* supervisor()
      const { status } = yield* summaryOf(sup, record)
      if (status !== "stopped") return yield* new ResultsNotArchivedError({ deploymentId: id, status })
      const results = yield* sup.inspect(id, (instance) => resultsOf(record, instance))
      const stopped = yield* sync(record, "stopped", null)
      return yield* archive(stopped, results)
    })

  /**
   * Recovery's part in the records: a process that died between stopping a simulation and
   * recording it (or archiving its results) left a record behind its simulation. Each such stop is
   * finished now, as the interrupted call would have. One that cannot be finished (say, the disk is
   * full) is left for the next opening, and its deployment's calls say why.
   */
  const finishInterrupted = (sup: Supervisor) =>
    Effect.gen(function* () {
      for (const record of yield* manager.effect.listDeployments()) {
        if (record.resultsArtifact !== undefined) continue
        const finish = Effect.gen(function* () {
          const { status } = yield* sup.summary(record.id)
          if (status !== "stopped") return
          const results = yield* sup.inspect(record.id, (instance) => resultsOf(record, instance))
          yield* archive(yield* sync(record, "stopped", null), results)
        })
        yield* finish.pipe(
          Effect.catchTags({ UnknownSimulationError: () => Effect.void, SimulationNotRecoveredError: () => Effect.void }),
          Effect.catch((e) => Effect.logWarning(`Deployment ${record.id}: its interrupted stop could not be finished yet: ${e.message}`))
        )
      }
    }).pipe(
      Effect.catch((e) => Effect.logWarning(`The deployment records could not be brought up to their simulations: ${e.message}`)),
      // The runtime's log level ("Warn" by default) applies to the deployer's own warnings too.
      Effect.provideService(References.MinimumLogLevel, ctx.logLevel)
    )

  /** An order input, journaled before it is acknowledged; the engine's answer, or its refusal as the error. */
  const orderCommand = (id: string, input: OrderInput) =>
    Effect.gen(function* () {
      const record = yield* recordOf(id)
      const sup = yield* supervisor()
      yield* settled(sup, id)
      yield* summaryOf(sup, record)
      return yield* sup.send(id, input)
    })

  const inspectSimulation = <A>(id: string, read: (engine: TradingSimulationEngine) => A) =>
    Effect.gen(function* () {
      const record = yield* recordOf(id)
      const sup = yield* supervisor()
      return yield* inspect(sup, record, (instance) => read(instance.engine))
    })

  const subscribeEvents = (listener: (event: SupervisedEvent) => void) =>
    Effect.gen(function* () {
      const sup = yield* supervisor()
      // Subscribed before this returns: no event published after it is missed.
      const scope = yield* Scope.make()
      const subscription = yield* Scope.provide(scope)(PubSub.subscribe(sup.events))
      const deliver = Effect.flatMap(PubSub.take(subscription), (event) =>
        Effect.sync(() => {
          try {
            listener(event)
          } catch (e) {
            // A listener's failure is its own: the stream of events goes on.
            console.error(`paperfloor: an event listener threw: ${formatThrown(e)}`)
          }
        })
      )
      const fiber = yield* Effect.forkDetach(Effect.forever(deliver))
      return () => {
        Effect.runFork(Effect.andThen(Fiber.interrupt(fiber), Scope.close(scope, Exit.void)))
      }
    })

  const getSimulationStatus = (id: string) =>
    Effect.gen(function* () {
      const record = yield* recordOf(id)
      const sup = yield* supervisor()
      return yield* inspect(sup, record, (instance) => statusReport(record, instance))
    })

  return {
    deployToPaperTrading,
    startSimulation: (id: string) => exclusive(id)(lifecycle(id, "start")),
    pauseSimulation: (id: string) => exclusive(id)(lifecycle(id, "pause")),
    resumeSimulation: (id: string) => exclusive(id)(lifecycle(id, "resume")),
    processMarketUpdate: (id: string, update: MarketUpdateInput) => exclusive(id)(processMarketUpdates(id, [update], true)),
    processMarketUpdates: (id: string, updates: ReadonlyArray<MarketUpdateInput>) => exclusive(id)(processMarketUpdates(id, updates)),
    getSimulationStatus,
    stopSimulation: (id: string) => exclusive(id)(stopSimulation(id)),
    // Order commands need no turn of their own: they do not move the simulation's time, and its
    // mailbox applies each whole, in arrival order, so concurrent ones share a journal write.
    submitOrder: (id: string, request: OrderRequest) => Effect.map(orderCommand(id, { type: "submitOrder", request }), (orderId) => orderId as string),
    submitOrderList: (id: string, request: OrderListRequest) =>
      Effect.map(orderCommand(id, { type: "submitOrderList", request }), (placement) => placement as OrderListPlacement),
    cancelOrder: (id: string, orderId: string) => Effect.asVoid(orderCommand(id, { type: "cancelOrder", orderId })),
    replaceOrder: (id: string, orderId: string, changes: ReplaceRequest) =>
      Effect.map(orderCommand(id, { type: "replaceOrder", orderId, changes }), (outcome) => outcome as ReplaceOutcome),
    inspectSimulation,
    subscribeEvents,
    listSimulations,
    getResults: (id: string) => exclusive(id)(getResults(id)),
    open: () => Effect.asVoid(supervisor()),
    close: ctx.close
  }
}

export type PaperTradingDeployerEffects = ReturnType<typeof makeEffects>
