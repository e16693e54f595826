import { describe, expect, it } from "vitest"
import {
  barFillModel,
  Decimal,
  IllegalOrderTransitionError,
  SimulationStateError,
  TradingSimulationEngine,
  UnknownOrderError,
  ValidationError
} from "../../src/index.ts"
import type { EngineOptions, FillModel, MarketUpdateInput, OrderRequest, PriceInput, SimulationConfigInput } from "../../src/index.ts"
import { at, bar, DAY, engineOn, flat, frictionless, ordersIn, record } from "./fixtures.ts"

const engineWith = engineOn(frictionless(["AAPL", "MSFT"]))

// These tests count minutes from the session's open (14:30 UTC): minute 389 is its last.
const MONDAY = Date.UTC(2024, 0, 1, 14, 30)
const TUESDAY = MONDAY + DAY
const WEDNESDAY = TUESDAY + DAY

const aapl = ordersIn("AAPL")
const limitBuy = (limitPrice: PriceInput, extra: Partial<OrderRequest> = {}): OrderRequest => aapl.buy(10, { type: "limit", limitPrice, ...extra })
const marketBuy = (quantity = 10): OrderRequest => aapl.buy(quantity)

const thrown = (f: () => unknown): unknown => {
  try {
    f()
  } catch (e) {
    return e
  }
  throw new Error("expected a throw")
}

/** Everything observable about an engine. */
const state = (engine: TradingSimulationEngine) =>
  JSON.stringify({
    orders: engine.getOrders(),
    open: engine.getOpenOrders(),
    portfolio: engine.getPortfolio(),
    curve: engine.getEquityCurve(),
    updateCount: engine.updateCount,
    fills: engine.getFills(),
    trades: engine.getTrades(),
    status: engine.status
  })

/** At most `max` per update, at the default model's prices: for orders that stay partly filled. */
const trickle = (max: number): FillModel => ({
  match: (order, quote) => {
    const result = barFillModel.match(order, quote)
    return result.fill === null ? result : { ...result, fill: { ...result.fill, quantity: Decimal.min(result.fill.quantity, max) } }
  }
})

