import { fc, test } from "@fast-check/vitest"
import { describe, expect, it } from "vitest"
import { Decimal } from "../../src/index.ts"
import type { BarInput, OrderRequest, OrderView, PriceInput, SimulationConfigInput } from "../../src/index.ts"
import { at, bar, engineOn, frictionless, MONDAY } from "./fixtures.ts"

/**
 * Fill rules of the default fill model, seen through the engine (DESIGN.md, "Execution
 * semantics"). Costs are zero unless a test is about costs, positions may be up to the whole
 * equity, shorting is on (so that sells need no position first) and the daily stop-loss is off.
 */
const engineWith = engineOn(frictionless(["AAPL", "MSFT"], { enableShorting: true }))

const minute = (i: number) => at(MONDAY, i)

/** An order of 10 AAPL unless overridden. */
const order = (o: Partial<OrderRequest> & Pick<OrderRequest, "side" | "type">): OrderRequest => ({ symbol: "AAPL", quantity: 10, ...o })

/**
 * Submits `request`, then feeds the bars (one per update, one minute apart) and returns the order
 * and its fills. The order is checked and first matched on the first of the bars.
 */
const run = (request: OrderRequest, bars: ReadonlyArray<BarInput>, config: SimulationConfigInput = {}) => {
  const engine = engineWith(config)
  const id = engine.submitOrder(request)
  bars.forEach((b, i) => engine.processMarketUpdate({ time: minute(i), bars: { AAPL: b } }))
  const fills = engine.getFills().filter((f) => f.orderId === id)
  return { engine, order: engine.getOrder(id), fills }
}

const expectFilledAt = (o: OrderView, fills: ReadonlyArray<{ price: string; marketPrice: string }>, price: string) => {
  expect(o.status).toBe("filled")
  expect(fills).toHaveLength(1)
  expect(fills[0]!.marketPrice).toBe(new Decimal(price).toString())
  expect(fills[0]!.price).toBe(new Decimal(price).toString())
}

const expectNoFill = (o: OrderView, fills: ReadonlyArray<unknown>) => {
  expect(fills).toHaveLength(0)
  expect(o.filledQuantity).toBe("0")
  expect(["accepted", "triggered"]).toContain(o.status)
}

describe("bar fills: market orders", () => {
  it.each(["buy", "sell"] as const)("a %s market order fills at the bar's open, not its close or extremes", (side) => {
    const { order: o, fills } = run(order({ side, type: "market" }), [bar("100.10", "105", "95", "102")])
    expectFilledAt(o, fills, "100.10")
    expect(o.averageFillPrice).toBe("100.1")
    expect(o.filledQuantity).toBe("10")
  })
})

describe("bar fills: limit orders (inclusive)", () => {
  type Case = readonly [string, "buy" | "sell", string, BarInput, string | null]
  const cases: ReadonlyArray<Case> = [
    ["buy: open below the limit fills at the open", "buy", "100", bar("99", "101", "98", "100"), "99"],
    ["buy: open exactly at the limit fills at the open", "buy", "100", bar("100", "101", "99", "100"), "100"],
    ["buy: open above, low touches the limit exactly: fills at the limit", "buy", "100", bar("101", "102", "100", "101"), "100"],
    ["buy: open above, low goes through: fills at the limit, not the low", "buy", "100", bar("101", "102", "95", "96"), "100"],
    ["buy: low one cent above the limit: no fill", "buy", "100", bar("101", "102", "100.01", "101"), null],
    ["sell: open above the limit fills at the open", "sell", "100", bar("101", "102", "99", "100"), "101"],
    ["sell: open exactly at the limit fills at the open", "sell", "100", bar("100", "101", "99", "100"), "100"],
    ["sell: open below, high touches the limit exactly: fills at the limit", "sell", "100", bar("99", "100", "98", "99"), "100"],
    ["sell: open below, high goes through: fills at the limit, not the high", "sell", "100", bar("99", "105", "98", "104"), "100"],
    ["sell: high one cent below the limit: no fill", "sell", "100", bar("99", "99.99", "98", "99"), null]
  ]
  it.each(cases)("%s", (_name, side, limitPrice, b, expected) => {
    const { order: o, fills } = run(order({ side, type: "limit", limitPrice }), [b])
    if (expected === null) expectNoFill(o, fills)
    else expectFilledAt(o, fills, expected)
  })

  it("a decimal limit that equals the low as a float but is above it as a decimal is reached", () => {
    // 100.10000000000000001 and 100.1 are the same double; as decimals the low is below the limit.
    const { order: o, fills } = run(order({ side: "buy", type: "limit", limitPrice: "100.10000000000000001" }), [bar("101", "102", "100.1", "101")])
    expectFilledAt(o, fills, "100.10000000000000001")
  })

  it("a decimal limit that equals the low as a float but is below it as a decimal is not reached", () => {
    const { order: o, fills } = run(order({ side: "buy", type: "limit", limitPrice: "100.1" }), [bar("101", "102", "100.10000000000000001", "101")])
    expectNoFill(o, fills)
  })

  it("an unfilled limit rests and fills on a later bar", () => {
    const { order: o, fills } = run(order({ side: "buy", type: "limit", limitPrice: "100" }), [bar("103", "104", "101", "102"), bar("102", "102", "99.5", "100")])
    expectFilledAt(o, fills, "100")
    expect(fills[0]!.updateIndex).toBe(2)
  })
})

