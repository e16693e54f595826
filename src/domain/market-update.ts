import { Decimal, type DecimalInput, decimalOf, isDecimalString } from "./decimal.ts"
import { ValidationError, type ValidationIssue } from "./errors.ts"
import { parseTime, type TimeInput } from "./time.ts"
import { MAX_AMOUNT } from "./validation.ts"

/** A price as a caller gives it. Strings keep every digit; numbers are taken at their shortest round-trip value. */
export type PriceInput = number | string

export interface BarInput {
  readonly open: PriceInput
  readonly high: PriceInput
  readonly low: PriceInput
  readonly close: PriceInput
  readonly volume?: number
}

/** A symbol's best bid and ask: buys trade at the ask, sells at the bid. */
export interface QuoteInput {
  readonly bid: PriceInput
  readonly ask: PriceInput
}

export type { TimeInput } from "./time.ts"

/**
 * The shapes of a market update:
 * - `{ AAPL: 150, MSFT: 300 }` last prices (the seed's form), optionally with `time`;
 * - `{ time, prices: { AAPL: 150 } }` last prices, never beside `bars` (there a last price is a
 *   bar of four equal prices);
 * - `{ time, bars: { ORCL: { open, high, low, close, volume } } }` OHLCV bars;
 * - `{ time, quotes: { AAPL: { bid, ask } } }` bid/ask quotes, alone or beside `bars` or
 *   `prices` for other symbols.
 * Without a time an update belongs to the same trading day as the one before it.
 */
export type MarketUpdateInput =
  | { readonly time?: TimeInput; readonly bars: Readonly<Record<string, BarInput>>; readonly quotes?: Readonly<Record<string, QuoteInput>> }
  | { readonly time?: TimeInput; readonly prices: Readonly<Record<string, PriceInput>>; readonly quotes?: Readonly<Record<string, QuoteInput>> }
  | { readonly time?: TimeInput; readonly quotes: Readonly<Record<string, QuoteInput>> }
  | Readonly<Record<string, PriceInput | Date>>

/** Field names that cannot be symbols in the seed's bare form. */
export const reservedUpdateKeys: ReadonlySet<string> = new Set(["time", "bars", "prices", "quotes"])

/** One symbol's prices in an update; a tick is a bar whose four prices are the same. */
export interface Quote {
  readonly symbol: string
  readonly open: number
  readonly high: number
  readonly low: number
  readonly close: number
  /** The caller's own values, for exact decimals when a fill needs them. */
  readonly source: BarInput
  /** Decimals already made from `source` during this update (see `quoteDecimal`). */
  decimals?: Partial<Record<QuoteField, Decimal>>
  /**
   * A bid/ask quote's two sides, each as a tick: what a buy (the ask) and a sell (the bid) trade
   * against. The quote itself is the spread as a bar: low the bid, high the ask, open and close the mid.
   */
  readonly sides?: { readonly bid: Quote; readonly ask: Quote }
}

export interface NormalizedUpdate {
  /** ms since the epoch; null when no update so far has carried a time. */
  readonly time: number | null
  readonly kind: "bar" | "tick"
  readonly quotes: ReadonlyArray<Quote>
}

export type QuoteField = "open" | "high" | "low" | "close"

/** The prices an order on `side` trades against: a quote's ask for a buy, its bid for a sell; a bar or a tick as it is. */
export const quoteForSide = (quote: Quote, side: "buy" | "sell"): Quote => (quote.sides === undefined ? quote : side === "buy" ? quote.sides.ask : quote.sides.bid)

/** The exact decimal of one of a quote's prices, made once per quote: a check and a fill on the same update share it. */
export const quoteDecimal = (quote: Quote, field: QuoteField): Decimal => {
  const decimals = (quote.decimals ??= {})
  return (decimals[field] ??= decimalOf(quote.source[field]))
}

// Strings must be plain decimals: a fill later reads the same string as an exact decimal.
const toNumber = (input: unknown): number =>
  typeof input === "number" ? input : typeof input === "string" && isDecimalString(input) ? Number(input) : NaN

/**
 * a > b for two prices. Floats decide when they differ; equal floats may hide different long
 * decimal strings, so those are compared exactly.
 */
