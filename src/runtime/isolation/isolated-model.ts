import type { JsonObject } from "../../domain/json.ts"
import type { ModelInput, ModelOutput, TradingModel } from "../../engine/trading-model.ts"
import { type ModelWorkerLink, releaseModelWorker, spawnModelWorker } from "./host-connection.ts"
import { ModelMemoryBoundError, ModelTimeBudgetError, ModelWorkerError } from "./isolation-errors.ts"
import type { IsolationLimits } from "./isolation-limits.ts"
import { type IsolatedArtifact, rethrown, updateRequest, viewAnswer, type WorkerAnswer } from "./model-wire.ts"
import { type Next, Slot, wakeWorker } from "./worker-signal.ts"

/** A model module's version, as the worker builds it. */
export interface IsolatedModelSpec {
  /** Names the model in errors: `<modelId>@<version>`. */
  readonly label: string
  /** The module exporting `modelKind`, and the sha256 its file must still have. */
  readonly module: { readonly path: string; readonly sha256: string }
  /** Validated already: what `create` receives. */
  readonly params: JsonObject
  readonly artifacts: Readonly<Record<string, IsolatedArtifact>>
  readonly limits: IsolationLimits
}

/**
 * How long a worker may take to import its module and run `create`. Not the model's budget: an
 * import of a large library takes a second or more, once per worker.
 */
const STARTUP_BUDGET_MS = 30_000

interface Incarnation {
  readonly link: ModelWorkerLink
  readonly deadline: number
  ready: boolean
}

/** Ends a worker the model no longer holds: a model dropped without `close` (a creation that failed after it was built). */
const unreleased = new FinalizationRegistry<{ worker: Incarnation | undefined }>((held) => {
  if (held.worker !== undefined) releaseModelWorker(held.worker.link)
})

/**
 * A model from a module, run in a worker thread of its own. Each `onUpdate` is sent to the worker
 * (the state, the quotes and the positions in them) and this thread waits for the answer, blocking,
 * since the engine is synchronous, for at most the time budget; what else the model reads of the
 * view it asks for meanwhile, and this thread answers from the engine. An update past the budget,
 * or a worker past its memory bound, throws a typed error, which the model driver turns into the
 * model's failure; the worker is terminated and a fresh one started for the next call (the state
 * lives in the engine, so nothing of the model is lost). `create` and `onUpdate` run only in the
 * worker; the module's top level runs in this process too, when the registry loads it.
 */
export class IsolatedModel implements TradingModel<unknown> {
  readonly initialState: unknown
  readonly #spec: IsolatedModelSpec
  // Held in a box the finalization registry can reach without reaching the model.
  readonly #held: { worker: Incarnation | undefined }

