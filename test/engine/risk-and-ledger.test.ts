import { fc, test } from "@fast-check/vitest"
import { describe, expect, it } from "vitest"
import { Decimal, TradingSimulationEngine } from "../../src/index.ts"
import type { BarInput, EngineEvents, OrderRequest, PriceInput, SimulationConfigInput } from "../../src/index.ts"
import { checkPortfolioInvariants } from "../../src/testing/index.ts"
import { at, bar, DAY, engineOn, flat, frictionless, MONDAY, ordersIn, TUESDAY } from "./fixtures.ts"

const engineWith = engineOn(frictionless(["AAPL", "MSFT"], { enableShorting: false }))

const { buy, sell } = ordersIn("AAPL")

const d = (x: Decimal | string | number) => new Decimal(x).toString()

/** Everything observable about an engine's account, for "nothing else changed" comparisons. */
const account = (engine: TradingSimulationEngine) =>
  JSON.stringify({
    portfolio: engine.getPortfolio(),
    fills: engine.getFills(),
    trades: engine.getTrades(),
    curve: engine.getEquityCurve(),
    status: engine.status
  })

/**
 * Runs the same script on two engines, one of which also gets `extra` submitted at `step`. The
 * extra order must be rejected with a reason starting with `rule`, and the two engines must
 * otherwise agree on every account value and every other order.
 */
const expectRejectedAlone = (
  config: SimulationConfigInput,
  script: ReadonlyArray<{ readonly submit?: ReadonlyArray<OrderRequest>; readonly update: BarInput; readonly symbol?: "AAPL" | "MSFT" }>,
  step: number,
  extra: OrderRequest,
  rule: string
) => {
  const withIt = engineWith(config)
  const without = engineWith(config)
  const rejected: Array<EngineEvents["orderRejected"]> = []
  withIt.on("orderRejected", (e) => rejected.push(e))
  let extraId: string | null = null
  script.forEach((s, i) => {
    for (const engine of [withIt, without]) for (const r of s.submit ?? []) engine.submitOrder(r)
    if (i === step) extraId = withIt.submitOrder(extra)
    for (const engine of [withIt, without]) engine.processMarketUpdate({ time: at(MONDAY, i), bars: { [s.symbol ?? "AAPL"]: s.update } })
  })
  expect(extraId).not.toBeNull()
  const order = withIt.getOrder(extraId!)
  expect(order.status).toBe("rejected")
  expect(order.reasons).toHaveLength(1)
  expect(order.reasons[0]!.startsWith(`${rule}: `), order.reasons[0]).toBe(true)
  expect(order.filledQuantity).toBe("0")
  expect(rejected.map((e) => [e.order.id, e.reason])).toEqual([[extraId, order.reasons[0]]])
  expect(account(withIt)).toBe(account(without))
  expect(JSON.stringify(withIt.getOrders().filter((o) => o.id !== extraId).map(({ id: _id, ...o }) => o))).toBe(
    JSON.stringify(without.getOrders().map(({ id: _id, ...o }) => o))
  )
  return { engine: withIt, order }
}

