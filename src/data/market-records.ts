/**
 * The records a market data source gives, one per row. Times are ms since the epoch; prices and
 * sizes are numbers, as the files hold them.
 */

/** The prices and volume of one bar, as the engine's `bars` take them. */
export interface BarValues {
  readonly open: number
  readonly high: number
  readonly low: number
  readonly close: number
  readonly volume: number
}

/** One OHLCV bar of one symbol. */
export interface BarRecord extends BarValues {
  readonly kind: "bar"
  readonly symbol: string
  readonly time: number
}

/** One trade (a tick): its price and size. */
export interface TradeRecord {
  readonly kind: "trade"
  readonly symbol: string
  readonly time: number
  readonly price: number
  readonly size: number
}

/** The best bid and ask, as the engine's `quotes` take them: a buy trades at the ask, a sell at the bid. */
export interface QuoteValues {
  readonly bid: number
  readonly ask: number
}

/** One top-of-book quote: the best bid and ask, with their sizes. */
export interface QuoteRecord extends QuoteValues {
  readonly kind: "quote"
  readonly symbol: string
  readonly time: number
  readonly bidSize: number
  readonly askSize: number
}

export type MarketRecord = BarRecord | TradeRecord | QuoteRecord
