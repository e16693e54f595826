/**
 * Daily OHLCV CSV files as the command line and the examples read them: a header naming `Date`
 * (YYYY-MM-DD), `Open`, `High`, `Low`, `Close` and `Volume` in any order and case, one symbol per
 * file, read whole. `readCsvBars` reads any other layout, as a stream.
 */
import { parseCsvBars, readCsvBars } from "./csv-bars.ts"
import { readAll } from "./market-data-source.ts"
import type { BarRecord } from "./market-records.ts"

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

// The reader gives every bar a symbol; an OhlcvBar has none, so this one is dropped.
const DAILY = { symbol: "OHLCV", timeFormat: "YYYY-MM-DD" } as const

const toOhlcvBar = ({ time, open, high, low, close, volume }: BarRecord): OhlcvBar => ({
  time,
  date: new Date(time).toISOString().slice(0, 10),
  open,
  high,
  low,
  close,
  volume
})

/**
 * Reads and checks a daily OHLCV CSV file; rejects with a `BadRowError` naming the line and field,
 * a `DataFormatError` for a missing column, a `DataFileError` for a file that cannot be read.
 */
export const loadOhlcvCsv = async (path: string): Promise<ReadonlyArray<OhlcvBar>> => (await readAll(readCsvBars(path, DAILY))).map(toOhlcvBar)

/** Parses and checks daily OHLCV CSV text; throws as `loadOhlcvCsv` rejects. */
export const parseOhlcvCsv = (text: string, source = "<csv>"): ReadonlyArray<OhlcvBar> => parseCsvBars(text, { ...DAILY, source }).bars.map(toOhlcvBar)
