/**
 * What the server keeps of the market it was fed, to serve Alpaca's Market Data API: per symbol,
 * minute bars (the fed bars, and the fed trades folded into the minute they fall in) in a window of
 * the last `window` minutes that have data, and the latest trade and quote. Bars of any timeframe
 * are aggregated from these minutes on request. Memory is bounded by the window per symbol (about
 * 100 bytes a minute); older minutes are dropped, oldest first.
 */
import type { BarRecord, MarketRecord } from "../data/market-records.ts"
import { bucketStart, type Timeframe } from "./market-timeframe.ts"

/** One bar: o/h/l/c/v, `n` trades fed in it, and `pv`, the sum of price × volume (vw = pv / v). */
export interface MinuteBar {
  readonly t: number
  o: number
  h: number
  l: number
  c: number
  v: number
  n: number
  pv: number
}

export interface StoredTrade {
  readonly t: number
  readonly p: number
  readonly s: number
  /** The trade's id: the index of the update that carried it on the server's tape. */
  readonly i: number
}

export interface StoredQuote {
  readonly t: number
  readonly bp: number
  readonly bs: number
  readonly ap: number
  readonly as: number
}

/** A fed bar as a bar of the store: no trades counted, and its typical price (h + l + c) / 3 as its volume-weighted price. */
export const barOf = ({ time: t, open: o, high: h, low: l, close: c, volume: v }: BarRecord): MinuteBar => ({ t, o, h, l, c, v, n: 0, pv: ((h + l + c) / 3) * v })

/** The minute bars kept per symbol unless told otherwise: about 256 regular sessions. */
export const DEFAULT_MARKET_WINDOW = 100_000

const MINUTE = 60_000

interface SymbolMarket {
  // In time order; `minutes[0]` is the oldest kept.
  minutes: MinuteBar[]
  trade: StoredTrade | undefined
  quote: StoredQuote | undefined
}

/** Where `time` is, or would go, in bars sorted by time. */
const indexOf = (bars: ReadonlyArray<{ readonly t: number }>, time: number): number => {
  let low = 0
  let high = bars.length
  while (low < high) {
    const mid = (low + high) >>> 1
    if (bars[mid]!.t < time) low = mid + 1
    else high = mid
  }
  return low
}

const merge = (into: MinuteBar, bar: Omit<MinuteBar, "t">) => {
  into.h = Math.max(into.h, bar.h)
  into.l = Math.min(into.l, bar.l)
  into.c = bar.c
  into.v += bar.v
  into.n += bar.n
  into.pv += bar.pv
}

export class MarketStore {
  readonly window: number
  readonly #symbols = new Map<string, SymbolMarket>()

  constructor(window = DEFAULT_MARKET_WINDOW) {
    this.window = window
  }

  /** Takes the records of the update at tape index `index`. */
  add(index: number, records: ReadonlyArray<MarketRecord>): void {
    for (const record of records) {
      const market = this.#market(record.symbol)
      if (record.kind === "quote") {
        market.quote = { t: record.time, bp: record.bid, bs: record.bidSize, ap: record.ask, as: record.askSize }
      } else if (record.kind === "trade") {
        market.trade = { t: record.time, p: record.price, s: record.size, i: index }
        const p = record.price
        this.#addMinute(market, record.time, { o: p, h: p, l: p, c: p, v: record.size, n: 1, pv: p * record.size })
      } else {
        this.#addMinute(market, record.time, barOf(record))
      }
    }
  }

  symbols(): ReadonlyArray<string> {
    return [...this.#symbols.keys()]
  }

  latestTrade(symbol: string): StoredTrade | undefined {
    return this.#symbols.get(symbol)?.trade
  }

  latestQuote(symbol: string): StoredQuote | undefined {
    return this.#symbols.get(symbol)?.quote
  }

  /** The last minute with data. */
  latestBar(symbol: string): MinuteBar | undefined {
    return this.#symbols.get(symbol)?.minutes.at(-1)
  }

  /**
   * The bars of `timeframe` whose start is in [start, end], oldest first: each aggregates the
   * minutes of its bucket (open of the first, close of the last, volumes and trades summed).
   */
  bars(symbol: string, timeframe: Timeframe, start: number, end: number): MinuteBar[] {
    const minutes = this.#symbols.get(symbol)?.minutes ?? []
    const out: MinuteBar[] = []
    for (let i = indexOf(minutes, bucketStart(timeframe, start)); i < minutes.length && minutes[i]!.t <= end; i++) {
      const minute = minutes[i]!
      const t = bucketStart(timeframe, minute.t)
      const last = out.at(-1)
      if (last !== undefined && last.t === t) merge(last, minute)
      else out.push({ ...minute, t })
    }
    return out.filter((bar) => bar.t >= start)
  }

  #market(symbol: string): SymbolMarket {
    let market = this.#symbols.get(symbol)
    if (market === undefined) this.#symbols.set(symbol, (market = { minutes: [], trade: undefined, quote: undefined }))
    return market
  }

  #addMinute(market: SymbolMarket, time: number, bar: Omit<MinuteBar, "t">): void {
    const t = Math.floor(time / MINUTE) * MINUTE
    const minutes = market.minutes
    // The tape is in time order, so a minute is almost always the last one or a new last one.
    const lastT = minutes.at(-1)?.t
    const i = lastT === undefined || lastT < t ? minutes.length : lastT === t ? minutes.length - 1 : indexOf(minutes, t)
    if (minutes[i]?.t === t) merge(minutes[i]!, bar)
    else minutes.splice(i, 0, { ...bar, t })
    // Dropped a quarter at a time, so the copy is paid once per window / 4 minutes.
    if (minutes.length > this.window + (this.window >> 2)) minutes.splice(0, minutes.length - this.window)
  }
}