const above = (a: number, aSource: unknown, b: number, bSource: unknown): boolean =>
  a > b || (a === b && (typeof aSource === "string" || typeof bSource === "string") && new Decimal(aSource as DecimalInput).greaterThan(bSource as DecimalInput))

const isRecord = (u: unknown): u is Record<string, unknown> => u !== null && typeof u === "object" && !Array.isArray(u)

// NaN and ±Infinity each fail one of the comparisons. Under 28 bytes of bytecode, so the compiler
// inlines it wherever it is called, outside its inlining budget (the per-update path exhausts it).
const isPrice = (n: unknown): n is number => typeof n === "number" && n > 0 && n <= MAX_AMOUNT

/**
 * Collects the issues of one update. Field paths are only built when something is wrong: this
 * runs for every update, and most updates are fine. A literal rather than a class instance: V8
 * keeps a literal's hidden class with the code that makes it, but a class instance's only while
 * one lives, and these live for one update (see src/engine/shape-keeper.ts).
 */
interface Issues {
  list: ValidationIssue[] | null
  /** The update's quotes, made on the first: an empty array's first push reserves room for 16, and most updates carry one. */
  quotes: Quote[] | null
}

const addIssue = (issues: Issues, field: string, rule: string, value: unknown): void => {
  ;(issues.list ??= []).push({ field, rule, value })
}

const keepQuote = (issues: Issues, quote: Quote): void => {
  if (issues.quotes === null) issues.quotes = [quote]
  else issues.quotes.push(quote)
}

const PRICE_RULE = "must be a finite price greater than 0 and at most 1e15"

const checkSymbol = (issues: Issues, symbols: ReadonlySet<string>, prefix: string, symbol: string): boolean => {
  if (symbols.has(symbol)) return true
  // An empty key is named as written, `""`: a field of nothing would name nothing.
  addIssue(issues, prefix + (symbol === "" ? '""' : symbol), "must be one of the configured symbols", symbol)
  return false
}

const addTick = (issues: Issues, symbols: ReadonlySet<string>, prefix: string, symbol: string, value: unknown): void => {
  if (!checkSymbol(issues, symbols, prefix, symbol)) return
  const p = toNumber(value)
  if (!isPrice(p)) return addIssue(issues, prefix + symbol, PRICE_RULE, value)
  const v = value as PriceInput
  keepQuote(issues, { symbol, open: p, high: p, low: p, close: p, source: { open: v, high: v, low: v, close: v } })
}

const addBar = (issues: Issues, symbols: ReadonlySet<string>, symbol: string, bar: unknown): void => {
  if (!checkSymbol(issues, symbols, "bars.", symbol)) return
  if (!isRecord(bar)) return addIssue(issues, `bars.${symbol}`, "must be an object { open, high, low, close, volume? }", bar)
  const open = toNumber(bar["open"])
  const high = toNumber(bar["high"])
  const low = toNumber(bar["low"])
  const close = toNumber(bar["close"])
  const volume = bar["volume"]
  const volumeOk = volume === undefined || (typeof volume === "number" && Number.isFinite(volume) && volume >= 0)
  if (isPrice(open) && isPrice(high) && isPrice(low) && isPrice(close) && volumeOk) {
    const o = bar["open"]
    const h = bar["high"]
    const l = bar["low"]
    const c = bar["close"]
    if (above(open, o, high, h) || above(close, c, high, h) || above(low, l, high, h))
      addIssue(issues, `bars.${symbol}.high`, "must be at least the open, the close and the low", h)
    else if (above(low, l, open, o) || above(low, l, close, c)) addIssue(issues, `bars.${symbol}.low`, "must be at most the open and the close", l)
    else keepQuote(issues, { symbol, open, high, low, close, source: bar as unknown as BarInput })
    return
  }
  for (const [field, n] of [["open", open], ["high", high], ["low", low], ["close", close]] as const)
    if (!isPrice(n)) addIssue(issues, `bars.${symbol}.${field}`, PRICE_RULE, bar[field])
  if (!volumeOk) addIssue(issues, `bars.${symbol}.volume`, "must be a finite number greater than or equal to 0", volume)
}

