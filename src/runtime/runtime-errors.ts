import { Data } from "effect"

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
