import { describe, expect, it } from "vitest"
import {
  barFillModel,
  Decimal,
  type EngineEvent,
  type EngineOptions,
  IllegalOrderTransitionError,
  type OrderListRequest,
  type OrderRequest,
  type SimulationConfigInput,
  TradingSimulationEngine
} from "../../src/index.ts"
import { at, bar, buy, engineOn, flat, frictionless, issuesOf, MONDAY, record, sell, TUESDAY } from "./fixtures.ts"

const engine = engineOn(frictionless(["ACME", "BETA"]))

/** At most `max` per update: orders spend updates partly filled. */
const capped = (max: number): EngineOptions => ({
  fillModel: {
    match: (order, quote) => {
      const r = barFillModel.match(order, quote)
      return r.fill === null ? r : { ...r, fill: { ...r.fill, quantity: Decimal.min(r.fill.quantity, max) } }
    }
  }
})

/** An engine long 10 ACME bought at 100 (mark 100). */
const long10 = (config: SimulationConfigInput = {}, options: EngineOptions = {}): TradingSimulationEngine => {
  const e = engine(config, options)
  e.processMarketUpdate({ ACME: 100 })
  e.submitOrder(buy("ACME", 10))
  while (!e.positionOf("ACME").equals(10)) e.processMarketUpdate({ ACME: 100 })
  return e
}
const update = (e: TradingSimulationEngine, b: ReturnType<typeof bar>, time?: number) =>
  e.processMarketUpdate(time === undefined ? { bars: { ACME: b } } : { time, bars: { ACME: b } })
const statuses = (e: TradingSimulationEngine, ids: ReadonlyArray<string>) => ids.map((id) => e.getOrder(id).status)
const takeProfit = (limitPrice: number): OrderRequest => sell("ACME", 10, { type: "limit", limitPrice })
const stopLoss = (stopPrice: number): OrderRequest => sell("ACME", 10, { type: "stop", stopPrice })
const idOf = (ev: EngineEvent): string => ("order" in ev ? ev.order.id : "")
const oco = (...orders: OrderRequest[]): OrderListRequest => ({ kind: "oco", orders })


