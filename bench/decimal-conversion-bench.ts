/**
 * The two conversions every fill makes of its exact figures, against decimal.js's own, in one
 * process, interleaved, median of several runs: `toNumberExact` (the ledger's float of its cash)
 * against `toNumber`, and `decimalString` (a fill's and a trade's strings) against `toString`. The
 * values are what the crossover's ledger holds on full-precision prices (bench/synthetic-bars.ts):
 * cash after each of 2,000 fills of 100 shares at 17-digit prices (up to 40 digits), and the prices.
 * Each pair is checked to give the same result.
 *
 *   node bench/decimal-conversion-bench.ts [--runs=7]
 */
import os from "node:os"
import { Decimal, decimalString, toNumberExact } from "../src/domain/decimal.ts"
import { makeFullPrecisionBars } from "./synthetic-bars.ts"

const runs = Number(process.argv.find((a) => a.startsWith("--runs="))?.slice("--runs=".length) ?? 7)
const rounds = 200

const prices = makeFullPrecisionBars(2_000).map((bar) => new Decimal(bar.close))
const cash: Decimal[] = []
let balance = new Decimal(100_000)
for (const [i, price] of prices.entries()) {
  balance = i % 2 === 0 ? balance.minus(price.times(100)) : balance.plus(price.times(100))
  cash.push(balance)
}

for (const d of cash) if (!Object.is(toNumberExact(d), d.toNumber())) throw new Error(`toNumberExact disagrees on ${d.toString()}`)
for (const d of [...cash, ...prices]) if (decimalString(d) !== d.toString()) throw new Error(`decimalString disagrees on ${d.toString()}`)

const median = (xs: ReadonlyArray<number>): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

/** Nanoseconds per call of each function over the values, interleaved runs, alternating which goes first. */
const compare = (values: ReadonlyArray<Decimal>, fns: Record<string, (d: Decimal) => unknown>): Record<string, number> => {
  const names = Object.keys(fns)
  const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]))
  let sink = 0
  const time = (name: string) => {
    const fn = fns[name]!
    const start = performance.now()
    for (let r = 0; r < rounds; r++) for (const d of values) sink += fn(d) === undefined ? 1 : 0
    times[name]!.push(((performance.now() - start) * 1e6) / (rounds * values.length))
  }
  for (const name of names) time(name)
  for (let i = 0; i < runs; i++) for (const name of i % 2 === 0 ? names : [...names].reverse()) time(name)
  if (sink !== 0) throw new Error("a conversion gave undefined")
  return Object.fromEntries(names.map((n) => [n, median(times[n]!.slice(1))]))
}

const numbers = compare(cash, { toNumberExact, toNumber: (d: Decimal) => d.toNumber() })
const strings = compare([...cash, ...prices], { decimalString, toString: (d: Decimal) => d.toString() })
const load = `load average ${os.loadavg()[0]!.toFixed(1)}`
console.log(`decimal conversions (full-precision cash and prices, median of ${runs} interleaved runs, ${load}):`)
console.log(`  float of the cash: toNumberExact ${numbers["toNumberExact"]!.toFixed(0)} ns, decimal.js toNumber ${numbers["toNumber"]!.toFixed(0)} ns (${(numbers["toNumber"]! / numbers["toNumberExact"]!).toFixed(1)}× quicker)`)
console.log(`  strings of cash and prices: decimalString ${strings["decimalString"]!.toFixed(0)} ns, decimal.js toString ${strings["toString"]!.toFixed(0)} ns (${(strings["toString"]! / strings["decimalString"]!).toFixed(1)}× quicker)`)
