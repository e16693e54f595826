/**
 * Events against records, over the project's random scenarios (every order type and list, times
 * in force, partial fills, quotes, instruments): README, The API: "`onEvent(listener)` → every
 * event, in the order it happened"; `getFills()`, `getOrders()` must tell the same story.
 * - every fill in getFills() was announced once, by orderPartiallyFilled or orderFilled, in order,
 *   and the event's order view counts it in its filled quantity;
 * - each order is announced submitted once, first; it reaches a final status by exactly one final
 *   event, after which nothing is said of it;
 * - after every update and command, the status an order's last event showed is its status now
 *   (no change of status without its event).
 */
import { fc, test } from "@fast-check/vitest"
import { describe, expect, it } from "vitest"
import { approve, type EngineEvent, type OrderId, TradingSimulationEngine } from "../../src/index.ts"
import { buy, frictionless, record } from "./fixtures.ts"
import { basePrice, materializeMarket, type Scenario, scenarioArb } from "../../src/testing/index.ts"
import { playCommand, scenarioOptions } from "./play-scenario.ts"


const FINAL = new Set(["filled", "cancelled", "expired", "rejected"])
const FINAL_EVENTS = new Set(["orderFilled", "orderCancelled", "orderExpired", "orderRejected"])

/** What went wrong between the events heard so far and the engine's records. */
const disagreements = (engine: TradingSimulationEngine, events: ReadonlyArray<EngineEvent>): string[] => {
  const out: string[] = []
  const fillEvents = events.filter((e) => e.type === "orderPartiallyFilled" || e.type === "orderFilled")
  const fills = engine.getFills()
  if (JSON.stringify(fillEvents.map((e) => e.fill)) !== JSON.stringify(fills)) out.push(`fills: ${fillEvents.length} announced, ${fills.length} recorded`)
  for (const e of fillEvents) if (e.fill.orderId !== e.order.id) out.push(`${e.type} of ${e.order.id} carries a fill of ${e.fill.orderId}`)
  const byOrder = new Map<string, EngineEvent[]>()
  for (const e of events) if ("order" in e) byOrder.set(e.order.id, [...(byOrder.get(e.order.id) ?? []), e])
  for (const order of engine.getOrders()) {
    const own = byOrder.get(order.id) ?? []
    if (own[0]?.type !== "orderSubmitted") out.push(`${order.id}: first event ${own[0]?.type}`)
    if (own.filter((e) => e.type === "orderSubmitted").length !== 1) out.push(`${order.id}: submitted ${own.filter((e) => e.type === "orderSubmitted").length} times`)
    const finals = own.filter((e) => FINAL_EVENTS.has(e.type))
    if (FINAL.has(order.status)) {
      if (finals.length !== 1) out.push(`${order.id} (${order.status}): ${finals.length} final events (${own.map((e) => e.type).join(", ")})`)
      else if (own.at(-1) !== finals[0]) out.push(`${order.id}: ${own.at(-1)!.type} after its final ${finals[0]!.type}`)
    } else if (finals.length !== 0) out.push(`${order.id} (${order.status}): final event ${finals[0]!.type}`)
    const last = own.at(-1)
    if (last !== undefined && "order" in last && last.order.status !== order.status) out.push(`${order.id}: last event ${last.type} showed ${last.order.status}, the order is ${order.status}`)
    if (last !== undefined && "order" in last && last.order.filledQuantity !== order.filledQuantity)
      out.push(`${order.id}: last event ${last.type} showed ${last.order.filledQuantity} filled, the order has ${order.filledQuantity}`)
  }
  return out
}

const run = (scenario: Scenario) => {
  const engine = new TradingSimulationEngine(scenario.config, scenarioOptions(scenario))
  const events: EngineEvent[] = []
  engine.onEvent((e) => events.push(e))
  const updates = materializeMarket(scenario)
  const last = new Map(engine.config.symbols.map((s, i) => [s, basePrice(scenario, i)]))
  const ids: OrderId[] = []
  scenario.steps.forEach((step, s) => {
    step.commands.forEach((command, c) => {
      playCommand(engine, command, ids, (x) => last.get(x)!)
      expect(disagreements(engine, events), `step ${s}, command ${c} (${command.kind})`).toEqual([])
    })
    const update = updates[s]!
    engine.processMarketUpdate(update.input)
    for (const [symbol, q] of update.quotes) last.set(symbol, Number(q.close))
    expect(disagreements(engine, events), `step ${s}, update`).toEqual([])
  })
}

describe("events and records tell the same story", () => {
  test.prop([scenarioArb(25)], { numRuns: 150 })("after every command and update", (scenario) => run(scenario))
})

describe("a listener that throws", () => {
  // README, The API: "`onEvent(listener)` → every event, in the order it happened". One listener
  // throwing on one event drops the rest of that update's events for every other listener, and
  // the update, which was applied in full, is reported to the caller as an error.
  it("does not take the other listeners' events with it", () => {
    const e = new TradingSimulationEngine(frictionless(["ACME"]))
    let boom = true
    e.on("orderAccepted", () => {
      if (boom) {
        boom = false
        throw new Error("a listener's bug")
      }
    })
    const events = record(e)
    e.processMarketUpdate({ ACME: 100 })
    const first = e.submitOrder(buy("ACME", 1))
    try {
      e.processMarketUpdate({ ACME: 100 })
    } catch {
      // The listener's error may reach the caller; what matters is what the others heard.
    }
    // The order was accepted and filled on that update: the recorder must have heard both.
    expect(e.getOrder(first).status).toBe("filled")
    expect(events.filter((ev) => "order" in ev && ev.order.id === first).map((ev) => ev.type)).toEqual(["orderSubmitted", "orderAccepted", "orderFilled"])
  })
})

describe("a user risk rule that throws at a fill, inside processMarketUpdate", () => {
  // The update is neither refused whole (as bad input is: "Bad input never changes anything") nor
  // completed: the fills before the throw stand without their events, the update is counted, and
  // the equity curve ("equity after each update") misses its point for good.
  it("leaves no half-applied update: the engine is as before, or the update is complete with its events", () => {
    let armed = false
    const e = new TradingSimulationEngine(frictionless(["ACME", "BETA"]), {
      riskRules: [
        {
          name: "boom",
          check: (c) => {
            if (armed && c.fill !== null && c.order.symbol === "BETA") throw new Error("a rule's bug")
            return approve
          }
        }
      ]
    })
    const events = record(e)
    e.processMarketUpdate({ ACME: 100, BETA: 100 })
    e.submitOrder(buy("ACME", 1))
    e.submitOrder(buy("BETA", 1))
    armed = true
    const before = JSON.stringify(e.snapshot())
    let threw = false
    try {
      e.processMarketUpdate({ ACME: 101, BETA: 101 })
    } catch {
      threw = true
    }
    if (threw) expect(JSON.stringify(e.snapshot()), "a refused update changed the engine").toBe(before)
    expect(e.getEquityCurve().length).toBe(e.updateCount)
    expect(events.filter((ev) => ev.type === "orderFilled").length).toBe(e.getFills().length)
  })
})
