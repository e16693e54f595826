/**
 * One row to one record, checked: every field present and of its kind, the prices consistent,
 * the time in order. Shared by every file format: a row is read through `get(row, column)`, so
 * CSV cells, JSON values and Parquet columns go through the same rules.
 */
import { isDecimalString } from "../domain/decimal.ts"
import { symbolRuleBroken } from "../domain/simulation-config.ts"
import { MAX_AMOUNT } from "../domain/validation.ts"
import type { BadRowReason } from "./data-errors.ts"
import type { BarRecord, QuoteRecord, TradeRecord } from "./market-records.ts"
import type { BarField, Columns, QuoteField, TradeField } from "./record-fields.ts"
import { describeTimeFormat, type TimeFormat, type TimeParser } from "./time-format.ts"

/** What is wrong with a row; the source adds where it is and makes it a `BadRowError`. */
export class RowProblem {
  readonly field: string
  readonly reason: BadRowReason
  readonly rule: string
  readonly value: unknown
  constructor(field: string, reason: BadRowReason, rule: string, value: unknown) {
    this.field = field
    this.reason = reason
    this.rule = rule
    this.value = value
  }
}

/** How a decoder reads a row: the value in a column (undefined for a column the row lacks). */
export type CellReader<R> = (row: R, column: number) => unknown

export interface DecoderOptions {
  /** The symbol of every row, for a file without a symbol column. */
  readonly symbol?: string | undefined
  readonly parseTime: TimeParser
  readonly timeFormat: TimeFormat
  /** A separate time-of-day column, joined to the date with a space before parsing. */
  readonly timeOfDay?: number | undefined
}

export type Decoder<R, A> = (row: R) => A | RowProblem

// Cells are not trimmed as they are read (csv-parse's trim costs a fifth of its time): spaces
// around a value are dropped here, where a value is found not to be plain.
const isPresent = (value: unknown): boolean =>
  value !== undefined && value !== null && value !== "" && !(typeof value === "string" && value.charCodeAt(0) <= 32 && value.trim() === "")

// A decimal numeral only: Number() also reads "" as 0 and "0x10" as 16.
const decimal = (text: string): number => (isDecimalString(text) ? Number(text) : Number.NaN)

const numberOf = (value: unknown): number =>
  typeof value === "number"
    ? value
    : typeof value === "string"
      ? isDecimalString(value)
        ? Number(value)
        : decimal(value.trim())
      : typeof value === "bigint"
        ? Number(value)
        : Number.NaN

const PRICE_RULE = "a finite number > 0"

/** A price: present, a number, finite, above 0 and within the engine's bound, so a simulation takes it. */
const price = (field: string, value: unknown): number | RowProblem => {
  if (!isPresent(value)) return new RowProblem(field, "missing", "present", value)
  const n = numberOf(value)
  if (Number.isNaN(n)) return new RowProblem(field, "not-a-number", PRICE_RULE, value)
  if (!(Number.isFinite(n) && n > 0)) return new RowProblem(field, "out-of-range", PRICE_RULE, value)
  return n <= MAX_AMOUNT ? n : new RowProblem(field, "out-of-range", "≤ 1e15, the largest price a simulation takes", value)
}

/** A volume or size: present, a finite number, at least 0. */
const amount = (field: string, value: unknown): number | RowProblem => {
  if (!isPresent(value)) return new RowProblem(field, "missing", "present", value)
  const n = numberOf(value)
  if (Number.isNaN(n)) return new RowProblem(field, "not-a-number", "a finite number", value)
  if (!Number.isFinite(n)) return new RowProblem(field, "out-of-range", "a finite number", value)
  return n >= 0 ? n : new RowProblem(field, "out-of-range", "≥ 0", n)
}

/** A time as a date when it is a UTC midnight: the messages of daily files then read as they do. */
const formatInstant = (time: number): string => {
  const iso = new Date(time).toISOString()
  return time % 86_400_000 === 0 ? iso.slice(0, 10) : iso
}

/**
 * Rows must come in time order: a time before the row before is a bad row. For bars, a second
 * bar of one symbol at one time is one too; trades and quotes may share a time (an exchange
 * prints several in one millisecond).
 */
class TimeOrder {
  #last = Number.NEGATIVE_INFINITY
  readonly #symbolsAtLast = new Set<string>()
  readonly #uniquePerSymbol: boolean

  constructor(uniquePerSymbol: boolean) {
    this.#uniquePerSymbol = uniquePerSymbol
  }

