/**
 * A file's layout for one kind of record: which column holds each field, the symbol when there is
 * no symbol column, and how times are written. Checked once, when a read starts, against the
 * file's column names: a missing column or bad option is a `DataFormatError`.
 */
import { symbolRuleBroken } from "../domain/simulation-config.ts"
import type { ReadOptions } from "./bad-row-tally.ts"
import { DataFormatError } from "./data-errors.ts"
import type { BarRecord, QuoteRecord, TradeRecord } from "./market-records.ts"
import { barDecoder, type CellReader, type Decoder, quoteDecoder, tradeDecoder } from "./record-decoders.ts"
import { BAR_FIELDS, type BarField, type ColumnRef, QUOTE_FIELDS, type QuoteField, type RecordField, resolveColumns, timeOfDayColumn, TRADE_FIELDS, type TradeField } from "./record-fields.ts"
import { type TimeOptions, timeOptionsProblem, timeParser } from "./time-format.ts"

interface Kinds {
  readonly bar: { readonly record: BarRecord; readonly field: BarField }
  readonly trade: { readonly record: TradeRecord; readonly field: TradeField }
  readonly quote: { readonly record: QuoteRecord; readonly field: QuoteField }
}
export type RecordKind = keyof Kinds
export type RecordOf<K extends RecordKind> = Kinds[K]["record"]

/** Options of a source of one kind of record, whatever the file format. */
export interface LayoutOptions<F extends string> extends ReadOptions, TimeOptions {
  /**
   * The column of each field, by name (any case) or 0-based index. Fields not given are found by
   * name: `Datetime`/`Timestamp`/`Date`/`Time`/`t`, `Symbol`/`Ticker`, `Open`/`o`, `High`/`h`,
   * `Low`/`l`, `Close`/`c`, `Volume`/`Vol`/`v`; `Price`/`Last`, `Size`/`Quantity`/`Qty`/`Volume`;
   * `Bid`, `Ask`, `BidSize`/`bid_size`, `AskSize`/`ask_size`. `timeOfDay` is a separate time
   * column (`Date,Time,…` files), joined to the date with a space; found as `Time` beside a `Date`.
   */
  readonly columns?: Readonly<Partial<Record<F | "timeOfDay", ColumnRef>>>
  /** The symbol of every row, for a file of one symbol; otherwise a symbol column is read. */
  readonly symbol?: string
}

const FIELDS: { readonly [K in RecordKind]: ReadonlyArray<Kinds[K]["field"]> } = { bar: BAR_FIELDS, trade: TRADE_FIELDS, quote: QUOTE_FIELDS }

/** A file's decoder, and the columns it reads (a Parquet reader fetches only those). */
export interface Layout<R, A> {
  readonly decode: Decoder<R, A>
  readonly reads: ReadonlyArray<number>
}

/**
 * The decoder of `kind` records for a file whose columns are `names` (empty for a CSV without a
 * header: then every field's column must be given as an index).
 */
export const layoutDecoder = <K extends RecordKind, R>(
  kind: K,
  source: string,
  names: ReadonlyArray<string>,
  options: LayoutOptions<Kinds[K]["field"]>,
  get: CellReader<R>,
  line?: number
): Layout<R, RecordOf<K>> => {
  const fail = (field: string, rule: string, value: unknown): never => {
    throw new DataFormatError({ source, line, field, rule, value })
  }
  const timeProblem = timeOptionsProblem(options)
  if (timeProblem !== undefined) fail(timeProblem.field, timeProblem.rule, timeProblem.value)
  const symbolRule = options.symbol === undefined ? undefined : symbolRuleBroken(options.symbol)
  if (symbolRule !== undefined) fail("symbol", symbolRule, options.symbol)

  const given: Readonly<Partial<Record<string, ColumnRef>>> = options.columns ?? {}
  const fields: ReadonlyArray<RecordField> = FIELDS[kind]
  const columns = resolveColumns(fields, names, given)
  for (const field of fields) {
    if (field === "symbol" && options.symbol !== undefined) continue
    const column = columns[field]
    const where = names.length === 0 ? "a column index (the file has no header)" : "a column"
    if (column === undefined || (names.length > 0 && column >= names.length))
      fail(field, field === "symbol" ? `${where}, or give the symbol option` : `${where} (${given[field] === undefined ? "none found by name" : `${JSON.stringify(given[field])} not found`})`, names)
  }
  const timeOfDay = timeOfDayColumn(names, columns.time, given.timeOfDay)
  if (given.timeOfDay !== undefined && timeOfDay === undefined) fail("timeOfDay", "a column", names)

  const decoderOptions = {
    symbol: options.symbol,
    parseTime: timeParser(options),
    timeFormat: options.timeFormat ?? "iso",
    timeOfDay
  }
  const decoders: { readonly [Kind in RecordKind]: () => Decoder<R, RecordOf<Kind>> } = {
    bar: () => barDecoder(get, columns as Record<BarField, number | undefined>, decoderOptions),
    trade: () => tradeDecoder(get, columns as Record<TradeField, number | undefined>, decoderOptions),
    quote: () => quoteDecoder(get, columns as Record<QuoteField, number | undefined>, decoderOptions)
  }
  const reads = [...fields.map((field) => columns[field]), timeOfDay].filter((column): column is number => column !== undefined)
  return { decode: decoders[kind](), reads: [...new Set(reads)] }
}