describe("built-in risk rules: each rejects with its reason and changes nothing else", () => {
  it("shorting disabled: a sell with no position is rejected", () => {
    const { order } = expectRejectedAlone({}, [{ update: flat(100) }], 0, sell(10), "shorting")
    expect(order.reasons[0]).toContain("AAPL")
  })

  it("shorting disabled: selling exactly the position is allowed, one more is not", () => {
    const engine = engineWith()
    engine.submitOrder(buy(10))
    engine.processMarketUpdate({ time: at(MONDAY, 0), bars: { AAPL: flat(100) } })
    const more = engine.submitOrder(sell(11))
    const exact = engine.submitOrder(sell(10))
    engine.processMarketUpdate({ time: at(MONDAY, 1), bars: { AAPL: flat(100) } })
    expect(engine.getOrder(more).status).toBe("rejected")
    expect(engine.getOrder(exact).status).toBe("filled")
    expect(engine.positionOf("AAPL").toString()).toBe("0")
  })

  it("shorting disabled: working sells on the same symbol count against the position", () => {
    const script = [
      { submit: [buy(10)], update: flat(100) },
      { submit: [sell(10, { type: "limit", limitPrice: 150 })], update: flat(100) },
      { update: flat(100) }
    ]
    expectRejectedAlone({}, script, 2, sell(5), "shorting")
    // Without the working sell the same order is fine.
    const engine = engineWith()
    engine.submitOrder(buy(10))
    engine.processMarketUpdate({ time: at(MONDAY, 0), bars: { AAPL: flat(100) } })
    const id = engine.submitOrder(sell(5))
    engine.processMarketUpdate({ time: at(MONDAY, 1), bars: { AAPL: flat(100) } })
    expect(engine.getOrder(id).status).toBe("filled")
  })

  it("maxPositionSize: a position worth exactly the limit passes, one share more is rejected", () => {
    const config = { maxPositionSize: 0.1 }
    const engine = engineWith(config)
    const id = engine.submitOrder(buy(100))
    engine.processMarketUpdate({ time: at(MONDAY, 0), bars: { AAPL: flat(100) } })
    expect(engine.getOrder(id).status).toBe("filled")
    const { order } = expectRejectedAlone(config, [{ update: flat(100) }], 0, buy(101), "maxPositionSize")
    expect(order.reasons[0]).toContain("10000")
  })

  it("maxPositionSize: working buys on the same symbol count", () => {
    const config = { maxPositionSize: 0.1 }
    const script = [{ submit: [buy(60, { type: "limit", limitPrice: 90 })], update: bar(100, 101, 95, 100) }, { update: bar(100, 101, 95, 100) }]
    expectRejectedAlone(config, script, 1, buy(41), "maxPositionSize")
    const engine = engineWith(config)
    engine.submitOrder(buy(60, { type: "limit", limitPrice: 90 }))
    engine.processMarketUpdate({ time: at(MONDAY, 0), bars: { AAPL: bar(100, 101, 95, 100) } })
    const id = engine.submitOrder(buy(40))
    engine.processMarketUpdate({ time: at(MONDAY, 1), bars: { AAPL: bar(100, 101, 95, 100) } })
    expect(engine.getOrder(id).status).toBe("filled")
  })

  it("maxPositionSize: values the position at the update's open against equity at the previous marks", () => {
    const engine = engineWith({ maxPositionSize: 0.1 })
    const checks: Array<EngineEvents["orderAccepted"]["check"]> = []
    engine.on("orderAccepted", (e) => checks.push(e.check))
    engine.submitOrder(buy(50))
    engine.processMarketUpdate({ time: at(MONDAY, 0), bars: { AAPL: flat(100) } })
    // Equity 100000 at the close of 100; the next bar opens at 50: 150 × 50 = 7500 ≤ 10000.
    const id = engine.submitOrder(buy(100))
    engine.processMarketUpdate({ time: at(MONDAY, 1), bars: { AAPL: bar(50, 60, 40, 60) } })
    expect(engine.getOrder(id).status).toBe("filled")
    expect(checks[1]).toEqual({ referencePrice: "50", equity: "100000", maxPositionValue: "10000" })
    // At the close of 60 equity is 90000 + 150 × 60 = 99000, so the limit is 9900.
    // At an open of 66: 150 × 66 = 9900 already; one more share goes over.
    const over = engine.submitOrder(buy(1))
    engine.processMarketUpdate({ time: at(MONDAY, 2), bars: { AAPL: flat(66) } })
    expect(engine.getOrder(over).status).toBe("rejected")
    expect(engine.getOrder(over).reasons[0]).toMatch(/^maxPositionSize: /)
  })

  it("maxPositionSize: an order that only reduces the position is never refused by it", () => {
    const engine = engineWith({ maxPositionSize: 0.1 })
    engine.submitOrder(buy(100))
    engine.processMarketUpdate({ time: at(MONDAY, 0), bars: { AAPL: flat(100) } })
    // The price doubles: the position is now worth 20000, over 10% of equity, but selling part of it reduces risk.
    engine.processMarketUpdate({ time: at(MONDAY, 1), bars: { AAPL: flat(200) } })
    const id = engine.submitOrder(sell(10))
    engine.processMarketUpdate({ time: at(MONDAY, 2), bars: { AAPL: flat(200) } })
    expect(engine.getOrder(id).status).toBe("filled")
  })

  it("cash: the opening cost with slippage and commission must fit the buying power", () => {
    const config = { initialCapital: "10000", commissionRate: 0.001, slippageRate: 0.0005 }
    // 100 × 100 × 1.0005 × 1.001 = 10015.005 > 10000
    const { order } = expectRejectedAlone(config, [{ update: flat(100) }], 0, buy(100), "cash")
    expect(order.reasons[0]).toContain("10015")
    const engine = engineWith(config)
    const id = engine.submitOrder(buy(99))
    engine.processMarketUpdate({ time: at(MONDAY, 0), bars: { AAPL: flat(100) } })
    expect(engine.getOrder(id).status).toBe("filled")
  })

  it("cash: working opening orders hold back buying power, on any symbol", () => {
    const config = { initialCapital: "10000" }
    const engine = engineWith(config)
    engine.submitOrder({ symbol: "MSFT", side: "buy", type: "limit", quantity: 60, limitPrice: 90 })
    engine.processMarketUpdate({ time: at(MONDAY, 0), bars: { MSFT: bar(100, 101, 95, 100) } })
    expect(d(engine.getPortfolio().buyingPower)).toBe("4000")
    expect(d(engine.getPortfolio().cash)).toBe("10000")
    const script = [
      { submit: [{ symbol: "MSFT", side: "buy", type: "limit", quantity: 60, limitPrice: 90 } as const], update: bar(100, 101, 95, 100), symbol: "MSFT" as const },
      { update: flat(100) }
    ]
    expectRejectedAlone(config, script, 1, buy(41), "cash")
    const ok = engine.submitOrder(buy(40))
    engine.processMarketUpdate({ time: at(MONDAY, 1), bars: { AAPL: flat(100) } })
    expect(engine.getOrder(ok).status).toBe("filled")
    expect(d(engine.getPortfolio().buyingPower)).toBe("0")
  })

  it("dailyStopLoss: while halted an opening order is rejected", () => {
    const script = [{ submit: [buy(500)], update: flat(100) }, { update: bar(100, 100, "95.9", "95.9") }, { update: flat(96) }]
    const { engine } = expectRejectedAlone({ dailyStopLoss: 0.02 }, script, 2, buy(10), "dailyStopLoss")
    expect(engine.status).toBe("halted")
  })

  it("precedence: the first failing rule's reason wins", () => {
    const config = { initialCapital: "10000", maxPositionSize: 0.1 }
    // Breaks shorting, maxPositionSize and cash.
    expectRejectedAlone(config, [{ update: flat(100) }], 0, sell(1000), "shorting")
    // Breaks maxPositionSize and cash.
    expectRejectedAlone(config, [{ update: flat(100) }], 0, buy(1000), "maxPositionSize")
    // Breaks cash only: worth exactly the equity, but slippage and commission come on top.
    expectRejectedAlone({ initialCapital: "10000", commissionRate: 0.001 }, [{ update: flat(100) }], 0, buy(100), "cash")
  })
})

