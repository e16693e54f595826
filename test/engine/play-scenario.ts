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

export const playScenario = (scenario: Scenario, engine: TradingSimulationEngine): TradingSimulationEngine => {
  const last = new Map(engine.config.symbols.map((s, i) => [s, basePrice(scenario, i)]))
  const lastPrice = (symbol: string) => last.get(symbol)!
  const ids: OrderId[] = []
  const updates = materializeMarket(scenario)
  scenario.steps.forEach((step, s) => {
    for (const command of step.commands) playCommand(engine, command, ids, lastPrice)
    const update = updates[s]!
    engine.processMarketUpdate(update.input)
    for (const [symbol, q] of update.quotes) last.set(symbol, Number(q.close))
  })
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
