import { describe, expect, it } from "vitest"
import { MovingAverageCrossover } from "../../examples/strategies/moving-average-crossover.ts"
import { loadOhlcvCsv } from "../../src/data/ohlcv-csv.ts"
import { TradingSimulationEngine } from "../../src/index.ts"
import { checkPortfolioInvariants } from "../../src/testing/index.ts"

const bars = await loadOhlcvCsv(new URL("../../examples/data/orcl-1995-2014.txt", import.meta.url).pathname)

describe("checkPortfolioInvariants", () => {
  it("holds after every update of a real run", () => {
    const engine = new TradingSimulationEngine({ symbols: ["ORCL"], updateFrequency: "1d", minimumCommission: 1 })
    const strategy = new MovingAverageCrossover("ORCL")
    for (const bar of bars.slice(0, 1500)) {
      engine.processMarketUpdate({ time: bar.time, bars: { ORCL: bar } })
      strategy.onClose(engine, bar.close)
      expect(checkPortfolioInvariants(engine)).toEqual([])
    }
    expect(engine.getFills().length).toBeGreaterThan(10)
  })

  it("names each broken invariant", () => {
    const engine = new TradingSimulationEngine({ symbols: ["ORCL"] })
    engine.processMarketUpdate({ ORCL: 10 })
    engine.submitOrder({ symbol: "ORCL", side: "buy", type: "market", quantity: 5 })
    engine.processMarketUpdate({ ORCL: 10 })
    // A view of the engine whose books have been tampered with, as a buggy engine would show them.
    const portfolio = engine.getPortfolio()
    const tampered = Object.assign(Object.create(engine) as TradingSimulationEngine, {
      getPortfolio: () => ({ ...portfolio, cash: portfolio.cash.minus(200_000), totalValue: portfolio.totalValue.plus(1) }),
      getOrders: () => engine.getOrders().map((o) => ({ ...o, filledQuantity: "6" })),
      getFills: () => engine.getFills(),
      config: engine.config
    })
    expect(checkPortfolioInvariants(tampered).map((v) => v.invariant).sort()).toEqual(["cash", "equity", "filledQuantity", "noNegativeCash"])
  })
})
