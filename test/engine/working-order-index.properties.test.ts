/**
 * The working-order index (src/engine/working-order-index.ts) only spares the engine orders a bar
 * cannot fill: with it (the default fill rules) and without it (the same rules behind a fill model
 * of the caller's, for which the engine walks every working order as before), every random
 * scenario of src/testing/engine-scenario.ts (every order type, time in force and list, replaces,
 * cancels, gaps, ticks, quotes, new days) gives the same events in the same order and the same
 * snapshot.
 */
import { test } from "@fast-check/vitest"
import { describe, expect } from "vitest"
import { barFillModel, type EngineEvent, type EngineOptions, IllegalOrderTransitionError, type OrderId, TradingSimulationEngine } from "../../src/index.ts"
import { basePrice, listRequest, materializeMarket, pickOrder, replaceChanges, type Scenario, scenarioArb, submitRequest } from "../../src/testing/index.ts"

const unindexed: EngineOptions = { fillModel: { match: (order, quote) => barFillModel.match(order, quote) } }

/** The scenario's commands and updates through one engine; its events (order views included) and final snapshot as JSON. */
const run = (scenario: Scenario, options: EngineOptions): { events: string; snapshot: string } => {
  const engine = new TradingSimulationEngine(scenario.config, options)
  const events: EngineEvent[] = []
  engine.onEvent((e) => events.push(e))
  const last = new Map(engine.config.symbols.map((s, i) => [s, basePrice(scenario, i)]))
  const lastPrice = (symbol: string) => last.get(symbol)!
  const ids: OrderId[] = []
  const updates = materializeMarket(scenario)
  scenario.steps.forEach((step, s) => {
    for (const command of step.commands) {
      try {
        if (command.kind === "submit") ids.push(engine.submitOrder(submitRequest(engine, command, lastPrice)))
        else if (command.kind === "submitList") ids.push(...engine.submitOrderList(listRequest(engine, command, lastPrice)).orderIds)
        else {
          const id = pickOrder(engine, command.target, ids)
          if (id === undefined) continue
          if (command.kind === "cancel") engine.cancelOrder(id)
          else engine.replaceOrder(id, replaceChanges(engine, engine.getOrder(id), command, lastPrice(engine.getOrder(id).symbol)))
        }
      } catch (e) {
        if (!(e instanceof IllegalOrderTransitionError)) throw e
      }
    }
    const update = updates[s]!
    engine.processMarketUpdate(update.input)
    for (const [symbol, q] of update.quotes) last.set(symbol, Number(q.close))
  })
  return { events: JSON.stringify(events), snapshot: JSON.stringify(engine.snapshot()) }
}

describe("the working-order index", () => {
  test.prop([scenarioArb(60)])("changes nothing: the same events and the same end as walking every working order", (scenario) => {
    const withIndex = run(scenario, {})
    const without = run(scenario, unindexed)
    expect(withIndex.events).toBe(without.events)
    expect(withIndex.snapshot).toBe(without.snapshot)
  })
})
