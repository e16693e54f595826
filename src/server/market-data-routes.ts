/**
 * Alpaca's Market Data API v2 for stocks (`/v2/stocks/…`), served from what the server was fed:
 * bars (`/{symbol}/bars`, `/bars`: `timeframe`, `start`, `end`, `limit`, `page_token`, `sort`),
 * the latest bar, trade and quote (`/{symbol}/{bars|trades|quotes}/latest`, and the same for
 * `symbols`), and snapshots. Every account reads the one market. A query that breaks a rule is a
 * 400 or 422 naming the parameter.
 */
import { badRequest, notFound } from "./broker-error.ts"
import { alpacaBar, alpacaQuote, alpacaTrade } from "./market-objects.ts"
import type { MarketStore, MinuteBar } from "./market-store.ts"
import { parseTimeframe } from "./market-timeframe.ts"
import type { Answer } from "./trading-routes.ts"
import { symbolRuleBroken } from "../domain/simulation-config.ts"

export interface MarketDataRequest {
  readonly method: string
  /** The path's segments after `/v2/stocks/`. */
  readonly segments: ReadonlyArray<string>
  readonly query: URLSearchParams
}

const DAY = 86_400_000
const MAX_LIMIT = 10_000
const FEEDS = ["iex", "sip", "delayed_sip", "otc", "boats", "overnight"]
const ADJUSTMENTS = ["raw", "split", "dividend", "spin-off", "all"]

const ok = (body: unknown): Answer => ({ status: 200, body })

const symbolOf = (name: string, text: string): string => {
  const broken = symbolRuleBroken(text)
  if (broken !== undefined) throw badRequest(`${name} ${broken} (got ${JSON.stringify(text)})`)
  return text
}

/** `symbols`: a comma-separated list, required, each a symbol; in the order given, once each. */
const symbolsOf = (query: URLSearchParams): string[] => {
  const text = query.get("symbols")
  if (text === null || text.trim() === "") throw badRequest("symbols is required (a comma-separated list)")
  return [...new Set(text.split(",").map((s) => symbolOf("symbols", s.trim())))]
}

const timeOf = (query: URLSearchParams, name: string, fallback: number): number => {
  const text = query.get(name)
  if (text === null) return fallback
  const time = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text)
  if (!Number.isFinite(time)) throw badRequest(`${name} must be an RFC-3339 time or a YYYY-MM-DD date (got ${JSON.stringify(text)})`)
  return time
}

const choiceOf = (query: URLSearchParams, name: string, choices: ReadonlyArray<string>): void => {
  const value = query.get(name)
  if (value !== null && !choices.includes(value)) throw badRequest(`${name} must be one of ${choices.join(", ")} (got ${JSON.stringify(value)})`)
}

/** A page token: where the previous page stopped (the last bar's symbol and time). */
interface PageMark {
  readonly s: string
  readonly t: number
}

const encodeToken = (mark: PageMark) => Buffer.from(JSON.stringify(mark)).toString("base64url")

const decodeToken = (text: string | null): PageMark | undefined => {
  if (text === null || text === "") return undefined
  try {
    const mark = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as Partial<PageMark>
    if (typeof mark.s === "string" && typeof mark.t === "number") return mark as PageMark
  } catch {
    // Refused below.
  }
  throw badRequest(`page_token is not a token this server gave (got ${JSON.stringify(text)})`)
}

/**
 * The bars of `symbols` by the query, `limit` at most in all, symbol by symbol (in the order of
 * `symbols`), each symbol's in `sort` order; and the token of the next page.
 */
const barsPage = (store: MarketStore, symbols: ReadonlyArray<string>, query: URLSearchParams) => {
  const timeframe = parseTimeframe(query.get("timeframe"))
  const start = timeOf(query, "start", -8.64e15)
  const end = timeOf(query, "end", 8.64e15)
  if (end < start) throw badRequest(`end must not be before start (got ${query.get("end")})`)
  const limitText = query.get("limit") ?? "1000"
  const limit = Number(limitText)
  if (!/^\d+$/.test(limitText) || limit < 1 || limit > MAX_LIMIT) throw badRequest(`limit must be a whole number from 1 to ${MAX_LIMIT} (got ${JSON.stringify(limitText)})`)
  const sort = query.get("sort") ?? "asc"
  if (sort !== "asc" && sort !== "desc") throw badRequest(`sort must be one of asc, desc (got ${JSON.stringify(sort)})`)
  choiceOf(query, "feed", FEEDS)
  choiceOf(query, "adjustment", ADJUSTMENTS)
  const mark = decodeToken(query.get("page_token"))
  if (mark !== undefined && !symbols.includes(mark.s)) throw badRequest(`page_token is for ${mark.s}, which symbols does not name`)
  const page = new Map<string, MinuteBar[]>()
  let taken = 0
  let last: PageMark | undefined
  let more = false
  for (const symbol of mark === undefined ? symbols : symbols.slice(symbols.indexOf(mark.s))) {
    let bars = store.bars(symbol, timeframe, start, end)
    if (sort === "desc") bars.reverse()
    if (mark?.s === symbol) bars = bars.filter((b) => (sort === "asc" ? b.t > mark.t : b.t < mark.t))
    const take = bars.slice(0, limit - taken)
    if (take.length > 0) {
      page.set(symbol, take)
      taken += take.length
      last = { s: symbol, t: take.at(-1)!.t }
    }
    if (take.length < bars.length) {
      more = true
      break
    }
  }
  const next = more ? last : undefined
  return { page, nextPageToken: next === undefined ? null : encodeToken(next) }
}

