import { describe, expect, it } from "vitest"
import { approve, barFillModel, Decimal, reject, TradingSimulationEngine } from "../../src/index.ts"
import type { EngineEvent, EngineOptions, FeeModel, FillModel, RiskCheck, RiskRule, SlippageModel } from "../../src/index.ts"
import { bar, buy, engineOn, flat, frictionless, sell, TUESDAY } from "./fixtures.ts"

const base = frictionless(["AAPL", "MSFT", "GOOGL", "XOM"])
const engineWith = engineOn(base)

const at = (i: number) => TUESDAY + i * 60_000

// ── A correlation-risk rule ─────────────────────────────────────────────

/**
 * Rejects a buy when the combined value of the positions in a group of correlated symbols would
 * exceed a fraction of equity. The order's own symbol is valued at the check's reference price
 * (its position after the order, working orders included); the rest of the group at their marks.
 */
const correlationRisk = (group: ReadonlyArray<string>, maxFraction: number): RiskRule => ({
  name: "correlation",
  check: (c) => {
    if (c.order.side !== "buy" || !group.includes(c.order.symbol) || c.openingQuantity.isZero()) return approve
    let value = c.positionAfter.abs().times(c.referencePrice)
    for (const symbol of group) {
      if (symbol === c.order.symbol) continue
      const mark = c.account.markOf(symbol)
      if (mark !== undefined) value = value.plus(c.account.positionOf(symbol).abs().times(mark))
    }
    const limit = c.account.equity.times(maxFraction)
    return value.greaterThan(limit)
      ? reject(`correlation: ${group.join("/")} would be worth ${value}, over ${maxFraction} × equity ${c.account.equity} = ${limit}`)
      : approve
  }
})

