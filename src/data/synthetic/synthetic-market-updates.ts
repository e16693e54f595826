import type { SyntheticBar } from "./synthetic-bars.ts"
import type { SyntheticQuote } from "./synthetic-quotes.ts"
import { SyntheticSeries } from "./synthetic-series.ts"
import type { SyntheticTick } from "./synthetic-ticks.ts"

/** A `MarketUpdateInput` of bars: every symbol's bar at one time. */
export interface SyntheticBarsUpdate {
  readonly time: number
  readonly bars: Readonly<Record<string, { readonly open: number; readonly high: number; readonly low: number; readonly close: number; readonly volume: number }>>
}

/** A `MarketUpdateInput` of last prices at one time. */
export interface SyntheticPricesUpdate {
  readonly time: number
  readonly prices: Readonly<Record<string, number>>
}

/** A `MarketUpdateInput` of bid/ask quotes at one time. */
export interface SyntheticQuotesUpdate {
  readonly time: number
  readonly quotes: Readonly<Record<string, { readonly bid: number; readonly ask: number }>>
}

/**
 * Records grouped into updates, lazily: consecutive records with the same time form one update,
 * unless a symbol comes again (then its second record starts the next update, at the same time).
 */
const grouped = <R extends { readonly time: number; readonly symbol: string }, V, U>(
  records: Iterable<R>,
  valueOf: (record: R) => V,
  updateOf: (time: number, values: Record<string, V>) => U
): SyntheticSeries<U> =>
  new SyntheticSeries(function* () {
    let time: number | null = null
    let entries: Array<readonly [string, V]> = []
    const seen = new Set<string>()
    for (const record of records) {
      if (time !== null && (record.time !== time || seen.has(record.symbol))) {
        // fromEntries: a symbol such as `__proto__` becomes a key like any other.
        yield updateOf(time, Object.fromEntries(entries))
        entries = []
        seen.clear()
      }
      time = record.time
      entries.push([record.symbol, valueOf(record)])
      seen.add(record.symbol)
    }
    if (time !== null) yield updateOf(time, Object.fromEntries(entries))
  })

/** Bars as the engine's market updates: `{ time, bars: { SYM: { open, high, low, close, volume } } }`, one per bar time. */
export const updatesFromBars = (bars: Iterable<SyntheticBar>): SyntheticSeries<SyntheticBarsUpdate> =>
  grouped(
    bars,
    ({ open, high, low, close, volume }) => ({ open, high, low, close, volume }),
    (time, values) => ({ time, bars: values })
  )

/** Trades as the engine's market updates: `{ time, prices: { SYM: price } }`. */
export const updatesFromTicks = (ticks: Iterable<SyntheticTick>): SyntheticSeries<SyntheticPricesUpdate> =>
  grouped(ticks, (tick) => tick.price, (time, prices) => ({ time, prices }))

/** Quotes as the engine's market updates: `{ time, quotes: { SYM: { bid, ask } } }`; buys fill at the ask, sells at the bid. */
export const updatesFromQuotes = (quotes: Iterable<SyntheticQuote>): SyntheticSeries<SyntheticQuotesUpdate> =>
  grouped(quotes, ({ bid, ask }) => ({ bid, ask }), (time, values) => ({ time, quotes: values }))
