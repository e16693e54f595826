/**
 * Deployment records: which model version runs where, with which configuration, and what became
 * of it. One JSON file per deployment, `<storageRoot>/deployments/<id>.json`, written atomically
 * (see atomic-file.ts), so a crash leaves the old record or the new one, never a part.
 *
 * The manager keeps the records; it runs nothing. `PaperTradingDeployer` runs the simulations and
 * tells the manager what happened to them.
 */
import { join } from "node:path"
import { Effect, Schema, Semaphore } from "effect"
import { type SimulationStatus, SimulationStatuses, simulationTable } from "../../machines/index.ts"
import { formatValue, SimulationStateError, ValidationError, type ValidationIssue } from "../domain/errors.ts"
import { makeSimulationConfig, type SimulationConfig, type SimulationConfigInput } from "../domain/simulation-config.ts"
import { decodeOrFail } from "../domain/validation.ts"
import { simulationIdPattern } from "../runtime/store-keys.ts"
import type { LocalArtifactStore } from "./artifact-store.ts"
import { atomicFiles, checksummedJson, isTempFile, readJsonRecord } from "./atomic-file.ts"
import {
  DeploymentRecordCorruptError,
  DeploymentStoreError,
  type StorageRootLockedError,
  UnknownDeploymentError,
  UnsupportedEnvironmentError
} from "./deployment-errors.ts"
import { withStorageRoot } from "./storage-root-lock.ts"
import type { LoadModelError, ModelRegistry, ModelVersionSpec } from "./model-registry.ts"

/** The environments this build can deploy to. */
export const deploymentEnvironments = ["paper"] as const
export type DeploymentEnvironment = (typeof deploymentEnvironments)[number]

/**
 * A deployment's lifecycle: `deployed → running ⇄ paused → stopped`, and `failed` while its model
 * has failed (it is `running` again once the supervisor restarts it). A daily stop-loss halt is a
 * state of the simulation's trading day (see `getSimulationStatus`), not of the deployment.
 */
export const deploymentStatuses = ["deployed", "running", "paused", "failed", "stopped"] as const
export type DeploymentStatus = (typeof deploymentStatuses)[number]

export interface DeploymentStatusChange {
  readonly status: DeploymentStatus
  /** ISO-8601. */
  readonly at: string
  readonly reason?: string
}

/** A deployment as stored in `<storageRoot>/deployments/<id>.json`. */
export interface DeploymentRecord {
  /** Also the id of its simulation in the runtime's store. */
  readonly id: string
  readonly environment: DeploymentEnvironment
  readonly modelId: string
  readonly modelVersion: string
  /** What the simulation runs: `{ kind: "<modelId>@<modelVersion>", params }` (see ModelRegistry.modelSpec). */
  readonly model: ModelVersionSpec
  /** The validated simulation config, defaults filled in. */
  readonly config: SimulationConfig
  readonly status: DeploymentStatus
  /** Every status the deployment had, oldest first; the last is `status`. */
  readonly history: ReadonlyArray<DeploymentStatusChange>
  /** ISO-8601. */
  readonly createdAt: string
  /** The sha256 of the archived results in the artifact store, once the simulation stopped. */
  readonly resultsArtifact?: string
}

export interface CreateDeploymentRequest {
  /** "paper" (the default); any other gets `UnsupportedEnvironmentError`. */
  readonly environment?: string
  readonly modelId: string
  readonly modelVersion: string
  /** Validated with the engine's schema; every field has a default. */
  readonly simulationConfig?: SimulationConfigInput
}

/** A checked deployment request: everything of its record but the id and the history. */
export interface PreparedDeployment {
  readonly environment: DeploymentEnvironment
  readonly modelId: string
  readonly modelVersion: string
  readonly model: ModelVersionSpec
  readonly config: SimulationConfig
}

export interface ListDeploymentsFilter {
  readonly environment?: string
  readonly modelId?: string
  readonly status?: DeploymentStatus
}

export interface DeploymentManagerOptions {
  readonly modelRegistry: ModelRegistry
  readonly artifactStore: LocalArtifactStore
  /** The clock for `createdAt` and the history; the wall clock by default. */
  readonly now?: () => Date
}

type ReadError = DeploymentStoreError | DeploymentRecordCorruptError
type LookupError = UnknownDeploymentError | ReadError
/** A write also needs the storage root (see storage-root-lock.ts). */
type WriteError = LookupError | StorageRootLockedError
export type CreateDeploymentError = UnsupportedEnvironmentError | ValidationError | LoadModelError | ReadError | StorageRootLockedError

