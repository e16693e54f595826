/**
 * Market updates in the engine's form (`{ time, bars }`, `{ time, prices }`, `{ time, quotes }`,
 * as the admin API and a live feed give them) as the records of the server's tape: bars, trades
 * (a last price is a trade of size 0) and quotes (sizes 0). A pushed batch is checked whole by the
 * engine's own rules before any of it goes on the tape.
 */
import type { AlignedUpdate } from "../data/aligned-updates.ts"
import type { MarketRecord } from "../data/market-records.ts"
import { ValidationError, type ValidationIssue } from "../domain/errors.ts"
import { type BarInput, type MarketUpdateInput, normalizeMarketUpdate, type QuoteInput, reservedUpdateKeys } from "../domain/market-update.ts"
import { symbolRuleBroken } from "../domain/simulation-config.ts"
import { parseTime } from "../domain/time.ts"

const isRecord = (u: unknown): u is Record<string, unknown> => u !== null && typeof u === "object" && !Array.isArray(u)

/** The records of one update of the engine's form, which must already be valid. */
export const recordsOf = (update: MarketUpdateInput, time: number): MarketRecord[] => {
  const records: MarketRecord[] = []
  const u = update as Record<string, unknown>
  const bars = u["bars"] as Record<string, BarInput> | undefined
  const prices = (u["prices"] ?? (u["bars"] === undefined && u["quotes"] === undefined ? u : undefined)) as Record<string, unknown> | undefined
  const quotes = u["quotes"] as Record<string, QuoteInput> | undefined
  for (const symbol in bars) {
    const bar = bars[symbol]!
    records.push({ kind: "bar", symbol, time, open: Number(bar.open), high: Number(bar.high), low: Number(bar.low), close: Number(bar.close), volume: bar.volume ?? 0 })
  }
  for (const symbol in prices) {
    if (reservedUpdateKeys.has(symbol)) continue
    records.push({ kind: "trade", symbol, time, price: Number(prices[symbol]), size: 0 })
  }
  for (const symbol in quotes) records.push({ kind: "quote", symbol, time, bid: Number(quotes[symbol]!.bid), ask: Number(quotes[symbol]!.ask), bidSize: 0, askSize: 0 })
  return records
}

/** The symbols an update names, wherever it names them. */
const symbolsNamed = (update: Record<string, unknown>): string[] => {
  const keys = (u: unknown) => (isRecord(u) ? Object.keys(u) : [])
  const bare = update["bars"] === undefined && update["prices"] === undefined && update["quotes"] === undefined
  return [...keys(update["bars"]), ...keys(update["prices"]), ...keys(update["quotes"]), ...(bare ? Object.keys(update).filter((k) => !reservedUpdateKeys.has(k)) : [])]
}

/**
 * A pushed batch as tape updates: each update must carry its time, at or after `after` (the tape's
 * last time) and the update before it, name symbols a simulation can trade, and keep the engine's
 * rules. Every broken rule of the batch is reported, each under `updates[i]`; none is taken.
 */
export const readPushedUpdates = (body: unknown, after: number | null): ReadonlyArray<AlignedUpdate> | ValidationError => {
  const updates = isRecord(body) && Array.isArray(body["updates"]) && Object.keys(body).length === 1 ? (body["updates"] as unknown[]) : [body]
  const issues: ValidationIssue[] = []
  const out: AlignedUpdate[] = []
  if (updates.length === 0) issues.push({ field: "updates", rule: "must be a non-empty array of market updates", value: updates })
  let previous = after
  updates.forEach((update, i) => {
    const at = (field: string) => `updates[${i}]${field === "(update)" ? "" : `.${field}`}`
    if (!isRecord(update)) return issues.push({ field: at("(update)"), rule: "must be a market update object", value: update })
    if (update["time"] === undefined) return issues.push({ field: at("time"), rule: "is required: the server's market is in time order", value: undefined })
    const symbols = symbolsNamed(update)
    for (const symbol of symbols) {
      const broken = symbolRuleBroken(symbol)
      if (broken !== undefined) issues.push({ field: at(symbol), rule: broken, value: symbol })
    }
    const normalized = normalizeMarketUpdate(update, new Set(symbols), previous)
    if (normalized instanceof ValidationError) return issues.push(...normalized.issues.map((issue) => ({ ...issue, field: at(issue.field) })))
    const time = parseTime(update["time"])
    previous = time
    out.push({ time, records: recordsOf(update as MarketUpdateInput, time) })
  })
  return issues.length > 0 ? new ValidationError({ subject: "marketUpdate", issues }) : out
}