describe("bar fills: stop orders", () => {
  type Case = readonly [string, "buy" | "sell", string, BarInput, string | null]
  const cases: ReadonlyArray<Case> = [
    ["buy: high below the stop: not triggered", "buy", "100", bar("95", "99.99", "94", "99"), null],
    ["buy: high exactly at the stop: triggers and fills at the stop", "buy", "100", bar("95", "100", "94", "99"), "100"],
    ["buy: high through the stop: fills at the stop", "buy", "100", bar("95", "105", "94", "104"), "100"],
    ["buy: open exactly at the stop: fills at the open", "buy", "100", bar("100", "101", "99", "100"), "100"],
    ["buy: gap up through the stop: fills at the open, not the stop", "buy", "100", bar("103", "106", "102", "105"), "103"],
    ["sell: low above the stop: not triggered", "sell", "100", bar("105", "106", "100.01", "101"), null],
    ["sell: low exactly at the stop: triggers and fills at the stop", "sell", "100", bar("105", "106", "100", "101"), "100"],
    ["sell: low through the stop: fills at the stop", "sell", "100", bar("105", "106", "90", "91"), "100"],
    ["sell: open exactly at the stop: fills at the open", "sell", "100", bar("100", "101", "99", "100"), "100"],
    ["sell: gap down through the stop: fills at the open, not the stop", "sell", "100", bar("97", "98", "95", "96"), "97"]
  ]
  it.each(cases)("%s", (_name, side, stopPrice, b, expected) => {
    const { order: o, fills } = run(order({ side, type: "stop", stopPrice }), [b])
    if (expected === null) {
      expectNoFill(o, fills)
      expect(o.status).toBe("accepted")
      expect(o.triggered).toBe(false)
    } else {
      expectFilledAt(o, fills, expected)
      expect(o.triggered).toBe(true)
    }
  })

  it("an untriggered stop rests until a later bar reaches it", () => {
    const { order: o, fills } = run(order({ side: "buy", type: "stop", stopPrice: "100" }), [bar("95", "99", "94", "98"), bar("98", "100.5", "97", "100")])
    expectFilledAt(o, fills, "100")
    expect(fills[0]!.updateIndex).toBe(2)
  })
})