describe("a custom risk rule: correlated exposure", () => {
  const tech = ["AAPL", "MSFT", "GOOGL"]
  const setup = (options: EngineOptions = { riskRules: [correlationRisk(tech, 0.25)] }) => {
    const engine = engineWith({ maxPositionSize: 0.2 }, options)
    engine.submitOrder(buy("AAPL", 200))
    engine.processMarketUpdate({ time: at(0), bars: { AAPL: flat(100), MSFT: flat(100), GOOGL: flat(100), XOM: flat(100) } })
    expect(engine.positionOf("AAPL").toString()).toBe("200")
    return engine
  }
  const next = (engine: TradingSimulationEngine, i: number) =>
    engine.processMarketUpdate({ time: at(i), bars: { AAPL: flat(100), MSFT: flat(100), GOOGL: flat(100), XOM: flat(100) } })

  it("rejects a buy that takes the group past its share of equity, with the rule's reason", () => {
    const engine = setup()
    const reasons: string[] = []
    engine.on("orderRejected", (e) => reasons.push(e.reason))
    const before = JSON.stringify(engine.getPortfolio())
    const id = engine.submitOrder(buy("MSFT", 200)) // 20000 + 20000 > 25000, though each is within 20% on its own
    next(engine, 1)
    const order = engine.getOrder(id)
    expect(order.status).toBe("rejected")
    expect(order.reasons[0]).toMatch(/^correlation: AAPL\/MSFT\/GOOGL would be worth 40000, over 0.25 × equity 100000 = 25000/)
    expect(reasons).toEqual(order.reasons)
    expect(JSON.stringify(engine.getPortfolio())).toBe(before)
  })

  it("allows the group up to exactly the limit, symbols outside the group freely, and sells always", () => {
    const engine = setup()
    const msft = engine.submitOrder(buy("MSFT", 50)) // 25000: at the limit
    const xom = engine.submitOrder(buy("XOM", 200))
    const trim = engine.submitOrder(sell("AAPL", 10))
    next(engine, 1)
    expect([engine.getOrder(msft).status, engine.getOrder(xom).status, engine.getOrder(trim).status]).toEqual(["filled", "filled", "filled"])
    const more = engine.submitOrder(buy("GOOGL", 11)) // 19000 + 5000 + 1100 = 25100
    next(engine, 2)
    expect(engine.getOrder(more).reasons[0]).toMatch(/^correlation: /)
  })

  it("without the rule the same order passes: only the custom rule refused it", () => {
    const engine = setup({})
    const id = engine.submitOrder(buy("MSFT", 200))
    next(engine, 1)
    expect(engine.getOrder(id).status).toBe("filled")
  })

  it("runs after the built-in rules: a breach of both reports the built-in one", () => {
    const engine = setup()
    const id = engine.submitOrder(buy("MSFT", 201)) // also over maxPositionSize 0.2
    next(engine, 1)
    expect(engine.getOrder(id).reasons[0]).toMatch(/^maxPositionSize: /)
  })

  it("also guards replacements", () => {
    const engine = setup()
    const id = engine.submitOrder(buy("MSFT", 10, { type: "limit", limitPrice: 90 }))
    next(engine, 1)
    expect(engine.getOrder(id).status).toBe("accepted")
    const result = engine.replaceOrder(id, { quantity: 100 })
    expect(result).toMatchObject({ replaced: false, code: "correlation", reason: expect.stringMatching(/^correlation: /) })
    expect(engine.getOrder(id).quantity).toBe("10")
    expect(engine.replaceOrder(id, { quantity: 50 })).toEqual({ replaced: true })
  })

  it("sees the order, the reference price, the projected position and the account as documented", () => {
    // positionOf and markOf read the live account, so what they said is taken at the check.
    const seen: Array<RiskCheck & { readonly at: { aapl: string; aaplMark: string | undefined; msft: string; msftMark: string | undefined } }> = []
    const spy: RiskRule = {
      name: "spy",
      check: (c) => {
        const a = c.account
        seen.push({ ...c, at: { aapl: a.positionOf("AAPL").toString(), aaplMark: a.markOf("AAPL")?.toString(), msft: a.positionOf("MSFT").toString(), msftMark: a.markOf("MSFT")?.toString() } })
        return approve
      }
    }
    const engine = engineWith({ maxPositionSize: 0.5, commissionRate: 0.001, slippageRate: 0.0005 }, { riskRules: [spy] })
    engine.submitOrder(buy("AAPL", 100))
    engine.processMarketUpdate({ time: at(0), bars: { AAPL: flat(100) } })
    engine.submitOrder(sell("AAPL", 30, { type: "limit", limitPrice: 200 })) // works, unfilled
    engine.processMarketUpdate({ time: at(1), bars: { AAPL: bar(110, 111, 109, 110) } })
    engine.submitOrder(sell("AAPL", 50))
    engine.processMarketUpdate({ time: at(2), bars: { AAPL: bar(120, 121, 119, 120) } })
    // Three orders checked at acceptance, and the opening buy checked again at its fill.
    expect(seen.map((s) => s.fill === null)).toEqual([true, false, true, true])
    const c = seen[3]!
    expect(c.order).toMatchObject({ symbol: "AAPL", side: "sell", type: "market", quantity: "50" })
    expect(c.quantity.toString()).toBe("50")
    expect(c.referencePrice.toString()).toBe("120")
    // 100 held, 30 already on offer: 70 left to close.
    expect(c.projectedPosition.toString()).toBe("70")
    expect(c.positionAfter.toString()).toBe("20")
    expect([c.closingQuantity.toString(), c.openingQuantity.toString()]).toEqual(["50", "0"])
    expect(c.openingCost.toString()).toBe("0")
    // Cash 100000 − 100 × 100.05 − 10.005 = 89984.995; equity at the previous close of 110.
    expect(c.account.cash.toString()).toBe("89984.995")
    expect(c.account.equity.toString()).toBe("100984.995")
    expect(c.account.maxPositionValue.toString()).toBe("50492.4975")
    expect(c.at).toEqual({ aapl: "100", aaplMark: "110", msft: "0", msftMark: undefined })
    expect(c.account.halted).toBe(false)
    expect(c.account.symbols).toEqual(base.symbols)
    expect(c.config.maxPositionSize).toBe(0.5)
    // The first check: an opening buy's expected cost includes slippage and commission.
    expect(seen[0]!.openingCost.toString()).toBe("10015.005")
    // Its fill's check: at the fill's price after slippage, with the fill's own commission.
    const atFill = seen[1]!
    expect(atFill.referencePrice.toString()).toBe("100.05")
    expect(atFill.openingCost.toString()).toBe("10015.005")
    expect(atFill.fill?.commission.toString()).toBe("10.005")
    expect(atFill.fill?.buyingPowerAfter.toString()).toBe("89984.995")
  })
})