/** The manager's operations as Effects, with their typed errors. */
export interface DeploymentManagerEffects {
  /** Checks a request as `createDeployment` does, writing nothing: what the deployment would be. */
  readonly prepareDeployment: (request: CreateDeploymentRequest) => Effect.Effect<PreparedDeployment, CreateDeploymentError>
  /**
   * Validates the request (environment, config, model version, and that the model loads) and
   * stores a new `deployed` record. Nothing is written unless everything is valid.
   */
  readonly createDeployment: (request: CreateDeploymentRequest) => Effect.Effect<DeploymentRecord, CreateDeploymentError>
  readonly getDeployment: (id: string) => Effect.Effect<DeploymentRecord, LookupError>
  /** Every deployment (or those matching the filter), oldest first. */
  readonly listDeployments: (filter?: ListDeploymentsFilter) => Effect.Effect<ReadonlyArray<DeploymentRecord>, ReadError>
  /**
   * Moves a deployment to `status`, adding it to the history (the same status again changes
   * nothing). A move its lifecycle does not allow is a `SimulationStateError`.
   */
  readonly recordStatus: (id: string, status: DeploymentStatus, reason?: string) => Effect.Effect<DeploymentRecord, WriteError | SimulationStateError>
  /** Records the archived results of a stopped deployment. */
  readonly attachResults: (id: string, sha256: string) => Effect.Effect<DeploymentRecord, WriteError>
  /**
   * Removes a deployment that never ran (status `deployed`, nothing else in its history): the
   * deployer's rollback when its simulation could not be created. Anything else is refused.
   */
  readonly discard: (id: string) => Effect.Effect<void, WriteError | SimulationStateError>
}

const RECORD_FORMAT = 1

/** The deployment's status for a simulation status: a halt is part of running. */
export const deploymentStatusOf = (state: SimulationStatus): DeploymentStatus => (state === "halted" ? "running" : state)

/** Which status may follow which: the simulation machine's moves, seen as deployment statuses. */
const allowedNext: Readonly<Record<DeploymentStatus, ReadonlySet<DeploymentStatus>>> = (() => {
  const next = Object.fromEntries(deploymentStatuses.map((s) => [s, new Set<DeploymentStatus>()])) as Record<DeploymentStatus, Set<DeploymentStatus>>
  for (const from of SimulationStatuses) {
    for (const to of simulationTable.targets(from)) next[deploymentStatusOf(from)].add(deploymentStatusOf(to))
  }
  for (const s of deploymentStatuses) next[s].delete(s)
  return next
})()

const requestSchema = Schema.Struct({
  environment: Schema.optionalKey(Schema.String),
  modelId: Schema.String,
  modelVersion: Schema.String,
  simulationConfig: Schema.optionalKey(Schema.Unknown)
})
const decodeRequest = decodeOrFail(requestSchema, "config")

const statusSchema = Schema.Literals(deploymentStatuses)
const recordSchema = Schema.Struct({
  format: Schema.Literal(RECORD_FORMAT),
  id: Schema.String,
  environment: Schema.Literals(deploymentEnvironments),
  modelId: Schema.String,
  modelVersion: Schema.String,
  model: Schema.Struct({ kind: Schema.String, params: Schema.optionalKey(Schema.Unknown) }),
  config: Schema.Record(Schema.String, Schema.Unknown),
  status: statusSchema,
  history: Schema.Array(Schema.Struct({ status: statusSchema, at: Schema.String, reason: Schema.optionalKey(Schema.String) })),
  createdAt: Schema.String,
  resultsArtifact: Schema.optionalKey(Schema.String)
})
const decodeRecord = Schema.decodeUnknownExit(recordSchema)

const recordJson = (r: DeploymentRecord): string => checksummedJson({ format: RECORD_FORMAT, ...r })

const isDeploymentId = (id: unknown): id is string => typeof id === "string" && simulationIdPattern.test(id)

const withPrefix = (prefix: string, e: ValidationError): ValidationError =>
  new ValidationError({ subject: e.subject, issues: e.issues.map((i) => ({ ...i, field: i.field === "(input)" ? prefix : `${prefix}.${i.field}` })) })

/** The registry names its fields `modelId` and `version`; a deployment request calls the latter `modelVersion`. */
const asRequestFields = (e: ValidationError): ValidationError =>
  new ValidationError({ subject: e.subject, issues: e.issues.map((i): ValidationIssue => (i.field === "version" ? { ...i, field: "modelVersion" } : i)) })

/** Readable, deterministic ids: `<environment>-<modelId>-<n>`, n counting that model's deployments there. */
const idPrefix = (environment: string, modelId: string) => `${environment}-${modelId.slice(0, 48)}-`

