import { Data } from "effect"
import { formatValue } from "../domain/format-value.ts"

export class UnknownSimulationError extends Data.TaggedError("UnknownSimulationError")<{ readonly simulationId: string }> {
  override get message(): string {
    return `No simulation ${this.simulationId}`
  }
}

export class SimulationExistsError extends Data.TaggedError("SimulationExistsError")<{ readonly simulationId: string }> {
  override get message(): string {
    return `A simulation ${this.simulationId} exists already`
  }
}

export class InvalidSimulationIdError extends Data.TaggedError("InvalidSimulationIdError")<{ readonly simulationId: string }> {
  override get message(): string {
    return `Simulation id ${JSON.stringify(this.simulationId)} must be 1–64 letters, digits, '.', '_' or '-'`
  }
}

export class UnknownModelError extends Data.TaggedError("UnknownModelError")<{ readonly kind: string; readonly known: ReadonlyArray<string> }> {
  override get message(): string {
    return `No model of kind ${JSON.stringify(this.kind)}; known kinds: ${this.known.join(", ")}`
  }
}

/** The simulation's fiber kept failing and was given up on; its inputs are refused until the process restarts. */
export class SimulationUnavailableError extends Data.TaggedError("SimulationUnavailableError")<{
  readonly simulationId: string
  readonly cause: string
  /** Set when this process let the simulation go (its shard moved): the input was not applied here, and may be sent again. */
  readonly released?: true
}> {
  override get message(): string {
    return `Simulation ${this.simulationId} is unavailable: ${this.cause}`
  }
}

/** A simulation's stored state cannot be rebuilt without guessing; nothing was restored. */
export class UnrecoverableSimulationError extends Data.TaggedError("UnrecoverableSimulationError")<{
  readonly simulationId: string
  readonly reason: string
}> {
  override get message(): string {
    return `Simulation ${this.simulationId} cannot be recovered: ${this.reason}`
  }
}

/**
 * The store holds less of a simulation than it acknowledged: inputs after `held` (or, when `held`
 * is null, its whole record) are missing. The simulation is not resumed, since resuming would
 * silently roll back what its callers were told is durable.
 */
export class AcknowledgedInputsLostError extends Data.TaggedError("AcknowledgedInputsLostError")<{
  readonly simulationId: string
  /** Inputs acknowledged: the journal's last sequence number callers were told is durable. */
  readonly acknowledged: number
  /** The last sequence number the store holds, or null when its record is not in the store. */
  readonly held: number | null
}> {
  override get message(): string {
    return this.held === null
      ? `Simulation ${this.simulationId} was acknowledged (through input ${this.acknowledged}) but its record is not in the store: it was lost`
      : `Simulation ${this.simulationId}: ${this.acknowledged} inputs were acknowledged but the store holds them only through ${this.held}; inputs ${this.held + 1}–${this.acknowledged} were lost, so it is not resumed`
  }
}

/**
 * A simulation in the store that was not brought back when the runtime started, with the reason
 * (a typed error: an unknown or changed model, a journal that cannot be replayed, acknowledged
 * inputs the store no longer holds…). Its inputs are refused with this error; nothing was changed.
 */
export class SimulationNotRecoveredError extends Data.TaggedError("SimulationNotRecoveredError")<{
  readonly simulationId: string
  readonly reason: { readonly _tag: string; readonly message: string }
}> {
  override get message(): string {
    return `Simulation ${this.simulationId} was not recovered when the runtime started: ${this.reason.message}`
  }
}

/** An operation id (what makes a submission exactly-once) that is not 1–128 letters, digits, '.', '_', ':' or '-'. */
export class InvalidOperationIdError extends Data.TaggedError("InvalidOperationIdError")<{ readonly operationId: unknown }> {
  override get message(): string {
    return `Operation id ${formatValue(this.operationId)} must be a string of 1–128 letters, digits, '.', '_', ':' or '-'`
  }
}
