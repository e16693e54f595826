// Order paths read from the real engine's events: every step the page draws is a transition of
// the order machine (the pair of states and the event), each path starts where an order is
// placed, and it ends where the engine's order is.
import { describe, expect, it } from "vitest"
import { TradingSimulationEngine } from "../../../src/engine/trading-simulation-engine.ts"
import { machineGraph } from "../../../src/report/machine-diagram.ts"
import { type PathStep, pathStepsOf } from "../../../src/server/page/order-path.ts"
import { buy, DAY, flat, frictionless, MONDAY } from "../../engine/fixtures.ts"

const edges = new Set(machineGraph("order").edges.map((e) => `${e.source} ${e.event} ${e.target}`))

/** The engine's orders' paths, as the page records them. */
const pathsOf = (engine: TradingSimulationEngine): Map<string, PathStep[]> => {
  const paths = new Map<string, PathStep[]>()
  engine.onEvent((event) => {
    if (!("order" in event)) return
    paths.set(event.order.id, [...(paths.get(event.order.id) ?? []), ...pathStepsOf(event)])
  })
  return paths
}

const expectMachinePath = (engine: TradingSimulationEngine, path: ReadonlyArray<PathStep>, orderId: string) => {
  expect(path[0]?.event).toBe("PLACE")
  expect(path[0]?.state).toBe("submitted")
  for (let i = 1; i < path.length; i++) expect(edges, `step ${i} of ${orderId}`).toContain(`${path[i - 1]!.state} ${path[i]!.event} ${path[i]!.state}`)
  expect(path.at(-1)?.state).toBe(engine.getOrder(orderId).status)
}

describe("an order's path through the order machine", () => {
  it("follows fills, cancels, replaces, triggers, expiries and a bracket's legs through the machine's own transitions", () => {
    const engine = new TradingSimulationEngine(frictionless(["AAPL", "MSFT"], { updateFrequency: "1min" }))
    const paths = pathsOf(engine)
    const update = (time: number, aapl: number, msft = 300) => engine.processMarketUpdate({ time, bars: { AAPL: flat(aapl), MSFT: flat(msft) } })
    update(MONDAY, 100)
    const market = engine.submitOrder(buy("AAPL", 10))
    const cancelled = engine.submitOrder(buy("AAPL", 5, { type: "limit", limitPrice: 50, timeInForce: "gtc" }))
    const replaced = engine.submitOrder(buy("MSFT", 5, { type: "limit", limitPrice: 250, timeInForce: "gtc" }))
    const refused = engine.submitOrder(buy("MSFT", 1, { type: "limit", limitPrice: 250, timeInForce: "gtc" }))
    const stop = engine.submitOrder(buy("AAPL", 3, { type: "stop", stopPrice: 105, timeInForce: "gtc" }))
    const day = engine.submitOrder(buy("AAPL", 1, { type: "limit", limitPrice: 10, timeInForce: "day" }))
    const bracket = engine.submitOrderList({
      kind: "bracket",
      entry: buy("MSFT", 2, { type: "limit", limitPrice: 301, timeInForce: "gtc" }),
      takeProfit: { limitPrice: 330 },
      stopLoss: { stopPrice: 280 }
    })
    update(MONDAY + 60_000, 100)
    engine.cancelOrder(cancelled)
    engine.replaceOrder(replaced, { limitPrice: 240 })
    // A million shares is far past the buying power: the replace is refused, the order is as it was.
    expect(engine.replaceOrder(refused, { quantity: 1_000_000 })).toMatchObject({ replaced: false })
    update(MONDAY + 120_000, 106)
    update(MONDAY + 180_000, 106, 331)
    update(MONDAY + DAY, 106, 331)

    const ids = [market, cancelled, replaced, refused, stop, day, ...bracket.orderIds]
    for (const id of ids) expectMachinePath(engine, paths.get(id)!, id)
    const states = (id: string) => paths.get(id)!.map((s) => s.state)
    expect(states(market)).toEqual(["submitted", "accepted", "filled"])
    expect(states(cancelled)).toEqual(["submitted", "accepted", "pendingCancel", "cancelled"])
    expect(states(replaced)).toEqual(["submitted", "accepted", "pendingReplace", "accepted"])
    expect(paths.get(refused)!.map((s) => s.event)).toEqual(["PLACE", "ACCEPT", "REPLACE_REQUEST", "REPLACE_REJECT"])
    expect(states(stop)).toEqual(["submitted", "accepted", "triggered", "filled"])
    expect(states(day).at(-1)).toBe("expired")
    const [, takeProfit, stopLoss] = bracket.orderIds
    expect(states(takeProfit!).slice(0, 3)).toEqual(["submitted", "held", "submitted"])
    expect(engine.getOrder(takeProfit!).status).toBe("filled")
    expect(engine.getOrder(stopLoss!).status).toBe("cancelled")
  })

  it("adds no step for an event about no order", () => {
    expect(pathStepsOf({ type: "simulationStatusChanged", from: "running", to: "paused", reason: null })).toEqual([])
  })
})