describe("time in force", () => {
  it("market orders default to day, the others to gtc; an explicit time in force is kept", () => {
    const engine = engineWith()
    expect(engine.getOrder(engine.submitOrder(marketBuy())).timeInForce).toBe("day")
    expect(engine.getOrder(engine.submitOrder(limitBuy(90))).timeInForce).toBe("gtc")
    expect(engine.getOrder(engine.submitOrder({ symbol: "AAPL", side: "sell", type: "stop", quantity: 1, stopPrice: 90 })).timeInForce).toBe("gtc")
    expect(engine.getOrder(engine.submitOrder({ symbol: "AAPL", side: "buy", type: "stopLimit", quantity: 1, stopPrice: 90, limitPrice: 91 })).timeInForce).toBe("gtc")
    expect(engine.getOrder(engine.submitOrder(limitBuy(90, { timeInForce: "day" }))).timeInForce).toBe("day")
    expect(engine.getOrder(engine.submitOrder({ ...marketBuy(), timeInForce: "gtc" })).timeInForce).toBe("gtc")
  })

  it("a day order placed after Monday's close works all Tuesday and expires at Wednesday's first update, before matching; a gtc order persists", () => {
    const engine = engineWith()
    const events = record(engine)
    engine.processMarketUpdate({ time: at(MONDAY, 0), bars: { AAPL: flat(100) } })
    engine.processMarketUpdate({ time: at(MONDAY, 389), bars: { AAPL: flat(100) } })
    const day = engine.submitOrder(limitBuy(50, { timeInForce: "day" }))
    const gtc = engine.submitOrder(limitBuy(50))
    engine.processMarketUpdate({ time: at(TUESDAY, 0), bars: { AAPL: bar(100, 101, 99, 100) } })
    expect(engine.getOrder(day).status).toBe("accepted")
    engine.processMarketUpdate({ time: at(TUESDAY, 200), bars: { AAPL: bar(100, 101, 60, 100) } })
    engine.processMarketUpdate({ time: at(TUESDAY, 389), bars: { AAPL: bar(100, 101, 99, 100) } })
    expect(engine.getOrder(day).status).toBe("accepted")
    // Wednesday's first bar would fill both; the day order has lapsed first.
    engine.processMarketUpdate({ time: at(WEDNESDAY, 0), bars: { AAPL: bar(60, 61, 45, 50) } })
    expect(engine.getOrder(day).status).toBe("expired")
    expect(engine.getOrder(day).filledQuantity).toBe("0")
    expect(engine.getOrder(day).reasons).toEqual(["day order: its session ended"])
    expect(engine.getOrder(gtc).status).toBe("filled")
    expect(engine.getFills().map((f) => f.orderId)).toEqual([gtc])
    const expired = events.filter((e) => e.type === "orderExpired")
    expect(expired).toHaveLength(1)
    expect(expired[0]).toMatchObject({ type: "orderExpired", order: { id: day, status: "expired" }, reason: "day order: its session ended" })
    // The expiry comes before the fill in the update's events.
    const types = events.slice(events.findIndex((e) => e.type === "orderExpired")).map((e) => e.type)
    expect(types).toEqual(["orderExpired", "orderFilled"])
  })

  it("a day order placed during Monday expires at Tuesday's first update", () => {
    const engine = engineWith()
    engine.processMarketUpdate({ time: at(MONDAY, 0), bars: { AAPL: flat(100) } })
    const day = engine.submitOrder(limitBuy(50, { timeInForce: "day" }))
    engine.processMarketUpdate({ time: at(MONDAY, 1), bars: { AAPL: flat(100) } })
    engine.processMarketUpdate({ time: at(MONDAY, 389), bars: { AAPL: flat(100) } })
    expect(engine.getOrder(day).status).toBe("accepted")
    engine.processMarketUpdate({ time: at(TUESDAY, 0), bars: { AAPL: flat(100) } })
    expect(engine.getOrder(day).status).toBe("expired")
  })

  it("updates without a time stay on the trading day of the last timed one", () => {
    const engine = engineWith()
    engine.processMarketUpdate({ time: at(MONDAY, 0), AAPL: 100 })
    const day = engine.submitOrder(limitBuy(50, { timeInForce: "day" }))
    engine.processMarketUpdate({ AAPL: 100 })
    engine.processMarketUpdate({ prices: { AAPL: 100 } })
    engine.processMarketUpdate({ bars: { AAPL: flat(100) } })
    expect(engine.getOrder(day).status).toBe("accepted")
    engine.processMarketUpdate({ time: at(TUESDAY, 0), prices: { AAPL: 100 } })
    expect(engine.getOrder(day).status).toBe("expired")
  })

  it("a day order that has not reached the market yet (its symbol has not traded) does not expire", () => {
    const engine = engineWith()
    const day = engine.submitOrder(limitBuy(50, { timeInForce: "day" }))
    engine.processMarketUpdate({ time: at(MONDAY, 0), bars: { MSFT: flat(300) } })
    engine.processMarketUpdate({ time: at(TUESDAY, 0), bars: { MSFT: flat(300) } })
    expect(engine.getOrder(day).status).toBe("submitted")
  })

  it("the unfilled rest of a partly filled day order expires; its fills stand", () => {
    const engine = engineWith({}, { fillModel: trickle(4) })
    engine.processMarketUpdate({ time: at(MONDAY, 0), bars: { AAPL: flat(100) } })
    const id = engine.submitOrder(marketBuy(10))
    engine.processMarketUpdate({ time: at(MONDAY, 1), bars: { AAPL: flat(100) } })
    engine.processMarketUpdate({ time: at(MONDAY, 2), bars: { AAPL: flat(100) } })
    expect(engine.getOrder(id)).toMatchObject({ status: "partiallyFilled", filledQuantity: "8" })
    engine.processMarketUpdate({ time: at(TUESDAY, 0), bars: { AAPL: flat(100) } })
    expect(engine.getOrder(id)).toMatchObject({ status: "expired", filledQuantity: "8" })
    expect(engine.positionOf("AAPL").toString()).toBe("8")
  })
})

describe("cancel", () => {
  it("cancels a working order at once: it never fills and gives back the buying power it held", () => {
    const engine = engineWith()
    const events = record(engine)
    engine.submitOrder(limitBuy(90))
    engine.processMarketUpdate({ time: at(MONDAY, 0), bars: { AAPL: flat(100) } })
    const id = engine.getOrders()[0]!.id
    expect(engine.getPortfolio().buyingPower.toString()).toBe("99000")
    events.length = 0
    expect(engine.cancelOrder(id)).toBeUndefined()
    const order = engine.getOrder(id)
    expect(order.status).toBe("cancelled")
    expect(order.reasons).toEqual(["cancelled on request"])
    expect(events).toEqual([{ type: "orderCancelled", order, reason: "cancelled on request" }])
    expect(engine.getOpenOrders()).toEqual([])
    expect(engine.getPortfolio().buyingPower.toString()).toBe("100000")
    engine.processMarketUpdate({ time: at(MONDAY, 1), bars: { AAPL: flat(80) } })
    expect(engine.getOrder(id).status).toBe("cancelled")
    expect(engine.getFills()).toEqual([])
  })

  it("cancels a submitted order before it is ever checked, with the caller's reason", () => {
    const engine = engineWith()
    const events = record(engine)
    const id = engine.submitOrder(marketBuy())
    engine.cancelOrder(id, "changed my mind")
    engine.processMarketUpdate({ time: at(MONDAY, 0), bars: { AAPL: flat(100) } })
    expect(engine.getOrder(id)).toMatchObject({ status: "cancelled", reasons: ["changed my mind"] })
    expect(events.map((e) => e.type)).toEqual(["orderSubmitted", "orderCancelled"])
    expect(engine.getFills()).toEqual([])
  })

  it("cancelling a final order is an illegal transition and changes nothing", () => {
    const engine = engineWith()
    const filled = engine.submitOrder(marketBuy())
    const cancelled = engine.submitOrder(limitBuy(50))
    engine.cancelOrder(cancelled)
    const rejected = engine.submitOrder({ symbol: "AAPL", side: "sell", type: "market", quantity: 100 })
    engine.processMarketUpdate({ time: at(MONDAY, 0), bars: { AAPL: flat(100) } })
    for (const [id, status] of [[filled, "filled"], [cancelled, "cancelled"], [rejected, "rejected"]] as const) {
      expect(engine.getOrder(id).status).toBe(status)
      const before = state(engine)
      const error = thrown(() => engine.cancelOrder(id))
      expect(error).toBeInstanceOf(IllegalOrderTransitionError)
      expect(error).toMatchObject({ orderId: id, status, event: "CANCEL_REQUEST" })
      expect(state(engine)).toBe(before)
    }
  })

  it("an unknown order id is an UnknownOrderError for getOrder, cancelOrder and replaceOrder", () => {
    const engine = engineWith()
    engine.submitOrder(marketBuy())
    const before = state(engine)
    for (const f of [() => engine.getOrder("O-999999"), () => engine.cancelOrder("O-999999"), () => engine.replaceOrder("nope", { quantity: 1 })]) {
      const error = thrown(f)
      expect(error).toBeInstanceOf(UnknownOrderError)
      expect((error as UnknownOrderError).orderId).toMatch(/^(O-999999|nope)$/)
    }
    expect(state(engine)).toBe(before)
  })
})