describe("cash and position limits at fill time", () => {
  it("a stop checked at a low open and filled after a gap up the account cannot pay for is rejected", () => {
    const engine = engineWith({ initialCapital: "10000" })
    const events: string[] = []
    for (const name of ["orderAccepted", "orderTriggered", "orderRejected", "orderFilled"] as const) engine.on(name, (e) => events.push(e.type))
    const id = engine.submitOrder(buy(100, { type: "stop", stopPrice: 90 }))
    engine.processMarketUpdate({ time: at(MONDAY, 0), bars: { AAPL: bar(80, 85, 79, 84) } }) // checked at 80: 8000 fits
    expect(engine.getOrder(id).status).toBe("accepted")
    engine.processMarketUpdate({ time: at(MONDAY, 1), bars: { AAPL: bar(120, 121, 119, 120) } }) // gaps through 90: 12000
    const order = engine.getOrder(id)
    expect(order.status).toBe("rejected")
    expect(order.reasons[0]).toMatch(/^cash: /)
    expect(order.triggered).toBe(true)
    expect(engine.getFills()).toHaveLength(0)
    expect(d(engine.getPortfolio().cash)).toBe("10000")
    expect(engine.getPortfolio().positions).toEqual([])
    expect(events).toEqual(["orderAccepted", "orderTriggered", "orderRejected"])
  })

  it("on a gap, the closing part of a reversal still fills; the opening part is refused", () => {
    const engine = engineWith({ initialCapital: "10000", enableShorting: true })
    engine.submitOrder(sell(50))
    engine.processMarketUpdate({ time: at(MONDAY, 0), bars: { AAPL: flat(100) } })
    expect(d(engine.getPortfolio().cash)).toBe("15000")
    expect(d(engine.getPortfolio().buyingPower)).toBe("5000") // 15000 − 2 × 5000
    // Buy 90: closes 50, opens 40 (4000 at the check's open of 100 fits 5000).
    const id = engine.submitOrder(buy(90, { type: "stop", stopPrice: 105 }))
    engine.processMarketUpdate({ time: at(MONDAY, 1), bars: { AAPL: bar(100, 104, 99, 100) } })
    expect(engine.getOrder(id).status).toBe("accepted")
    // Gaps to 200: covering 50 costs 10000 (cash 5000 left), the 40 more would cost 8000.
    engine.processMarketUpdate({ time: at(MONDAY, 2), bars: { AAPL: flat(200) } })
    const order = engine.getOrder(id)
    expect(order.status).toBe("rejected")
    expect(order.filledQuantity).toBe("50")
    expect(order.reasons[0]).toMatch(/^cash: /)
    const fills = engine.getFills().filter((f) => f.orderId === id)
    expect(fills.map((f) => [f.quantity, f.price, f.closingQuantity, f.openingQuantity])).toEqual([["50", "200", "50", "0"]])
    expect(engine.positionOf("AAPL").toString()).toBe("0")
    expect(d(engine.getPortfolio().cash)).toBe("5000")
  })
})