  private constructor(spec: IsolatedModelSpec, initialState: unknown, worker: Incarnation) {
    this.#spec = spec
    this.initialState = initialState
    this.#held = { worker }
    unreleased.register(this, this.#held)
  }

  /** Starts the model's worker and builds the model there; rejects with `ModelWorkerError` if it cannot start. */
  static async start(spec: IsolatedModelSpec): Promise<IsolatedModel> {
    const worker = spawn(spec)
    const initialState = settleStart(spec, worker, await worker.link.channel.next(worker.deadline))
    return new IsolatedModel(spec, initialState, worker)
  }

  onUpdate(state: unknown, input: ModelInput): ModelOutput<unknown> {
    const request = updateRequest(state, input)
    const worker = this.#readyWorker()
    const { channel } = worker.link
    const send = (message: unknown) => {
      channel.port.postMessage(message)
      wakeWorker(channel.signal)
    }
    Atomics.store(channel.signal, Slot.busy, 1)
    send(request)
    const deadline = performance.now() + this.#spec.limits.timeBudgetMs
    let next = channel.nextSync(deadline)
    // The model reads the view while it works: each read is answered here, within its budget.
    while (next.kind === "message" && next.message.type === "view") {
      send(viewAnswer(input.view, next.message))
      next = channel.nextSync(deadline)
    }
    Atomics.store(channel.signal, Slot.busy, 0)
    if (next.kind === "message") {
      const answer = next.message
      if (answer.type === "output") return answer.output as ModelOutput<unknown>
      if (answer.type === "threw") throw rethrown(answer.thrown)
      if (answer.type === "unsendable") throw this.#error(`returned an output that cannot leave its worker: ${answer.reason}`)
      throw this.#error(`sent ${answer.type} where an update's answer was due`)
    }
    // The worker is past saving: a fresh one starts now, to be ready when the model is next called.
    this.#replace(spawn(this.#spec))
    const { label, limits } = this.#spec
    if (next.kind === "timeout") throw new ModelTimeBudgetError({ model: label, timeBudgetMs: limits.timeBudgetMs })
    if (next.death === "memory") throw new ModelMemoryBoundError({ model: label, memoryBoundMb: limits.memoryBoundMb })
    throw this.#error(`stopped: its worker exited with code ${next.exitCode}`)
  }

  /** Ends the model's worker. A later call starts another (and waits for it). */
  close(): void {
    this.#replace(undefined)
  }

  #readyWorker(): Incarnation {
    const worker = (this.#held.worker ??= spawn(this.#spec))
    if (worker.ready) return worker
    const next = worker.link.channel.nextSync(worker.deadline)
    try {
      settleStart(this.#spec, worker, next)
    } catch (e) {
      this.#replace(undefined)
      throw e
    }
    return worker
  }

  #replace(worker: Incarnation | undefined): void {
    const old = this.#held.worker
    this.#held.worker = worker
    if (old !== undefined) releaseModelWorker(old.link)
  }

  #error(reason: string): ModelWorkerError {
    return new ModelWorkerError({ model: this.#spec.label, reason })
  }
}

const spawn = (spec: IsolatedModelSpec): Incarnation => ({
  link: spawnModelWorker({ module: spec.module, params: spec.params, artifacts: spec.artifacts }, spec.limits.memoryBoundMb),
  deadline: performance.now() + STARTUP_BUDGET_MS,
  ready: false
})

/** The model's initial state from a starting worker's first answer; throws `ModelWorkerError` (and releases it) if it did not start. */
const settleStart = (spec: IsolatedModelSpec, worker: Incarnation, next: Next<WorkerAnswer>): unknown => {
  const fail = (reason: string) => {
    releaseModelWorker(worker.link)
    return new ModelWorkerError({ model: spec.label, reason: `could not start: ${reason}` })
  }
  if (next.kind === "timeout") throw fail(`importing its module and running create took more than ${STARTUP_BUDGET_MS} ms`)
  if (next.kind === "death") {
    throw fail(next.death === "memory" ? `it exceeded its memory bound of ${spec.limits.memoryBoundMb} MB` : `its worker exited with code ${next.exitCode}`)
  }
  const answer = next.message
  if (answer.type === "startFailed") {
    releaseModelWorker(worker.link)
    throw new ModelWorkerError({ model: spec.label, reason: answer.reason })
  }
  if (answer.type === "unsendable") throw fail(`its initial state cannot leave its worker (${answer.reason})`)
  if (answer.type !== "ready") throw fail(`its worker sent ${answer.type} before it was ready`)
  Atomics.store(worker.link.channel.signal, Slot.busy, 0)
  worker.ready = true
  return answer.initialState
}

/** Starts an isolated model (see `IsolatedModel`). */
export const startIsolatedModel = (spec: IsolatedModelSpec): Promise<IsolatedModel> => IsolatedModel.start(spec)

/** Ends the worker of an isolated model; nothing for any other model. The runtime calls it when a simulation stops or closes. */
export const releaseModel = (model: TradingModel): void => {
  if (model instanceof IsolatedModel) model.close()
}