  check(symbol: string, time: number, raw: unknown): RowProblem | undefined {
    if (time < this.#last) return new RowProblem("time", "time-backwards", `not before ${formatInstant(this.#last)}, the time of the row before`, raw)
    if (this.#uniquePerSymbol && time === this.#last && this.#symbolsAtLast.has(symbol))
      return new RowProblem("time", "duplicate-time", `after ${formatInstant(time)}, where ${symbol} already has a bar`, raw)
    return undefined
  }

  /** Records an accepted row (a skipped one leaves the order as it was). */
  accept(symbol: string, time: number): void {
    if (time !== this.#last) {
      this.#last = time
      this.#symbolsAtLast.clear()
    }
    if (this.#uniquePerSymbol) this.#symbolsAtLast.add(symbol)
  }
}

/** The fields every record has: its time and symbol, read and checked. */
const timeAndSymbol = <R>(get: CellReader<R>, columns: Columns<"time" | "symbol">, options: DecoderOptions) => {
  const timeColumn = columns.time as number
  const symbolColumn = columns.symbol
  const timeRule = describeTimeFormat(options.timeFormat)
  const { timeOfDay, parseTime, symbol: fixedSymbol } = options
  return (row: R): { time: number; symbol: string; raw: unknown } | RowProblem => {
    let raw = get(row, timeColumn)
    if (!isPresent(raw)) return new RowProblem("time", "missing", "present", raw)
    if (timeOfDay !== undefined) {
      const clock = get(row, timeOfDay)
      if (!isPresent(clock)) return new RowProblem("time", "missing", "present (the time-of-day column)", clock)
      raw = `${String(raw).trim()} ${String(clock).trim()}`
    } else if (typeof raw === "string") raw = raw.trim()
    const time = parseTime(raw)
    if (Number.isNaN(time)) return new RowProblem("time", "bad-time", timeRule, raw)
    let symbol = fixedSymbol
    if (symbol === undefined) {
      const cell = get(row, symbolColumn as number)
      if (!isPresent(cell)) return new RowProblem("symbol", "missing", "present", cell)
      symbol = String(cell).trim()
      if (symbolRuleBroken(symbol) !== undefined) return new RowProblem("symbol", "bad-symbol", "1–32 letters, digits or . _ : / -, not a name every object has (constructor, toString…)", cell)
    }
    return { time, symbol, raw }
  }
}

export const barDecoder = <R>(get: CellReader<R>, columns: Columns<BarField>, options: DecoderOptions): Decoder<R, BarRecord> => {
  const head = timeAndSymbol(get, columns, options)
  const order = new TimeOrder(true)
  const { open: o, high: h, low: l, close: c, volume: v } = columns as Readonly<Record<BarField, number>>
  return (row) => {
    const at = head(row)
    if (at instanceof RowProblem) return at
    const open = price("open", get(row, o))
    if (open instanceof RowProblem) return open
    const high = price("high", get(row, h))
    if (high instanceof RowProblem) return high
    const low = price("low", get(row, l))
    if (low instanceof RowProblem) return low
    const close = price("close", get(row, c))
    if (close instanceof RowProblem) return close
    const volume = amount("volume", get(row, v))
    if (volume instanceof RowProblem) return volume
    const top = Math.max(open, close, low)
    if (high < top) return new RowProblem("high", "inconsistent", `≥ max(open, close, low) = ${top}`, high)
    const bottom = Math.min(open, close)
    if (low > bottom) return new RowProblem("low", "inconsistent", `≤ min(open, close) = ${bottom}`, low)
    const { time, symbol } = at
    const outOfOrder = order.check(symbol, time, at.raw)
    if (outOfOrder !== undefined) return outOfOrder
    order.accept(symbol, time)
    return { kind: "bar", symbol, time, open, high, low, close, volume }
  }
}

export const tradeDecoder = <R>(get: CellReader<R>, columns: Columns<TradeField>, options: DecoderOptions): Decoder<R, TradeRecord> => {
  const head = timeAndSymbol(get, columns, options)
  const order = new TimeOrder(false)
  const { price: p, size: s } = columns as Readonly<Record<TradeField, number>>
  return (row) => {
    const at = head(row)
    if (at instanceof RowProblem) return at
    const tradePrice = price("price", get(row, p))
    if (tradePrice instanceof RowProblem) return tradePrice
    const size = amount("size", get(row, s))
    if (size instanceof RowProblem) return size
    const { time, symbol } = at
    const outOfOrder = order.check(symbol, time, at.raw)
    if (outOfOrder !== undefined) return outOfOrder
    order.accept(symbol, time)
    return { kind: "trade", symbol, time, price: tradePrice, size }
  }
}

export const quoteDecoder = <R>(get: CellReader<R>, columns: Columns<QuoteField>, options: DecoderOptions): Decoder<R, QuoteRecord> => {
  const head = timeAndSymbol(get, columns, options)
  const order = new TimeOrder(false)
  const { bid: b, ask: a, bidSize: bs, askSize: as } = columns as Readonly<Record<QuoteField, number>>
  return (row) => {
    const at = head(row)
    if (at instanceof RowProblem) return at
    const bid = price("bid", get(row, b))
    if (bid instanceof RowProblem) return bid
    const ask = price("ask", get(row, a))
    if (ask instanceof RowProblem) return ask
    const bidSize = amount("bidSize", get(row, bs))
    if (bidSize instanceof RowProblem) return bidSize
    const askSize = amount("askSize", get(row, as))
    if (askSize instanceof RowProblem) return askSize
    // The engine's rule (bid ≤ ask; a locked quote is a quote), held to it by a property in test/data/jsonl-records.test.ts.
    if (ask < bid) return new RowProblem("ask", "inconsistent", `≥ the bid ${bid} (a crossed quote)`, ask)
    const { time, symbol } = at
    const outOfOrder = order.check(symbol, time, at.raw)
    if (outOfOrder !== undefined) return outOfOrder
    order.accept(symbol, time)
    return { kind: "quote", symbol, time, bid, ask, bidSize, askSize }
  }
}
