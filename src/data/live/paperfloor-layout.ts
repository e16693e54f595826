/**
 * paperfloor's own wire layout (docs/live-feed-format.md): version 1 messages, one per frame or
 * an array of them; a subscription that names where to resume, so a server that keeps its
 * messages can replay what a dropped connection missed.
 */
import { Result } from "effect"
import { ValidationError } from "../../domain/errors.ts"
import { canonicalJson } from "../../domain/json.ts"
import { parseTime } from "../../domain/time.ts"
import { decodeOrFail } from "../../domain/validation.ts"
import type { LayoutItem, LayoutSession, LiveFeedLayout } from "./feed-layout.ts"
import { barMessage, type FeedMessage, type MessagePlace, quoteMessage, streamOf, tradeMessage } from "./feed-message.ts"
import {
  LIVE_FEED_FORMAT_VERSION,
  LiveBar,
  LiveEnd,
  LiveError,
  LiveHeartbeat,
  type LiveMarketMessage,
  type LiveMessage,
  LiveQuote,
  type LiveSubscribe,
  LiveTrade
} from "./live-feed-format.ts"
import { priceInput } from "./message-fields.ts"

const decoders: Record<LiveMessage["type"], (raw: unknown) => Result.Result<LiveMessage, ValidationError>> = {
  trade: decodeOrFail(LiveTrade, "marketUpdate"),
  quote: decodeOrFail(LiveQuote, "marketUpdate"),
  bar: decodeOrFail(LiveBar, "marketUpdate"),
  heartbeat: decodeOrFail(LiveHeartbeat, "marketUpdate"),
  end: decodeOrFail(LiveEnd, "marketUpdate"),
  error: decodeOrFail(LiveError, "marketUpdate")
}
type MessageType = LiveMessage["type"]
const TYPES = Object.keys(decoders) as ReadonlyArray<MessageType>
const TYPE_RULE = `must be one of ${TYPES.map((t) => JSON.stringify(t)).join(", ")}`

const invalidType = (type: unknown) => new ValidationError({ subject: "marketUpdate", issues: [{ field: "type", rule: TYPE_RULE, value: type }] })

/** The place of a message that could not be decoded, when its `seq` and channel can still be read. */
const placeOf = (raw: unknown): { readonly channel: string; readonly seq: number } | undefined => {
  if (raw === null || typeof raw !== "object") return undefined
  const { seq, channel, type, symbol } = raw as Record<string, unknown>
  const name = channel ?? (typeof type === "string" && typeof symbol === "string" ? streamOf(type, symbol) : undefined)
  return typeof seq === "number" && Number.isSafeInteger(seq) && seq >= 1 && typeof name === "string" ? { channel: name, seq } : undefined
}

const unusable = (error: ValidationError, raw: unknown): LayoutItem => {
  const at = placeOf(raw)
  return at === undefined ? { type: "invalid", error } : { type: "invalid", error, at }
}

const place = (m: LiveMarketMessage, raw: unknown): MessagePlace => ({
  symbol: m.symbol,
  time: parseTime(m.time),
  seq: m.seq ?? null,
  channel: m.channel ?? streamOf(m.type, m.symbol),
  identity: m.seq === undefined ? canonicalJson(raw) : ""
})

const market = (m: LiveMarketMessage, raw: unknown): LayoutItem => {
  const at = place(m, raw)
  const message: FeedMessage | ValidationError =
    m.type === "trade"
      ? tradeMessage(at, priceInput(m.price))
      : m.type === "quote"
        ? quoteMessage(at, priceInput(m.bid), priceInput(m.ask))
        : barMessage(at, {
            open: priceInput(m.open),
            high: priceInput(m.high),
            low: priceInput(m.low),
            close: priceInput(m.close),
            ...(m.volume === undefined ? {} : { volume: m.volume })
          })
  return message instanceof ValidationError ? unusable(message, raw) : { type: "market", message }
}

const readOne = (raw: unknown): LayoutItem => {
  const type = raw !== null && typeof raw === "object" ? (raw as Record<string, unknown>)["type"] : undefined
  if (typeof type !== "string" || !(TYPES as ReadonlyArray<string>).includes(type)) return unusable(invalidType(type), raw)
  const decoded = decoders[type as MessageType](raw)
  if (Result.isFailure(decoded)) return unusable(decoded.failure, raw)
  const m = decoded.success
  switch (m.type) {
    case "heartbeat":
      return { type: "ignored", what: "heartbeat" }
    case "end":
      return { type: "end" }
    case "error":
      return { type: "serverError", code: String(m.code ?? ""), message: m.message, fatal: m.fatal ?? false }
    default:
      return market(m, raw)
  }
}

/** The subscription for a session: the symbols by kind, and where to resume each channel. */
export const subscribeRequest = (session: LayoutSession): LiveSubscribe => {
  const positions = session.positions()
  const { trades, quotes, bars } = session.subscription
  return {
    action: "subscribe",
    v: LIVE_FEED_FORMAT_VERSION,
    ...(trades === undefined ? {} : { trades }),
    ...(quotes === undefined ? {} : { quotes }),
    ...(bars === undefined ? {} : { bars }),
    ...(Object.keys(positions).length === 0 ? {} : { resume: positions })
  }
}

/** paperfloor's live feed format, version 1. */
export const paperfloorLayout: LiveFeedLayout = {
  name: "paperfloor",
  resumable: true,
  open: (session) => [subscribeRequest(session)],
  read: (frame) => (Array.isArray(frame) ? frame.map(readOne) : [readOne(frame)])
}
