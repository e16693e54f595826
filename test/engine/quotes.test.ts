import { describe, expect, it } from "vitest"
import { ValidationError } from "../../src/index.ts"
import type { MarketUpdateInput, OrderRequest, SimulationConfigInput } from "../../src/index.ts"
import { at, buy, engineOn, flat, frictionless, MONDAY, sell } from "./fixtures.ts"

/** Bid/ask quotes as market input (DESIGN.md, "Execution semantics, advanced orders"): buys trade at the ask, sells at the bid. */
const engineWith = engineOn(frictionless(["AAPL", "MSFT"], { enableShorting: true }))

const quote = (bid: number | string, ask: number | string, minute = 0): MarketUpdateInput => ({ time: at(MONDAY, minute), quotes: { AAPL: { bid, ask } } })

/** Submits `request`, feeds the updates and returns the order's fills as [market price, price]. */
const run = (request: OrderRequest, updates: ReadonlyArray<MarketUpdateInput>, config: SimulationConfigInput = {}) => {
  const engine = engineWith(config)
  const id = engine.submitOrder(request)
  for (const u of updates) engine.processMarketUpdate(u)
  return { engine, order: engine.getOrder(id), fills: engine.getFills().map((f) => [f.marketPrice, f.price]) }
}

describe("fills against the side traded", () => {
  it("a market buy pays the ask, a market sell gets the bid", () => {
    expect(run(buy("AAPL", 10), [quote("99.9", "100.1")]).fills).toEqual([["100.1", "100.1"]])
    expect(run(sell("AAPL", 10), [quote("99.9", "100.1")]).fills).toEqual([["99.9", "99.9"]])
  })

  it("slippage moves the side's price further against the trader", () => {
    expect(run(buy("AAPL", 10), [quote(99, 100)], { slippageRate: 0.001 }).fills).toEqual([["100", "100.1"]])
  })

  it("a buy limit compares the ask: a bid at the limit is not enough", () => {
    const limit = (price: number) => buy("AAPL", 10, { type: "limit", limitPrice: price })
    expect(run(limit(100), [quote(99, "100.01")]).fills).toEqual([])
    expect(run(limit(100), [quote(99, "100.01", 0), quote("99.5", "99.98", 1)]).fills).toEqual([["99.98", "99.98"]])
  })

  it("a sell limit compares the bid: an ask at the limit is not enough", () => {
    const limit = sell("AAPL", 10, { type: "limit", limitPrice: 100 })
    expect(run(limit, [quote("99.99", 101)]).fills).toEqual([])
    expect(run(limit, [quote("100.02", 101)]).fills).toEqual([["100.02", "100.02"]])
  })

  it("a buy stop triggers on the ask and a sell stop on the bid, filling at that side", () => {
    const buyStop = buy("AAPL", 10, { type: "stop", stopPrice: 105 })
    expect(run(buyStop, [quote(104, "104.99")]).order.status).toBe("accepted")
    expect(run(buyStop, [quote("104.5", "105.05")]).fills).toEqual([["105.05", "105.05"]])
    const sellStop = sell("AAPL", 10, { type: "stop", stopPrice: 95 })
    expect(run(sellStop, [quote("95.01", 96)]).order.status).toBe("accepted")
    expect(run(sellStop, [quote("94.9", "95.5")]).fills).toEqual([["94.9", "94.9"]])
  })

  it("the pre-trade check values a buy at the ask: an account that pays at the mid but not at the ask is refused", () => {
    // 100 at the mid (100) is the whole equity; at the ask (101) it is more, which the position limit (checked first) refuses.
    const { order } = run(buy("AAPL", 100), [quote(99, 101)], { initialCapital: 10000 })
    expect(order).toMatchObject({ status: "rejected", rejectionCode: "maxPositionSize" })
    expect(run(buy("AAPL", 100), [quote(99, 101)], { initialCapital: 10000, maxPositionSize: 1 }).order.reasons[0]).toContain("at 101")
    expect(run(buy("AAPL", 99), [quote(99, 101)], { initialCapital: 10000 }).order.status).toBe("filled")
  })

  it("positions are marked at the mid", () => {
    const { engine } = run(buy("AAPL", 10), [quote(99, 101), quote("100.5", "101.5", 1)])
    const [position] = engine.getPortfolio().positions
    expect([position!.marketPrice.toString(), position!.averageCost.toString(), position!.unrealizedPnl.toString()]).toEqual(["101", "101", "0"])
  })

  it("a cls order fills at its side of the next quote", () => {
    expect(run(sell("AAPL", 10, { timeInForce: "cls" }), [quote(99, 101)]).fills).toEqual([["99", "99"]])
  })

  it("quotes stand beside bars or last prices of other symbols; bars alone work as before", () => {
    const engine = engineWith()
    engine.submitOrder(buy("AAPL", 1))
    engine.submitOrder(buy("MSFT", 1))
    engine.processMarketUpdate({ time: at(MONDAY, 0), bars: { MSFT: flat(50) }, quotes: { AAPL: { bid: 99, ask: 101 } } })
    expect(engine.getFills().map((f) => [f.symbol, f.price])).toEqual([["AAPL", "101"], ["MSFT", "50"]])
  })
})