describe("replace", () => {
  /** A limit buy of 10 at 90, working, with the market at 100. */
  const working = (config: SimulationConfigInput = {}, options: EngineOptions = {}) => {
    const engine = engineWith(config, options)
    const id = engine.submitOrder(limitBuy(90))
    engine.processMarketUpdate({ time: at(MONDAY, 0), bars: { AAPL: bar(100, 101, 95, 100) } })
    expect(engine.getOrder(id).status).toBe("accepted")
    return { engine, id }
  }

  it("a new limit price applies from the next update", () => {
    const { engine, id } = working()
    const events = record(engine)
    expect(engine.replaceOrder(id, { limitPrice: "99.5" })).toEqual({ replaced: true })
    const order = engine.getOrder(id)
    expect(order).toMatchObject({ status: "accepted", limitPrice: "99.5", quantity: "10" })
    // The change passed the checks again, valued at the last mark.
    expect(events).toEqual([{ type: "orderReplaced", order, check: { referencePrice: "100", equity: "100000", maxPositionValue: "100000" } }])
    engine.processMarketUpdate({ time: at(MONDAY, 1), bars: { AAPL: bar(100, 101, 99, 100) } })
    expect(engine.getFills().map((f) => [f.orderId, f.price, f.quantity])).toEqual([[id, "99.5", "10"]])
  })

  it("a new quantity and stop price apply", () => {
    const engine = engineWith()
    const id = engine.submitOrder({ symbol: "AAPL", side: "buy", type: "stop", quantity: 10, stopPrice: 110 })
    engine.processMarketUpdate({ time: at(MONDAY, 0), bars: { AAPL: flat(100) } })
    expect(engine.replaceOrder(id, { quantity: 25, stopPrice: 105 })).toEqual({ replaced: true })
    engine.processMarketUpdate({ time: at(MONDAY, 1), bars: { AAPL: bar(100, 106, 99, 104) } })
    expect(engine.getFills().map((f) => [f.price, f.quantity])).toEqual([["105", "25"]])
  })

  it("a change the risk checks refuse leaves the order as it was, says why, and records the reason", () => {
    const { engine, id } = working({ maxPositionSize: 0.1 })
    const events = record(engine)
    const before = engine.getOrder(id)
    const result = engine.replaceOrder(id, { quantity: 200 })
    if (result.replaced) throw new Error("the change should have been refused")
    const { code, reason } = result
    expect(code).toBe("maxPositionSize")
    expect(reason).toMatch(/^maxPositionSize: /)
    const after = engine.getOrder(id)
    // A refused change does not reject the order: it keeps no rejection code.
    expect(after).toEqual({ ...before, reasons: [reason] })
    expect(after.rejectionCode).toBeNull()
    expect(events).toEqual([{ type: "orderReplaceRejected", order: after, code, reason }])
    // Still works at its old terms.
    engine.processMarketUpdate({ time: at(MONDAY, 1), bars: { AAPL: bar(100, 101, 89, 95) } })
    expect(engine.getFills().map((f) => [f.price, f.quantity])).toEqual([["90", "10"]])
  })

  it("a quantity at or below what has been filled is refused", () => {
    const engine = engineWith({}, { fillModel: trickle(4) })
    const id = engine.submitOrder(limitBuy(100))
    engine.processMarketUpdate({ time: at(MONDAY, 0), bars: { AAPL: flat(100) } })
    expect(engine.getOrder(id)).toMatchObject({ status: "partiallyFilled", filledQuantity: "4" })
    for (const quantity of [4, 3]) {
      const result = engine.replaceOrder(id, { quantity })
      expect(result.replaced).toBe(false)
      expect((result as { reason: string }).reason).toContain("filled")
      expect(engine.getOrder(id)).toMatchObject({ status: "partiallyFilled", quantity: "10", filledQuantity: "4" })
    }
    expect(engine.replaceOrder(id, { quantity: 5 })).toEqual({ replaced: true })
    engine.processMarketUpdate({ time: at(MONDAY, 1), bars: { AAPL: flat(100) } })
    expect(engine.getOrder(id)).toMatchObject({ status: "filled", quantity: "5", filledQuantity: "5" })
  })

  it("replacing a final order, or one not yet checked, is an illegal transition and changes nothing", () => {
    const engine = engineWith()
    const filled = engine.submitOrder(limitBuy(200))
    engine.processMarketUpdate({ time: at(MONDAY, 0), bars: { AAPL: flat(100) } })
    const submitted = engine.submitOrder(limitBuy(90))
    for (const [id, status] of [[filled, "filled"], [submitted, "submitted"]] as const) {
      const before = state(engine)
      const error = thrown(() => engine.replaceOrder(id, { limitPrice: 95 }))
      expect(error).toBeInstanceOf(IllegalOrderTransitionError)
      expect(error).toMatchObject({ orderId: id, status, event: "REPLACE_REQUEST" })
      expect(state(engine)).toBe(before)
    }
  })

  it("a price the order type does not have, or a bad value, is a ValidationError and changes nothing", () => {
    const engine = engineWith()
    const market = engine.submitOrder({ symbol: "AAPL", side: "buy", type: "market", quantity: 1, timeInForce: "gtc" })
    const limit = engine.submitOrder(limitBuy(90))
    engine.processMarketUpdate({ time: at(MONDAY, 0), bars: { MSFT: flat(300) } })
    const cases: ReadonlyArray<readonly [string, Record<string, unknown>, string]> = [
      [market, { limitPrice: 100 }, "limitPrice"],
      [market, { stopPrice: 100 }, "stopPrice"],
      [limit, { stopPrice: 100 }, "stopPrice"],
      [limit, { quantity: -1 }, "quantity"],
      [limit, { quantity: 0 }, "quantity"],
      [limit, { limitPrice: "abc" }, "limitPrice"],
      [limit, { side: "sell" }, "side"]
    ]
    for (const [id, changes, field] of cases) {
      const before = state(engine)
      const error = thrown(() => engine.replaceOrder(id, changes as never))
      expect(error, JSON.stringify(changes)).toBeInstanceOf(ValidationError)
      expect((error as ValidationError).subject).toBe("replace")
      expect((error as ValidationError).issues.map((i) => i.field)).toContain(field)
      expect(state(engine)).toBe(before)
    }
  })
})