// ── A volume-limited fill model ─────────────────────────────────────────

/** Fills at the default model's prices, but at most `fraction` of the bar's volume per bar; ticks (no volume) fill in full. */
const volumeLimited = (fraction: number): FillModel => ({
  match(order, quote) {
    const result = barFillModel.match(order, quote)
    const volume = quote.source.volume
    if (result.fill === null || volume === undefined) return result
    const cap = new Decimal(volume).times(fraction).floor()
    if (cap.isZero()) return { triggered: result.triggered, fill: null }
    return { triggered: result.triggered, fill: { price: result.fill.price, quantity: Decimal.min(cap, result.fill.quantity) } }
  }
})

describe("a custom fill model: at most 10% of each bar's volume", () => {
  const record = (engine: TradingSimulationEngine) => {
    const events: EngineEvent[] = []
    for (const name of ["orderAccepted", "orderPartiallyFilled", "orderFilled", "orderExpired"] as const) engine.on(name, (e) => events.push(e as EngineEvent))
    return events
  }

  it("a large order fills over several bars: partial fills, then filled", () => {
    const engine = engineWith({}, { fillModel: volumeLimited(0.1) })
    const events = record(engine)
    const id = engine.submitOrder({ ...buy("AAPL", 250), timeInForce: "gtc" })
    const bars = [flat(100, 1000), flat(101, 1000), flat(102, 405), flat(103, 1000), flat(104, 1000)]
    const statuses: string[] = []
    bars.forEach((b, i) => {
      engine.processMarketUpdate({ time: at(i), bars: { AAPL: b } })
      statuses.push(`${engine.getOrder(id).status} ${engine.getOrder(id).filledQuantity}`)
    })
    expect(statuses).toEqual(["partiallyFilled 100", "partiallyFilled 200", "partiallyFilled 240", "filled 250", "filled 250"])
    expect(engine.getFills().map((f) => [f.quantity, f.price])).toEqual([
      ["100", "100"],
      ["100", "101"],
      ["40", "102"],
      ["10", "103"]
    ])
    expect(events.map((e) => e.type)).toEqual(["orderAccepted", "orderPartiallyFilled", "orderPartiallyFilled", "orderPartiallyFilled", "orderFilled"])
    const partial = events[1]!
    expect(partial.type === "orderPartiallyFilled" && [partial.order.status, partial.order.filledQuantity, partial.fill.quantity]).toEqual([
      "partiallyFilled",
      "100",
      "100"
    ])
    const order = engine.getOrder(id)
    // (100 × 100 + 100 × 101 + 40 × 102 + 10 × 103) / 250
    expect(order.averageFillPrice).toBe("100.84")
    expect(engine.getTrades()).toMatchObject([{ open: true, quantity: "250", entryPrice: "100.84" }])
    expect(engine.getPortfolio().cash.toString()).toBe("74790")
  })

  it("a bar without volume fills nothing; a tick (no volume field) fills in full", () => {
    const engine = engineWith({}, { fillModel: volumeLimited(0.1) })
    const id = engine.submitOrder({ ...buy("AAPL", 50), timeInForce: "gtc" })
    engine.processMarketUpdate({ time: at(0), bars: { AAPL: flat(100, 0) } })
    expect(engine.getOrder(id)).toMatchObject({ status: "accepted", filledQuantity: "0" })
    engine.processMarketUpdate({ time: at(1), AAPL: 101 })
    expect(engine.getOrder(id)).toMatchObject({ status: "filled", filledQuantity: "50", averageFillPrice: "101" })
  })

  it("a limit order fills partly while its limit is reached and waits while it is not", () => {
    const engine = engineWith({}, { fillModel: volumeLimited(0.1) })
    const id = engine.submitOrder(buy("AAPL", 30, { type: "limit", limitPrice: 100 }))
    engine.processMarketUpdate({ time: at(0), bars: { AAPL: bar(101, 102, 99, 101, 100) } })
    engine.processMarketUpdate({ time: at(1), bars: { AAPL: bar(102, 103, 101, 102, 1000) } })
    expect(engine.getOrder(id)).toMatchObject({ status: "partiallyFilled", filledQuantity: "10" })
    engine.processMarketUpdate({ time: at(2), bars: { AAPL: bar(99, 100, 98, 99, 1000) } })
    expect(engine.getOrder(id)).toMatchObject({ status: "filled", filledQuantity: "30" })
    expect(engine.getFills().map((f) => [f.quantity, f.price])).toEqual([
      ["10", "100"],
      ["20", "99"]
    ])
  })

  it("with a minimum commission the first fill tops up to the minimum and later fills pay the rate", () => {
    const engine = engineWith({ commissionRate: 0.001, minimumCommission: 5 }, { fillModel: volumeLimited(0.1) })
    const id = engine.submitOrder({ ...buy("AAPL", 30), timeInForce: "gtc" })
    for (let i = 0; i < 3; i++) engine.processMarketUpdate({ time: at(i), bars: { AAPL: flat(100, 100) } })
    expect(engine.getFills().map((f) => f.commission)).toEqual(["5", "1", "1"])
    expect(engine.getOrder(id).commission).toBe("7")
    expect(engine.getPortfolio().cash.toString()).toBe("96993")
  })

  it("a partly filled order can be cancelled; its fills stand", () => {
    const engine = engineWith({}, { fillModel: volumeLimited(0.1) })
    const id = engine.submitOrder({ ...buy("AAPL", 30), timeInForce: "gtc" })
    engine.processMarketUpdate({ time: at(0), bars: { AAPL: flat(100, 100) } })
    engine.cancelOrder(id)
    engine.processMarketUpdate({ time: at(1), bars: { AAPL: flat(100, 100) } })
    expect(engine.getOrder(id)).toMatchObject({ status: "cancelled", filledQuantity: "10" })
    expect(engine.positionOf("AAPL").toString()).toBe("10")
  })
})

