import { Decimal } from "../domain/decimal.ts"
import { IllegalOrderTransitionError, SimulationStateError, UnknownOrderError, ValidationError } from "../domain/errors.ts"
import type { OrderRequest } from "../domain/order.ts"
import type { SimulationConfigInput } from "../domain/simulation-config.ts"
import type { EngineEvent } from "../engine/engine-events.ts"
import { type EngineOptions, type EngineSnapshot, TradingSimulationEngine } from "../engine/trading-simulation-engine.ts"
import type { PortfolioView, TradingModel } from "../engine/trading-model.ts"
import type { SimulationInput } from "./simulation-input.ts"

/** A caller's mistake: the input was refused and nothing changed. */
export type InputError = ValidationError | UnknownOrderError | IllegalOrderTransitionError | SimulationStateError

const isInputError = (e: unknown): e is InputError =>
  e instanceof ValidationError || e instanceof UnknownOrderError || e instanceof IllegalOrderTransitionError || e instanceof SimulationStateError

export type ApplyResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: InputError }

export interface InstanceSnapshot {
  readonly engine: EngineSnapshot
  readonly modelState: unknown
}

const describe = (e: unknown): string => (e instanceof Error ? `${e.name}: ${e.message}` : String(e))

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
    this.#view = {
      positionOf: (symbol) => engine.positionOf(symbol),
      portfolio: () => engine.getPortfolio(),
      openOrders: () => engine.getOpenOrders()
    }
  }

  /** A new simulation, still `deployed` until a `start` input. */
  static create(config: SimulationConfigInput, model: TradingModel, options: Omit<EngineOptions, "autoStart"> = {}): SimulationInstance {
    return new SimulationInstance(new TradingSimulationEngine(config, { ...options, autoStart: false }), model, model.initialState)
  }

  static fromSnapshot(snapshot: InstanceSnapshot, model: TradingModel, options: Omit<EngineOptions, "autoStart"> = {}): SimulationInstance {
    return new SimulationInstance(TradingSimulationEngine.fromSnapshot(snapshot.engine, options), model, snapshot.modelState)
  }

  snapshot(): InstanceSnapshot {
    return { engine: this.engine.snapshot(), modelState: this.#modelState }
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
        const update = engine.processMarketUpdate(input.update)
        if (engine.status === "running" || engine.status === "halted") this.#runModel(update.time, update.quotes)
        return undefined
      }
      case "submitOrder":
        return engine.submitOrder(input.request)
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
      case "stop":
        return engine.stop()
      case "restart":
        return engine.restart()
    }
  }

  /** Market orders that move each named symbol to its target weight of equity, in whole shares. */
  #rebalance(weights: Readonly<Record<string, number>>, quotes: Parameters<TradingModel["onUpdate"]>[1]["quotes"]): OrderRequest[] {
    const engine = this.engine
    const portfolio = engine.getPortfolio()
    const open = engine.getOpenOrders()
    const orders: OrderRequest[] = []
    for (const [symbol, weight] of Object.entries(weights)) {
      const price = quotes.find((q) => q.symbol === symbol)?.close
      if (price === undefined || !Number.isFinite(weight)) continue
      const target = portfolio.totalValue.times(weight).dividedBy(price).toDecimalPlaces(0, Decimal.ROUND_DOWN)
      let expected = engine.positionOf(symbol)
      for (const o of open) {
        if (o.symbol !== symbol) continue
        const rest = new Decimal(o.quantity).minus(o.filledQuantity)
        expected = o.side === "buy" ? expected.plus(rest) : expected.minus(rest)
      }
      const delta = target.minus(expected)
      if (delta.isZero()) continue
      orders.push({ symbol, side: delta.greaterThan(0) ? "buy" : "sell", type: "market", quantity: delta.abs(), tag: `target weight ${weight}` })
    }
    return orders
  }

  /** Runs the model on a processed update. A model that throws, or asks for an invalid order, fails the simulation. */
  #runModel(time: number | null, quotes: Parameters<TradingModel["onUpdate"]>[1]["quotes"]): void {
    let output
    try {
      output = this.#model.onUpdate(this.#modelState, { time, quotes, view: this.#view })
    } catch (e) {
      this.engine.fail(`model threw: ${describe(e)}`)
      return
    }
    this.#modelState = output.state
    const requests = output.targetWeights === undefined ? (output.orders ?? []) : [...(output.orders ?? []), ...this.#rebalance(output.targetWeights, quotes)]
    for (const request of requests) {
      try {
        this.engine.submitOrder(request)
      } catch (e) {
        if (!isInputError(e)) throw e
        this.engine.fail(`model asked for an order the engine refused: ${e.message}`)
        return
      }
    }
  }
}
