/**
 * Runs six simulations one after another, each collected before the next starts, the way the
 * testing kit, a server or a batch of backtests does; prints a line after each collection. Each
 * update carries a bar and a bid/ask quote (so it takes the update's full check, not only the
 * shortcut for the usual bars), and an order every ten updates trades against one or the other. Run
 * with `--expose-gc --trace-deopt` by ../shape-keeper.test.ts, which reads V8's trace between the lines.
 */
import { TradingSimulationEngine } from "../../../src/index.ts"

const gc = (globalThis as { gc?: () => void }).gc
if (gc === undefined) throw new Error("run with --expose-gc")
for (let run = 1; run <= 6; run++) {
  const engine = new TradingSimulationEngine({ symbols: ["A", "B"], initialCapital: 100_000, commissionRate: 0.001, updateFrequency: "1d" })
  for (let i = 0; i < 30_000; i++) {
    const price = 10 + (i % 13) / 4
    engine.processMarketUpdate({ time: i * 86_400_000, bars: { A: { open: price, high: price + 1, low: price - 1, close: price, volume: 100 } }, quotes: { B: { bid: price, ask: price + 0.25 } } })
    const symbol = i % 20 === 0 ? "A" : "B"
    if (i % 10 === 0) engine.submitOrder({ symbol, side: engine.positionOf(symbol).isZero() ? "buy" : "sell", type: "market", quantity: 10 })
  }
  gc()
  console.log(`collected simulation ${run}`)
}
