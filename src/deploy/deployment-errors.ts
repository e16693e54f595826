import { Data } from "effect"

const causeText = (cause: unknown): string => {
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code
    return code === undefined || cause.message.startsWith(code) ? cause.message : `${code}: ${cause.message}`
  }
  return String(cause)
}

/** No deployment with that id (in this storage root). Nothing was changed. */
export class UnknownDeploymentError extends Data.TaggedError("UnknownDeploymentError")<{ readonly deploymentId: string }> {
  override get message(): string {
    return `No deployment ${JSON.stringify(this.deploymentId)}`
  }
}

/** A deployment to an environment this build cannot run. Paper trading is the only one. */
export class UnsupportedEnvironmentError extends Data.TaggedError("UnsupportedEnvironmentError")<{
  readonly environment: string
  readonly available: ReadonlyArray<string>
}> {
  override get message(): string {
    return `Environment ${JSON.stringify(this.environment)} is not supported; available: ${this.available.join(", ")}`
  }
}

/** The file system refused an operation of the deployment manager. */
export class DeploymentStoreError extends Data.TaggedError("DeploymentStoreError")<{
  readonly operation: string
  readonly path: string
  readonly cause: unknown
}> {
  override get message(): string {
    return `Deployments: ${this.operation} ${this.path} failed (${causeText(this.cause)})`
  }
}

/** A deployment record on disk cannot be read as one. */
export class DeploymentRecordCorruptError extends Data.TaggedError("DeploymentRecordCorruptError")<{
  readonly path: string
  readonly reason: string
}> {
  override get message(): string {
    return `Deployment record ${this.path} is corrupt: ${this.reason}`
  }
}

/** Results are archived when a simulation stops; this one has not stopped. */
export class ResultsNotArchivedError extends Data.TaggedError("ResultsNotArchivedError")<{
  readonly deploymentId: string
  readonly status: string
}> {
  override get message(): string {
    return `Deployment ${this.deploymentId} is ${this.status}: its results are archived when it stops (getSimulationStatus shows it while it runs)`
  }
}

/**
 * The model threw (or asked for an order the engine refused) while processing these updates. The
 * failure is contained: the first `applied` updates are in (durably), the rest were not applied,
 * and the supervisor restarts the model on its schedule (see getSimulationStatus).
 */
export class ModelFailedError extends Data.TaggedError("ModelFailedError")<{
  readonly deploymentId: string
  readonly cause: string
  /** Updates of the call that were applied, the one the model failed on included. */
  readonly applied: number
  readonly total: number
}> {
  override get message(): string {
    const rest = this.total - this.applied
    return (
      `The model of deployment ${this.deploymentId} failed on update ${this.applied} of ${this.total}: ${this.cause}. ` +
      (rest === 0 ? "Every update was applied. " : `The first ${this.applied} were applied, the other ${rest} were not. `) +
      "The supervisor restarts the model on its schedule; calls made meanwhile wait for that restart (or for it to give up)."
    )
  }
}

/**
 * Another process holds the storage root: it runs the deployments there (its PaperTradingDeployer
 * is open) or is writing their records. Only the holder may change them; nothing was changed.
 */
export class StorageRootLockedError extends Data.TaggedError("StorageRootLockedError")<{
  readonly storageRoot: string
}> {
  override get message(): string {
    return `The storage root ${this.storageRoot} is held by another process (its deployer is open or it is writing records); only the holder may change deployments there`
  }
}

/**
 * The simulation of this deployment is in the store but its record is gone (deleted or lost
 * behind the deployer's back): the deployment is not treated as never made. Nothing was changed.
 */
export class DeploymentRecordMissingError extends Data.TaggedError("DeploymentRecordMissingError")<{
  readonly deploymentId: string
  readonly path: string
}> {
  override get message(): string {
    return `Deployment ${this.deploymentId} has a simulation in the store but no record: ${this.path} is missing`
  }
}
