/**
 * One market message of a live feed, whatever its wire layout: a trade, a quote or a bar of one
 * symbol, with its time and, when the layout numbers its messages, its place in a sequence. It
 * carries the engine's update it stands for, already checked by the engine's own rules, so an
 * update the feed passes on is never refused by a simulation for its prices.
 */
import { ValidationError } from "../../domain/errors.ts"
import { type BarInput, type MarketUpdateInput, normalizeMarketUpdate, type PriceInput } from "../../domain/market-update.ts"

export type FeedMessageKind = "trade" | "quote" | "bar"

/** A stream: one kind of message of one symbol, `trade:AAPL`. */
export const streamOf = (kind: string, symbol: string): string => `${kind}:${symbol}`

/** Where a message sits: who it is about, when, and its place in its channel's sequence. */
export interface MessagePlace {
  readonly symbol: string
  /** ms since the epoch. */
  readonly time: number
  /** Its number in its channel's sequence; null when the layout does not number messages. */
  readonly seq: number | null
  /**
   * The sequence it belongs to: its stream (`streamOf`), unless the layout names another (one
   * sequence across several streams). Messages without sequence numbers are ordered per channel by time.
   */
  readonly channel: string
  /**
   * What tells two messages of one stream at one time apart where there are no sequence numbers:
   * the message as sent, as canonical JSON. Empty when the message has a sequence number.
   */
  readonly identity: string
}

export interface FeedMessage extends MessagePlace {
  readonly kind: FeedMessageKind
  /** The engine's update for it, at `time`. */
  readonly update: MarketUpdateInput
}

const checked = (kind: FeedMessageKind, place: MessagePlace, update: MarketUpdateInput): FeedMessage | ValidationError => {
  const normalized = normalizeMarketUpdate(update, new Set([place.symbol]), null)
  return normalized instanceof ValidationError ? normalized : { kind, ...place, update }
}

/** A trade: its price becomes the symbol's last price. */
export const tradeMessage = (place: MessagePlace, price: PriceInput): FeedMessage | ValidationError =>
  checked("trade", place, { time: place.time, prices: { [place.symbol]: price } })

/** A quote: its bid and ask, which buys and sells trade against. A crossed quote (bid above ask) is refused. */
export const quoteMessage = (place: MessagePlace, bid: PriceInput, ask: PriceInput): FeedMessage | ValidationError =>
  checked("quote", place, { time: place.time, quotes: { [place.symbol]: { bid, ask } } })

/** An OHLCV bar. */
export const barMessage = (place: MessagePlace, bar: BarInput): FeedMessage | ValidationError =>
  checked("bar", place, { time: place.time, bars: { [place.symbol]: bar } })