describe("OCO groups", () => {
  it("a member that fills cancels the others in the same pass, before the next order is matched", () => {
    const e = long10()
    const events = record(e, (ev) => ev.type === "orderFilled" || ev.type === "orderCancelled")
    const { listId, orderIds } = e.submitOrderList(oco(takeProfit(110), stopLoss(95)))
    expect(listId).toBe("L-000002")
    expect(e.getOrder(orderIds[0]!).orderList).toEqual({ id: listId, kind: "oco", role: "member" })
    update(e, bar(100, 111, 99, 105))
    expect(statuses(e, orderIds)).toEqual(["filled", "cancelled"])
    expect(events.map((ev) => `${ev.type} ${idOf(ev)}`)).toEqual([`orderFilled ${orderIds[0]}`, `orderCancelled ${orderIds[1]}`])
    expect(e.getOrder(orderIds[1]!).reasons).toEqual([`oco: ${orderIds[0]} of its list filled 10`])
  })

  it("a member cancelled, expired or rejected cancels the others", () => {
    const cancelled = long10()
    const a = cancelled.submitOrderList(oco(takeProfit(110), stopLoss(95))).orderIds
    cancelled.cancelOrder(a[1]!)
    expect(statuses(cancelled, a)).toEqual(["cancelled", "cancelled"])

    const expired = engine()
    expired.processMarketUpdate({ time: MONDAY, ACME: 100 })
    expired.submitOrder(buy("ACME", 10))
    expired.processMarketUpdate({ time: at(MONDAY, 1), ACME: 100 })
    const b = expired.submitOrderList(oco(sell("ACME", 10, { type: "limit", limitPrice: 110, timeInForce: "day" }), stopLoss(95))).orderIds
    expired.processMarketUpdate({ time: at(MONDAY, 2), ACME: 100 })
    expired.processMarketUpdate({ time: TUESDAY, ACME: 100 })
    expect(statuses(expired, b)).toEqual(["expired", "cancelled"])

    // Two buys each worth twice the account: the first is rejected for cash, the second cancelled with it.
    const rejected = engine()
    rejected.processMarketUpdate({ ACME: 100 })
    const c = rejected.submitOrderList(oco(buy("ACME", 2000, { type: "limit", limitPrice: 90 }), buy("ACME", 2000, { type: "stop", stopPrice: 110 }))).orderIds
    rejected.processMarketUpdate({ ACME: 100 })
    expect(statuses(rejected, c)).toEqual(["rejected", "cancelled"])
  })

  it("a partial fill cancels the others by default; ocoOnPartialFill: reduce shrinks them by the quantity filled", () => {
    const cancels = long10({}, capped(4))
    const a = cancels.submitOrderList(oco(takeProfit(110), stopLoss(95))).orderIds
    update(cancels, bar(100, 111, 99, 105))
    expect(statuses(cancels, a)).toEqual(["partiallyFilled", "cancelled"])

    const reduces = long10({ ocoOnPartialFill: "reduce" }, capped(4))
    const events = record(reduces, (ev) => ev.type === "orderReduced")
    const b = reduces.submitOrderList(oco(takeProfit(110), stopLoss(95))).orderIds
    update(reduces, bar(100, 111, 99, 105))
    expect(statuses(reduces, b)).toEqual(["partiallyFilled", "accepted"])
    expect(reduces.getOrder(b[1]!).quantity).toBe("6")
    expect(events.map(idOf)).toEqual([b[1]])
    // Now the stop fills 4 of its 6: the limit shrinks to 10 − 4 − 4 filled… its rest is 2, as the stop's.
    update(reduces, bar(96, 96, 94, 95))
    expect(reduces.getOrder(b[1]!).filledQuantity).toBe("4")
    expect(reduces.getOrder(b[0]!).quantity).toBe("6")
    update(reduces, bar(95, 95, 94, 95))
    expect(statuses(reduces, b)).toEqual(["cancelled", "filled"])
    // Together the members filled exactly the group's quantity.
    expect(reduces.positionOf("ACME").toString()).toBe("0")
  })

  it("members do not count each other in the pre-trade checks: only one of them can fill", () => {
    const e = engine({ maxPositionSize: 0.1 })
    e.processMarketUpdate({ ACME: 100 })
    // Each is worth 80 % of the 10 000 a position may be worth; together they would be 160 %.
    const ids = e.submitOrderList(oco(buy("ACME", 80, { type: "limit", limitPrice: 95 }), buy("ACME", 80, { type: "stop", stopPrice: 105 }))).orderIds
    e.processMarketUpdate({ ACME: 100 })
    expect(statuses(e, ids)).toEqual(["accepted", "accepted"])
  })

  it("cancel and replace work on any member; a member's quantity is the group's and cannot be replaced", () => {
    const e = long10()
    const ids = e.submitOrderList(oco(takeProfit(110), stopLoss(95))).orderIds
    update(e, flat(100))
    expect(e.replaceOrder(ids[0]!, { limitPrice: 120 })).toEqual({ replaced: true })
    expect(issuesOf(() => e.replaceOrder(ids[1]!, { quantity: 5 }))).toEqual(["quantity is set by the order's oco list for its member and cannot be replaced"])
    update(e, bar(100, 115, 99, 110))
    expect(statuses(e, ids)).toEqual(["accepted", "accepted"])
  })

  it("validation: two or more orders, one symbol and one quantity, every issue named by its path", () => {
    const e = engine()
    expect(issuesOf(() => e.submitOrderList(oco(takeProfit(110))))).toEqual(["orders must be an array of at least two orders"])
    expect(
      issuesOf(() => e.submitOrderList(oco(takeProfit(110), sell("BETA", 5, { type: "stop", stopPrice: 95 }), sell("ACME", 10, { type: "limit" }))))
    ).toEqual(["orders.2.limitPrice is required for limit orders", "orders.1.symbol must be the group's symbol, ACME", "orders.1.quantity must be the group's quantity, 10"])
    expect(issuesOf(() => e.submitOrderList({ kind: "oops" } as never))).toEqual(["kind must be one of oco, oto, bracket"])
    expect(e.getOrders()).toEqual([])
  })
})