describe("simulation lifecycle", () => {
  it("autoStart false stays deployed and refuses orders and updates until start()", () => {
    const engine = engineWith({}, { autoStart: false })
    expect(engine.status).toBe("deployed")
    expect(thrown(() => engine.submitOrder(marketBuy()))).toBeInstanceOf(SimulationStateError)
    expect(thrown(() => engine.processMarketUpdate({ AAPL: 100 }))).toBeInstanceOf(SimulationStateError)
    expect(engine.updateCount).toBe(0)
    expect(engine.getOrders()).toEqual([])
    const events = record(engine)
    engine.start()
    expect(engine.status).toBe("running")
    expect(events).toEqual([{ type: "simulationStatusChanged", from: "deployed", to: "running", reason: null }])
  })

  it("stop() cancels every open order, keeps positions, and refuses everything after", () => {
    const engine = engineWith()
    const filled = engine.submitOrder(marketBuy())
    const working = engine.submitOrder(limitBuy(50))
    engine.processMarketUpdate({ time: at(MONDAY, 0), bars: { AAPL: flat(100) } })
    const pending = engine.submitOrder(limitBuy(60))
    const events = record(engine)
    engine.stop()
    expect(engine.status).toBe("stopped")
    expect(engine.getOrder(filled).status).toBe("filled")
    expect(engine.getOrder(working)).toMatchObject({ status: "cancelled", reasons: ["simulation stopped"] })
    expect(engine.getOrder(pending)).toMatchObject({ status: "cancelled", reasons: ["simulation stopped"] })
    expect(engine.getOpenOrders()).toEqual([])
    const cancelled = events.filter((e) => e.type === "orderCancelled").map((e) => e.order.id)
    expect(new Set(cancelled)).toEqual(new Set([pending, working]))
    expect(events.map((e) => e.type)).toEqual(["orderCancelled", "orderCancelled", "simulationStatusChanged"])
    expect(events.at(-1)).toEqual({ type: "simulationStatusChanged", from: "running", to: "stopped", reason: null })
    expect(engine.positionOf("AAPL").toString()).toBe("10")
    const before = state(engine)
    for (const f of [
      () => engine.submitOrder(marketBuy()),
      () => engine.processMarketUpdate({ AAPL: 100 }),
      () => engine.stop(),
      () => engine.pause(),
      () => engine.resume()
    ]) {
      const error = thrown(f)
      expect(error).toBeInstanceOf(SimulationStateError)
      expect((error as SimulationStateError).status).toBe("stopped")
    }
    expect((thrown(() => engine.submitOrder(marketBuy())) as SimulationStateError).command).toBe("submitOrder")
    expect(state(engine)).toBe(before)
  })

  it("pause(): updates mark the portfolio but nothing is checked or matched; resume() trades again", () => {
    const engine = engineWith()
    engine.submitOrder(marketBuy())
    const working = engine.submitOrder(limitBuy(90))
    engine.processMarketUpdate({ time: at(MONDAY, 0), bars: { AAPL: flat(100) } })
    const events = record(engine)
    engine.pause()
    expect(engine.status).toBe("paused")
    const pending = engine.submitOrder(marketBuy(5)) // orders may still be placed
    engine.processMarketUpdate({ time: at(MONDAY, 1), bars: { AAPL: bar(100, 100, 80, 85) } })
    expect(engine.updateCount).toBe(2)
    expect(engine.getEquityCurve().map((p) => p.equity)).toEqual([100000, 99850])
    expect(engine.getPortfolio().positions[0]!.marketPrice.toString()).toBe("85")
    expect(engine.getOrder(pending).status).toBe("submitted")
    expect(engine.getOrder(working).status).toBe("accepted")
    expect(engine.getFills()).toHaveLength(1)
    engine.resume()
    expect(engine.status).toBe("running")
    engine.processMarketUpdate({ time: at(MONDAY, 2), bars: { AAPL: bar(88, 89, 86, 87) } })
    expect(engine.getOrder(pending).status).toBe("filled")
    expect(engine.getOrder(working).status).toBe("filled")
    expect(events.filter((e) => e.type === "simulationStatusChanged")).toEqual([
      { type: "simulationStatusChanged", from: "running", to: "paused", reason: null },
      { type: "simulationStatusChanged", from: "paused", to: "running", reason: null }
    ])
  })

  it("pausing and resuming on the day of a halt returns to halted; the next day runs", () => {
    const engine = engineWith({ dailyStopLoss: 0.02 })
    engine.submitOrder(marketBuy(500))
    engine.processMarketUpdate({ time: at(MONDAY, 0), bars: { AAPL: flat(100) } })
    engine.processMarketUpdate({ time: at(MONDAY, 1), bars: { AAPL: flat(90) } })
    expect(engine.status).toBe("halted")
    engine.pause()
    engine.resume()
    expect(engine.status).toBe("halted")
    engine.pause()
    engine.processMarketUpdate({ time: at(TUESDAY, 0), bars: { AAPL: flat(90) } })
    expect(engine.status).toBe("paused")
    engine.resume()
    expect(engine.status).toBe("running")
  })
})

