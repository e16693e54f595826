/**
 * OHLCV bars from CSV, through csv-parse: any column names and order, any delimiter, daily or
 * intraday times in a declared time zone, one symbol per file or a symbol column. Read as a
 * stream, a chunk at a time; `parseCsvBars` reads text already in memory with the same rules.
 */
import { createReadStream } from "node:fs"
import { pipeline } from "node:stream/promises"
import { type CsvError, type Options as CsvParseOptions, parse } from "csv-parse"
import { parse as parseText } from "csv-parse/sync"
import { BadRowTally, type ReadSummary } from "./bad-row-tally.ts"
import { BadRowError, DataFormatError, toDataFileError } from "./data-errors.ts"
import { type MarketDataSource, marketDataSource } from "./market-data-source.ts"
import type { BarRecord } from "./market-records.ts"
import { type Decoder, RowProblem } from "./record-decoders.ts"
import type { BarField } from "./record-fields.ts"
import { type LayoutOptions, layoutDecoder } from "./record-layout.ts"

export interface CsvBarsOptions extends LayoutOptions<BarField> {
  /** The field delimiter: `","` (default), `";"`, `"\t"`, `"|"`… */
  readonly delimiter?: string
  /** Whether the first row names the columns (default true). Without one, give every column by index. */
  readonly header?: boolean
}

/**
 * The bars of a CSV file, read incrementally. Rows must be in time order (several symbols
 * interleaved by time); a bad row ends the read with a `BadRowError` naming the file, line and
 * field, or with `onBadRow: "skip"` is skipped and counted in `summary`.
 */
export const readCsvBars = (path: string, options: CsvBarsOptions = {}): MarketDataSource<BarRecord> =>
  marketDataSource(path, () => {
    const tally = new BadRowTally(path, options.onBadRow)
    return { batches: csvBatches(path, options, tally), summary: (records) => tally.summary(records) }
  })

/** The bars of CSV text, with the same rules; throws the first bad row's `BadRowError` unless skipping. */
export const parseCsvBars = (text: string, options: CsvBarsOptions & { readonly source?: string } = {}): { bars: BarRecord[]; summary: ReadSummary } => {
  const source = options.source ?? "<csv>"
  const tally = new BadRowTally(source, options.onBadRow)
  const bars: BarRecord[] = []
  const rows = csvRows(source, options, (item) => (item instanceof BadRowError ? tally.bad(item) : bars.push(item)))
  parseText(text, rows.parserOptions)
  rows.finish()
  return { bars, summary: tally.summary(bars.length) }
}

async function* csvBatches(path: string, options: CsvBarsOptions, tally: BadRowTally): AsyncGenerator<BarRecord[]> {
  // The parser's own records are its rows' bars and bad rows, in file order: on_record and on_skip
  // push them as they are parsed, so a bad row reaches the reader after every bar before it.
  const rows = csvRows(path, options, (item) => parser.push(item))
  const parser = parse(rows.parserOptions)
  const piped = pipeline(createReadStream(path, { highWaterMark: 256 * 1024 }), parser)
  // Its failure also reaches the loop below, through the parser it destroys.
  piped.catch(() => undefined)
  let batch: BarRecord[] = []
  try {
    for await (const item of parser as AsyncIterable<BarRecord | BadRowError>) {
      if (item instanceof BadRowError) tally.bad(item)
      else batch.push(item)
      // The parser holds what one chunk of the file gave; when it is drained, the batch is done.
      if (parser.readableLength === 0 && batch.length > 0) {
        yield batch
        batch = []
      }
    }
  } catch (error) {
    throw toDataFileError(path, error)
  } finally {
    parser.destroy()
  }
  if (batch.length > 0) yield batch
  rows.finish()
}

/** What csv-parse is told, and the check at the end that a header was there. */
const csvRows = (source: string, options: CsvBarsOptions, emit: (item: BarRecord | BadRowError) => void) => {
  const header = options.header ?? true
  const cell = (row: ReadonlyArray<string>, column: number) => row[column]
  let decode: Decoder<ReadonlyArray<string>, BarRecord> | undefined = header ? undefined : layoutDecoder("bar", source, [], options, cell).decode
  const parserOptions: CsvParseOptions = {
    delimiter: options.delimiter ?? ",",
    bom: true,
    // No trim: csv-parse's costs a fifth of its time; the decoders trim what needs it.
    skip_empty_lines: true,
    // A short row becomes a bad row naming the missing field, not a bare column-count error.
    relax_column_count: true,
    // Broken quoting is a bad row like any other, in its place among the rows.
    skip_records_with_error: true,
    on_skip: (error) => {
      if (error !== undefined) emit(malformed(source, error))
      return undefined
    },
    on_record: (record: string[], { lines }) => {
      if (decode === undefined) {
        decode = layoutDecoder("bar", source, record, options, cell, lines).decode
        return null
      }
      const bar = decode(record)
      emit(bar instanceof RowProblem ? new BadRowError({ source, line: lines, field: bar.field, reason: bar.reason, rule: bar.rule, value: bar.value }) : bar)
      return null
    }
  }
  return {
    parserOptions,
    finish: () => {
      if (decode === undefined) throw new DataFormatError({ source, line: 1, field: "header", rule: "present", value: "" })
    }
  }
}

const malformed = (source: string, error: CsvError): BadRowError =>
  new BadRowError({ source, line: typeof error["lines"] === "number" ? error["lines"] : undefined, field: "csv", reason: "malformed", rule: `well-formed CSV (${error.code})`, value: error.message })
