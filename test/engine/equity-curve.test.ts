import { describe, expect, it } from "vitest"
import { TradingSimulationEngine } from "../../src/index.ts"
import { buy, DAY, engineOn, flat, frictionless, MONDAY, sell } from "./fixtures.ts"

const engineWith = engineOn(frictionless(["AAPL", "MSFT"], { enableShorting: true }))

describe("equity curve", () => {
  it("records each update's long and short market value beside equity", () => {
    const engine = engineWith()
    engine.processMarketUpdate({ time: MONDAY, bars: { AAPL: flat(100), MSFT: flat(50) } })
    engine.submitOrder(buy("AAPL", 10))
    engine.submitOrder(sell("MSFT", 20))
    engine.processMarketUpdate({ time: MONDAY + DAY, bars: { AAPL: flat(110), MSFT: flat(40) } })

    expect(engine.getEquityCurve()).toEqual([
      { time: MONDAY, equity: 100_000, longValue: 0, shortValue: 0 },
      // Bought 10 at 110 and sold 20 at 40: cash 100 000 − 1 100 + 800; long 1 100, short 800.
      { time: MONDAY + DAY, equity: 100_000, longValue: 1_100, shortValue: 800 }
    ])
  })

  it("survives a snapshot round trip", () => {
    const engine = engineWith()
    engine.processMarketUpdate({ time: MONDAY, bars: { AAPL: flat(100) } })
    engine.submitOrder(buy("AAPL", 5))
    engine.processMarketUpdate({ time: MONDAY + DAY, bars: { AAPL: flat(120) } })
    const restored = TradingSimulationEngine.fromSnapshot(JSON.parse(JSON.stringify(engine.snapshot())))
    expect(restored.getEquityCurve()).toEqual(engine.getEquityCurve())
    expect(restored.getEquityCurve().map((p) => p.longValue)).toEqual([0, 600])
  })
})