/**
 * Keeps deployment records. Each operation is a Promise method and an Effect in `manager.effect`,
 * failing with the same typed errors.
 *
 * ```ts
 * const deployments = new DeploymentManager({ modelRegistry: registry, artifactStore: store })
 * const record = await deployments.createDeployment({ environment: "paper", modelId: "ma-crossover", modelVersion: "v1.0" })
 * record.id        // "paper-ma-crossover-1"
 * record.config    // the validated config, defaults filled in
 * ```
 */
export class DeploymentManager {
  readonly modelRegistry: ModelRegistry
  readonly artifactStore: LocalArtifactStore
  /** `<storageRoot>/deployments`. */
  readonly deploymentsDir: string
  readonly environments: ReadonlyArray<DeploymentEnvironment> = deploymentEnvironments
  readonly effect: DeploymentManagerEffects

  constructor(options: DeploymentManagerOptions) {
    this.modelRegistry = options.modelRegistry
    this.artifactStore = options.artifactStore
    this.deploymentsDir = join(options.artifactStore.storageRoot, "deployments")
    this.effect = this.#makeEffects(options.now ?? (() => new Date()))
  }

  prepareDeployment(request: CreateDeploymentRequest): Promise<PreparedDeployment> {
    return Effect.runPromise(this.effect.prepareDeployment(request))
  }

  createDeployment(request: CreateDeploymentRequest): Promise<DeploymentRecord> {
    return Effect.runPromise(this.effect.createDeployment(request))
  }

  getDeployment(id: string): Promise<DeploymentRecord> {
    return Effect.runPromise(this.effect.getDeployment(id))
  }

  listDeployments(filter?: ListDeploymentsFilter): Promise<ReadonlyArray<DeploymentRecord>> {
    return Effect.runPromise(this.effect.listDeployments(filter))
  }

  recordStatus(id: string, status: DeploymentStatus, reason?: string): Promise<DeploymentRecord> {
    return Effect.runPromise(this.effect.recordStatus(id, status, reason))
  }

  attachResults(id: string, sha256: string): Promise<DeploymentRecord> {
    return Effect.runPromise(this.effect.attachResults(id, sha256))
  }

  /** The path of a deployment's record file. */
  recordPath(id: string): string {
    return join(this.deploymentsDir, `${id}.json`)
  }

  #makeEffects(now: () => Date): DeploymentManagerEffects {
    const manager = this
    const registry = this.modelRegistry
    const dir = this.deploymentsDir
    const root = this.artifactStore.storageRoot
    const files = atomicFiles(this.artifactStore.fileSystem, (operation, path, cause) => new DeploymentStoreError({ operation, path, cause }))
    // Record updates are read-modify-write: one at a time.
    const lock = Semaphore.makeUnsafe(1)

    const read = (id: string): Effect.Effect<DeploymentRecord | undefined, ReadError> =>
      Effect.gen(function* () {
        const path = manager.recordPath(id)
        const corrupt = (reason: string) => new DeploymentRecordCorruptError({ path, reason })
        const decoded = yield* readJsonRecord(files, path, decodeRecord, `a deployment record of format ${RECORD_FORMAT}`, corrupt)
        if (decoded === undefined) return undefined
        const { format: _format, ...record } = decoded
        if (record.id !== id) return yield* Effect.fail(corrupt(`it names deployment ${record.id}`))
        return record as unknown as DeploymentRecord
      })

    const getDeployment = (id: string): Effect.Effect<DeploymentRecord, LookupError> =>
      Effect.suspend(() => {
        if (!isDeploymentId(id)) return Effect.fail(new UnknownDeploymentError({ deploymentId: typeof id === "string" ? id : formatValue(id) }))
        return Effect.flatMap(read(id), (record) => (record === undefined ? Effect.fail(new UnknownDeploymentError({ deploymentId: id })) : Effect.succeed(record)))
      })

    const ids = () =>
      Effect.map(files.listDir(dir), (names) =>
        names.filter((n) => !isTempFile(n) && n.endsWith(".json") && isDeploymentId(n.slice(0, -5))).map((n) => n.slice(0, -5))
      )

