// Prices, quantities and capital are bounded to what the engine computes exactly and its float
// statistics hold: past 1e15, equity could overflow to Infinity, which JSON writes as null, and a
// restored simulation would differ from one that never stopped.
import { describe, expect, it } from "vitest"
import { Result } from "effect"
import { makeSimulationConfig } from "../../src/domain/simulation-config.ts"
import { MAX_AMOUNT } from "../../src/domain/validation.ts"
import { TradingSimulationEngine, ValidationError } from "../../src/index.ts"

const thrown = (f: () => unknown): ValidationError => {
  try {
    f()
  } catch (e) {
    if (e instanceof ValidationError) return e
    throw e
  }
  throw new Error("no ValidationError")
}

describe("amounts beyond 1e15", () => {
  it("the bound is 1e15", () => expect(MAX_AMOUNT).toBe(1e15))

  it.each([1e308, 1e16, "1e300", "1000000000000000.5"])("a price of %s is a ValidationError naming it, and changes nothing", (price) => {
    const engine = new TradingSimulationEngine({ symbols: ["AAPL"] })
    engine.processMarketUpdate({ time: Date.UTC(2024, 0, 2), prices: { AAPL: 100 } })
    const before = JSON.stringify(engine.snapshot())
    const tick = thrown(() => engine.processMarketUpdate({ time: Date.UTC(2024, 0, 3), prices: { AAPL: price } }))
    expect(tick.issues).toEqual([{ field: "prices.AAPL", rule: "must be a finite price greater than 0 and at most 1e15", value: price }])
    const bar = thrown(() => engine.processMarketUpdate({ time: Date.UTC(2024, 0, 3), bars: { AAPL: { open: 100, high: price, low: 99, close: 100 } } }))
    expect(bar.issues.map((i) => i.field)).toEqual(["bars.AAPL.high"])
    expect(JSON.stringify(engine.snapshot())).toBe(before)
  })

  it("1e15 itself is a price", () => {
    const engine = new TradingSimulationEngine({ symbols: ["AAPL"] })
    engine.processMarketUpdate({ time: Date.UTC(2024, 0, 2), prices: { AAPL: 1e15 } })
    expect(engine.updateCount).toBe(1)
  })

  it.each(["quantity", "limitPrice", "stopPrice"] as const)("an order's %s past 1e15 is refused", (field) => {
    const engine = new TradingSimulationEngine({ symbols: ["AAPL"] })
    const order = { symbol: "AAPL", side: "buy" as const, type: "stopLimit" as const, quantity: 1, limitPrice: 10, stopPrice: 10, [field]: "1e16" }
    expect(thrown(() => engine.submitOrder(order)).issues).toEqual([{ field, rule: "must be at most 1e15", value: "1e16" }])
    expect(engine.getOrders()).toEqual([])
  })

  it("an initial capital past 1e15 is refused", () => {
    const config = makeSimulationConfig({ initialCapital: 1e16 })
    expect(Result.isFailure(config) && config.failure.issues).toEqual([{ field: "initialCapital", rule: "must be at most 1e15", value: 1e16 }])
  })
})