describe("intrabarPath: two OCO members that could both fill on one bar", () => {
  // Long 10: take profit at 110 (submitted first), stop at 95. The bar opens at 100, dips to 94
  // (6 away, the nearer extreme), then rises to 111.
  const run = (intrabarPath: "adaptive" | "queue", b = bar(100, 111, 94, 105)) => {
    const e = long10({ intrabarPath })
    const ids = e.submitOrderList(oco(takeProfit(110), stopLoss(95))).orderIds
    update(e, b)
    return { statuses: statuses(e, ids), price: e.getFills().at(-1)!.price }
  }

  it("adaptive (default): open, the nearer extreme, the other, close; the first level touched wins", () => {
    expect(run("adaptive")).toEqual({ statuses: ["cancelled", "filled"], price: "95" })
    // The high nearer the open: the take profit is touched first.
    expect(run("adaptive", bar(100, 111, 88, 105))).toEqual({ statuses: ["filled", "cancelled"], price: "110" })
    // A tie goes to the high first.
    expect(run("adaptive", bar(100, 111, 89, 105))).toEqual({ statuses: ["filled", "cancelled"], price: "110" })
  })

  it("queue: the earlier order wins (backtrader)", () => {
    expect(run("queue")).toEqual({ statuses: ["filled", "cancelled"], price: "110" })
  })

  it("a gap through one level fills it at the open, first", () => {
    expect(run("adaptive", bar(93, 111, 92, 105))).toEqual({ statuses: ["cancelled", "filled"], price: "93" })
  })
})

