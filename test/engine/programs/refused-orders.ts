/**
 * One simulation where every order is refused by the position limit, at full-precision prices (a
 * seeded random walk): each refusal's reason is written from a dozen long numerals. Run with
 * `--expose-gc` by ../kept-reasons.test.ts, which reads what the run keeps per refused order.
 */
import { TradingSimulationEngine } from "../../../src/index.ts"

const updates = 20_000
const engine = new TradingSimulationEngine({ symbols: ["A"], initialCapital: 100_000, commissionRate: 0.0001, updateFrequency: "1d" })
let seed = 7
const next = (): number => {
  seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0
  return seed / 2 ** 32
}
const gc = (globalThis as { gc?: () => void }).gc!
gc()
const before = process.memoryUsage().heapUsed
let price = 100
for (let i = 0; i < updates; i++) {
  const open = price
  price = open * Math.exp((next() - 0.5) * 0.04 - 0.002 * Math.log(open / 100))
  const high = Math.max(open, price) * (1 + next() * 0.01)
  const low = Math.min(open, price) * (1 - next() * 0.01)
  engine.processMarketUpdate({ time: i * 86_400_000, bars: { A: { open, high, low, close: price, volume: 1_000_000 } } })
  // Worth about ten times the default limit (a tenth of equity).
  engine.submitOrder({ symbol: "A", side: "buy", type: "market", quantity: 1000 })
}
gc()
const kept = process.memoryUsage().heapUsed - before
const marks = engine.historyMarks()
console.log(JSON.stringify({ refused: marks.orders - marks.fills, fills: marks.fills, bytesPerOrder: Math.round(kept / marks.orders) }))
