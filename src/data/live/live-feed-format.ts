/**
 * paperfloor's live feed format, version 1: the JSON messages a server sends (trades, quotes,
 * bars, heartbeats, the end of the feed, errors) and the subscription a client sends, as Effect
 * Schemas. docs/live-feed-format.md describes it for people writing a server.
 */
import { Schema } from "effect"
import { parseTime } from "../../domain/time.ts"
import { PositiveDecimal } from "../../domain/validation.ts"
import { rule, SizeField, SymbolField } from "./message-fields.ts"

/** The format's name and the version this reader reads. A message of another version is refused. */
export const LIVE_FEED_FORMAT = "paperfloor.live"
export const LIVE_FEED_FORMAT_VERSION = 1

const Version = Schema.Number.check(rule((n) => n === LIVE_FEED_FORMAT_VERSION, `must be ${LIVE_FEED_FORMAT_VERSION} (this reader reads version ${LIVE_FEED_FORMAT_VERSION} of the format)`))
const Time = Schema.Union([Schema.Number, Schema.String]).check(
  rule((t) => Number.isFinite(parseTime(t)), "must be ms since the epoch or an ISO-8601 time (UTC when it has no zone)")
)
const Seq = Schema.Number.check(rule((n) => Number.isSafeInteger(n) && n >= 1, "must be a whole number of at least 1"))
const Channel = Schema.String.check(rule((s) => s.length >= 1 && s.length <= 128, "must be 1–128 characters"))

/** Fields every market message has: `seq` and `channel` only when the server numbers its messages. */
const placed = {
  v: Schema.optionalKey(Version),
  symbol: SymbolField,
  time: Time,
  seq: Schema.optionalKey(Seq),
  channel: Schema.optionalKey(Channel)
}

export const LiveTrade = Schema.Struct({ type: Schema.Literal("trade"), ...placed, price: PositiveDecimal, size: Schema.optionalKey(SizeField) })
export const LiveQuote = Schema.Struct({
  type: Schema.Literal("quote"),
  ...placed,
  bid: PositiveDecimal,
  ask: PositiveDecimal,
  bidSize: Schema.optionalKey(SizeField),
  askSize: Schema.optionalKey(SizeField)
})
export const LiveBar = Schema.Struct({
  type: Schema.Literal("bar"),
  ...placed,
  open: PositiveDecimal,
  high: PositiveDecimal,
  low: PositiveDecimal,
  close: PositiveDecimal,
  volume: Schema.optionalKey(SizeField)
})
/** Keeps a quiet connection from looking stalled. */
export const LiveHeartbeat = Schema.Struct({ type: Schema.Literal("heartbeat"), v: Schema.optionalKey(Version), time: Schema.optionalKey(Time) })
/** Nothing more will come: the client stops, without reconnecting. */
export const LiveEnd = Schema.Struct({ type: Schema.Literal("end"), v: Schema.optionalKey(Version) })
/** A fatal error ends the feed; another is reported and the feed carries on. */
export const LiveError = Schema.Struct({
  type: Schema.Literal("error"),
  v: Schema.optionalKey(Version),
  code: Schema.optionalKey(Schema.Union([Schema.String, Schema.Number])),
  message: Schema.String,
  fatal: Schema.optionalKey(Schema.Boolean)
})

export type LiveTrade = typeof LiveTrade.Type
export type LiveQuote = typeof LiveQuote.Type
export type LiveBar = typeof LiveBar.Type
export type LiveHeartbeat = typeof LiveHeartbeat.Type
export type LiveEnd = typeof LiveEnd.Type
export type LiveError = typeof LiveError.Type
/** A market message: what a server sends about a symbol. */
export type LiveMarketMessage = LiveTrade | LiveQuote | LiveBar
/** Anything a server sends; a frame holds one of these or an array of them. */
export type LiveMessage = LiveMarketMessage | LiveHeartbeat | LiveEnd | LiveError

/**
 * What the client sends on every connection: the symbols it wants, by kind, and (after a
 * reconnect) the last sequence number it passed on per channel, so that a server able to replay
 * sends what came after them.
 */
export const LiveSubscribe = Schema.Struct({
  action: Schema.Literal("subscribe"),
  v: Version,
  trades: Schema.optionalKey(Schema.Array(SymbolField)),
  quotes: Schema.optionalKey(Schema.Array(SymbolField)),
  bars: Schema.optionalKey(Schema.Array(SymbolField)),
  resume: Schema.optionalKey(Schema.Record(Schema.String, Seq))
})
export type LiveSubscribe = typeof LiveSubscribe.Type
