/**
 * One simulation with a market order after every update (buy when flat, else sell the position) at
 * full-precision prices (17 significant digits, a seeded random walk). Run with `--trace-gc-nvp` by
 * ../young-survivors.test.ts, which reads in V8's trace how much each young collection found alive.
 */
import { TradingSimulationEngine } from "../../../src/index.ts"

const engine = new TradingSimulationEngine({ symbols: ["A"], initialCapital: 100_000, commissionRate: 0.0001, updateFrequency: "1d" })
let seed = 7
const next = (): number => {
  seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0
  return seed / 2 ** 32
}
let price = 100
console.log("the simulation starts")
for (let i = 0; i < 60_000; i++) {
  const open = price
  price = open * Math.exp((next() - 0.5) * 0.04 - 0.002 * Math.log(open / 100))
  const high = Math.max(open, price) * (1 + next() * 0.01)
  const low = Math.min(open, price) * (1 - next() * 0.01)
  engine.processMarketUpdate({ time: i * 86_400_000, bars: { A: { open, high, low, close: price, volume: 1_000_000 } } })
  const position = engine.positionOf("A")
  engine.submitOrder(position.isZero() ? { symbol: "A", side: "buy", type: "market", quantity: 10 } : { symbol: "A", side: "sell", type: "market", quantity: position })
}
const marks = engine.historyMarks()
console.log(`the simulation ends: ${marks.fills} fills, ${marks.orders - marks.fills} orders without a fill`)