describe("quote validation: typed errors naming the field", () => {
  const issues = (update: unknown) => {
    try {
      engineWith().processMarketUpdate(update as MarketUpdateInput)
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError)
      return (e as ValidationError).issues.map((i) => [i.field, i.rule])
    }
    throw new Error("expected a ValidationError")
  }
  const PRICE_RULE = "must be a finite price greater than 0 and at most 1e15"

  it("refuses a bid above the ask, and prices that are not positive, finite and within bounds", () => {
    expect(issues({ quotes: { AAPL: { bid: "100.01", ask: 100 } } })).toEqual([["quotes.AAPL.bid", "must be at most the ask"]])
    expect(issues({ quotes: { AAPL: { bid: 0, ask: 1 } } })).toEqual([["quotes.AAPL.bid", PRICE_RULE]])
    expect(issues({ quotes: { AAPL: { bid: 1, ask: Number.POSITIVE_INFINITY } } })).toEqual([["quotes.AAPL.ask", PRICE_RULE]])
    expect(issues({ quotes: { AAPL: { bid: 1, ask: 2e15 } } })).toEqual([["quotes.AAPL.ask", PRICE_RULE]])
    expect(issues({ quotes: { AAPL: { bid: "1e", ask: "x" } } })).toEqual([
      ["quotes.AAPL.bid", PRICE_RULE],
      ["quotes.AAPL.ask", PRICE_RULE]
    ])
  })

  it("refuses a quote that is not an object, an unknown symbol, a symbol given twice and stray fields", () => {
    expect(issues({ quotes: { AAPL: 100 } })).toEqual([["quotes.AAPL", "must be an object { bid, ask }"]])
    expect(issues({ quotes: { TSLA: { bid: 1, ask: 2 } } })).toEqual([["quotes.TSLA", "must be one of the configured symbols"]])
    expect(issues({ bars: { AAPL: flat(1) }, quotes: { AAPL: { bid: 1, ask: 2 } } })).toEqual([["quotes.AAPL", "must not repeat a symbol given in `bars` or `prices`"]])
    expect(issues({ quotes: { AAPL: { bid: 1, ask: 2 } }, MSFT: 3 })).toEqual([["MSFT", "is not a known field (prices go inside `bars`, `prices` or `quotes`)"]])
    expect(issues({ quotes: [] })).toEqual([["quotes", "must be an object of symbol → { bid, ask }"]])
  })

  it("a refused update changes nothing", () => {
    const engine = engineWith()
    engine.submitOrder(buy("AAPL", 1))
    expect(() => engine.processMarketUpdate({ quotes: { AAPL: { bid: 2, ask: 1 } } })).toThrow(ValidationError)
    expect(engine.updateCount).toBe(0)
    expect(engine.getOrders()[0]!.status).toBe("submitted")
  })
})