describe("bar fills: stop-limit orders", () => {
  it("buy, reached inside the bar with the stop within the limit: fills at the stop", () => {
    const { order: o, fills } = run(order({ side: "buy", type: "stopLimit", stopPrice: "100", limitPrice: "101" }), [bar("95", "100.5", "94", "100")])
    expectFilledAt(o, fills, "100")
  })

  it("buy, gap through the stop with the open within the limit: fills at the open", () => {
    const { order: o, fills } = run(order({ side: "buy", type: "stopLimit", stopPrice: "100", limitPrice: "101" }), [bar("100.5", "102", "100", "101")])
    expectFilledAt(o, fills, "100.5")
  })

  it("buy, gap through the stop and the limit, then back to the limit in the bar: fills at the limit (inclusive)", () => {
    const { order: o, fills } = run(order({ side: "buy", type: "stopLimit", stopPrice: "100", limitPrice: "101" }), [bar("102", "103", "101", "102")])
    expectFilledAt(o, fills, "101")
  })

  it("buy, gap through the stop and the limit, never back: triggered, no fill; later fills as a limit", () => {
    const { engine, order: o, fills } = run(order({ side: "buy", type: "stopLimit", stopPrice: "100", limitPrice: "101" }), [bar("102", "103", "101.5", "102")])
    expect(o.status).toBe("triggered")
    expect(o.triggered).toBe(true)
    expect(fills).toHaveLength(0)
    engine.processMarketUpdate({ time: minute(1), bars: { AAPL: bar("100.8", "101.2", "100.5", "101") } })
    expectFilledAt(engine.getOrder(o.id), engine.getFills(), "100.8")
  })

  it("buy, limit below the stop, reached inside the bar: no fill on that bar even though the low is under the limit", () => {
    // Only the stop price is known to have traded after the trigger: 100 is above the limit 99.5.
    const { engine, order: o, fills } = run(order({ side: "buy", type: "stopLimit", stopPrice: "100", limitPrice: "99.5" }), [bar("95", "100", "94", "96")])
    expect(o.status).toBe("triggered")
    expect(fills).toHaveLength(0)
    // From the next bar it is a limit at 99.5: the open is above, the low reaches it.
    engine.processMarketUpdate({ time: minute(1), bars: { AAPL: bar("99.8", "100", "99.4", "99.6") } })
    expectFilledAt(engine.getOrder(o.id), engine.getFills(), "99.5")
  })

  it("sell, reached inside the bar with the stop within the limit: fills at the stop", () => {
    const { order: o, fills } = run(order({ side: "sell", type: "stopLimit", stopPrice: "100", limitPrice: "99" }), [bar("105", "106", "99.5", "100")])
    expectFilledAt(o, fills, "100")
  })

  it("sell, gap down through the stop and the limit, back up to the limit: fills at the limit", () => {
    const { order: o, fills } = run(order({ side: "sell", type: "stopLimit", stopPrice: "100", limitPrice: "99" }), [bar("98", "99", "97", "98")])
    expectFilledAt(o, fills, "99")
  })

  it("sell, gap down through the stop, open within the limit: fills at the open", () => {
    const { order: o, fills } = run(order({ side: "sell", type: "stopLimit", stopPrice: "100", limitPrice: "99" }), [bar("99.5", "99.8", "97", "98")])
    expectFilledAt(o, fills, "99.5")
  })

  it("sell, limit above the stop, reached inside the bar: rests, then fills at the limit when the high reaches it", () => {
    const { engine, order: o, fills } = run(order({ side: "sell", type: "stopLimit", stopPrice: "100", limitPrice: "100.5" }), [bar("105", "106", "100", "101")])
    expect(o.status).toBe("triggered")
    expect(fills).toHaveLength(0)
    engine.processMarketUpdate({ time: minute(1), bars: { AAPL: bar("100.2", "100.49", "100", "100.3") } })
    expect(engine.getOrder(o.id).status).toBe("triggered")
    engine.processMarketUpdate({ time: minute(2), bars: { AAPL: bar("100.2", "100.5", "100", "100.3") } })
    expectFilledAt(engine.getOrder(o.id), engine.getFills(), "100.5")
  })

  it("not reached: stays accepted and untriggered", () => {
    const { order: o, fills } = run(order({ side: "buy", type: "stopLimit", stopPrice: "100", limitPrice: "101" }), [bar("95", "99.99", "94", "99")])
    expect(o.status).toBe("accepted")
    expect(o.triggered).toBe(false)
    expect(fills).toHaveLength(0)
  })
})

