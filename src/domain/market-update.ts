import { Result } from "effect"
import { Decimal, type DecimalInput } from "./decimal.ts"
import { ValidationError, type ValidationIssue } from "./errors.ts"

/** A price as a caller gives it. Strings keep every digit; numbers are taken at their shortest round-trip value. */
export type PriceInput = number | string

export interface BarInput {
  readonly open: PriceInput
  readonly high: PriceInput
  readonly low: PriceInput
  readonly close: PriceInput
  readonly volume?: number
}

/** Milliseconds since the epoch, an ISO-8601 string, or a Date. */
export type TimeInput = number | string | Date

/**
 * The three shapes of a market update:
 * - `{ AAPL: 150, MSFT: 300 }` last prices (the seed's form), optionally with `time`;
 * - `{ time, prices: { AAPL: 150 } }` last prices;
 * - `{ time, bars: { ORCL: { open, high, low, close, volume } } }` OHLCV bars.
 * Without a time an update belongs to the same trading day as the one before it.
 */
export type MarketUpdateInput =
  | { readonly time?: TimeInput; readonly bars: Readonly<Record<string, BarInput>> }
  | { readonly time?: TimeInput; readonly prices: Readonly<Record<string, PriceInput>> }
  | Readonly<Record<string, PriceInput | Date>>

/** Field names that cannot be symbols in the seed's bare form. */
export const reservedUpdateKeys: ReadonlySet<string> = new Set(["time", "bars", "prices"])

/** One symbol's prices in an update; a tick is a bar whose four prices are the same. */
export interface Quote {
  readonly symbol: string
  readonly open: number
  readonly high: number
  readonly low: number
  readonly close: number
  /** The caller's own values, for exact decimals when a fill needs them. */
  readonly source: BarInput
}

export interface NormalizedUpdate {
  /** ms since the epoch; null when no update so far has carried a time. */
  readonly time: number | null
  readonly kind: "bar" | "tick"
  readonly quotes: ReadonlyArray<Quote>
}

export type QuoteField = "open" | "high" | "low" | "close"

/** The exact decimal of one of a quote's prices. */
export const quoteDecimal = (quote: Quote, field: QuoteField): Decimal => new Decimal(quote.source[field] as DecimalInput)

const toNumber = (input: unknown): number =>
  typeof input === "number" ? input : typeof input === "string" && input.trim() !== "" ? Number(input) : NaN

const parseTime = (input: unknown): number =>
  typeof input === "number" ? input : typeof input === "string" ? Date.parse(input) : input instanceof Date ? input.getTime() : NaN

const isRecord = (u: unknown): u is Record<string, unknown> => u !== null && typeof u === "object" && !Array.isArray(u)

/**
 * Checks and normalises one update against the simulation's symbols and the previous update's
 * time. Every broken rule is reported; on failure nothing has been changed.
 */
export const normalizeMarketUpdate = (
  input: unknown,
  symbols: ReadonlySet<string>,
  previousTime: number | null
): Result.Result<NormalizedUpdate, ValidationError> => {
  const issues: ValidationIssue[] = []
  if (!isRecord(input)) {
    return Result.fail(new ValidationError({ subject: "marketUpdate", issues: [{ field: "(update)", rule: "must be an object", value: input }] }))
  }
  let time = previousTime
  if (input["time"] !== undefined) {
    const t = parseTime(input["time"])
    if (!Number.isFinite(t)) issues.push({ field: "time", rule: "must be ms since the epoch, an ISO-8601 string or a Date", value: input["time"] })
    else if (previousTime !== null && t < previousTime)
      issues.push({ field: "time", rule: `must not be earlier than the previous update (${new Date(previousTime).toISOString()})`, value: input["time"] })
    else time = t
  }
  const quotes: Quote[] = []
  const checkSymbol = (field: string, symbol: string): boolean => {
    if (symbols.has(symbol)) return true
    issues.push({ field, rule: "must be one of the configured symbols", value: symbol })
    return false
  }
  const checkPrice = (field: string, value: unknown): number => {
    const n = toNumber(value)
    if (!(Number.isFinite(n) && n > 0)) issues.push({ field, rule: "must be a finite price greater than 0", value })
    return n
  }
  const addTick = (field: string, symbol: string, value: unknown) => {
    if (!checkSymbol(field, symbol)) return
    const p = checkPrice(field, value)
    const v = value as PriceInput
    quotes.push({ symbol, open: p, high: p, low: p, close: p, source: { open: v, high: v, low: v, close: v } })
  }
  let kind: NormalizedUpdate["kind"] = "tick"
  if (input["bars"] !== undefined) {
    kind = "bar"
    const bars = input["bars"]
    if (!isRecord(bars)) issues.push({ field: "bars", rule: "must be an object of symbol → bar", value: bars })
    else
      for (const symbol in bars) {
        const field = `bars.${symbol}`
        if (!checkSymbol(field, symbol)) continue
        const bar = bars[symbol]
        if (!isRecord(bar)) {
          issues.push({ field, rule: "must be an object { open, high, low, close, volume? }", value: bar })
          continue
        }
        const before = issues.length
        const open = checkPrice(`${field}.open`, bar["open"])
        const high = checkPrice(`${field}.high`, bar["high"])
        const low = checkPrice(`${field}.low`, bar["low"])
        const close = checkPrice(`${field}.close`, bar["close"])
        const volume = bar["volume"]
        if (volume !== undefined && !(typeof volume === "number" && Number.isFinite(volume) && volume >= 0))
          issues.push({ field: `${field}.volume`, rule: "must be a finite number greater than or equal to 0", value: volume })
        if (issues.length > before) continue
        if (high < open || high < close || high < low)
          issues.push({ field: `${field}.high`, rule: "must be at least the open, the close and the low", value: bar["high"] })
        if (low > open || low > close) issues.push({ field: `${field}.low`, rule: "must be at most the open and the close", value: bar["low"] })
        quotes.push({ symbol, open, high, low, close, source: bar as unknown as BarInput })
      }
  } else if (input["prices"] !== undefined) {
    const prices = input["prices"]
    if (!isRecord(prices)) issues.push({ field: "prices", rule: "must be an object of symbol → price", value: prices })
    else for (const symbol in prices) addTick(`prices.${symbol}`, symbol, prices[symbol])
  } else {
    for (const symbol in input) if (!reservedUpdateKeys.has(symbol)) addTick(symbol, symbol, input[symbol])
  }
  if (issues.length === 0 && quotes.length === 0) issues.push({ field: "(update)", rule: "must carry at least one symbol's price", value: input })
  if (issues.length > 0) return Result.fail(new ValidationError({ subject: "marketUpdate", issues }))
  return Result.succeed({ time, kind, quotes })
}
