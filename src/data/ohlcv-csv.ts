import { readFile } from "node:fs/promises"
import { CsvError, parse } from "csv-parse/sync"
import { Data } from "effect"

/** One daily bar; `time` is UTC midnight of `date`, in ms since the epoch. */
export interface OhlcvBar {
  readonly time: number
  readonly date: string
  readonly open: number
  readonly high: number
  readonly low: number
  readonly close: number
  readonly volume: number
}

/** A CSV that is not a valid OHLCV series; `line` is 1-based with the header as line 1. */
export class OhlcvCsvError extends Data.TaggedError("OhlcvCsvError")<{
  readonly source: string
  readonly line: number
  readonly field: string
  readonly rule: string
  readonly value: unknown
}> {
  override get message(): string {
    return `${this.source}:${this.line}: ${this.field} must be ${this.rule} (got ${JSON.stringify(this.value) ?? "nothing"})`
  }
}

// Yahoo's `Adj Close` and a trailing `OpenInterest` may be present; they are not read.
const requiredColumns = ["date", "open", "high", "low", "close", "volume"] as const
type Column = (typeof requiredColumns)[number]

const isoDate = /^(\d{4})-(\d{2})-(\d{2})$/

/** Reads and validates an OHLCV CSV file; rejects with an `OhlcvCsvError` naming the line and field. */
export const loadOhlcvCsv = async (path: string): Promise<ReadonlyArray<OhlcvBar>> =>
  parseOhlcvCsv(await readFile(path, "utf8"), path)

/** Parses and validates OHLCV CSV text; throws an `OhlcvCsvError` naming the line and field. */
export const parseOhlcvCsv = (text: string, source = "<csv>"): ReadonlyArray<OhlcvBar> => {
  const rows = parseRows(text, source)
  const header = rows[0]
  if (header === undefined) {
    throw new OhlcvCsvError({ source, line: 1, field: "header", rule: "present", value: text.slice(0, 80) })
  }
  const index = columnIndex(header.record, header.line, source)

  const bars: OhlcvBar[] = []
  let previous: OhlcvBar | undefined
  for (let r = 1; r < rows.length; r++) {
    const { record, line } = rows[r]!
    const fail = (field: string, rule: string, value: unknown): never => {
      throw new OhlcvCsvError({ source, line, field, rule, value })
    }
    const cell = (column: Column): string => record[index[column]] ?? fail(column, "present", undefined)
    const price = (column: Column): number => {
      const raw = cell(column)
      const value = toNumber(raw)
      return Number.isFinite(value) && value > 0 ? value : fail(column, "a finite number > 0", raw)
    }

    const date = cell("date")
    const time = parseIsoDate(date) ?? fail("date", "a calendar date YYYY-MM-DD", date)
    const open = price("open")
    const high = price("high")
    const low = price("low")
    const close = price("close")
    const rawVolume = cell("volume")
    const volume = toNumber(rawVolume)
    if (!Number.isFinite(volume)) fail("volume", "a finite number", rawVolume)
    if (volume < 0) fail("volume", "≥ 0", volume)
    if (high < Math.max(open, close, low)) fail("high", `≥ max(open, close, low) = ${Math.max(open, close, low)}`, high)
    if (low > Math.min(open, close)) fail("low", `≤ min(open, close) = ${Math.min(open, close)}`, low)
    if (previous !== undefined && time <= previous.time) fail("date", `after the previous bar's ${previous.date}`, date)

    previous = { time, date, open, high, low, close, volume }
    bars.push(previous)
  }
  return bars
}

interface Row {
  readonly record: ReadonlyArray<string>
  readonly line: number
}

const parseRows = (text: string, source: string): ReadonlyArray<Row> => {
  try {
    // csv-parse's typings have no overload for `info: true`; this is the documented record shape.
    const parsed = parse(text, {
      info: true,
      trim: true,
      skip_empty_lines: true,
      // A short row becomes our own error naming the missing field, not a bare column-count error.
      relax_column_count: true
    }) as unknown as ReadonlyArray<{ record: string[]; info: { lines: number } }>
    return parsed.map(({ record, info }) => ({ record, line: info.lines }))
  } catch (error) {
    if (error instanceof CsvError) {
      const line = typeof error["lines"] === "number" ? error["lines"] : 0
      throw new OhlcvCsvError({ source, line, field: "csv", rule: `well-formed CSV (${error.code})`, value: error.message })
    }
    throw error
  }
}

const columnIndex = (header: ReadonlyArray<string>, line: number, source: string): Record<Column, number> => {
  const names = header.map((name) => name.toLowerCase())
  const index = {} as Record<Column, number>
  for (const column of requiredColumns) {
    const at = names.indexOf(column)
    if (at < 0) throw new OhlcvCsvError({ source, line, field: column, rule: "a column in the header", value: header })
    index[column] = at
  }
  return index
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/

// A decimal numeral only: Number() also reads "" as 0 and "0x10" as 16.
const toNumber = (raw: string): number => (DECIMAL.test(raw) ? Number(raw) : Number.NaN)

/** UTC midnight of a real calendar date (2014-02-30 is rejected), or undefined. */
const parseIsoDate = (text: string): number | undefined => {
  const match = isoDate.exec(text)
  if (match === null) return undefined
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])]
  const time = Date.UTC(year, month - 1, day)
  const back = new Date(time)
  return back.getUTCFullYear() === year && back.getUTCMonth() === month - 1 && back.getUTCDate() === day
    ? time
    : undefined
}