const tick = (symbol: string, price: number, source: PriceInput): Quote => ({
  symbol,
  open: price,
  high: price,
  low: price,
  close: price,
  source: { open: source, high: source, low: source, close: source }
})

const addQuote = (issues: Issues, symbols: ReadonlySet<string>, symbol: string, quote: unknown): void => {
  if (!checkSymbol(issues, symbols, "quotes.", symbol)) return
  if (!isRecord(quote)) return addIssue(issues, `quotes.${symbol}`, "must be an object { bid, ask }", quote)
  const bid = toNumber(quote["bid"])
  const ask = toNumber(quote["ask"])
  if (!isPrice(bid) || !isPrice(ask)) {
    if (!isPrice(bid)) addIssue(issues, `quotes.${symbol}.bid`, PRICE_RULE, quote["bid"])
    if (!isPrice(ask)) addIssue(issues, `quotes.${symbol}.ask`, PRICE_RULE, quote["ask"])
    return
  }
  const b = quote["bid"] as PriceInput
  const a = quote["ask"] as PriceInput
  if (above(bid, b, ask, a)) return addIssue(issues, `quotes.${symbol}.bid`, "must be at most the ask", b)
  const mid = new Decimal(b).plus(a).dividedBy(2).toString()
  const midNumber = Number(mid)
  keepQuote(issues, {
    symbol,
    open: midNumber,
    high: ask,
    low: bid,
    close: midNumber,
    source: { open: mid, high: a, low: b, close: mid },
    sides: { bid: tick(symbol, bid, b), ask: tick(symbol, ask, a) }
  })
}

/**
 * The usual update, `{ time, bars }` or `{ time, prices }` with numbers for prices, normalised as
 * `checkMarketUpdate` would; null for any other update, and for one with anything wrong, which
 * `checkMarketUpdate` then reads and reports. This runs for every update of a backtest or a feed:
 * it makes nothing but what it returns.
 */
const usualUpdate = (input: Record<string, unknown>, symbols: ReadonlySet<string>, previousTime: number | null): NormalizedUpdate | null => {
  for (const key in input) if (key !== "time" && key !== "bars" && key !== "prices") return null
  // Read as `checkMarketUpdate` reads them: an inherited `bars`, `prices` or `quotes` counts too.
  const bars = input["bars"]
  const prices = input["prices"]
  if (input["quotes"] !== undefined || (bars === undefined) === (prices === undefined)) return null
  let time = previousTime
  const rawTime = input["time"]
  if (rawTime !== undefined) {
    const t = parseTime(rawTime)
    if (!Number.isFinite(t) || (previousTime !== null && t < previousTime)) return null
    time = t
  }
  const quotes = bars === undefined ? usualTicks(prices, symbols) : usualBars(bars, symbols)
  return quotes === null ? null : { time, kind: bars === undefined ? "tick" : "bar", quotes }
}

/** The quotes of the usual `bars`: numbers, in order (`checkMarketUpdate`'s rules); null for anything else. */
const usualBars = (bars: unknown, symbols: ReadonlySet<string>): Quote[] | null => {
  if (!isRecord(bars)) return null
  let quotes: Quote[] | null = null
  for (const symbol in bars) {
    const bar = bars[symbol]
    if (!symbols.has(symbol) || !isRecord(bar)) return null
    const open = bar["open"]
    const high = bar["high"]
    const low = bar["low"]
    const close = bar["close"]
    const volume = bar["volume"]
    if (!isPrice(open) || !isPrice(high) || !isPrice(low) || !isPrice(close)) return null
    if (volume !== undefined && !(typeof volume === "number" && Number.isFinite(volume) && volume >= 0)) return null
    if (open > high || close > high || low > high || low > open || low > close) return null
    const quote: Quote = { symbol, open, high, low, close, source: bar as unknown as BarInput }
    if (quotes === null) quotes = [quote]
    else quotes.push(quote)
  }
  return quotes
}

