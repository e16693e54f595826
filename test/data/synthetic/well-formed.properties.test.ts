import { fc, test } from "@fast-check/vitest"
import { describe, expect } from "vitest"
import { type SyntheticMarketOptions, syntheticBars, syntheticQuotes, syntheticTicks } from "../../../src/data/synthetic/index.ts"
import { syntheticMarketOptionsArb } from "../../../src/testing/synthetic-market-arbitrary.ts"

const symbolsArb = fc.uniqueArray(fc.constantFrom("AAA", "BBB", "CCC", "D.E", "BTC/USD", "0700.HK"), { minLength: 1, maxLength: 4 })
const optionsArb = symbolsArb.chain((symbols) => syntheticMarketOptionsArb(symbols))
const count = fc.integer({ min: 1, max: 300 })

/** A price on the tick grid: positive, finite, a whole number of ticks, no more decimals than the tick. */
const onGrid = (price: number, options: SyntheticMarketOptions): boolean => {
  const tick = options.tickSize!
  const decimals = (String(tick).split(".")[1] ?? "").length
  return Number.isFinite(price) && price > 0 && price <= 1e15 && Number((Math.round(price / tick) * tick).toFixed(decimals)) === price
}

const wholeAtLeast = (n: number, min: number): boolean => Number.isSafeInteger(n) && n >= min

describe("every generated record is well formed, for any valid options", () => {
  test.prop([optionsArb, count])("bars: low > 0, open and close within [low, high], on the grid, volume whole ≥ 0, every symbol at every time", (options, n) => {
    const symbols = options.symbols!.map((s) => (typeof s === "string" ? s : s.symbol))
    const bars = syntheticBars(options).take(n * symbols.length)
    // The first broken bar, or none; plain checks, as expect() per field would dominate the run time.
    const broken = bars.find(
      (bar, i) =>
        bar.symbol !== symbols[i % symbols.length] ||
        bar.time !== bars[i - (i % symbols.length)]!.time ||
        (i >= symbols.length && bar.time <= bars[i - symbols.length]!.time) ||
        ![bar.open, bar.high, bar.low, bar.close].every((price) => onGrid(price, options)) ||
        bar.low > Math.min(bar.open, bar.close) ||
        bar.high < Math.max(bar.open, bar.close) ||
        !wholeAtLeast(bar.volume, 0)
    )
    expect(broken).toBeUndefined()
  })

  test.prop([optionsArb, count])("ticks: on the grid, whole sizes ≥ 1, whole-ms times never going back", (options, n) => {
    const ticks = syntheticTicks(options).take(n)
    const broken = ticks.find(
      (tick, i) => !onGrid(tick.price, options) || !wholeAtLeast(tick.size, 1) || !Number.isSafeInteger(tick.time) || (i > 0 && tick.time < ticks[i - 1]!.time)
    )
    expect(broken).toBeUndefined()
  })

  test.prop([optionsArb, count])("quotes: 0 < bid < ask, both on the grid, whole sizes ≥ 1", (options, n) => {
    const quotes = syntheticQuotes(options).take(n)
    const broken = quotes.find(
      (quote, i) =>
        !onGrid(quote.bid, options) ||
        !onGrid(quote.ask, options) ||
        quote.bid >= quote.ask ||
        !wholeAtLeast(quote.bidSize, 1) ||
        !wholeAtLeast(quote.askSize, 1) ||
        (i > 0 && quote.time < quotes[i - 1]!.time)
    )
    expect(broken).toBeUndefined()
  })

  test.prop([fc.integer({ min: 1, max: 20 }), fc.integer(), fc.constantFrom(0.01, 1, 0.000001)], { numRuns: 30 })(
    "extreme volatility drives prices to the grid's ends, and bars stay well formed there",
    (volatility, seed, tickSize) => {
      const options = { seed, tickSize, regimes: [{ volatility: Math.min(10, volatility) }], symbols: [{ symbol: "WILD", volatilityScale: 10 }], intrabarSteps: 3 }
      const bars = syntheticBars(options).take(300)
      const prices = bars.flatMap((bar) => [bar.open, bar.high, bar.low, bar.close])
      expect(prices.every((price) => onGrid(price, options))).toBe(true)
      expect(bars.every((bar) => bar.low <= Math.min(bar.open, bar.close) && bar.high >= Math.max(bar.open, bar.close))).toBe(true)
      // The path ran into an end of the grid: one tick, or its top.
      expect(Math.min(...prices) === tickSize || Math.max(...prices) >= tickSize * 1e11).toBe(true)
      const quotes = syntheticQuotes({ ...options, spread: { bps: 10_000, jitter: 3 } }).take(300)
      expect(quotes.every((quote) => quote.bid > 0 && quote.ask > quote.bid && quote.ask <= 1e15 && onGrid(quote.ask, options))).toBe(true)
    }
  )
})