// ── A custom slippage model ─────────────────────────────────────────────

/** A fixed half-spread: buys pay one cent more, sells get one cent less. */
const halfSpread: SlippageModel = {
  adjust: (price, order) => (order.spec.side === "buy" ? price.plus("0.01") : price.minus("0.01"))
}

/** Market impact: the price moves against the trader by 10% × the order's share of the bar's volume. */
const impact: SlippageModel = {
  adjust: (price, order, quote) => {
    const volume = quote.source.volume
    if (volume === undefined || volume === 0) return price
    const move = price.times("0.1").times(order.remaining).dividedBy(volume)
    return order.spec.side === "buy" ? price.plus(move) : price.minus(move)
  }
}

describe("a custom slippage model", () => {
  it("replaces the proportional one, and is still capped at a limit price", () => {
    const engine = engineWith({ slippageRate: 0.5 }, { slippageModel: halfSpread })
    const b = engine.submitOrder(buy("AAPL", 10))
    const s = engine.submitOrder(sell("MSFT", 10)) // shorting is off: MSFT must be held first
    const capped = engine.submitOrder(buy("GOOGL", 10, { type: "limit", limitPrice: 100 }))
    engine.processMarketUpdate({ time: at(0), bars: { AAPL: flat(100), MSFT: flat(50), GOOGL: flat(100) } })
    expect(engine.getOrder(s).status).toBe("rejected")
    const fills = engine.getFills()
    expect(fills.find((f) => f.orderId === b)).toMatchObject({ marketPrice: "100", price: "100.01" })
    expect(fills.find((f) => f.orderId === capped)).toMatchObject({ marketPrice: "100", price: "100" })
    const close = engine.submitOrder(sell("AAPL", 10))
    engine.processMarketUpdate({ time: at(1), bars: { AAPL: flat(100) } })
    expect(engine.getFills().find((f) => f.orderId === close)).toMatchObject({ marketPrice: "100", price: "99.99" })
    // A round trip at an unchanged price costs the spread, twice.
    expect(engine.getTrades()[0]).toMatchObject({ symbol: "AAPL", grossPnl: "-0.2" })
  })

  it("can read the quote: impact grows with the order's share of volume", () => {
    const engine = engineWith({}, { slippageModel: impact })
    const small = engine.submitOrder(buy("AAPL", 10))
    const large = engine.submitOrder(buy("MSFT", 500))
    engine.processMarketUpdate({ time: at(0), bars: { AAPL: flat(100, 1000), MSFT: flat(100, 1000) } })
    const fills = engine.getFills()
    expect(fills.find((f) => f.orderId === small)!.price).toBe("100.1") // 100 × 0.1 × 1%
    expect(fills.find((f) => f.orderId === large)!.price).toBe("105") // 100 × 0.1 × 50%
  })
})