describe("shorting enabled: short, cover, reversal", () => {
  const config = { enableShorting: true, commissionRate: 0.001 }

  it("a short credits the proceeds, holds twice its value back from buying power and is marked to market", () => {
    const engine = engineWith(config)
    engine.submitOrder(sell(100))
    engine.processMarketUpdate({ time: at(MONDAY, 0), bars: { AAPL: bar(100, 100, 95, 95) } })
    const p = engine.getPortfolio()
    expect(d(p.cash)).toBe("109990") // 100000 + 10000 − 10
    expect(d(p.buyingPower)).toBe("90990") // 109990 − 2 × 100 × 95
    expect(d(p.totalValue)).toBe("100490") // 109990 − 9500
    expect(p.positions).toHaveLength(1)
    const pos = p.positions[0]!
    expect([d(pos.quantity), d(pos.averageCost), d(pos.marketPrice), d(pos.marketValue), d(pos.unrealizedPnl), d(pos.realizedPnl)]).toEqual([
      "-100",
      "100",
      "95",
      "-9500",
      "500",
      "0"
    ])
  })

  it("covering realises (entry − exit) × quantity and closes a short round trip", () => {
    const engine = engineWith(config)
    engine.submitOrder(sell(100))
    engine.processMarketUpdate({ time: at(MONDAY, 0), bars: { AAPL: flat(100) } })
    engine.submitOrder(buy(100))
    engine.processMarketUpdate({ time: at(MONDAY, 1), bars: { AAPL: flat(90) } })
    const p = engine.getPortfolio()
    expect(d(p.cash)).toBe("100981") // 109990 − 9000 − 9
    expect(d(p.realizedPnl)).toBe("1000")
    expect(d(p.totalCommission)).toBe("19")
    expect(p.positions).toEqual([])
    expect(engine.getTrades()).toEqual([
      {
        id: "T-000001",
        symbol: "AAPL",
        direction: "short",
        open: false,
        entryTime: at(MONDAY, 0),
        exitTime: at(MONDAY, 1),
        quantity: "100",
        entryPrice: "100",
        exitPrice: "90",
        grossPnl: "1000",
        commission: "19",
        netPnl: "981"
      }
    ])
  })

  it("a reversal is one order and one fill, split into a closing and an opening part that share its commission", () => {
    const engine = engineWith(config)
    engine.submitOrder(sell(100))
    engine.processMarketUpdate({ time: at(MONDAY, 0), bars: { AAPL: flat(100) } })
    const id = engine.submitOrder(buy(150))
    engine.processMarketUpdate({ time: at(MONDAY, 1), bars: { AAPL: flat(90) } })
    const fills = engine.getFills().filter((f) => f.orderId === id)
    expect(fills).toHaveLength(1)
    expect([fills[0]!.quantity, fills[0]!.closingQuantity, fills[0]!.openingQuantity, fills[0]!.commission]).toEqual(["150", "100", "50", "13.5"])
    expect(engine.getOrder(id).status).toBe("filled")
    const [closed, opened] = engine.getTrades()
    // 13.5 splits 100 : 50 into 9 and 4.5.
    expect(closed).toMatchObject({ direction: "short", open: false, commission: "19", grossPnl: "1000", netPnl: "981", exitTime: at(MONDAY, 1) })
    expect(opened).toMatchObject({ direction: "long", open: true, exitTime: null, exitPrice: null, quantity: "50", entryPrice: "90", commission: "4.5", netPnl: "-4.5" })
    const pos = engine.getPortfolio().positions[0]!
    expect([d(pos.quantity), d(pos.averageCost), d(pos.realizedPnl)]).toEqual(["50", "90", "1000"])
  })

  it("commission shares that do not divide evenly still add up exactly", () => {
    // A minimum of 1 per order: the reversal's commission is 1, shared 1 : 2 between closing and opening.
    const engine = engineWith({ enableShorting: true, commissionRate: 0.001, minimumCommission: 1 })
    engine.submitOrder(sell(1))
    engine.processMarketUpdate({ time: at(MONDAY, 0), bars: { AAPL: flat(100) } })
    const id = engine.submitOrder(buy(3))
    engine.processMarketUpdate({ time: at(MONDAY, 1), bars: { AAPL: flat(90) } })
    const fill = engine.getFills().find((f) => f.orderId === id)!
    expect(fill.commission).toBe("1")
    const [closed, opened] = engine.getTrades()
    const openingShare = new Decimal(opened!.commission)
    const closingShare = new Decimal(1).minus(openingShare)
    expect(openingShare.greaterThan("0.66") && openingShare.lessThan("0.67")).toBe(true)
    expect(closingShare.plus(openingShare).equals(fill.commission)).toBe(true)
    const total = engine.getTrades().reduce((acc, t) => acc.plus(t.commission), new Decimal(0))
    expect(total.equals(engine.getPortfolio().totalCommission)).toBe(true)
    expect(closed!.open).toBe(false)
    expect(d(engine.getPortfolio().cash)).toBe(d(new Decimal(100000).plus(100).minus(1).minus(270).minus(1)))
  })

  it("buying power after a reversal holds nothing back for the closed short", () => {
    const engine = engineWith(config)
    engine.submitOrder(sell(100))
    engine.processMarketUpdate({ time: at(MONDAY, 0), bars: { AAPL: flat(100) } })
    engine.submitOrder(buy(150))
    engine.processMarketUpdate({ time: at(MONDAY, 1), bars: { AAPL: flat(90) } })
    const p = engine.getPortfolio()
    // 109990 − 150 × 90 − 13.5
    expect(d(p.cash)).toBe("96476.5")
    expect(d(p.buyingPower)).toBe("96476.5")
    expect(d(p.totalValue)).toBe("100976.5")
  })
})

