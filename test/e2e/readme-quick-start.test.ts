import { describe, expect, it } from "vitest"
import { TradingSimulationEngine, ValidationError } from "../../src/index.ts"

// The README's quick start, kept honest.
describe("README quick start", () => {
  it("fills the limit order at the open below its limit", () => {
    const engine = new TradingSimulationEngine({
      initialCapital: 100_000,
      commissionRate: 0.001,
      slippageRate: 0.0005,
      maxPositionSize: 0.1,
      dailyStopLoss: 0.02,
      enableShorting: false,
      symbols: ["AAPL", "MSFT"],
      updateFrequency: "1d"
    })
    const filled: string[] = []
    engine.on("orderFilled", ({ fill }) => filled.push(fill.price))
    engine.processMarketUpdate({ time: "2024-01-02", bars: { AAPL: { open: 187.15, high: 188.44, low: 183.89, close: 185.64, volume: 82488700 } } })
    const id = engine.submitOrder({ symbol: "AAPL", side: "buy", type: "limit", quantity: 10, limitPrice: "184.50" })
    engine.processMarketUpdate({ time: "2024-01-03", bars: { AAPL: { open: 184.22, high: 185.88, low: 183.43, close: 184.25 } } })
    expect(engine.getOrder(id).status).toBe("filled")
    // 184.22 × 1.0005 = 184.31211, under the 184.50 limit; cash 100000 − 1843.1211 − 1.8431211.
    expect(filled).toEqual(["184.31211"])
    expect(engine.getPortfolio().cash.toString()).toBe("98155.0357789")
  })

  it("throws the documented validation error and changes nothing", () => {
    const engine = new TradingSimulationEngine({ symbols: ["AAPL", "MSFT"] })
    const attempt = () => engine.submitOrder({ symbol: "TSLA", side: "buy", type: "limit", quantity: -5 })
    expect(attempt).toThrow(ValidationError)
    try {
      attempt()
    } catch (e) {
      expect((e as ValidationError).issues).toEqual([
        { field: "symbol", rule: "must be one of the configured symbols (AAPL, MSFT)", value: "TSLA" },
        { field: "quantity", rule: "must be greater than 0", value: -5 }
      ])
    }
    expect(engine.getOrders()).toEqual([])
  })
})
