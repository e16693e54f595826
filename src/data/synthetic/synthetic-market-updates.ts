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

const decimalsOf = (x: number): number => {
  const s = String(x)
  const point = s.indexOf(".")
  return point < 0 ? 0 : s.length - point - 1
}

/** The mid of a bid and an ask as an exact decimal: one more decimal than theirs (100.01 / 100.02 → 100.015). */
export const midPrice = (bid: number, ask: number): number => {
  const mid = (bid + ask) / 2
  // A price in exponent form has no short decimal to keep.
  return /e/.test(`${bid}${ask}`) ? mid : Number(mid.toFixed(Math.max(decimalsOf(bid), decimalsOf(ask)) + 1))
}

/** Quotes as the engine's market updates, at their mid prices (`{ time, prices }`) until the engine takes bid and ask. */
export const updatesFromQuotes = (quotes: Iterable<SyntheticQuote>): SyntheticSeries<SyntheticPricesUpdate> =>
  grouped(quotes, (quote) => midPrice(quote.bid, quote.ask), (time, prices) => ({ time, prices }))
