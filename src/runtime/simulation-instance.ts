import type { SimulationConfigInput } from "../domain/simulation-config.ts"
import type { EngineEvent } from "../engine/engine-events.ts"
import {
  type EngineHistory,
  type EngineLiveSnapshot,
  type EngineOptions,
  type EngineSnapshot,
  HistoryGapError,
  type HistoryMarks,
  type RestoredHistory,
  TradingSimulationEngine
} from "../engine/trading-simulation-engine.ts"
import { type InputError, isInputError, portfolioViewOf, runModel } from "../engine/model-driver.ts"
import type { PortfolioView, TradingModel } from "../engine/trading-model.ts"
import { releaseModel } from "./isolation/isolated-model.ts"
import type { SimulationInput } from "./simulation-input.ts"

export type { InputError }

export type ApplyResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: InputError }

export interface InstanceSnapshot {
  readonly engine: EngineSnapshot
  readonly modelState: unknown
}

/** The simulation without its history (see `TradingSimulationEngine.checkpoint`). */
export interface InstanceLiveSnapshot {
  readonly engine: EngineLiveSnapshot
  readonly modelState: unknown
}

/** What the runtime stores at a snapshot: the live state and the history since the previous one. */
export interface InstanceCheckpoint {
  readonly live: InstanceLiveSnapshot
  readonly history: EngineHistory
}

/**
 * One simulation as the runtime runs it: the engine, its model and the model's state. Pure and
 * deterministic: the same inputs in the same order give the same state, which is what crash
 * recovery (snapshot + journal replay) relies on.
 */
export class SimulationInstance {
  readonly engine: TradingSimulationEngine
  readonly #model: TradingModel
  #modelState: unknown
  readonly #events: EngineEvent[] = []
  readonly #view: PortfolioView

  private constructor(engine: TradingSimulationEngine, model: TradingModel, modelState: unknown) {
    this.engine = engine
    this.#model = model
    this.#modelState = modelState
    engine.onEvent((event) => this.#events.push(event))
    this.#view = portfolioViewOf(engine)
  }

  /** A new simulation, still `deployed` until a `start` input. */
  static create(config: SimulationConfigInput, model: TradingModel, options: Omit<EngineOptions, "autoStart"> = {}): SimulationInstance {
    return new SimulationInstance(new TradingSimulationEngine(config, { ...options, autoStart: false }), model, model.initialState)
  }

  static fromSnapshot(snapshot: InstanceSnapshot, model: TradingModel, options: Omit<EngineOptions, "autoStart"> = {}): SimulationInstance {
    const instance = new SimulationInstance(TradingSimulationEngine.fromSnapshot(snapshot.engine, options), model, snapshot.modelState)
    // A stopped simulation never calls its model again: an isolated one's worker can go.
    if (instance.engine.status === "stopped") releaseModel(model)
    return instance
  }

  /** Restored from a live state and every history segment from the start, oldest first; a HistoryGapError when they do not chain. */
  static fromCheckpoint(
    live: InstanceLiveSnapshot,
    segments: ReadonlyArray<RestoredHistory>,
    model: TradingModel,
    options: Omit<EngineOptions, "autoStart"> = {}
  ): SimulationInstance | HistoryGapError {
    const engine = TradingSimulationEngine.fromCheckpoint(live.engine, segments, options)
    if (engine instanceof HistoryGapError) return engine
    const instance = new SimulationInstance(engine, model, live.modelState)
    if (engine.status === "stopped") releaseModel(model)
    return instance
  }

  /** The whole simulation, history included. */
  snapshot(): InstanceSnapshot {
    return { engine: this.engine.snapshot(), modelState: this.#modelState }
  }

  /** The live state and the history since `since` (the marks of the previous checkpoint). */
  checkpoint(since: HistoryMarks): InstanceCheckpoint {
    const { live, history } = this.engine.checkpoint(since)
    return { live: { engine: live, modelState: this.#modelState }, history }
  }

  /** The events of the inputs applied since the last call. */
  drainEvents(): ReadonlyArray<EngineEvent> {
    return this.#events.splice(0)
  }

  /** Applies one input in its journal form. A refused input changes nothing; anything else thrown is a defect. */
  apply(input: SimulationInput): ApplyResult {
    try {
      return { ok: true, value: this.#apply(input) }
    } catch (e) {
      if (isInputError(e)) return { ok: false, error: e }
      throw e
    }
  }

  #apply(input: SimulationInput): unknown {
    const engine = this.engine
    switch (input.type) {
      case "marketUpdate": {
        this.#modelState = runModel(engine, this.#model, this.#modelState, this.#view, engine.processMarketUpdate(input.update))
        return undefined
      }
      case "submitOrder":
        return engine.submitOrder(input.request)
      case "submitOrderList":
        return engine.submitOrderList(input.request)
      case "cancelOrder":
        return engine.cancelOrder(input.orderId)
      case "replaceOrder":
        return engine.replaceOrder(input.orderId, input.changes)
      case "start":
        return engine.start()
      case "pause":
        return engine.pause()
      case "resume":
        return engine.resume()
      case "stop": {
        const stopped = engine.stop()
        // Its worker, if the model is isolated; a call after all (a reload undoing the stop) starts another.
        releaseModel(this.#model)
        return stopped
      }
      case "restart":
        return engine.restart()
    }
  }
}