describe("tick fills (a tick is a bar with open = high = low = close)", () => {
  /** Feeds ticks alternately in the bare form and the `prices` form. */
  const runTicks = (request: OrderRequest, prices: ReadonlyArray<PriceInput>) => {
    const engine = engineWith()
    const id = engine.submitOrder(request)
    prices.forEach((p, i) => engine.processMarketUpdate(i % 2 === 0 ? { AAPL: p } : { time: minute(i), prices: { AAPL: p } }))
    return { engine, order: engine.getOrder(id), fills: engine.getFills().filter((f) => f.orderId === id) }
  }

  type Case = readonly [string, OrderRequest, ReadonlyArray<PriceInput>, string | null]
  const cases: ReadonlyArray<Case> = [
    ["market buy fills at the next tick", order({ side: "buy", type: "market" }), ["150.25"], "150.25"],
    ["market sell fills at the next tick", order({ side: "sell", type: "market" }), [150], "150"],
    ["buy limit: a tick a cent above does not fill", order({ side: "buy", type: "limit", limitPrice: 100 }), ["100.01"], null],
    ["buy limit: a tick at the limit fills at the limit", order({ side: "buy", type: "limit", limitPrice: 100 }), ["100.01", "100"], "100"],
    ["buy limit: a tick below fills at the tick", order({ side: "buy", type: "limit", limitPrice: 100 }), ["99.5"], "99.5"],
    ["sell limit: a tick a cent below does not fill", order({ side: "sell", type: "limit", limitPrice: 100 }), ["99.99"], null],
    ["sell limit: a tick at the limit fills at the limit", order({ side: "sell", type: "limit", limitPrice: 100 }), ["99.99", "100"], "100"],
    ["sell limit: a tick above fills at the tick", order({ side: "sell", type: "limit", limitPrice: 100 }), ["101"], "101"],
    ["buy stop: a tick below does not trigger", order({ side: "buy", type: "stop", stopPrice: 100 }), ["99.99"], null],
    ["buy stop: a tick at the stop fills at the stop", order({ side: "buy", type: "stop", stopPrice: 100 }), ["99.99", "100"], "100"],
    ["buy stop: a tick through the stop fills at the tick", order({ side: "buy", type: "stop", stopPrice: 100 }), ["99", "102"], "102"],
    ["sell stop: a tick above does not trigger", order({ side: "sell", type: "stop", stopPrice: 100 }), ["100.01"], null],
    ["sell stop: a tick at the stop fills at the stop", order({ side: "sell", type: "stop", stopPrice: 100 }), ["100"], "100"],
    ["sell stop: a tick through the stop fills at the tick", order({ side: "sell", type: "stop", stopPrice: 100 }), ["101", "97"], "97"],
    ["buy stop-limit: crossed within the limit fills at the tick", order({ side: "buy", type: "stopLimit", stopPrice: 100, limitPrice: 101 }), ["99", "100.5"], "100.5"],
    ["buy stop-limit: crossed past the limit waits, then fills at the limit", order({ side: "buy", type: "stopLimit", stopPrice: 100, limitPrice: 101 }), ["102", "101"], "101"],
    ["sell stop-limit: crossed past the limit waits, then fills at a better tick", order({ side: "sell", type: "stopLimit", stopPrice: 100, limitPrice: 99 }), ["98", "99.5"], "99.5"]
  ]
  it.each(cases)("%s", (_name, request, prices, expected) => {
    const { order: o, fills } = runTicks(request, prices)
    if (expected === null) expectNoFill(o, fills)
    else {
      expectFilledAt(o, fills, expected)
      expect(fills[0]!.updateIndex).toBe(prices.length)
    }
  })

  it("a stop-limit crossed past its limit is triggered but unfilled", () => {
    const { order: o, fills } = runTicks(order({ side: "buy", type: "stopLimit", stopPrice: 100, limitPrice: 101 }), ["102"])
    expect(o.status).toBe("triggered")
    expect(fills).toHaveLength(0)
  })
})