describe("average cost and profit and loss", () => {
  it("adding averages the cost by size; reducing realises against it and leaves it; flat removes the position", () => {
    const engine = engineWith()
    engine.submitOrder(buy(10))
    engine.processMarketUpdate({ time: at(MONDAY, 0), bars: { AAPL: flat(100) } })
    engine.submitOrder(buy(30))
    engine.processMarketUpdate({ time: at(MONDAY, 1), bars: { AAPL: bar(104, 106, 103, 105) } })
    let pos = engine.getPortfolio().positions[0]!
    // (10 × 100 + 30 × 104) / 40 = 103
    expect([d(pos.quantity), d(pos.averageCost), d(pos.marketPrice), d(pos.unrealizedPnl), d(pos.realizedPnl)]).toEqual(["40", "103", "105", "80", "0"])

    engine.submitOrder(sell(20))
    engine.processMarketUpdate({ time: at(MONDAY, 2), bars: { AAPL: bar(110, 110, 108, 108) } })
    pos = engine.getPortfolio().positions[0]!
    expect([d(pos.quantity), d(pos.averageCost), d(pos.unrealizedPnl), d(pos.realizedPnl)]).toEqual(["20", "103", "100", "140"])
    expect(d(engine.getPortfolio().unrealizedPnl)).toBe("100")

    engine.submitOrder(sell(20))
    engine.processMarketUpdate({ time: at(MONDAY, 3), bars: { AAPL: flat(95) } })
    const p = engine.getPortfolio()
    expect(p.positions).toEqual([])
    expect(d(p.realizedPnl)).toBe("-20") // 140 + 20 × (95 − 103)
    expect(d(p.unrealizedPnl)).toBe("0")
    expect(d(p.cash)).toBe("99980")
    expect(d(p.totalValue)).toBe("99980")
  })

  it("an average cost that does not terminate is kept to the ledger's precision", () => {
    const engine = engineWith()
    engine.submitOrder(buy(1))
    engine.processMarketUpdate({ time: at(MONDAY, 0), bars: { AAPL: flat(100) } })
    engine.submitOrder(buy(2))
    engine.processMarketUpdate({ time: at(MONDAY, 1), bars: { AAPL: flat(101) } })
    const pos = engine.getPortfolio().positions[0]!
    expect(pos.averageCost.toString()).toBe(new Decimal(302).dividedBy(3).toString())
    engine.submitOrder(sell(3))
    engine.processMarketUpdate({ time: at(MONDAY, 2), bars: { AAPL: flat(101) } })
    // 3 × (101 − 100.666…) = 1 at 40 digits, and cash is exact regardless.
    expect(d(engine.getPortfolio().cash)).toBe("100001")
    expect(engine.getPortfolio().realizedPnl.minus(1).abs().lessThan("1e-35")).toBe(true)
  })

  it("realised P&L excludes commissions; commissions come out of cash", () => {
    const engine = engineWith({ commissionRate: 0.001 })
    engine.submitOrder(buy(10))
    engine.processMarketUpdate({ time: at(MONDAY, 0), bars: { AAPL: flat(100) } })
    engine.submitOrder(sell(10))
    engine.processMarketUpdate({ time: at(MONDAY, 1), bars: { AAPL: flat(110) } })
    const p = engine.getPortfolio()
    expect(d(p.realizedPnl)).toBe("100")
    expect(d(p.totalCommission)).toBe("2.1")
    expect(d(p.cash)).toBe("100097.9")
  })
})