/** The quotes of the usual `prices`: numbers (`checkMarketUpdate`'s rules, its quotes as `addTick` makes them); null for anything else. */
const usualTicks = (prices: unknown, symbols: ReadonlySet<string>): Quote[] | null => {
  if (!isRecord(prices)) return null
  let quotes: Quote[] | null = null
  for (const symbol in prices) {
    const p = prices[symbol]
    if (!symbols.has(symbol) || !isPrice(p)) return null
    const quote: Quote = { symbol, open: p, high: p, low: p, close: p, source: { open: p, high: p, low: p, close: p } }
    if (quotes === null) quotes = [quote]
    else quotes.push(quote)
  }
  return quotes
}

/**
 * Checks and normalises one update against the simulation's symbols and the previous update's
 * time. Every broken rule is reported; on failure nothing has been changed. Returns the error
 * rather than a Result: this runs once per update and a wrapper per update adds up.
 */
export const normalizeMarketUpdate = (
  input: unknown,
  symbols: ReadonlySet<string>,
  previousTime: number | null
): NormalizedUpdate | ValidationError => (isRecord(input) && usualUpdate(input, symbols, previousTime)) || checkMarketUpdate(input, symbols, previousTime)

/** `normalizeMarketUpdate` without its shortcut for the usual update: any input, every broken rule reported. */
export const checkMarketUpdate = (
  input: unknown,
  symbols: ReadonlySet<string>,
  previousTime: number | null
): NormalizedUpdate | ValidationError => {
  const issues: Issues = { list: null, quotes: null }
  let time = previousTime
  let kind: NormalizedUpdate["kind"] = "tick"
  if (!isRecord(input)) {
    addIssue(issues, "(update)", "must be an object", input)
  } else {
    const rawTime = input["time"]
    if (rawTime !== undefined) {
      const t = parseTime(rawTime)
      if (!Number.isFinite(t)) addIssue(issues, "time", "must be ms since the epoch, an ISO-8601 string or a Date", rawTime)
      else if (previousTime !== null && t < previousTime)
        addIssue(issues, "time", `must not be earlier than the previous update (${new Date(previousTime).toISOString()})`, rawTime)
      else time = t
    }
    const bars = input["bars"]
    const prices = input["prices"]
    const bidAsk = input["quotes"]
    // Beside `bars`, `prices` or `quotes` only `time` may stand: a stray symbol there would be silently lost.
    if (bars !== undefined || prices !== undefined || bidAsk !== undefined)
      for (const key in input) if (!reservedUpdateKeys.has(key)) addIssue(issues, key, "is not a known field (prices go inside `bars`, `prices` or `quotes`)", input[key])
    if (bars !== undefined) {
      kind = "bar"
      // Only one of the two is read: `prices` beside `bars` would be lost.
      if (prices !== undefined) addIssue(issues, "prices", "must not stand beside `bars` (give that symbol a bar whose four prices are its last price)", prices)
      if (!isRecord(bars)) addIssue(issues, "bars", "must be an object of symbol → bar", bars)
      else for (const symbol in bars) addBar(issues, symbols, symbol, bars[symbol])
    } else if (prices !== undefined) {
      if (!isRecord(prices)) addIssue(issues, "prices", "must be an object of symbol → price", prices)
      else for (const symbol in prices) addTick(issues, symbols, "prices.", symbol, prices[symbol])
    } else if (bidAsk === undefined) {
      for (const symbol in input) if (!reservedUpdateKeys.has(symbol)) addTick(issues, symbols, "", symbol, input[symbol])
    }
    if (bidAsk !== undefined) {
      if (!isRecord(bidAsk)) addIssue(issues, "quotes", "must be an object of symbol → { bid, ask }", bidAsk)
      else
        for (const symbol in bidAsk) {
          if (issues.quotes?.some((q) => q.symbol === symbol)) addIssue(issues, `quotes.${symbol}`, "must not repeat a symbol given in `bars` or `prices`", bidAsk[symbol])
          else addQuote(issues, symbols, symbol, bidAsk[symbol])
        }
    }
    if (issues.list === null && issues.quotes === null) addIssue(issues, "(update)", "must carry at least one symbol's price", input)
  }
  if (issues.list !== null) return new ValidationError({ subject: "marketUpdate", issues: issues.list })
  // Without an issue there is a quote (an update without one is refused above).
  return { time, kind, quotes: issues.quotes! }
}