describe("events", () => {
  it("a stop order's events, in order, with their payloads", () => {
    const engine = engineWith({ maxPositionSize: 0.5 })
    const events = record(engine)
    engine.processMarketUpdate({ time: at(MONDAY, 0), bars: { AAPL: flat(100) } })
    const id = engine.submitOrder({ symbol: "AAPL", side: "buy", type: "stop", quantity: 10, stopPrice: 102, tag: "breakout" })
    // orderSubmitted is delivered at once.
    expect(events).toHaveLength(1)
    expect(events[0]).toEqual({ type: "orderSubmitted", order: engine.getOrder(id) })
    expect(events[0]).toMatchObject({ order: { status: "submitted", tag: "breakout", submittedAfterUpdate: 1, submittedTime: at(MONDAY, 0) } })
    engine.processMarketUpdate({ time: at(MONDAY, 1), bars: { AAPL: bar(101, 103, 100, 102) } })
    expect(events.map((e) => e.type)).toEqual(["orderSubmitted", "orderAccepted", "orderTriggered", "orderFilled"])
    const [, accepted, triggered, filled] = events
    expect(accepted).toMatchObject({ order: { id, status: "accepted", triggered: false }, check: { referencePrice: "101", equity: "100000", maxPositionValue: "50000" } })
    expect(triggered).toMatchObject({ order: { id, status: "triggered", triggered: true, filledQuantity: "0" } })
    expect(filled).toMatchObject({ order: { id, status: "filled", filledQuantity: "10", averageFillPrice: "102" } })
    expect(filled?.type === "orderFilled" && filled.fill).toEqual(engine.getFills()[0])
    expect(engine.getFills()[0]).toEqual({
      orderId: id,
      symbol: "AAPL",
      side: "buy",
      quantity: "10",
      price: "102",
      marketPrice: "102",
      commission: "0",
      closingQuantity: "0",
      openingQuantity: "10",
      time: at(MONDAY, 1),
      updateIndex: 2
    })
  })

  it("an update's events arrive after the whole update is applied: checks first, then matching, oldest first", () => {
    const engine = engineWith()
    const seen: Array<{ type: string; id: string; statusNow: string; curve: number; cash: string }> = []
    for (const name of ["orderAccepted", "orderRejected", "orderFilled"] as const)
      engine.on(name, (e) =>
        seen.push({
          type: e.type,
          id: e.order.id,
          statusNow: engine.getOrder(e.order.id).status,
          curve: engine.getEquityCurve().length,
          cash: engine.getPortfolio().cash.toString()
        })
      )
    const a = engine.submitOrder({ symbol: "MSFT", side: "buy", type: "market", quantity: 10 })
    const b = engine.submitOrder({ symbol: "AAPL", side: "sell", type: "market", quantity: 1 }) // shorting disabled
    const c = engine.submitOrder(limitBuy(100))
    engine.processMarketUpdate({ time: at(MONDAY, 0), bars: { AAPL: flat(100), MSFT: flat(300) } })
    expect(seen).toEqual([
      { type: "orderAccepted", id: a, statusNow: "filled", curve: 1, cash: "96000" },
      { type: "orderRejected", id: b, statusNow: "rejected", curve: 1, cash: "96000" },
      { type: "orderAccepted", id: c, statusNow: "filled", curve: 1, cash: "96000" },
      { type: "orderFilled", id: a, statusNow: "filled", curve: 1, cash: "96000" },
      { type: "orderFilled", id: c, statusNow: "filled", curve: 1, cash: "96000" }
    ])
  })

  it("a halt is reported after the order events of its update", () => {
    const engine = engineWith({ dailyStopLoss: 0.02 })
    engine.submitOrder(marketBuy(500))
    engine.processMarketUpdate({ time: at(MONDAY, 0), bars: { AAPL: flat(100) } })
    const events = record(engine)
    engine.submitOrder({ symbol: "MSFT", side: "buy", type: "market", quantity: 1 })
    engine.processMarketUpdate({ time: at(MONDAY, 1), bars: { AAPL: flat(90), MSFT: flat(300) } })
    expect(events.map((e) => e.type)).toEqual(["orderSubmitted", "orderAccepted", "orderFilled", "simulationStatusChanged"])
    expect(events.at(-1)).toMatchObject({ from: "running", to: "halted" })
  })

  // Regression: a command a listener issues while an update's events are being delivered used to
  // have its events delivered at once, ahead of the update's remaining ones ("cancelled B" before
  // "accepted B"). Its events now queue behind them, so every order's events follow its machine.
  it("a listener's cancel is delivered after the update's remaining events about the same order", () => {
    const engine = engineWith()
    const log: string[] = []
    const a = engine.submitOrder(limitBuy(90))
    const b = engine.submitOrder(limitBuy(80))
    engine.on("orderAccepted", (e) => {
      log.push(`accepted ${e.order.id}`)
      if (e.order.id === a) engine.cancelOrder(b)
    })
    engine.on("orderCancelled", (e) => log.push(`cancelled ${e.order.id}`))
    engine.processMarketUpdate({ time: at(MONDAY, 0), bars: { AAPL: flat(100) } })
    expect(engine.getOrder(b).status).toBe("cancelled")
    expect(log).toEqual([`accepted ${a}`, `accepted ${b}`, `cancelled ${b}`])
  })

  it("on() returns an unsubscribe; other listeners keep receiving", () => {
    const engine = engineWith()
    const first: string[] = []
    const second: string[] = []
    const off = engine.on("orderSubmitted", (e) => first.push(e.order.id))
    engine.on("orderSubmitted", (e) => second.push(e.order.id))
    const a = engine.submitOrder(marketBuy())
    off()
    const b = engine.submitOrder(marketBuy())
    expect(first).toEqual([a])
    expect(second).toEqual([a, b])
  })
})

