/**
 * A random scenario of src/testing/engine-scenario.ts played through an engine: each step's
 * commands (every order type, list, replace and cancel; those the order's state refuses are
 * skipped), then its update.
 */
import { barFillModel, Decimal, type EngineOptions, IllegalOrderTransitionError, type OrderId, type TradingSimulationEngine } from "../../src/index.ts"
import { basePrice, type CommandSpec, listRequest, materializeMarket, pickOrder, replaceChanges, type Scenario, submitRequest } from "../../src/testing/index.ts"

/** One of a scenario's commands on the engine; one the order's state refuses (a cancel or replace) is skipped, as it changes nothing. */
export const playCommand = (engine: TradingSimulationEngine, command: CommandSpec, ids: OrderId[], lastPrice: (symbol: string) => number): void => {
  try {
    if (command.kind === "submit") ids.push(engine.submitOrder(submitRequest(engine, command, lastPrice)))
    else if (command.kind === "submitList") ids.push(...engine.submitOrderList(listRequest(engine, command, lastPrice)).orderIds)
    else {
      const id = pickOrder(engine, command.target, ids)
      if (id === undefined) return
      if (command.kind === "cancel") engine.cancelOrder(id)
      else {
        const order = engine.getOrder(id)
        engine.replaceOrder(id, replaceChanges(engine, order, command, lastPrice(order.symbol)))
      }
    }
  } catch (e) {
    if (!(e instanceof IllegalOrderTransitionError)) throw e
  }
}

/**
 * A scenario's steps played on an engine one at a time (each step's commands, then its update);
 * `from` and `ids` carry on from where another engine's play of it stopped (a restored one).
 * A step past the scenario's end does nothing.
 */
export const scenarioPlayer = (scenario: Scenario, engine: TradingSimulationEngine, from = 0, ids: OrderId[] = []) => {
  const updates = materializeMarket(scenario)
  const last = new Map(engine.config.symbols.map((s, i) => [s, basePrice(scenario, i)]))
  const lastPrice = (symbol: string) => last.get(symbol)!
  for (let s = 0; s < from; s++) for (const [symbol, q] of updates[s]!.quotes) last.set(symbol, Number(q.close))
  const step = (k: number): void => {
    if (k >= scenario.steps.length) return
    for (const command of scenario.steps[k]!.commands) playCommand(engine, command, ids, lastPrice)
    engine.processMarketUpdate(updates[k]!.input)
    for (const [symbol, q] of updates[k]!.quotes) last.set(symbol, Number(q.close))
  }
  return Object.assign(step, { ids })
}

export const playScenario = (scenario: Scenario, engine: TradingSimulationEngine): TradingSimulationEngine => {
  const play = scenarioPlayer(scenario, engine)
  for (let k = 0; k < scenario.steps.length; k++) play(k)
  return engine
}

/** The engine options a scenario asks for: with a fill chunk, fills of at most that many (partial fills). */
export const scenarioOptions = (scenario: Scenario): EngineOptions => {
  if (scenario.fillChunk === null) return {}
  const chunk = new Decimal(scenario.fillChunk)
  return {
    fillModel: {
      match: (order, quote) => {
        const r = barFillModel.match(order, quote)
        return r.fill === null ? r : { ...r, fill: { ...r.fill, quantity: Decimal.min(r.fill.quantity, chunk) } }
      }
    }
  }
}
