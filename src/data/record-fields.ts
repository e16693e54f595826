/**
 * The fields of each kind of record, and where they are in a file: a column given by the caller
 * (by name, case-insensitively, or by 0-based index), or else one whose name is a known alias.
 */

export const BAR_FIELDS = ["time", "symbol", "open", "high", "low", "close", "volume"] as const
export const TRADE_FIELDS = ["time", "symbol", "price", "size"] as const
export const QUOTE_FIELDS = ["time", "symbol", "bid", "ask", "bidSize", "askSize"] as const

export type BarField = (typeof BAR_FIELDS)[number]
export type TradeField = (typeof TRADE_FIELDS)[number]
export type QuoteField = (typeof QUOTE_FIELDS)[number]
export type RecordField = BarField | TradeField | QuoteField

/** Where a field is: a column name (any case) or a 0-based column index. */
export type ColumnRef = string | number

/**
 * The names each field is found under when the caller does not name its column, compared
 * case-insensitively; the first alias present wins (`Datetime` before `Date`).
 */
const ALIASES: Readonly<Record<RecordField, ReadonlyArray<string>>> = {
  time: ["datetime", "timestamp", "date", "time", "t"],
  symbol: ["symbol", "ticker"],
  open: ["open", "o"],
  high: ["high", "h"],
  low: ["low", "l"],
  close: ["close", "c"],
  volume: ["volume", "vol", "v"],
  price: ["price", "last"],
  size: ["size", "quantity", "qty", "volume"],
  bid: ["bid", "bid_price", "bidprice"],
  ask: ["ask", "ask_price", "askprice"],
  bidSize: ["bidsize", "bid_size"],
  askSize: ["asksize", "ask_size"]
}

/** A field's column index, or undefined when the file has no such column. */
export type Columns<F extends string> = Readonly<Record<F, number | undefined>>

/**
 * The column of each field among `names` (a header, a Parquet schema, a JSON object's keys).
 * With no names (a CSV without a header) only indexes can be given.
 */
export const resolveColumns = <F extends RecordField>(
  fields: ReadonlyArray<F>,
  names: ReadonlyArray<string>,
  given: Readonly<Partial<Record<F, ColumnRef>>>
): Columns<F> => {
  const find = columnFinder(names)
  const columns = {} as Record<F, number | undefined>
  for (const field of fields) {
    const ref = given[field]
    columns[field] = typeof ref === "number" ? ref : ref !== undefined ? find(ref) : ALIASES[field].map(find).find((at) => at !== undefined)
  }
  return columns
}

/**
 * A column by name: the one spelt exactly so, or else the one equal but for case (JSON keys such
 * as Alpaca's `S` for symbol and `s` for size differ only in case).
 */
const columnFinder = (names: ReadonlyArray<string>) => {
  const trimmed = names.map((name) => name.trim())
  const lower = trimmed.map((name) => name.toLowerCase())
  return (name: string): number | undefined => {
    const exact = trimmed.indexOf(name)
    const at = exact >= 0 ? exact : lower.indexOf(name.toLowerCase())
    return at < 0 ? undefined : at
  }
}

/** A separate time-of-day column (`Date,Time,…`): found when the time is a column named `date`. */
export const timeOfDayColumn = (names: ReadonlyArray<string>, time: number | undefined, given: ColumnRef | undefined): number | undefined => {
  if (typeof given === "number") return given
  const find = columnFinder(names)
  if (given !== undefined) return find(given)
  return time !== undefined && names[time]?.trim().toLowerCase() === "date" ? find("time") : undefined
}