describe("trades: round trips", () => {
  it("flat to flat, with entry and exit averages and both sides' commissions; then an open one", () => {
    const engine = engineWith({ commissionRate: 0.001 })
    engine.submitOrder(buy(10))
    engine.processMarketUpdate({ time: at(MONDAY, 0), bars: { AAPL: flat(100) } })
    engine.submitOrder(buy(10))
    engine.processMarketUpdate({ time: at(MONDAY, 1), bars: { AAPL: flat(110) } })
    expect(engine.getTrades()).toMatchObject([{ open: true, exitTime: null, exitPrice: null, quantity: "20", entryPrice: "105" }])
    engine.submitOrder(sell(20))
    engine.processMarketUpdate({ time: at(MONDAY, 2), bars: { AAPL: flat(120) } })
    engine.submitOrder(buy(5))
    engine.processMarketUpdate({ time: at(MONDAY, 3), bars: { AAPL: flat(100) } })
    const trades = engine.getTrades()
    expect(trades).toEqual([
      {
        id: "T-000001",
        symbol: "AAPL",
        direction: "long",
        open: false,
        entryTime: at(MONDAY, 0),
        exitTime: at(MONDAY, 2),
        quantity: "20",
        entryPrice: "105",
        exitPrice: "120",
        grossPnl: "300",
        commission: "4.5", // 1 + 1.1 + 2.4
        netPnl: "295.5"
      },
      {
        id: "T-000002",
        symbol: "AAPL",
        direction: "long",
        open: true,
        entryTime: at(MONDAY, 3),
        exitTime: null,
        quantity: "5",
        entryPrice: "100",
        exitPrice: null,
        grossPnl: "0",
        commission: "0.5",
        netPnl: "-0.5"
      }
    ])
  })

  it("a partial exit stays in the same trade; symbols keep separate trades", () => {
    const engine = engineWith()
    engine.submitOrder(buy(10))
    engine.submitOrder({ symbol: "MSFT", side: "buy", type: "market", quantity: 1 })
    engine.processMarketUpdate({ time: at(MONDAY, 0), bars: { AAPL: flat(100), MSFT: flat(300) } })
    engine.submitOrder(sell(4))
    engine.processMarketUpdate({ time: at(MONDAY, 1), bars: { AAPL: flat(105) } })
    engine.submitOrder(sell(6))
    engine.processMarketUpdate({ time: at(MONDAY, 2), bars: { AAPL: flat(90) } })
    const trades = engine.getTrades()
    expect(trades.map((t) => [t.symbol, t.open, t.quantity, t.exitPrice, t.grossPnl])).toEqual([
      ["AAPL", false, "10", "96", "-40"], // (4 × 105 + 6 × 90) / 10; 20 − 60
      ["MSFT", true, "1", null, "0"]
    ])
  })

  const step = fc.record({
    side: fc.constantFrom("buy" as const, "sell" as const),
    quantity: fc.integer({ min: 1, max: 50 }),
    priceCents: fc.integer({ min: 5_000, max: 15_000 })
  })
  test.prop([fc.array(step, { minLength: 1, maxLength: 25 }), fc.constantFrom(0, 0.001, 0.0025)])(
    "the ledger adds up: cash, equity, trade P&L and commission shares",
    (steps, commissionRate) => {
      const engine = engineWith({ enableShorting: true, commissionRate, initialCapital: "10000000" })
      steps.forEach((s, i) => {
        engine.submitOrder({ symbol: "AAPL", side: s.side, type: "market", quantity: s.quantity })
        engine.processMarketUpdate({ time: at(MONDAY, i), bars: { AAPL: flat(new Decimal(s.priceCents).dividedBy(100).toString()) } })
      })
      expect(engine.getFills()).toHaveLength(steps.length)
      // Cash and equity from the fills, fill parts, trade P&L and commission shares (paperfloor/testing).
      expect(checkPortfolioInvariants(engine)).toEqual([])
      const p = engine.getPortfolio()
      const mark = new Decimal(steps.at(-1)!.priceCents).dividedBy(100)
      expect(p.totalValue.equals(p.cash.plus(engine.positionOf("AAPL").times(mark)))).toBe(true)
      // totalValue − initial = realised + unrealised − commissions (to the precision of a non-terminating average cost)
      const gap = p.totalValue.minus(10_000_000).minus(p.realizedPnl.plus(p.unrealizedPnl).minus(p.totalCommission))
      expect(gap.abs().lessThan("1e-30"), gap.toString()).toBe(true)
    }
  )
})