// ── A custom fee model ──────────────────────────────────────────────────

/** Per share, with a minimum per order and a cap at a fraction of each fill's value. */
const perShare = (perShareFee: string, minimumPerOrder: string, maxFraction: string): FeeModel => ({
  commission: ({ quantity, price }, _order, chargedSoFar) => {
    const raw = quantity.abs().times(perShareFee)
    const withMinimum = Decimal.max(raw, new Decimal(minimumPerOrder).minus(chargedSoFar))
    return Decimal.min(withMinimum, quantity.abs().times(price).times(maxFraction))
  }
})

describe("a custom fee model", () => {
  const fees = perShare("0.005", "1", "0.01")

  it.each([
    ["the per-share rate on a large order", 800, "100", "4"],
    ["the minimum on a small order", 100, "100", "1"],
    ["the cap on a cheap order", 10, "1", "0.1"]
  ] as const)("charges %s", (_name, quantity, price, commission) => {
    const engine = engineWith({ commissionRate: 0.001 }, { feeModel: fees })
    const id = engine.submitOrder(buy("AAPL", quantity))
    engine.processMarketUpdate({ time: at(0), bars: { AAPL: flat(price) } })
    const fill = engine.getFills()[0]!
    expect(fill.commission).toBe(commission)
    expect(engine.getOrder(id).commission).toBe(commission)
    const p = engine.getPortfolio()
    expect(p.totalCommission.toString()).toBe(commission)
    expect(p.cash.toString()).toBe(new Decimal(100000).minus(new Decimal(price).times(quantity)).minus(commission).toString())
  })

  it("is told what the order has already been charged, across partial fills", () => {
    const charged: string[] = []
    const spy: FeeModel = {
      commission: (fill, order, chargedSoFar) => {
        charged.push(`${order.spec.id} ${fill.quantity} ${chargedSoFar}`)
        return fees.commission(fill, order, chargedSoFar)
      }
    }
    const engine = engineWith({}, { feeModel: spy, fillModel: volumeLimited(0.1) })
    const id = engine.submitOrder({ ...buy("AAPL", 300), timeInForce: "gtc" })
    for (let i = 0; i < 3; i++) engine.processMarketUpdate({ time: at(i), bars: { AAPL: flat(100, 1000) } })
    // First the pre-trade estimate of the whole order, then each fill.
    expect(charged).toEqual([`${id} 300 0`, `${id} 100 0`, `${id} 100 1`, `${id} 100 1.5`])
    expect(engine.getFills().map((f) => f.commission)).toEqual(["1", "0.5", "0.5"])
  })
})
