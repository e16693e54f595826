// The engine alone (`node examples/crossover-demo.ts`): a 10/30 moving-average crossover on the
// bundled real ORCL and NVDA daily bars, through one TradingSimulationEngine with the default
// costs and risk limits. `npm start` runs the same model deployed into paper trading.
import { TradingSimulationEngine } from "../src/index.ts"
import { loadBundledTimeline } from "./bundled-bars.ts"
import { printMetrics } from "./metrics-table.ts"
import { MovingAverageCrossover } from "./strategies/moving-average-crossover.ts"

const { symbols, timeline } = await loadBundledTimeline()

const engine = new TradingSimulationEngine({ symbols, initialCapital: 100_000, updateFrequency: "1d" })
const strategies = symbols.map((symbol) => new MovingAverageCrossover(symbol))
let rejected = 0
engine.on("orderRejected", () => (rejected += 1))

const started = performance.now()
for (const { time, bars } of timeline) {
  engine.processMarketUpdate({ time, bars })
  for (const strategy of strategies) {
    const bar = bars[strategy.symbol]
    if (bar !== undefined) strategy.onClose(engine, Number(bar.close))
  }
}
const seconds = (performance.now() - started) / 1000

const m = engine.getPerformanceMetrics()
const portfolio = engine.getPortfolio()
const first = new Date(timeline[0]!.time).toISOString().slice(0, 10)
const last = new Date(timeline.at(-1)!.time).toISOString().slice(0, 10)
console.log(`paperfloor demo — 10/30 SMA crossover, 100 shares, on ${symbols.join(" and ")} daily bars ${first} .. ${last}`)
console.log(`${timeline.length} updates in ${seconds.toFixed(2)} s; ${engine.getOrders().length} orders (${rejected} rejected), ${engine.getFills().length} fills\n`)
printMetrics(m)
for (const p of portfolio.positions) console.log(`open position: ${p.quantity} ${p.symbol} at ${p.averageCost.toFixed(4)}, marked ${p.marketPrice}`)
