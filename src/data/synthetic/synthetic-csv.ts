import type { SyntheticBar } from "./synthetic-bars.ts"
import type { SyntheticQuote } from "./synthetic-quotes.ts"
import type { SyntheticTick } from "./synthetic-ticks.ts"

export type SyntheticRecord = SyntheticBar | SyntheticTick | SyntheticQuote

/** A kind of record's CSV header and its line after the time and symbol. */
interface CsvLayout {
  readonly header: string
  readonly rest: (record: never) => string
}

const bar: CsvLayout = {
  header: "time,symbol,open,high,low,close,volume",
  rest: (b: SyntheticBar) => `${b.open},${b.high},${b.low},${b.close},${b.volume}`
}
const quote: CsvLayout = {
  header: "time,symbol,bid,ask,bidSize,askSize",
  rest: (q: SyntheticQuote) => `${q.bid},${q.ask},${q.bidSize},${q.askSize}`
}
const tick: CsvLayout = {
  header: "time,symbol,price,size",
  rest: (t: SyntheticTick) => `${t.price},${t.size}`
}

const layoutOf = (record: SyntheticRecord): CsvLayout => ("open" in record ? bar : "bid" in record ? quote : tick)

/**
 * CSV lines of records, lazily, each ending in "\n": a header for the first record's kind, then
 * one line per record. Times are ISO-8601 UTC with milliseconds; numbers are written as their
 * shortest decimal (prices on the tick grid read `101.23`). Symbols need no quoting: they are
 * letters, digits and `. _ : / -`. Constant memory, so a file of any size can be streamed.
 */
export function* syntheticCsvLines(records: Iterable<SyntheticRecord>): Generator<string> {
  let layout: CsvLayout | null = null
  // Bars of several symbols share a time: its ISO string is made once.
  let time = Number.NaN
  let iso = ""
  for (const record of records) {
    if (layout === null) {
      layout = layoutOf(record)
      yield `${layout.header}\n`
    }
    if (record.time !== time) {
      time = record.time
      iso = new Date(time).toISOString()
    }
    yield `${iso},${record.symbol},${layout.rest(record as never)}\n`
  }
}

/** The CSV text of a finite list of records (`series.take(n)` or `series.limit(n)`): the same records give the same bytes. Empty for no records. */
export const syntheticCsv = (records: Iterable<SyntheticRecord>): string => {
  let text = ""
  for (const line of syntheticCsvLines(records)) text += line
  return text
}
