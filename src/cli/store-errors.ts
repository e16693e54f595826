/** What a store refuses a command with, in the command's words. */
import { Data } from "effect"

/** No simulation of that id in the store. */
export class UnknownSimulationError extends Data.TaggedError("UnknownSimulationError")<{
  readonly simulationId: string
  readonly store: string
}> {
  override get message(): string {
    return `no simulation ${JSON.stringify(this.simulationId)} in the store at ${this.store} (paperfloor list shows them)`
  }
}

/** Results are archived when a simulation stops; this one has not. */
export class NotStoppedError extends Data.TaggedError("NotStoppedError")<{
  readonly simulationId: string
  readonly state: string
}> {
  override get message(): string {
    return `simulation ${this.simulationId} is ${this.state}: its results are archived when it stops (paperfloor stop ${this.simulationId}; paperfloor status ${this.simulationId} shows it now)`
  }
}
