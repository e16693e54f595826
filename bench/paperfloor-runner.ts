import { MovingAverageCrossover } from "../examples/strategies/moving-average-crossover.ts"
import type { BenchBar } from "./bars.ts"
import { TradingSimulationEngine } from "../src/index.ts"
import { type CrossoverResult, crossoverRules } from "./crossover-peers.ts"

/**
 * The crossover through paperfloor's engine: every bar validated, every order through its
 * machine and the pre-trade checks, Decimal cash, positions, commissions and round trips.
 */
export const runPaperfloor = (bars: ReadonlyArray<BenchBar>): CrossoverResult => {
  const engine = new TradingSimulationEngine({
    symbols: ["ORCL"],
    initialCapital: crossoverRules.initialCapital,
    commissionRate: crossoverRules.commissionRate,
    slippageRate: 0,
    updateFrequency: "1d"
  })
  const strategy = new MovingAverageCrossover("ORCL", {
    fast: crossoverRules.fastPeriod,
    slow: crossoverRules.slowPeriod,
    quantity: crossoverRules.quantity
  })
  for (const bar of bars) {
    engine.processMarketUpdate({ time: bar.time, bars: { ORCL: bar } })
    strategy.onClose(engine, bar.close)
  }
  return { trades: engine.getTrades().length, finalEquity: engine.getPortfolio().totalValue.toNumber() }
}
