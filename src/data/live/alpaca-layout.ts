/**
 * Alpaca's market-data stream (v2, JSON): point the live feed at `alpacaStockStreamUrl(feed)` with
 * `alpacaLayout({ key, secret })`. After `connected` the client logs in, after `authenticated` it
 * subscribes; data comes as arrays of messages keyed by `T`: `t` trades, `q` quotes, `b` minute
 * bars. Other kinds (updated and daily bars, statuses, corrections…) are counted and ignored.
 *
 * Alpaca numbers nothing, so duplicates and order are judged by time (see the sequencer), and
 * messages sent while the connection was down are lost: each reconnect is reported as a gap.
 */
import { Result, Schema } from "effect"
import { ValidationError } from "../../domain/errors.ts"
import { canonicalJson } from "../../domain/json.ts"
import { parseTime } from "../../domain/time.ts"
import { decodeOrFail, PositiveDecimal } from "../../domain/validation.ts"
import type { LayoutItem, LayoutSession, LiveFeedLayout } from "./feed-layout.ts"
import { barMessage, type FeedMessage, type FeedMessageKind, type MessagePlace, quoteMessage, streamOf, tradeMessage } from "./feed-message.ts"
import { priceInput, rule, SizeField, SymbolField } from "./message-fields.ts"

/** Alpaca's stock data feeds: `iex` (free), `sip` (all US exchanges), `delayed_sip`, and `test` (always open; symbol FAKEPACA). */
export type AlpacaStockFeed = "iex" | "sip" | "delayed_sip" | "test"

export const alpacaStockStreamUrl = (feed: AlpacaStockFeed = "iex"): string => `wss://stream.data.alpaca.markets/v2/${feed}`

export interface AlpacaCredentials {
  readonly key: string
  readonly secret: string
}

/**
 * Alpaca's error codes that reconnecting cannot cure: bad syntax, not authenticated, bad
 * credentials, too many symbols, v2 not enabled, a subscription the account lacks. The others
 * (an auth timeout, too many connections, a slow client, an internal error) close the connection
 * and the feed reconnects.
 */
const FATAL_CODES: ReadonlySet<number> = new Set([400, 401, 402, 405, 408, 409])

const Time = Schema.String.check(rule((t) => Number.isFinite(parseTime(t)), "must be an RFC-3339 time"))

const AlpacaTrade = Schema.Struct({ S: SymbolField, t: Time, p: PositiveDecimal, s: Schema.optionalKey(SizeField) })
// A side with no order on it has price 0.
const AlpacaQuote = Schema.Struct({ S: SymbolField, t: Time, bp: SizeField, ap: SizeField, bs: Schema.optionalKey(SizeField), as: Schema.optionalKey(SizeField) })
const AlpacaBar = Schema.Struct({ S: SymbolField, t: Time, o: PositiveDecimal, h: PositiveDecimal, l: PositiveDecimal, c: PositiveDecimal, v: Schema.optionalKey(SizeField) })

/** Alpaca adds fields over time; only the ones read are decoded (strictly). */
const picking = <S extends Parameters<typeof decodeOrFail>[0]>(schema: S) => {
  const decode = decodeOrFail(schema, "marketUpdate")
  const fields = Object.keys(schema.fields)
  return (raw: Record<string, unknown>) => decode(Object.fromEntries(fields.filter((f) => f in raw).map((f) => [f, raw[f]])))
}
const decodeTrade = picking(AlpacaTrade)
const decodeQuote = picking(AlpacaQuote)
const decodeBar = picking(AlpacaBar)

const place = (kind: FeedMessageKind, symbol: string, time: string, raw: unknown): MessagePlace => ({
  symbol,
  time: parseTime(time),
  seq: null,
  channel: streamOf(kind, symbol),
  identity: canonicalJson(raw)
})

const item = (message: FeedMessage | ValidationError): LayoutItem =>
  message instanceof ValidationError ? { type: "invalid", error: message } : { type: "market", message }

const readOne = (raw: unknown, session: LayoutSession, credentials: AlpacaCredentials): LayoutItem => {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return { type: "ignored", what: "not a message" }
  const m = raw as Record<string, unknown>
  switch (m["T"]) {
    case "t": {
      const d = decodeTrade(m)
      return Result.isFailure(d) ? { type: "invalid", error: d.failure } : item(tradeMessage(place("trade", d.success.S, d.success.t, raw), priceInput(d.success.p)))
    }
    case "q": {
      const d = decodeQuote(m)
      if (Result.isFailure(d)) return { type: "invalid", error: d.failure }
      const { S, t, bp, ap } = d.success
      // A buy trades at the ask and a sell at the bid: a quote missing either cannot be traded both ways.
      if (bp === 0 || ap === 0) return { type: "ignored", what: bp === ap ? "quote with neither a bid nor an ask" : "quote with one side empty" }
      return item(quoteMessage(place("quote", S, t, raw), bp, ap))
    }
    case "b": {
      const d = decodeBar(m)
      if (Result.isFailure(d)) return { type: "invalid", error: d.failure }
      const { S, t, o, h, l, c, v } = d.success
      return item(barMessage(place("bar", S, t, raw), { open: priceInput(o), high: priceInput(h), low: priceInput(l), close: priceInput(c), ...(v === undefined ? {} : { volume: v }) }))
    }
    case "success":
      if (m["msg"] === "connected") return { type: "send", message: { action: "auth", key: credentials.key, secret: credentials.secret } }
      if (m["msg"] === "authenticated") {
        const { trades = [], quotes = [], bars = [] } = session.subscription
        return { type: "send", message: { action: "subscribe", trades, quotes, bars } }
      }
      return { type: "ignored", what: `success: ${String(m["msg"])}` }
    case "error": {
      const code = typeof m["code"] === "number" ? m["code"] : Number.NaN
      return { type: "serverError", code: String(m["code"]), message: String(m["msg"] ?? ""), fatal: FATAL_CODES.has(code) }
    }
    default:
      return { type: "ignored", what: `T: ${String(m["T"])}` }
  }
}

/** Alpaca's v2 market-data stream, JSON frames. */
export const alpacaLayout = (credentials: AlpacaCredentials): LiveFeedLayout => ({
  name: "alpaca",
  resumable: false,
  open: () => [],
  read: (frame, session) => (Array.isArray(frame) ? frame : [frame]).map((raw) => readOne(raw, session, credentials))
})
