/**
 * One market message of a live feed, whatever its wire layout: a trade, a quote or a bar of one
 * symbol, with its time and, when the layout numbers its messages, its place in a sequence. It
 * carries the engine's update it stands for, already checked by the engine's own rules, so an
 * update the feed passes on is never refused by a simulation for its prices.
 */
import { parseDecimal } from "../../domain/decimal.ts"
import { ValidationError, type ValidationIssue } from "../../domain/errors.ts"
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

const PRICE_RULE = "must be a finite price greater than 0"

/**
 * A quote. The engine takes last prices and bars but no bid and ask yet, so a quote becomes a last
 * price at its mid, (bid + ask) / 2, computed exactly. A crossed quote (ask below bid) is refused.
 */
export const quoteMessage = (place: MessagePlace, bid: PriceInput, ask: PriceInput): FeedMessage | ValidationError => {
  const b = parseDecimal(bid)
  const a = parseDecimal(ask)
  const issues: ValidationIssue[] = []
  if (b === undefined || !b.isPositive() || b.isZero()) issues.push({ field: "bid", rule: PRICE_RULE, value: bid })
  if (a === undefined || !a.isPositive() || a.isZero()) issues.push({ field: "ask", rule: PRICE_RULE, value: ask })
  else if (b !== undefined && a.lessThan(b)) issues.push({ field: "ask", rule: `must be at least the bid (${b.toString()})`, value: ask })
  if (issues.length > 0 || a === undefined || b === undefined) return new ValidationError({ subject: "marketUpdate", issues })
  return checked("quote", place, { time: place.time, prices: { [place.symbol]: b.plus(a).div(2).toString() } })
}

/** An OHLCV bar. */
export const barMessage = (place: MessagePlace, bar: BarInput): FeedMessage | ValidationError =>
  checked("bar", place, { time: place.time, bars: { [place.symbol]: bar } })
