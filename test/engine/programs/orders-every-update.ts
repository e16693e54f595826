/**
 * One simulation with a market order after every update (buy when flat, else sell the position)
 * at prices of a few decimals, the busiest per-order path there is, in a process whose other code
 * made Decimals of its own first (of negative integers and fractions, as a strategy's might).
 * Run with `--trace-elements-transitions` by ../limb-kinds.test.ts, which counts in V8's trace the
 * arrays that compiled code converted from small integers to doubles.
 */
import { Decimal, TradingSimulationEngine } from "../../../src/index.ts"

// decimal.js makes a small integer's digits with `[v]`; once a double has passed there, every array it makes so holds doubles.
let other = new Decimal(0)
for (let i = 0; i < 50_000; i++) other = other.plus(new Decimal(-(i % 1_000) - 1)).plus(new Decimal((i % 7) + 0.5)).plus(new Decimal(i % 5_000))

console.log("the simulation starts")
const engine = new TradingSimulationEngine({ symbols: ["A"], initialCapital: 100_000, commissionRate: 0.001, updateFrequency: "1d" })
for (let i = 0; i < 20_000; i++) {
  const price = 30 + (i % 97) / 8
  engine.processMarketUpdate({ time: i * 86_400_000, bars: { A: { open: price, high: price + 1, low: price - 0.5, close: price + 0.25, volume: 1_000 } } })
  const position = engine.positionOf("A")
  engine.submitOrder(position.isZero() ? { symbol: "A", side: "buy", type: "market", quantity: 100 } : { symbol: "A", side: "sell", type: "market", quantity: position })
}
console.log(`${engine.historyMarks().fills} fills (and ${other.isZero() ? "none" : "some"} of our own)`)