const latest = <A>(found: A | undefined, what: string, symbol: string): A => {
  if (found === undefined) throw notFound(`no ${what} found for ${symbol}`)
  return found
}

/** Latest trade, quote, minute bar, and the last two days' bars (today's, the day before's), of a symbol fed anything. */
const snapshotOf = (store: MarketStore, symbol: string) => {
  const trade = store.latestTrade(symbol)
  const quote = store.latestQuote(symbol)
  const minute = store.latestBar(symbol)
  if (trade === undefined && quote === undefined && minute === undefined) return undefined
  const days = minute === undefined ? [] : store.bars(symbol, { amount: 1, unit: "Day" }, minute.t - 366 * DAY, minute.t).slice(-2)
  return {
    latestTrade: trade === undefined ? null : alpacaTrade(trade),
    latestQuote: quote === undefined ? null : alpacaQuote(quote),
    minuteBar: minute === undefined ? null : alpacaBar(minute),
    dailyBar: days.length > 0 ? alpacaBar(days.at(-1)!) : null,
    prevDailyBar: days.length > 1 ? alpacaBar(days[0]!) : null
  }
}

export const marketDataRoutes = (store: MarketStore) => (request: MarketDataRequest): Answer | undefined => {
  const { method, segments, query } = request
  if (method !== "GET") return undefined
  const path = segments.join("/")
  switch (path) {
    case "bars": {
      const { page, nextPageToken } = barsPage(store, symbolsOf(query), query)
      return ok({ bars: Object.fromEntries([...page].map(([symbol, bars]) => [symbol, bars.map((b) => alpacaBar(b))])), next_page_token: nextPageToken })
    }
    case "bars/latest":
      return ok({ bars: Object.fromEntries(symbolsOf(query).flatMap((s) => (store.latestBar(s) === undefined ? [] : [[s, alpacaBar(store.latestBar(s)!)]]))) })
    case "trades/latest":
      return ok({ trades: Object.fromEntries(symbolsOf(query).flatMap((s) => (store.latestTrade(s) === undefined ? [] : [[s, alpacaTrade(store.latestTrade(s)!)]]))) })
    case "quotes/latest":
      return ok({ quotes: Object.fromEntries(symbolsOf(query).flatMap((s) => (store.latestQuote(s) === undefined ? [] : [[s, alpacaQuote(store.latestQuote(s)!)]]))) })
    case "snapshots":
      return ok(Object.fromEntries(symbolsOf(query).flatMap((s) => (snapshotOf(store, s) === undefined ? [] : [[s, snapshotOf(store, s)]]))))
  }
  const [first, ...rest] = segments
  if (first === undefined) return undefined
  const symbol = symbolOf("symbol", first)
  switch (rest.join("/")) {
    case "bars": {
      if (query.has("symbols")) throw badRequest("symbols is not a parameter of /v2/stocks/{symbol}/bars (the symbol is in the path)")
      const { page, nextPageToken } = barsPage(store, [symbol], query)
      return ok({ bars: (page.get(symbol) ?? []).map((b) => alpacaBar(b)), symbol, next_page_token: nextPageToken })
    }
    case "bars/latest":
      return ok({ symbol, bar: alpacaBar(latest(store.latestBar(symbol), "bar", symbol)) })
    case "trades/latest":
      return ok({ symbol, trade: alpacaTrade(latest(store.latestTrade(symbol), "trade", symbol)) })
    case "quotes/latest":
      return ok({ symbol, quote: alpacaQuote(latest(store.latestQuote(symbol), "quote", symbol)) })
    case "snapshot":
      return ok({ symbol, ...latest(snapshotOf(store, symbol), "data", symbol) })
    default:
      return undefined
  }
}