describe("validation errors change nothing", () => {
  /** An engine with a position, a working order, a pending order and some history. */
  const busy = () => {
    const engine = engineWith({ commissionRate: 0.001 })
    engine.submitOrder(marketBuy())
    engine.submitOrder(limitBuy(90))
    engine.processMarketUpdate({ time: at(MONDAY, 0), bars: { AAPL: bar(100, 101, 95, 100) } })
    const pending = engine.submitOrder({ symbol: "MSFT", side: "buy", type: "market", quantity: 2 })
    return { engine, pending }
  }

  const orderCases: ReadonlyArray<readonly [string, Record<string, unknown>, ReadonlyArray<string>]> = [
    ["an unknown symbol", { symbol: "TSLA", side: "buy", type: "market", quantity: 1 }, ["symbol"]],
    ["a zero quantity", { symbol: "AAPL", side: "buy", type: "market", quantity: 0 }, ["quantity"]],
    ["a negative quantity", { symbol: "AAPL", side: "buy", type: "market", quantity: -5 }, ["quantity"]],
    ["a NaN quantity", { symbol: "AAPL", side: "buy", type: "market", quantity: Number.NaN }, ["quantity"]],
    ["a non-numeric quantity", { symbol: "AAPL", side: "buy", type: "market", quantity: "ten" }, ["quantity"]],
    ["a limit without its price", { symbol: "AAPL", side: "buy", type: "limit", quantity: 1 }, ["limitPrice"]],
    ["a market order with a limit price", { symbol: "AAPL", side: "buy", type: "market", quantity: 1, limitPrice: 100 }, ["limitPrice"]],
    ["a stop without its price", { symbol: "AAPL", side: "sell", type: "stop", quantity: 1 }, ["stopPrice"]],
    ["a stop-limit without either price", { symbol: "AAPL", side: "sell", type: "stopLimit", quantity: 1 }, ["limitPrice", "stopPrice"]],
    ["a negative limit price", { symbol: "AAPL", side: "buy", type: "limit", quantity: 1, limitPrice: -1 }, ["limitPrice"]],
    ["an unknown side", { symbol: "AAPL", side: "hold", type: "market", quantity: 1 }, ["side"]],
    ["an unknown type", { symbol: "AAPL", side: "buy", type: "iceberg", quantity: 1 }, ["type"]],
    ["an unknown time in force", { symbol: "AAPL", side: "buy", type: "market", quantity: 1, timeInForce: "gtx" }, ["timeInForce"]],
    ["an unknown field", { symbol: "AAPL", side: "buy", type: "market", quantity: 1, leverage: 10 }, ["leverage"]],
    ["a missing symbol", { side: "buy", type: "market", quantity: 1 }, ["symbol"]]
  ]

  it.each(orderCases)("order: %s", (_name, request, fields) => {
    const { engine } = busy()
    const submitted: unknown[] = []
    engine.on("orderSubmitted", (e) => submitted.push(e))
    const before = state(engine)
    const error = thrown(() => engine.submitOrder(request as unknown as OrderRequest))
    expect(error).toBeInstanceOf(ValidationError)
    const v = error as ValidationError
    expect(v.subject).toBe("order")
    expect(v.issues.map((i) => i.field).sort()).toEqual([...fields].sort())
    for (const issue of v.issues) {
      expect(issue.rule.length).toBeGreaterThan(0)
      expect(issue.value).toEqual(request[issue.field])
    }
    expect(v.message).toContain(fields[0])
    expect(state(engine)).toBe(before)
    expect(submitted).toEqual([])
    // The id sequence did not move either.
    expect(engine.submitOrder(marketBuy())).toBe("O-000004")
  })

  const configCases: ReadonlyArray<readonly [string, Record<string, unknown>, string]> = [
    ["a negative initial capital", { initialCapital: -1 }, "initialCapital"],
    ["a zero initial capital", { initialCapital: "0" }, "initialCapital"],
    ["a commission rate of 1", { commissionRate: 1 }, "commissionRate"],
    ["a negative slippage rate", { slippageRate: -0.1 }, "slippageRate"],
    ["a NaN slippage rate", { slippageRate: Number.NaN }, "slippageRate"],
    ["a zero max position size", { maxPositionSize: 0 }, "maxPositionSize"],
    ["a max position size over 1", { maxPositionSize: 1.5 }, "maxPositionSize"],
    ["a daily stop-loss of 1", { dailyStopLoss: 1 }, "dailyStopLoss"],
    ["a negative minimum commission", { minimumCommission: -1 }, "minimumCommission"],
    ["no symbols", { symbols: [] }, "symbols"],
    ["a repeated symbol", { symbols: ["AAPL", "AAPL"] }, "symbols"],
    ["a malformed symbol", { symbols: ["AA PL"] }, "symbols.0"],
    ["an unknown update frequency", { updateFrequency: "2min" }, "updateFrequency"],
    ["a non-boolean shorting flag", { enableShorting: "yes" }, "enableShorting"],
    ["an unknown field", { leverage: 2 }, "leverage"]
  ]

  it.each(configCases)("config: %s", (_name, config, field) => {
    const error = thrown(() => new TradingSimulationEngine(config as SimulationConfigInput))
    expect(error).toBeInstanceOf(ValidationError)
    const v = error as ValidationError
    expect(v.subject).toBe("config")
    expect(v.issues.map((i) => i.field)).toContain(field)
    const issue = v.issues.find((i) => i.field === field)!
    expect(issue.rule.length).toBeGreaterThan(0)
    const top = field.split(".")[0]!
    const expected = field.includes(".") ? (config[top] as unknown[])[Number(field.split(".")[1])] : config[top]
    expect(issue.value).toEqual(expected)
  })

  it("config: every broken field is reported at once; null disables the stop-loss", () => {
    const error = thrown(() => new TradingSimulationEngine({ initialCapital: -1, commissionRate: 2, symbols: [] }))
    expect((error as ValidationError).issues.map((i) => i.field).sort()).toEqual(["commissionRate", "initialCapital", "symbols"])
    expect(new TradingSimulationEngine({ dailyStopLoss: null }).config.dailyStopLoss).toBeNull()
    expect(new TradingSimulationEngine().config).toMatchObject({ initialCapital: "100000", commissionRate: 0.001, slippageRate: 0.0005, maxPositionSize: 0.1, dailyStopLoss: 0.02, enableShorting: false })
  })

  const updateCases: ReadonlyArray<readonly [string, unknown, string]> = [
    ["an unknown symbol (bare)", { TSLA: 100 }, "TSLA"],
    ["an unknown symbol (prices)", { time: at(MONDAY, 5), prices: { TSLA: 100 } }, "prices.TSLA"],
    ["an unknown symbol (bars)", { time: at(MONDAY, 5), bars: { TSLA: flat(100) } }, "bars.TSLA"],
    ["an unknown symbol next to a good one", { time: at(MONDAY, 5), bars: { AAPL: flat(50), TSLA: flat(100) } }, "bars.TSLA"],
    ["a zero price", { AAPL: 0 }, "AAPL"],
    ["a negative price", { prices: { AAPL: -1 } }, "prices.AAPL"],
    ["a NaN price", { AAPL: Number.NaN }, "AAPL"],
    ["an infinite price", { AAPL: Number.POSITIVE_INFINITY }, "AAPL"],
    ["a non-numeric price", { AAPL: "abc" }, "AAPL"],
    ["a high below the open", { bars: { AAPL: bar(100, 99, 98, 99) } }, "bars.AAPL.high"],
    ["a high below the close", { bars: { AAPL: bar(99, 99.5, 98, 100) } }, "bars.AAPL.high"],
    ["a high below the low", { bars: { AAPL: bar(100, 100, 101, 100) } }, "bars.AAPL.high"],
    ["a low above the open", { bars: { AAPL: bar(100, 102, 100.5, 101) } }, "bars.AAPL.low"],
    ["a low above the close", { bars: { AAPL: bar(101, 102, 100.5, 100) } }, "bars.AAPL.low"],
    ["a zero bar price", { bars: { AAPL: bar(0, 1, 0, 1) } }, "bars.AAPL.open"],
    ["a negative volume", { bars: { AAPL: { ...flat(100), volume: -1 } } }, "bars.AAPL.volume"],
    ["a time before the last update's", { time: at(MONDAY, -1), AAPL: 100 }, "time"],
    ["a time that is not a time", { time: "yesterday", AAPL: 100 }, "time"],
    ["no prices at all", {}, "(update)"],
    ["bars that are not an object", { bars: 5 }, "bars"]
  ]

  it.each(updateCases)("market update: %s", (_name, update, field) => {
    const { engine, pending } = busy()
    const before = state(engine)
    const error = thrown(() => engine.processMarketUpdate(update as MarketUpdateInput))
    expect(error).toBeInstanceOf(ValidationError)
    expect((error as ValidationError).subject).toBe("marketUpdate")
    expect((error as ValidationError).issues.map((i) => i.field)).toContain(field)
    expect(state(engine)).toBe(before)
    // The next good update is processed as if the bad one had never come.
    engine.processMarketUpdate({ time: at(MONDAY, 1), bars: { AAPL: flat(100), MSFT: flat(300) } })
    expect(engine.updateCount).toBe(2)
    expect(engine.getOrder(pending).status).toBe("filled")
    expect(engine.getFills().at(-1)!.price).toBe("300")
  })

  // Regression: " 300 " passed the float check (Number(" 300 ") is 300) and then broke decimal.js
  // in the middle of the update, half-applied. Price strings must be plain decimals.
  it("market update: a padded price string is rejected and changes nothing", () => {
    const { engine, pending } = busy()
    const before = state(engine)
    const error = thrown(() => engine.processMarketUpdate({ time: at(MONDAY, 1), prices: { MSFT: " 300 " } }))
    expect(error).toBeInstanceOf(ValidationError)
    expect((error as ValidationError).issues[0]).toMatchObject({ field: "prices.MSFT", value: " 300 " })
    expect(state(engine)).toBe(before)
    expect(engine.getOrder(pending).status).toBe("submitted")
    expect(engine.getEquityCurve()).toHaveLength(engine.updateCount)
  })

  // Regression: "100.10000000000000001" and "100.1" are the same double; bar consistency is now
  // checked exactly when the floats tie, so this bar (low above open) is refused.
  it("market update: a bar whose low is above its open beyond double precision is rejected", () => {
    const engine = engineWith()
    engine.submitOrder(limitBuy("100.100000000000000005"))
    const bad = { open: "100.1", high: "100.2", low: "100.10000000000000001", close: "100.15" }
    expect(() => engine.processMarketUpdate({ time: at(MONDAY, 0), bars: { AAPL: bad } })).toThrow(ValidationError)
    expect(engine.getFills()).toEqual([])
  })

  // Regression: keys beside `bars` (or `prices`) were silently dropped; now each is an issue.
  it("market update: symbols next to `bars` are rejected, not silently ignored", () => {
    const engine = engineWith()
    const update = { time: at(MONDAY, 0), bars: { AAPL: flat(100) }, TSLA: 100, MSFT: 300 } as unknown as MarketUpdateInput
    const error = thrown(() => engine.processMarketUpdate(update))
    expect(error).toBeInstanceOf(ValidationError)
    expect(engine.updateCount).toBe(0)
  })

  it("market update: an update at the same time as the last one is fine", () => {
    const { engine } = busy()
    engine.processMarketUpdate({ time: at(MONDAY, 0), AAPL: 100 })
    expect(engine.updateCount).toBe(2)
  })
})
