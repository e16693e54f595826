/**
 * Per-symbol OHLCV series merged into one timeline of market updates, as the engine and the
 * deployer take them: `{ time, bars: { ORCL: {...}, NVDA: {...} } }`, one update per distinct
 * time, ascending. A symbol without a bar at that time is absent from the update.
 *
 * Also where a data file's symbol comes from: `SYM=path` names it (any symbol a simulation config
 * accepts); a bare path's symbol is the file name's leading letters, upper-cased
 * (`data/orcl-1995-2014.txt` → ORCL).
 */
import { basename } from "node:path"
import { Data } from "effect"
import { SYMBOL } from "../domain/simulation-config.ts"
import { alignByTime } from "./aligned-updates.ts"
import { readCsvBars } from "./csv-bars.ts"
import { readAll } from "./market-data-source.ts"
import type { BarValues } from "./market-records.ts"
import type { OhlcvBar } from "./ohlcv-csv.ts"

export type TimelineBar = BarValues

export interface BarUpdate {
  /** ms since the epoch. */
  readonly time: number
  readonly bars: Readonly<Record<string, TimelineBar>>
}

/** Merges series held in memory by time; within an update, symbols keep the order of `series`. */
export const barTimeline = (series: Readonly<Record<string, ReadonlyArray<OhlcvBar>>>): ReadonlyArray<BarUpdate> => {
  const byTime = new Map<number, Record<string, TimelineBar>>()
  for (const [symbol, bars] of Object.entries(series))
    for (const { time, open, high, low, close, volume } of bars) {
      let update = byTime.get(time)
      if (update === undefined) byTime.set(time, (update = {}))
      update[symbol] = { open, high, low, close, volume }
    }
  return [...byTime.keys()].sort((a, b) => a - b).map((time) => ({ time, bars: byTime.get(time)! }))
}

/** A data file and the symbol its bars are for. */
export interface DataSource {
  readonly symbol: string
  readonly path: string
}

/** A `--data` argument whose symbol cannot be told, or a symbol given by two files. */
export class DataSourceError extends Data.TaggedError("DataSourceError")<{
  readonly argument: string
  readonly rule: string
}> {
  override get message(): string {
    return `data ${JSON.stringify(this.argument)} ${this.rule}`
  }
}

const LEADING_LETTERS = /^[A-Za-z]+/

/**
 * `SYM=path`, where SYM is any symbol a simulation config accepts (`0700.HK`, `BTC/USD`), or a
 * bare path named by its file's leading letters; throws `DataSourceError`.
 */
export const dataSource = (argument: string): DataSource => {
  const equals = argument.indexOf("=")
  const symbol = argument.slice(0, equals)
  if (equals >= 0 && (symbol === "" || SYMBOL.test(symbol))) {
    const path = argument.slice(equals + 1)
    if (symbol === "") throw new DataSourceError({ argument, rule: "names no symbol before =" })
    if (path === "") throw new DataSourceError({ argument, rule: `names no file after ${symbol}=` })
    return { symbol, path }
  }
  const letters = LEADING_LETTERS.exec(basename(argument))
  if (letters === null) throw new DataSourceError({ argument, rule: `has no symbol: its file name does not start with letters (name it: SYM=${argument})` })
  return { symbol: letters[0].toUpperCase(), path: argument }
}

/**
 * Reads each source's daily OHLCV CSV (as `loadOhlcvCsv` does) and merges them into one
 * timeline, all in memory. Throws `DataSourceError` for a symbol given twice, `DataFileError` for
 * a file that cannot be read, `BadRowError` or `DataFormatError` for a malformed one.
 */
export const loadBarTimeline = async (sources: ReadonlyArray<DataSource>): Promise<ReadonlyArray<BarUpdate>> => {
  const symbols = new Set<string>()
  for (const { symbol, path } of sources) {
    if (symbols.has(symbol)) throw new DataSourceError({ argument: path, rule: `is for ${symbol}, which another data file already gives` })
    symbols.add(symbol)
  }
  const updates = await readAll(alignByTime(sources.map(({ symbol, path }) => readCsvBars(path, { symbol, timeFormat: "YYYY-MM-DD" }))))
  return updates.map(({ time, records }) => {
    const bars: Record<string, TimelineBar> = {}
    for (const record of records) if (record.kind === "bar") bars[record.symbol] = { open: record.open, high: record.high, low: record.low, close: record.close, volume: record.volume }
    return { time, bars }
  })
}