describe("no look-ahead", () => {
  it("a market order submitted after bar N fills at bar N+1's open, never at bar N's prices", () => {
    const engine = engineWith()
    engine.processMarketUpdate({ time: minute(0), bars: { AAPL: bar(100, 110, 90, 105) } })
    const id = engine.submitOrder(order({ side: "buy", type: "market" }))
    expect(engine.getOrder(id).status).toBe("submitted")
    expect(engine.getFills()).toHaveLength(0)
    engine.processMarketUpdate({ time: minute(1), bars: { AAPL: bar(107, 108, 106, 107) } })
    const [fill] = engine.getFills()
    expect(fill!.price).toBe("107")
    expect(fill!.updateIndex).toBe(2)
    expect(fill!.time).toBe(minute(1))
  })

  it("a limit submitted after a bar whose low was through it does not fill on that bar's low", () => {
    const engine = engineWith()
    engine.processMarketUpdate({ time: minute(0), bars: { AAPL: bar(100, 101, 90, 100) } })
    const id = engine.submitOrder(order({ side: "buy", type: "limit", limitPrice: 95 }))
    engine.processMarketUpdate({ time: minute(1), bars: { AAPL: bar(100, 101, 96, 100) } })
    expect(engine.getOrder(id).status).toBe("accepted")
    expect(engine.getFills()).toHaveLength(0)
  })

  it("a limit submitted after a tick at its price waits for the next tick", () => {
    const engine = engineWith()
    engine.processMarketUpdate({ AAPL: 100 })
    const id = engine.submitOrder(order({ side: "buy", type: "limit", limitPrice: 100 }))
    engine.processMarketUpdate({ AAPL: "100.01" })
    expect(engine.getOrder(id).status).toBe("accepted")
    engine.processMarketUpdate({ AAPL: "99.99" })
    expect(engine.getFills().map((f) => [f.price, f.updateIndex])).toEqual([["99.99", 3]])
  })

  it("an order waits for an update carrying its own symbol", () => {
    const engine = engineWith()
    const id = engine.submitOrder(order({ side: "buy", type: "market" }))
    engine.processMarketUpdate({ time: minute(0), bars: { MSFT: bar(300, 301, 299, 300) } })
    expect(engine.getOrder(id).status).toBe("submitted")
    engine.processMarketUpdate({ time: minute(1), bars: { AAPL: bar(100, 101, 99, 100), MSFT: bar(300, 301, 299, 300) } })
    expect(engine.getOrder(id).status).toBe("filled")
    expect(engine.getFills()[0]!.price).toBe("100")
  })

  const priceCents = fc.integer({ min: 5_000, max: 15_000 })
  const anyBar = fc
    .tuple(priceCents, priceCents, fc.nat({ max: 500 }), fc.nat({ max: 500 }))
    .map(([a, b, up, down]) => {
      const high = Math.max(a, b) + up
      const low = Math.max(1, Math.min(a, b) - down)
      return { open: a / 100, close: b / 100, high: high / 100, low: low / 100 }
    })
  const anyOrder = fc.oneof(
    fc.record({ side: fc.constantFrom("buy" as const, "sell" as const), type: fc.constant("market" as const) }),
    fc.record({ side: fc.constantFrom("buy" as const, "sell" as const), type: fc.constant("limit" as const), limitPrice: priceCents.map((c) => c / 100) }),
    fc.record({ side: fc.constantFrom("buy" as const, "sell" as const), type: fc.constant("stop" as const), stopPrice: priceCents.map((c) => c / 100) })
  )

  test.prop([fc.array(anyBar, { minLength: 2, maxLength: 12 }), fc.nat(), anyOrder])(
    "every fill happens on a later bar than the order's submission, at a price inside that bar and within the order's limit",
    (bars, at, request) => {
      const engine = engineWith()
      const k = at % bars.length
      bars.slice(0, k).forEach((b, i) => engine.processMarketUpdate({ time: minute(i), bars: { AAPL: b } }))
      const id = engine.submitOrder({ symbol: "AAPL", quantity: 1, ...request })
      bars.slice(k).forEach((b, i) => engine.processMarketUpdate({ time: minute(k + i), bars: { AAPL: b } }))
      for (const fill of engine.getFills().filter((f) => f.orderId === id)) {
        expect(fill.updateIndex).toBeGreaterThan(k)
        const b = bars[fill.updateIndex - 1]!
        const price = new Decimal(fill.marketPrice)
        expect(price.greaterThanOrEqualTo(b.low) && price.lessThanOrEqualTo(b.high)).toBe(true)
        if (request.type === "market") expect(price.equals(bars[k]!.open)).toBe(true)
        if (request.type === "limit") {
          if (request.side === "buy") expect(price.lessThanOrEqualTo(request.limitPrice)).toBe(true)
          else expect(price.greaterThanOrEqualTo(request.limitPrice)).toBe(true)
        }
        if (request.type === "stop") {
          if (request.side === "buy") expect(price.greaterThanOrEqualTo(request.stopPrice)).toBe(true)
          else expect(price.lessThanOrEqualTo(request.stopPrice)).toBe(true)
        }
      }
    }
  )
})

