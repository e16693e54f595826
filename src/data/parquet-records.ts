/**
 * Bars, trades or quotes from Parquet, through hyparquet, one row group at a time: memory holds
 * one row group's columns, whatever the file's size. Columns are found as CSV columns are (see
 * `LayoutOptions.columns`). A time column of Parquet's TIMESTAMP or DATE type is an instant (or,
 * when not adjusted to UTC, a wall-clock time in `timeZone`); a number column is an epoch time
 * (ms, or seconds with `timeFormat: "epoch-s"`); a text column is read in `timeFormat`.
 */
import { asyncBufferFromFile, type DecodedArray, type FileMetaData, type ParquetScan, parquetMetadataAsync, parquetScan, parquetSchema, type SchemaElement } from "hyparquet"
import { BadRowTally } from "./bad-row-tally.ts"
import { BadRowError, DataFormatError, toDataFileError } from "./data-errors.ts"
import { type MarketDataSource, marketDataSource } from "./market-data-source.ts"
import type { BarRecord, QuoteRecord, TradeRecord } from "./market-records.ts"
import { RowProblem } from "./record-decoders.ts"
import { type BarField, type QuoteField, resolveColumns, type TradeField } from "./record-fields.ts"
import { type LayoutOptions, layoutDecoder, type RecordKind, type RecordOf } from "./record-layout.ts"
import { wallClockOf, zonedTime } from "../domain/zoned-time.ts"

export type ParquetBarsOptions = LayoutOptions<BarField>
export type ParquetTradesOptions = LayoutOptions<TradeField>
export type ParquetQuotesOptions = LayoutOptions<QuoteField>

/** OHLCV bars from a Parquet file. */
export const readParquetBars = (path: string, options: ParquetBarsOptions = {}): MarketDataSource<BarRecord> => parquetRecords("bar", path, options)

/** Trades (ticks) from a Parquet file. */
export const readParquetTrades = (path: string, options: ParquetTradesOptions = {}): MarketDataSource<TradeRecord> => parquetRecords("trade", path, options)

/** Top-of-book quotes from a Parquet file. */
export const readParquetQuotes = (path: string, options: ParquetQuotesOptions = {}): MarketDataSource<QuoteRecord> => parquetRecords("quote", path, options)

const parquetRecords = <K extends RecordKind>(kind: K, path: string, options: LayoutOptions<string>): MarketDataSource<RecordOf<K>> =>
  marketDataSource(path, () => {
    const tally = new BadRowTally(path, options.onBadRow)
    return { batches: rowGroups(kind, path, options, tally), summary: (records) => tally.summary(records) }
  })

const SLICE_ROWS = 8192

// Timestamps as epoch ms numbers, not a Date per row.
const parsers = {
  timestampFromMilliseconds: (ms: bigint) => Number(ms),
  timestampFromMicroseconds: (us: bigint) => Number(us / 1000n),
  timestampFromNanoseconds: (ns: bigint) => Number(ns / 1_000_000n),
  dateFromDays: (days: number) => days * 86_400_000
}

/** How a time column's values are instants: typed UTC, typed wall-clock, or not a time type. */
const timeType = (element: SchemaElement): "instant" | "wall-clock" | "untyped" => {
  const logical = element.logical_type
  if (logical?.type === "TIMESTAMP") return logical.isAdjustedToUTC ? "instant" : "wall-clock"
  if (logical?.type === "DATE") return "instant"
  const converted = element.converted_type
  return converted === "TIMESTAMP_MILLIS" || converted === "TIMESTAMP_MICROS" || converted === "DATE" ? "instant" : "untyped"
}

async function* rowGroups<K extends RecordKind>(kind: K, path: string, options: LayoutOptions<string>, tally: BadRowTally): AsyncGenerator<Array<RecordOf<K>>> {
  const unreadable = (error: unknown, where: string): DataFormatError =>
    new DataFormatError({ source: path, field: "file", rule: `readable Parquet (${where})`, value: (error as Error).message })
  const file = await asyncBufferFromFile(path).catch((error: unknown) => {
    throw toDataFileError(path, error)
  })
  const metadata: FileMetaData = await parquetMetadataAsync(file).catch((error: unknown) => {
    throw unreadable(error, "its footer")
  })
  const schema = parquetSchema(metadata).children.map((child) => child.element)
  const names = schema.map((element) => element.name)

  const given = options.columns ?? {}
  const timeColumn = resolveColumns(["time"], names, given).time
  const timeElement = timeColumn === undefined ? undefined : schema[timeColumn]
  const typed = timeElement === undefined ? "untyped" : timeType(timeElement)
  // A typed time is already ms since the epoch (see `parsers`); the caller's format is for the others.
  const layout = typed === "untyped" ? options : { ...options, timeFormat: "epoch-ms" }
  const columns: Array<DecodedArray | undefined> = []
  const { decode, reads } = layoutDecoder(kind, path, names, layout, (row: number, column: number) => columns[column]![row])
  const wallToInstant = typed === "wall-clock" ? zonedTime(options.timeZone ?? "UTC") : undefined

  const scan: ParquetScan = await parquetScan({ file, metadata, columns: reads.map((c) => names[c]!), parsers }).catch((error: unknown) => {
    throw unreadable(error, "its row groups")
  })
  let rowStart = 0
  for (const [group, { num_rows }] of metadata.row_groups.entries()) {
    const rowEnd = rowStart + Number(num_rows)
    const arrays = await Promise.all(reads.map((c) => scan.readColumn({ column: names[c]!, rowStart, rowEnd }))).catch((error: unknown) => {
      throw unreadable(error, `row group ${group}`)
    })
    reads.forEach((c, i) => (columns[c] = arrays[i]))
    if (wallToInstant !== undefined && timeColumn !== undefined)
      columns[timeColumn] = Array.from(columns[timeColumn]!, (ms) => (typeof ms === "number" ? wallToInstant(wallClockOf(ms)) : ms))
    // Records are several times the size of their columns: made a slice at a time, only one
    // slice of them is alive beside the row group's columns.
    for (let from = 0; from < rowEnd - rowStart; from += SLICE_ROWS) {
      const batch: Array<RecordOf<K>> = []
      for (let row = from; row < Math.min(from + SLICE_ROWS, rowEnd - rowStart); row++) {
        const record = decode(row)
        if (record instanceof RowProblem)
          tally.bad(new BadRowError({ source: path, rowGroup: group, row, field: record.field, reason: record.reason, rule: record.rule, value: record.value }))
        else batch.push(record)
      }
      yield batch
    }
    columns.length = 0
    rowStart = rowEnd
  }
}
