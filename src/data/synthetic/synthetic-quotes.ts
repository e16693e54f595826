import { marketEvents } from "./market-events.ts"
import { type SyntheticMarketOptions, syntheticMarketModel } from "./synthetic-market-options.ts"
import { SyntheticSeries } from "./synthetic-series.ts"

/** One symbol's top of book: 0 < bid < ask, both on the tick grid; sizes whole and at least 1. */
export interface SyntheticQuote {
  /** ms since the epoch; never earlier than the quote before. */
  readonly time: number
  readonly symbol: string
  readonly bid: number
  readonly ask: number
  readonly bidSize: number
  readonly askSize: number
}

/**
 * Quotes of a seeded synthetic market, one symbol per quote, at Poisson arrivals within the
 * sessions. The spread is `spread.bps` of the mid, widened by the regime's volatility, with
 * log-normal noise, and at least one tick; bid and ask straddle the market's price. A symbol in
 * a flat stretch keeps its last bid and ask. Throws a `SyntheticMarketError` for bad options.
 */
export const syntheticQuotes = (options: SyntheticMarketOptions): SyntheticSeries<SyntheticQuote> => {
  const model = syntheticMarketModel(options)
  return new SyntheticSeries(function* () {
    const { symbols, grid, quoteSize, spread } = model
    // Each symbol's last bid and ask in ticks (0: none yet).
    const bids = new Float64Array(symbols.length)
    const asks = new Float64Array(symbols.length)
    for (const { time, symbol, process, random } of marketEvents(model)) {
      if (process.flat[symbol] === 0 || bids[symbol] === 0) {
        const mid = Math.exp(process.logPrices[symbol]!) / grid.tickSize
        const relative = (spread.bps / 10_000) * process.volatilityRatio * random.noise(spread.jitter)
        // At least a tick, at most the mid itself: the ask stays within twice the price.
        const width = Math.max(1, Math.min(Math.round(mid), Math.round(mid * relative)))
        bids[symbol] = Math.max(1, Math.round(mid - width / 2))
        asks[symbol] = bids[symbol]! + width
      }
      yield {
        time,
        symbol: symbols[symbol]!,
        bid: grid.priceOf(bids[symbol]!),
        ask: grid.priceOf(asks[symbol]!),
        bidSize: Math.max(1, Math.round(quoteSize.mean * random.noise(quoteSize.dispersion))),
        askSize: Math.max(1, Math.round(quoteSize.mean * random.noise(quoteSize.dispersion)))
      }
    }
  })
}
