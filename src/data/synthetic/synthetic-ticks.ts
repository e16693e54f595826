import { marketEvents } from "./market-events.ts"
import { type SyntheticMarketOptions, syntheticMarketModel } from "./synthetic-market-options.ts"
import { SyntheticSeries } from "./synthetic-series.ts"

/** One trade: a price on the tick grid above 0 and a whole size of at least 1. */
export interface SyntheticTick {
  /** ms since the epoch; never earlier than the tick before. */
  readonly time: number
  readonly symbol: string
  readonly price: number
  readonly size: number
}

/**
 * Trades of a seeded synthetic market, one symbol per trade, at Poisson arrivals within the
 * sessions (`eventsPerMinute` over all symbols). A symbol in a flat stretch trades at an
 * unchanged price. Throws a `SyntheticMarketError` for bad options.
 */
export const syntheticTicks = (options: SyntheticMarketOptions): SyntheticSeries<SyntheticTick> => {
  const model = syntheticMarketModel(options)
  return new SyntheticSeries(function* () {
    const { symbols, grid, tradeSize, flat } = model
    for (const { time, symbol, process, random } of marketEvents(model)) {
      const scale = process.flat[symbol] === 1 ? flat!.volumeFraction : 1
      yield {
        time,
        symbol: symbols[symbol]!,
        price: grid.round(Math.exp(process.logPrices[symbol]!)),
        size: Math.max(1, Math.round(tradeSize.mean * scale * random.noise(tradeSize.dispersion)))
      }
    }
  })
}