describe("daily stop-loss", () => {
  const config = { dailyStopLoss: 0.02 }

  /** Monday: 500 AAPL bought at 100 (half the equity), then the close given. */
  const monday = (close: PriceInput, conf: SimulationConfigInput = config) => {
    const engine = engineWith(conf)
    const statuses: Array<EngineEvents["simulationStatusChanged"]> = []
    engine.on("simulationStatusChanged", (e) => statuses.push(e))
    engine.submitOrder(buy(500))
    engine.processMarketUpdate({ time: at(MONDAY, 0), bars: { AAPL: flat(100) } })
    engine.processMarketUpdate({ time: at(MONDAY, 1), bars: { AAPL: bar(100, 100, close, close) } })
    return { engine, statuses }
  }

  it("equity exactly at day start × (1 − limit) does not halt", () => {
    const { engine, statuses } = monday(96) // 50000 + 48000 = 98000
    expect(engine.status).toBe("running")
    expect(statuses).toEqual([])
  })

  it("equity below it halts, with a reason", () => {
    const { engine, statuses } = monday("95.99") // 97995
    expect(engine.status).toBe("halted")
    expect(statuses).toHaveLength(1)
    expect(statuses[0]).toMatchObject({ from: "running", to: "halted" })
    expect(statuses[0]!.reason).toMatch(/^daily stop-loss/)
    expect(engine.statusReason).toBe(statuses[0]!.reason)
  })

  describe("a day that starts holding a position: the exact check values it at the day start's mark, as the caller gave it", () => {
    // Monday: 500 AAPL bought at 100 (50,000 cash left), closing at `mondayClose`. Tuesday starts at
    // 50,000 + 500 × 100.05 = 100,025, so its floor is 98,024.5: a close of 96.049 leaves equity at it.
    const tuesday = (mondayClose: PriceInput, tuesdayClose: PriceInput, restore: boolean) => {
      let engine = engineWith(config)
      engine.submitOrder(buy(500))
      engine.processMarketUpdate({ time: at(MONDAY, 0), bars: { AAPL: flat(100) } })
      engine.processMarketUpdate({ time: at(MONDAY, 1), bars: { AAPL: flat(mondayClose) } })
      engine.processMarketUpdate({ time: at(TUESDAY, 0), bars: { AAPL: flat(mondayClose) } })
      if (restore) engine = TradingSimulationEngine.fromSnapshot(JSON.parse(JSON.stringify(engine.snapshot())))
      engine.processMarketUpdate({ time: at(TUESDAY, 1), bars: { AAPL: flat(tuesdayClose) } })
      return engine
    }

    for (const mondayClose of ["100.05", 100.05])
      for (const restore of [false, true])
        it(`${typeof mondayClose} mark${restore ? ", restored from a snapshot on Tuesday" : ""}`, () => {
          expect(tuesday(mondayClose, "96.049", restore).status).toBe("running")
          expect(tuesday(mondayClose, "96.0489", restore).status).toBe("halted")
        })

    it("keeps the mark's form in the snapshot, and only the positions held (one closed since holds none)", () => {
      const engine = tuesday("100.05", "97", false)
      expect(engine.snapshot().dayStart.holdings).toEqual([["500", "100.05"]])
      engine.submitOrder(sell(500))
      engine.processMarketUpdate({ time: at(TUESDAY, 2), bars: { AAPL: flat(97) } })
      engine.processMarketUpdate({ time: at(TUESDAY + DAY, 0), bars: { AAPL: flat("97.5") } })
      expect(engine.snapshot().dayStart.holdings).toEqual([])
      // Thursday starts holding again, at Wednesday's last mark, a number this time.
      engine.submitOrder(buy(100))
      engine.processMarketUpdate({ time: at(TUESDAY + DAY, 1), bars: { AAPL: flat(97.5) } })
      engine.processMarketUpdate({ time: at(TUESDAY + 2 * DAY, 0), bars: { AAPL: flat(98) } })
      expect(engine.snapshot().dayStart.holdings).toEqual([["100", 97.5]])
      expect(engine.status).toBe("running")
    })
  })

  it("null disables it", () => {
    const { engine } = monday(50, { dailyStopLoss: null })
    expect(engine.status).toBe("running")
  })

  it("halted: opening orders are rejected (before any other rule), closing orders trade, working orders add no exposure; the next day trades again", () => {
    const engine = engineWith(config)
    const statuses: string[] = []
    engine.on("simulationStatusChanged", (e) => statuses.push(`${e.from}→${e.to}`))
    engine.submitOrder(buy(500))
    engine.processMarketUpdate({ time: at(MONDAY, 0), bars: { AAPL: flat(100) } })
    const restingBuy = engine.submitOrder(buy(100, { type: "limit", limitPrice: 90 }))
    engine.processMarketUpdate({ time: at(MONDAY, 1), bars: { AAPL: bar(100, 100, "95.9", "95.9") } })
    expect(engine.status).toBe("halted")
    expect(engine.getOrder(restingBuy).status).toBe("accepted")

    const opening = engine.submitOrder(buy(10))
    const huge = engine.submitOrder(buy(100_000)) // would break maxPositionSize and cash too
    const closing = engine.submitOrder(sell(100))
    const fillsBefore = engine.getFills().length
    // The resting buy's limit is reached, but it would add exposure.
    engine.processMarketUpdate({ time: at(MONDAY, 2), bars: { AAPL: bar(95, 95, 89, 90) } })
    expect(engine.status).toBe("halted")
    expect(engine.getOrder(opening).status).toBe("rejected")
    expect(engine.getOrder(opening).reasons[0]).toMatch(/^dailyStopLoss: /)
    expect(engine.getOrder(huge).reasons[0]).toMatch(/^dailyStopLoss: /)
    expect(engine.getOrder(closing).status).toBe("filled")
    expect(engine.getOrder(restingBuy).status).toBe("accepted")
    expect(engine.getOrder(restingBuy).filledQuantity).toBe("0")
    const haltedFills = engine.getFills().slice(fillsBefore)
    expect(haltedFills.map((f) => [f.orderId, f.side, f.openingQuantity])).toEqual([[closing, "sell", "0"]])
    expect(engine.positionOf("AAPL").toString()).toBe("400")

    // Tuesday's first update lifts the halt; the resting buy fills on it.
    engine.processMarketUpdate({ time: at(TUESDAY, 0), bars: { AAPL: bar(91, 92, 89, 90) } })
    expect(engine.status).toBe("running")
    expect(statuses).toEqual(["running→halted", "halted→running"])
    expect(engine.getOrder(restingBuy).status).toBe("filled")
    expect(engine.positionOf("AAPL").toString()).toBe("500")
    const again = engine.submitOrder(buy(10))
    engine.processMarketUpdate({ time: at(TUESDAY, 1), bars: { AAPL: flat(90) } })
    expect(engine.getOrder(again).status).toBe("filled")
  })

  it("halted: a working order that would reverse fills only its closing part; the rest waits for the next day", () => {
    const engine = engineWith({ ...config, enableShorting: true })
    engine.submitOrder(buy(500))
    engine.processMarketUpdate({ time: at(MONDAY, 0), bars: { AAPL: flat(100) } })
    const reversal = engine.submitOrder(sell(600, { type: "limit", limitPrice: 110 }))
    engine.processMarketUpdate({ time: at(MONDAY, 1), bars: { AAPL: bar(100, 100, "95.9", "95.9") } })
    expect(engine.status).toBe("halted")
    expect(engine.getOrder(reversal).status).toBe("accepted")

    engine.processMarketUpdate({ time: at(MONDAY, 2), bars: { AAPL: bar(96, 110, 96, 105) } })
    let order = engine.getOrder(reversal)
    expect(order.status).toBe("partiallyFilled")
    expect(order.filledQuantity).toBe("500")
    expect(engine.positionOf("AAPL").toString()).toBe("0")
    expect(engine.getFills().at(-1)).toMatchObject({ orderId: reversal, quantity: "500", price: "110", closingQuantity: "500", openingQuantity: "0" })
    // Still halted at a higher price on the same day: the opening rest still waits.
    engine.processMarketUpdate({ time: at(MONDAY, 3), bars: { AAPL: flat(112) } })
    expect(engine.getOrder(reversal).filledQuantity).toBe("500")

    engine.processMarketUpdate({ time: at(TUESDAY, 0), bars: { AAPL: flat(111) } })
    expect(engine.status).toBe("running")
    order = engine.getOrder(reversal)
    expect(order.status).toBe("filled")
    expect(engine.positionOf("AAPL").toString()).toBe("-100")
    expect(engine.getFills().at(-1)).toMatchObject({ orderId: reversal, quantity: "100", price: "111", closingQuantity: "0", openingQuantity: "100" })
  })

  it("the day's start is the equity at the previous close, not the initial capital", () => {
    const engine = engineWith(config)
    engine.submitOrder(buy(500))
    engine.processMarketUpdate({ time: at(MONDAY, 0), bars: { AAPL: flat(100) } })
    engine.processMarketUpdate({ time: at(MONDAY, 1), bars: { AAPL: flat(120) } }) // equity 110000
    // Tuesday: 110000 × 0.98 = 107800; a close of 115.5 gives 107750: below, though above the initial 100000 × 0.98.
    engine.processMarketUpdate({ time: at(TUESDAY, 0), bars: { AAPL: bar(120, 120, "115.5", "115.5") } })
    expect(engine.status).toBe("halted")
  })
})
