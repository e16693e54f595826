import { Data } from "effect"

/** An isolated model's update ran past its time budget: its worker was terminated. */
export class ModelTimeBudgetError extends Data.TaggedError("ModelTimeBudgetError")<{
  readonly model: string
  readonly timeBudgetMs: number
}> {
  override get message(): string {
    return `Model ${this.model} exceeded its time budget of ${this.timeBudgetMs} ms per update`
  }
}

/** An isolated model's worker used more memory than its bound: it was terminated. */
export class ModelMemoryBoundError extends Data.TaggedError("ModelMemoryBoundError")<{
  readonly model: string
  readonly memoryBoundMb: number
}> {
  override get message(): string {
    return `Model ${this.model} exceeded its memory bound of ${this.memoryBoundMb} MB`
  }
}

/**
 * An isolated model's worker could not do its part: it could not start (the module, its hash or
 * `create`), it stopped on its own, or the model's output cannot be sent back from it.
 */
export class ModelWorkerError extends Data.TaggedError("ModelWorkerError")<{
  readonly model: string
  readonly reason: string
}> {
  override get message(): string {
    return `Model ${this.model} ${this.reason}`
  }
}

export type ModelBreach = ModelTimeBudgetError | ModelMemoryBoundError | ModelWorkerError