describe("brackets", () => {
  const bracket = (entry: Partial<OrderRequest> = {}, rest: Partial<Extract<OrderListRequest, { kind: "bracket" }>> = {}): OrderListRequest => ({
    kind: "bracket",
    entry: buy("ACME", 10, { type: "limit", limitPrice: 100, ...entry }),
    takeProfit: { limitPrice: 110 },
    stopLoss: { stopPrice: 95 },
    ...rest
  })
  const start = (config: SimulationConfigInput = {}, options: EngineOptions = {}) => {
    const e = engine(config, options)
    e.processMarketUpdate({ time: MONDAY, ACME: 101 })
    return e
  }

  it("children wait, held, until the update after the entry has completely filled, then work as an OCO pair", () => {
    const e = start()
    const ids = e.submitOrderList(bracket()).orderIds
    expect(statuses(e, ids)).toEqual(["submitted", "held", "held"])
    expect(e.getOrder(ids[1]!)).toMatchObject({ side: "sell", type: "limit", quantity: "10", timeInForce: "gtc", orderList: { kind: "bracket", role: "takeProfit" } })
    // The entry fills at 100 and the bar goes on to 112: the take profit is not working yet.
    update(e, bar(101, 112, 99, 111), at(MONDAY, 1))
    expect(statuses(e, ids)).toEqual(["filled", "submitted", "submitted"])
    update(e, flat(111), at(MONDAY, 2))
    expect(statuses(e, ids)).toEqual(["filled", "filled", "cancelled"])
    expect(e.getFills().map((f) => `${f.side} ${f.quantity} @ ${f.price}`)).toEqual(["buy 10 @ 100", "sell 10 @ 111"])
    expect(e.positionOf("ACME").toString()).toBe("0")
  })

  it("an entry cancelled, expired or rejected with nothing filled cancels its children", () => {
    const cancelled = start()
    const a = cancelled.submitOrderList(bracket()).orderIds
    cancelled.cancelOrder(a[0]!)
    expect(statuses(cancelled, a)).toEqual(["cancelled", "cancelled", "cancelled"])

    const expired = start()
    const b = expired.submitOrderList(bracket({ timeInForce: "day" })).orderIds
    update(expired, flat(105), at(MONDAY, 1))
    update(expired, flat(105), TUESDAY)
    expect(statuses(expired, b)).toEqual(["expired", "cancelled", "cancelled"])

    const rejected = start()
    const c = rejected.submitOrderList(bracket({ quantity: 5000 })).orderIds
    update(rejected, flat(105), at(MONDAY, 1))
    expect(statuses(rejected, c)).toEqual(["rejected", "cancelled", "cancelled"])
  })

  it("an entry partly filled and then ended activates its children for the quantity filled", () => {
    const e = start({}, capped(4))
    const ids = e.submitOrderList(bracket()).orderIds
    update(e, flat(100), at(MONDAY, 1))
    expect(statuses(e, ids)).toEqual(["partiallyFilled", "held", "held"])
    e.cancelOrder(ids[0]!)
    expect(statuses(e, ids)).toEqual(["cancelled", "submitted", "submitted"])
    expect(ids.slice(1).map((id) => e.getOrder(id).quantity)).toEqual(["4", "4"])
    update(e, flat(94), at(MONDAY, 2))
    expect(e.positionOf("ACME").toString()).toBe("0")
  })

  it("children activated by an entry expiring at an update's start still wait for the next update (found by the link property)", () => {
    const e = start({}, capped(4))
    const ids = e.submitOrderList(bracket({ timeInForce: "day" })).orderIds
    update(e, flat(100), at(MONDAY, 1))
    // Tuesday opens below the stop-loss: the entry expires first, and its children are not working yet.
    update(e, flat(94), TUESDAY)
    expect(statuses(e, ids)).toEqual(["expired", "submitted", "submitted"])
    update(e, flat(94), at(TUESDAY, 1))
    expect(statuses(e, ids)).toEqual(["expired", "cancelled", "filled"])
    expect(e.positionOf("ACME").toString()).toBe("0")
  })

  it("a partial fill of one child reduces the other: together they close exactly what the entry opened", () => {
    const e = start({}, capped(6))
    const ids = e.submitOrderList(bracket({ quantity: 12 })).orderIds
    update(e, flat(100), at(MONDAY, 1))
    update(e, flat(100), at(MONDAY, 2))
    expect(statuses(e, ids)).toEqual(["filled", "submitted", "submitted"])
    update(e, flat(111), at(MONDAY, 3))
    expect(statuses(e, ids)).toEqual(["filled", "partiallyFilled", "accepted"])
    expect(e.getOrder(ids[2]!).quantity).toBe("6")
    update(e, flat(94), at(MONDAY, 4))
    expect(statuses(e, ids)).toEqual(["filled", "cancelled", "filled"])
    expect(e.positionOf("ACME").toString()).toBe("0")
  })

  it("the entry's time in force is the entry's only: the children are gtc unless given their own", () => {
    const e = start()
    const ids = e.submitOrderList(bracket({ timeInForce: "day" }, { stopLoss: { stopPrice: 95, timeInForce: "day" } })).orderIds
    update(e, flat(100), at(MONDAY, 1))
    update(e, flat(105), at(MONDAY, 2))
    update(e, flat(105), TUESDAY)
    expect(statuses(e, ids)).toEqual(["filled", "cancelled", "expired"])
    expect(e.getOrder(ids[1]!).reasons).toEqual([`bracket: ${ids[2]} of its list expired`])
  })

  it("only the entry's opening cost needs cash: the children close", () => {
    // 1000 of capital buys exactly 10 at 100; the children are accepted, as closing orders.
    const e = start({ initialCapital: 1000 })
    const ids = e.submitOrderList(bracket()).orderIds
    update(e, flat(100), at(MONDAY, 1))
    update(e, flat(100), at(MONDAY, 2))
    expect(statuses(e, ids)).toEqual(["filled", "accepted", "accepted"])
  })

  it("a trailing stop-loss does not move while held, and trails from its acceptance", () => {
    const e = start()
    const ids = e.submitOrderList(bracket({}, { stopLoss: { type: "trailingStop", trailAmount: 5 } })).orderIds
    expect(e.getOrder(ids[2]!)).toMatchObject({ stopPrice: "96", trailWatermark: "101" })
    update(e, bar(102, 108, 101, 107), at(MONDAY, 1))
    expect(e.getOrder(ids[2]!)).toMatchObject({ status: "held", stopPrice: "96", trailWatermark: "101" })
    update(e, bar(101, 104, 99, 103), at(MONDAY, 2))
    update(e, bar(103, 109, 103, 108), at(MONDAY, 3))
    expect(e.getOrder(ids[2]!)).toMatchObject({ status: "accepted", stopPrice: "104", trailWatermark: "109" })
    update(e, bar(106, 107, 103, 104), at(MONDAY, 4))
    expect(statuses(e, ids)).toEqual(["filled", "cancelled", "filled"])
    expect(e.getFills().at(-1)!.price).toBe("104")
  })

  it("a stop-limit stop-loss works as one", () => {
    const e = start()
    const ids = e.submitOrderList(bracket({}, { stopLoss: { type: "stopLimit", stopPrice: 95, limitPrice: 94 } })).orderIds
    update(e, flat(100), at(MONDAY, 1))
    // Gaps to 93, below the limit: triggered, resting as a limit.
    update(e, flat(93), at(MONDAY, 2))
    expect(statuses(e, ids)).toEqual(["filled", "accepted", "triggered"])
    update(e, bar(93, 94.5, 93, 94), at(MONDAY, 3))
    expect(statuses(e, ids)).toEqual(["filled", "cancelled", "filled"])
    expect(e.getFills().at(-1)!.price).toBe("94")
  })

  it("cancel and replace on any member: a held child takes a new price; cancelling a child cancels the other, not the entry", () => {
    const e = start()
    const events = record(e, (ev) => ev.type === "orderReplaced")
    const ids = e.submitOrderList(bracket()).orderIds
    expect(e.replaceOrder(ids[1]!, { limitPrice: 120 })).toEqual({ replaced: true })
    expect(events).toMatchObject([{ order: { id: ids[1], status: "held", limitPrice: "120" }, check: null }])
    expect(issuesOf(() => e.replaceOrder(ids[2]!, { quantity: 3 }))).toEqual(["quantity is set by the order's bracket list for its stopLoss and cannot be replaced"])
    // The entry is replaced like any order, once it is working.
    expect(() => e.replaceOrder(ids[0]!, { quantity: 8 })).toThrow(IllegalOrderTransitionError)
    update(e, flat(105), at(MONDAY, 1))
    expect(e.replaceOrder(ids[0]!, { quantity: 8 })).toEqual({ replaced: true })
    e.cancelOrder(ids[2]!)
    expect(statuses(e, ids)).toEqual(["accepted", "cancelled", "cancelled"])
  })

  it("an OTO: an entry and one child", () => {
    const e = start()
    const ids = e.submitOrderList({ kind: "oto", entry: buy("ACME", 10), stopLoss: { stopPrice: 95 } }).orderIds
    expect(ids).toHaveLength(2)
    update(e, flat(100), at(MONDAY, 1))
    update(e, flat(94), at(MONDAY, 2))
    expect(statuses(e, ids)).toEqual(["filled", "filled"])
  })

  it("validation: children take symbol, side and quantity from the entry; a take profit is a limit, a stop loss a stop", () => {
    const e = start()
    expect(
      issuesOf(() =>
        e.submitOrderList({
          kind: "bracket",
          entry: buy("ACME", 10, { type: "limit" }),
          takeProfit: { type: "stop", stopPrice: 110 },
          stopLoss: { symbol: "BETA", stopPrice: -1 } as never
        })
      )
    ).toEqual([
      "entry.limitPrice is required for limit orders",
      "takeProfit.type must be limit for a takeProfit",
      "stopLoss.symbol is taken from the entry and cannot be given",
      "stopLoss.stopPrice must be greater than 0"
    ])
    expect(issuesOf(() => e.submitOrderList({ kind: "bracket", entry: buy("ACME", 1), takeProfit: { limitPrice: 110 } } as never))).toEqual([
      "stopLoss is required for a bracket"
    ])
    expect(issuesOf(() => e.submitOrderList({ kind: "oto", entry: buy("ACME", 1), takeProfit: { limitPrice: 110 }, stopLoss: { stopPrice: 90 } }))).toEqual([
      "takeProfit or stopLoss (exactly one of them) is required for an oto"
    ])
    expect(e.getOrders()).toEqual([])
  })

  it("stop() cancels everything and activates nothing", () => {
    const e = start({}, capped(4))
    const ids = e.submitOrderList(bracket()).orderIds
    update(e, flat(100), at(MONDAY, 1))
    e.stop()
    expect(statuses(e, ids)).toEqual(["cancelled", "cancelled", "cancelled"])
  })

  it("a snapshot at any point restores held children, links and activations exactly", () => {
    const bars = [bar(101, 102, 99, 101), flat(100), bar(100, 106, 99, 105), bar(105, 112, 104, 111), flat(111)]
    const run = (cut: number | null) => {
      let e = start({}, capped(6))
      e.submitOrderList(bracket({ quantity: 12 }, { stopLoss: { type: "trailingStop", trailPercent: 2 } }))
      bars.forEach((b, i) => {
        if (i === cut) e = TradingSimulationEngine.fromSnapshot(JSON.parse(JSON.stringify(e.snapshot())), capped(6))
        update(e, b, at(MONDAY, i + 1))
      })
      return JSON.stringify(e.snapshot())
    }
    const whole = run(null)
    for (const cut of [0, 1, 2, 3, 4]) expect(run(cut)).toBe(whole)
    expect(JSON.parse(whole).orders.map((o: { status: string }) => o.status)).toEqual(["filled", "filled", "cancelled"])
  })
})

