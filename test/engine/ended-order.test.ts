/**
 * An order that ends is kept as its record (src/engine/ended-order.ts), not its entry. Over random
 * scenarios (every order type, lists, replaces, cancels, partial fills), what callers see of an
 * ended order stays what its entry showed: its view as its last event carried it, a command on it
 * refused as its entry refused it, and its snapshot as a restored entry writes it.
 */
import { fc, test } from "@fast-check/vitest"
import { describe, expect } from "vitest"
import { finalOrderStatuses } from "../../machines/index.ts"
import { type EngineEvent, IllegalOrderTransitionError, type OrderView, TradingSimulationEngine } from "../../src/index.ts"
import { scenarioArb } from "../../src/testing/index.ts"
import { thrown } from "./fixtures.ts"
import { playScenario, scenarioOptions } from "./play-scenario.ts"

describe("ended orders", () => {
  test.prop([scenarioArb(30)], { numRuns: 60 })("show, refuse and snapshot as their entries did", (scenario) => {
    const engine = new TradingSimulationEngine(scenario.config, scenarioOptions(scenario))
    // Each order's view as the last event about it carried it.
    const lastSeen = new Map<string, OrderView>()
    engine.onEvent((e: EngineEvent) => {
      if ("order" in e) lastSeen.set(e.order.id, e.order)
    })
    playScenario(scenario, engine)
    const ended = engine.getOrders().filter((o) => finalOrderStatuses.has(o.status))
    const snapshot = engine.snapshot()
    const restored = TradingSimulationEngine.fromSnapshot(snapshot, scenarioOptions(scenario))
    // The restored engine holds every order as an entry: the reference for what records show.
    expect(restored.snapshot()).toEqual(snapshot)
    for (const order of ended) {
      expect(engine.getOrder(order.id)).toEqual(restored.getOrder(order.id))
      expect(engine.getOrderByClientOrderId(order.clientOrderId)).toEqual(order)
      const seen = lastSeen.get(order.id)
      if (seen !== undefined) expect(order).toEqual(seen)
      for (const [mine, theirs] of [
        [thrown(() => engine.cancelOrder(order.id)), thrown(() => restored.cancelOrder(order.id))],
        [thrown(() => engine.replaceOrder(order.id, { quantity: 1 })), thrown(() => restored.replaceOrder(order.id, { quantity: 1 }))]
      ]) {
        expect(mine).toBeInstanceOf(Error)
        expect(mine).toEqual(theirs)
        if (mine instanceof IllegalOrderTransitionError) expect(mine).toMatchObject({ orderId: order.id, status: order.status })
      }
    }
    // Nothing a refused command touched changed the record.
    expect(engine.snapshot()).toEqual(snapshot)
    // A checkpoint's history writes each ended order as the whole snapshot does.
    const byId = new Map(snapshot.orders.map((o) => [o.context.order.id, o]))
    for (const o of engine.checkpoint().history.orders) expect(o).toEqual(byId.get(o.context.order.id))
  })
})