describe("slippage", () => {
  it("moves a market buy up and a market sell down by the rate, exactly", () => {
    const buy = run(order({ side: "buy", type: "market" }), [bar("100.10", "101", "99", "100")], { slippageRate: 0.0005 })
    expect(buy.fills[0]!.marketPrice).toBe("100.1")
    expect(buy.fills[0]!.price).toBe("100.15005")
    const sell = run(order({ side: "sell", type: "market" }), [bar("100.10", "101", "99", "100")], { slippageRate: 0.0005 })
    expect(sell.fills[0]!.marketPrice).toBe("100.1")
    expect(sell.fills[0]!.price).toBe("100.04995")
  })

  it("never takes a buy past its limit price", () => {
    // 99.95 × 1.001 = 100.04995 > 100: capped at the limit.
    const capped = run(order({ side: "buy", type: "limit", limitPrice: "100" }), [bar("99.95", "100.5", "99.5", "100")], { slippageRate: 0.001 })
    expect(capped.fills[0]!.marketPrice).toBe("99.95")
    expect(capped.fills[0]!.price).toBe("100")
    // 99 × 1.001 = 99.099 stays within the limit.
    const free = run(order({ side: "buy", type: "limit", limitPrice: "100" }), [bar("99", "100.5", "98.5", "100")], { slippageRate: 0.001 })
    expect(free.fills[0]!.price).toBe("99.099")
  })

  it("never takes a sell past its limit price", () => {
    // 100.05 × 0.999 = 99.94995 < 100: capped at the limit.
    const capped = run(order({ side: "sell", type: "limit", limitPrice: "100" }), [bar("100.05", "100.5", "99.5", "100")], { slippageRate: 0.001 })
    expect(capped.fills[0]!.price).toBe("100")
    // A fill at the limit itself cannot be slipped at all.
    const atLimit = run(order({ side: "sell", type: "limit", limitPrice: "100" }), [bar("99", "100", "98.5", "99")], { slippageRate: 0.001 })
    expect(atLimit.fills[0]!.marketPrice).toBe("100")
    expect(atLimit.fills[0]!.price).toBe("100")
  })

  it("caps a stop-limit at its limit but not a plain stop", () => {
    const stopLimit = run(order({ side: "buy", type: "stopLimit", stopPrice: "100", limitPrice: "100" }), [bar("95", "101", "94", "100")], { slippageRate: 0.01 })
    expect(stopLimit.fills[0]!.price).toBe("100")
    const stop = run(order({ side: "buy", type: "stop", stopPrice: "100" }), [bar("95", "101", "94", "100")], { slippageRate: 0.01 })
    expect(stop.fills[0]!.price).toBe("101")
  })
})

describe("commission and cash, exactly", () => {
  it("commission = rate × quantity × fill price; cash pays notional plus commission", () => {
    const { engine, fills } = run({ symbol: "AAPL", side: "buy", type: "market", quantity: 100 }, [bar("100.10", "101", "99", "100")], { commissionRate: 0.001 })
    expect(fills[0]!.commission).toBe("10.01")
    expect(engine.getPortfolio().cash.toString()).toBe("89979.99")
    expect(engine.getPortfolio().totalCommission.toString()).toBe("10.01")
    expect(engine.getOrder(fills[0]!.orderId).commission).toBe("10.01")
  })

  it("commission is charged on the slipped price", () => {
    const { engine, fills } = run({ symbol: "AAPL", side: "buy", type: "market", quantity: 100 }, [bar("100.10", "101", "99", "100")], {
      commissionRate: 0.001,
      slippageRate: 0.0005
    })
    expect(fills[0]!.price).toBe("100.15005")
    expect(fills[0]!.commission).toBe("10.015005")
    // 100000 − 100 × 100.15005 − 10.015005
    expect(engine.getPortfolio().cash.toString()).toBe("89974.979995")
  })

  it("a sale adds the notional less commission", () => {
    const { engine } = run({ symbol: "AAPL", side: "sell", type: "market", quantity: 3 }, [bar("0.1", "0.1", "0.1", "0.1")], { commissionRate: 0.001 })
    // 100000 + 0.3 − 0.0003: no binary floating point anywhere.
    expect(engine.getPortfolio().cash.toString()).toBe("100000.2997")
  })

  it("a minimum commission per order lifts a small order's commission to the minimum", () => {
    const { engine, fills } = run({ symbol: "AAPL", side: "buy", type: "market", quantity: 10 }, [bar("100.10", "101", "99", "100")], {
      commissionRate: 0.001,
      minimumCommission: 5
    })
    expect(fills[0]!.commission).toBe("5")
    expect(engine.getPortfolio().cash.toString()).toBe("98994")
  })

  it("a minimum commission leaves a large order's proportional commission alone", () => {
    const { fills } = run({ symbol: "AAPL", side: "buy", type: "market", quantity: 100 }, [bar("100.10", "101", "99", "100")], {
      commissionRate: 0.001,
      minimumCommission: "5"
    })
    expect(fills[0]!.commission).toBe("10.01")
  })

  it("without a commission rate a fill costs exactly its notional", () => {
    const { engine, fills } = run({ symbol: "AAPL", side: "buy", type: "limit", quantity: "7", limitPrice: "33.33" }, [bar("33.34", "33.5", "33.33", "33.4")])
    expect(fills[0]!.commission).toBe("0")
    expect(engine.getPortfolio().cash.toString()).toBe("99766.69")
  })
})