describe("a bracket whose entry closes a position: the children protect only what it opened", () => {
  const shorting = { enableShorting: true }
  const exits = { takeProfit: { limitPrice: 90 }, stopLoss: { stopPrice: 110 } }
  const childQuantities = (e: TradingSimulationEngine, ids: ReadonlyArray<string>) => ids.slice(1).map((id) => e.getOrder(id).quantity)

  it("long 10, an entry selling 30: the children buy the 20 it sold short, and the stop-loss leaves the account flat", () => {
    const e = long10(shorting)
    const ids = e.submitOrderList({ kind: "bracket", entry: sell("ACME", 30), ...exits }).orderIds
    e.processMarketUpdate({ ACME: 100 })
    expect(statuses(e, ids)).toEqual(["filled", "submitted", "submitted"])
    expect(childQuantities(e, ids)).toEqual(["20", "20"])
    e.processMarketUpdate({ ACME: 100 })
    e.processMarketUpdate({ ACME: 111 })
    expect(statuses(e, ids)).toEqual(["filled", "cancelled", "filled"])
    expect(e.getFills().map((f) => `${f.side} ${f.quantity} @ ${f.price}`)).toEqual(["buy 10 @ 100", "sell 30 @ 100", "buy 20 @ 111"])
    expect(e.positionOf("ACME").toString()).toBe("0")
  })

  it("an entry that only closes builds no position: its children are cancelled, saying why, and the rest of the position stays", () => {
    const e = long10()
    const events = record(e, (ev) => ev.type === "orderCancelled" || ev.type === "orderActivated")
    const ids = e.submitOrderList({ kind: "oto", entry: sell("ACME", 4), stopLoss: { stopPrice: 110 } }).orderIds
    e.processMarketUpdate({ ACME: 100 })
    expect(statuses(e, ids)).toEqual(["filled", "cancelled"])
    expect(e.getOrder(ids[1]!).reasons).toEqual([`oto: ${ids[0]} of its list filled 4, all of it closing a position: it built none to protect`])
    expect(events.map((ev) => `${ev.type} ${idOf(ev)}`)).toEqual([`orderCancelled ${ids[1]}`])
    e.processMarketUpdate({ ACME: 120 })
    expect(e.positionOf("ACME").toString()).toBe("6")
  })

  it("partial fills across updates: what each fill opened adds up, the closing ones add nothing", () => {
    const e = long10(shorting, capped(8))
    const ids = e.submitOrderList({ kind: "bracket", entry: sell("ACME", 30), ...exits }).orderIds
    const opened = () => e.getFills().filter((f) => f.orderId === ids[0]).map((f) => `${f.closingQuantity}/${f.openingQuantity}`)
    e.processMarketUpdate({ ACME: 100 })
    e.processMarketUpdate({ ACME: 100 })
    expect(opened()).toEqual(["8/0", "2/6"])
    expect(statuses(e, ids)).toEqual(["partiallyFilled", "held", "held"])
    for (let i = 0; i < 2; i++) e.processMarketUpdate({ ACME: 100 })
    expect(opened()).toEqual(["8/0", "2/6", "0/8", "0/6"])
    expect(childQuantities(e, ids)).toEqual(["20", "20"])
    // The take-profit fills 8 a bar and shrinks the stop-loss with it, down to flat.
    for (let i = 0; i < 4; i++) e.processMarketUpdate({ ACME: 89 })
    expect(statuses(e, ids)).toEqual(["filled", "filled", "cancelled"])
    expect(e.positionOf("ACME").toString()).toBe("0")
  })

  it("an entry partly filled and then cancelled: the children protect what it opened, or are cancelled when it only closed", () => {
    const opening = long10(shorting, capped(14))
    const a = opening.submitOrderList({ kind: "bracket", entry: sell("ACME", 30), ...exits }).orderIds
    opening.processMarketUpdate({ ACME: 100 })
    opening.cancelOrder(a[0]!)
    expect(statuses(opening, a)).toEqual(["cancelled", "submitted", "submitted"])
    expect(childQuantities(opening, a)).toEqual(["4", "4"])
    opening.processMarketUpdate({ ACME: 89 })
    expect(opening.positionOf("ACME").toString()).toBe("0")

    const closing = long10(shorting, capped(8))
    const b = closing.submitOrderList({ kind: "bracket", entry: sell("ACME", 30), ...exits }).orderIds
    closing.processMarketUpdate({ ACME: 100 })
    closing.cancelOrder(b[0]!)
    expect(statuses(closing, b)).toEqual(["cancelled", "cancelled", "cancelled"])
    expect(closing.positionOf("ACME").toString()).toBe("2")
  })

  it("shorting off: an entry that would go through zero is refused at its check; one that closes to flat builds none either, and its children do not buy the long back", () => {
    const e = long10()
    const through = e.submitOrderList({ kind: "bracket", entry: sell("ACME", 30), ...exits }).orderIds
    e.processMarketUpdate({ ACME: 100 })
    expect(statuses(e, through)).toEqual(["rejected", "cancelled", "cancelled"])
    expect(e.getOrder(through[0]!).rejectionCode).toBe("shorting")
    const closing = e.submitOrderList({ kind: "bracket", entry: sell("ACME", 10), ...exits }).orderIds
    e.processMarketUpdate({ ACME: 100 })
    expect(statuses(e, closing)).toEqual(["filled", "cancelled", "cancelled"])
    e.processMarketUpdate({ ACME: 80 })
    expect(e.positionOf("ACME").toString()).toBe("0")
  })

  it("commissions: the children protect the quantity, and need no cash (they only close)", () => {
    // The entry's check needs 2002 of buying power for its opening 20 and has 2003. After it, 1000
    // is left: children buying 30 (an opening part of 10, 1001 with its commission) would be refused.
    const e = long10({ ...shorting, initialCapital: 3004, commissionRate: 0.001 })
    const ids = e.submitOrderList({ kind: "bracket", entry: sell("ACME", 30), ...exits }).orderIds
    e.processMarketUpdate({ ACME: 100 })
    e.processMarketUpdate({ ACME: 100 })
    expect(e.getPortfolio().buyingPower.toString()).toBe("1000")
    expect(statuses(e, ids)).toEqual(["filled", "accepted", "accepted"])
    e.processMarketUpdate({ ACME: 89 })
    expect(e.getFills().map((f) => `${f.side} ${f.quantity} @ ${f.price} - ${f.commission}`)).toEqual(["buy 10 @ 100 - 1", "sell 30 @ 100 - 3", "buy 20 @ 89 - 1.78"])
    expect(e.positionOf("ACME").toString()).toBe("0")
    expect(e.getPortfolio().cash.toString()).toBe("3218.22")
  })

  it("lot sizes: fills capped by volume, in lots, add up to children of whole lots", () => {
    const e = long10({ ...shorting, instruments: { ACME: { lotSize: 5 } }, volumeParticipation: 0.1 })
    const ids = e.submitOrderList({ kind: "bracket", entry: sell("ACME", 25), ...exits }).orderIds
    for (let i = 0; i < 3; i++) update(e, flat(100, 100), at(MONDAY, i + 1))
    expect(e.getFills().filter((f) => f.orderId === ids[0]).map((f) => `${f.closingQuantity}/${f.openingQuantity}`)).toEqual(["10/0", "0/10", "0/5"])
    expect(childQuantities(e, ids)).toEqual(["15", "15"])
    for (let i = 0; i < 3; i++) update(e, flat(111, 100), at(MONDAY, i + 4))
    expect(statuses(e, ids)).toEqual(["filled", "cancelled", "filled"])
    expect(e.positionOf("ACME").toString()).toBe("0")
  })

  it("a snapshot at any point restores what the entry closed; snapshots without the field (earlier versions) read as closing nothing", () => {
    const run = (cut: number | null) => {
      let e = long10(shorting, capped(8))
      e.submitOrderList({ kind: "bracket", entry: sell("ACME", 30), takeProfit: { limitPrice: 90 }, stopLoss: { type: "trailingStop", trailPercent: 5 } })
      const prices = [100, 100, 100, 100, 101, 97, 89, 89, 89]
      prices.forEach((p, i) => {
        if (i === cut) e = TradingSimulationEngine.fromSnapshot(JSON.parse(JSON.stringify(e.snapshot())), capped(8))
        e.processMarketUpdate({ ACME: p })
      })
      return JSON.stringify(e.snapshot())
    }
    const whole = run(null)
    for (let cut = 0; cut < 9; cut++) expect(run(cut)).toBe(whole)
    expect(JSON.parse(whole).orders.map((o: { status: string }) => o.status)).toEqual(["filled", "filled", "filled", "cancelled"])

    // The entry has closed all 10 (8, then 2 and opened 6): a snapshot without the field says it closed none.
    const e = long10(shorting, capped(8))
    e.submitOrderList({ kind: "bracket", entry: sell("ACME", 30), ...exits })
    for (let i = 0; i < 2; i++) e.processMarketUpdate({ ACME: 100 })
    const snapshot = e.snapshot()
    expect(snapshot.orders[1]).toMatchObject({ status: "partiallyFilled", closedQuantity: "10" })
    const { closedQuantity: _, ...older } = snapshot.orders[1]!
    const restored = TradingSimulationEngine.fromSnapshot({ ...snapshot, orders: [snapshot.orders[0]!, older, ...snapshot.orders.slice(2)] }, capped(8))
    for (let i = 0; i < 2; i++) restored.processMarketUpdate({ ACME: 100 })
    expect(restored.getOrders().slice(2).map((o) => o.quantity)).toEqual(["30", "30"])
  })

  it("a bracket that only adds to a position snapshots as before: no closedQuantity", () => {
    const e = long10({}, capped(4))
    e.submitOrderList({ kind: "bracket", entry: buy("ACME", 10), takeProfit: { limitPrice: 110 }, stopLoss: { stopPrice: 90 } })
    for (let i = 0; i < 4; i++) e.processMarketUpdate({ ACME: 100 })
    expect(e.getOrders().slice(2).map((o) => o.quantity)).toEqual(["10", "10"])
    expect(JSON.stringify(e.snapshot())).not.toContain("closedQuantity")
  })
})

describe("the README's bracket example", () => {
  it("runs as written", () => {
    const engine = new TradingSimulationEngine({ symbols: ["ACME"], commissionRate: 0, slippageRate: 0, maxPositionSize: 1 })
    engine.processMarketUpdate({ ACME: 101 })
    const { orderIds } = engine.submitOrderList({
      kind: "bracket",
      entry: { symbol: "ACME", side: "buy", type: "limit", quantity: 10, limitPrice: 100, clientOrderId: "entry-1" },
      takeProfit: { limitPrice: 110 },
      stopLoss: { type: "trailingStop", trailAmount: 5 }
    })
    engine.processMarketUpdate({ bars: { ACME: { open: 101, high: 112, low: 99, close: 111 } } })
    expect(orderIds.map((id) => engine.getOrder(id).status)).toEqual(["filled", "submitted", "submitted"])
    engine.processMarketUpdate({ ACME: 111 })
    expect(orderIds.map((id) => engine.getOrder(id).status)).toEqual(["filled", "filled", "cancelled"])
    expect(engine.getOrderByClientOrderId("entry-1").id).toBe("O-000001")
  })
})