    const listDeployments = (filter: ListDeploymentsFilter = {}) =>
      Effect.gen(function* () {
        const records: DeploymentRecord[] = []
        for (const id of yield* ids()) {
          const record = yield* read(id)
          if (record === undefined) continue
          if (filter.environment !== undefined && record.environment !== filter.environment) continue
          if (filter.modelId !== undefined && record.modelId !== filter.modelId) continue
          if (filter.status !== undefined && record.status !== filter.status) continue
          records.push(record)
        }
        return records.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0)) as ReadonlyArray<DeploymentRecord>
      })

    const prepareDeployment = (request: CreateDeploymentRequest) =>
      Effect.gen(function* () {
        // The environment first: a request for another environment is refused whatever else it says.
        const environment = request !== null && typeof request === "object" ? (request as { environment?: unknown }).environment : undefined
        if (typeof environment === "string" && !(deploymentEnvironments as ReadonlyArray<string>).includes(environment)) {
          return yield* new UnsupportedEnvironmentError({ environment, available: deploymentEnvironments })
        }
        const r = yield* Effect.fromResult(decodeRequest(request))
        const config = yield* Effect.fromResult(makeSimulationConfig(r.simulationConfig ?? {})).pipe(
          Effect.mapError((e) => withPrefix("simulationConfig", e))
        )
        const version = yield* registry.effect.getModelVersion(r.modelId, r.modelVersion).pipe(
          Effect.catchTag("ValidationError", (e) => Effect.fail(asRequestFields(e)))
        )
        // The model must build now, not first when the simulation is created or recovered.
        yield* registry.effect.loadModel(r.modelId, r.modelVersion)
        const model: ModelVersionSpec = { kind: `${version.modelId}@${version.version}`, params: version.params }
        return { environment: "paper", modelId: version.modelId, modelVersion: version.version, model, config } satisfies PreparedDeployment as PreparedDeployment
      })

    // The next number per id prefix, read from the directory once: a create then costs the same however many exist.
    const nextNumbers = new Map<string, { n: number }>()
    const counting = Semaphore.makeUnsafe(1)
    const nextNumberOf = (prefix: string) =>
      Effect.gen(function* () {
        const counter =
          nextNumbers.get(prefix) ??
          (yield* counting.withPermits(1)(
            Effect.gen(function* () {
              const known = nextNumbers.get(prefix)
              if (known !== undefined) return known
              let n = 1
              for (const id of yield* ids()) {
                if (!id.startsWith(prefix)) continue
                const k = id.slice(prefix.length)
                if (/^[1-9][0-9]{0,8}$/.test(k)) n = Math.max(n, Number(k) + 1)
              }
              const made = { n }
              nextNumbers.set(prefix, made)
              return made
            })
          ))
        return counter.n++
      })

    const createDeployment = (request: CreateDeploymentRequest) =>
      Effect.gen(function* () {
        const prepared = yield* prepareDeployment(request)
        const at = now().toISOString()
        const base = { ...prepared, status: "deployed" as const }
        const prefix = idPrefix(base.environment, base.modelId)
        // Another process (that held the root before) may have taken a number: then the next.
        return yield* withStorageRoot(root)(
          Effect.gen(function* () {
            for (;;) {
              const record: DeploymentRecord = { id: `${prefix}${yield* nextNumberOf(prefix)}`, ...base, history: [{ status: "deployed", at }], createdAt: at }
              if (yield* files.createAtomic(manager.recordPath(record.id), recordJson(record))) return record
            }
          })
        )
      })

    const update = <E>(id: string, change: (record: DeploymentRecord) => Effect.Effect<DeploymentRecord, E>) =>
      lock.withPermits(1)(
        Effect.gen(function* () {
          const record = yield* getDeployment(id)
          const next = yield* change(record)
          if (next !== record) yield* files.writeAtomic(manager.recordPath(id), recordJson(next))
          return next
        })
      ).pipe(withStorageRoot(root))

    const recordStatus = (id: string, status: DeploymentStatus, reason?: string) =>
      update(id, (record) => {
        if (record.status === status) return Effect.succeed(record)
        if (!allowedNext[record.status].has(status)) {
          return Effect.fail(new SimulationStateError({ status: record.status, command: `set status ${status}` }))
        }
        const entry: DeploymentStatusChange = { status, at: now().toISOString(), ...(reason === undefined ? {} : { reason }) }
        return Effect.succeed<DeploymentRecord>({ ...record, status, history: [...record.history, entry] })
      })

    const attachResults = (id: string, sha256: string) =>
      update(id, (record) => Effect.succeed(record.resultsArtifact === sha256 ? record : { ...record, resultsArtifact: sha256 }))

    const discard = (id: string) =>
      lock.withPermits(1)(
        Effect.gen(function* () {
          const record = yield* getDeployment(id)
          if (record.status !== "deployed" || record.history.length !== 1 || record.resultsArtifact !== undefined) {
            return yield* new SimulationStateError({ status: record.status, command: "discard" })
          }
          const path = manager.recordPath(id)
          yield* files.call("unlink", path, () => manager.artifactStore.fileSystem.unlink(path))
        })
      ).pipe(withStorageRoot(root))

    return { prepareDeployment, createDeployment, getDeployment, listDeployments, recordStatus, attachResults, discard }
  }
}

