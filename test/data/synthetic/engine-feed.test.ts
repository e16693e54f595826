import { describe, expect, it } from "vitest"
import {
  type SyntheticMarketOptions,
  syntheticBars,
  syntheticQuotes,
  syntheticTicks,
  updatesFromBars,
  updatesFromQuotes,
  updatesFromTicks
} from "../../../src/data/synthetic/index.ts"
import type { MarketUpdateInput } from "../../../src/domain/market-update.ts"
import { TradingSimulationEngine } from "../../../src/index.ts"
import { checkPortfolioInvariants } from "../../../src/testing/index.ts"

const symbols = ["AAA", "BBB", "CCC"]
const market: SyntheticMarketOptions = {
  seed: 99,
  symbols: ["AAA", { symbol: "BBB", price: 0.05 }, { symbol: "CCC", price: 2500, volatilityScale: 2 }],
  correlation: [
    [1, 0.5, 0.2],
    [0.5, 1, 0.3],
    [0.2, 0.3, 1]
  ],
  regimes: [{ volatility: 0.3 }, { volatility: 1.2, drift: -0.5, meanDuration: 15 }],
  jumps: { intensity: 40, size: { distribution: "doubleExponential", upProbability: 0.5, upMean: 0.05, downMean: 0.08 } },
  overnightGap: 0.03,
  flat: { probability: 0.03, meanLength: 6 },
  interval: 5
}

/** Runs updates through an engine that trades on every tenth one; returns the engine. */
const run = (updates: Iterable<MarketUpdateInput>): TradingSimulationEngine => {
  const engine = new TradingSimulationEngine({ symbols, enableShorting: true, maxPositionSize: 1, dailyStopLoss: null, updateFrequency: "5min" })
  let i = 0
  for (const update of updates) {
    engine.processMarketUpdate(update)
    if (++i % 10 === 0) engine.submitOrder({ symbol: symbols[i % 3]!, side: i % 20 === 0 ? "sell" : "buy", type: "market", quantity: 1 })
  }
  return engine
}

describe("synthetic markets feed the engine", () => {
  it.each<[string, () => ReadonlyArray<MarketUpdateInput>]>([
    ["bars", () => updatesFromBars(syntheticBars(market)).take(3_000)],
    ["ticks", () => updatesFromTicks(syntheticTicks(market)).take(3_000)],
    ["quotes", () => updatesFromQuotes(syntheticQuotes(market)).take(3_000)]
  ])("%s: every update is accepted, orders fill, and the portfolio's invariants hold", (_, updates) => {
    const engine = run(updates())
    expect(engine.updateCount).toBe(3_000)
    expect(engine.getFills().length).toBeGreaterThan(100)
    expect(checkPortfolioInvariants(engine)).toEqual([])
  })

  it("a daily series of a decade, streamed without holding it", () => {
    const engine = run(updatesFromBars(syntheticBars({ ...market, interval: "1d" })).limit(2_520))
    expect(engine.updateCount).toBe(2_520)
  })
})
