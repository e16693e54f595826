/**
 * JSON lines: one JSON object a line, of trades (`{"time","symbol","price","size"}`), quotes
 * (`{"time","symbol","bid","ask","bidSize","askSize"}`) or bars. Field names are found as CSV
 * columns are (see `LayoutOptions.columns`), among the first object's keys; times are ISO text
 * or epoch numbers (ms, or seconds with `timeFormat: "epoch-s"`). Read a chunk at a time.
 */
import { createReadStream } from "node:fs"
import { BadRowTally } from "./bad-row-tally.ts"
import { BadRowError, toDataFileError } from "./data-errors.ts"
import { type MarketDataSource, marketDataSource } from "./market-data-source.ts"
import type { BarRecord, QuoteRecord, TradeRecord } from "./market-records.ts"
import { type Decoder, RowProblem } from "./record-decoders.ts"
import type { BarField, QuoteField, TradeField } from "./record-fields.ts"
import { type LayoutOptions, layoutDecoder, type RecordKind, type RecordOf } from "./record-layout.ts"

export type JsonlTradesOptions = LayoutOptions<TradeField>
export type JsonlQuotesOptions = LayoutOptions<QuoteField>
export type JsonlBarsOptions = LayoutOptions<BarField>

/** Trades (ticks) from JSON lines. */
export const readJsonlTrades = (path: string, options: JsonlTradesOptions = {}): MarketDataSource<TradeRecord> => jsonLines("trade", path, options)

/** Top-of-book quotes from JSON lines. */
export const readJsonlQuotes = (path: string, options: JsonlQuotesOptions = {}): MarketDataSource<QuoteRecord> => jsonLines("quote", path, options)

/** OHLCV bars from JSON lines. */
export const readJsonlBars = (path: string, options: JsonlBarsOptions = {}): MarketDataSource<BarRecord> => jsonLines("bar", path, options)

type JsonObject = Readonly<Record<string, unknown>>

const jsonLines = <K extends RecordKind>(kind: K, path: string, options: LayoutOptions<string>): MarketDataSource<RecordOf<K>> =>
  marketDataSource(path, () => {
    const tally = new BadRowTally(path, options.onBadRow)
    return { batches: jsonBatches(kind, path, options, tally), summary: (records) => tally.summary(records) }
  })

async function* jsonBatches<K extends RecordKind>(kind: K, path: string, options: LayoutOptions<string>, tally: BadRowTally): AsyncGenerator<Array<RecordOf<K>>> {
  let keys: ReadonlyArray<string> = []
  const cell = (row: JsonObject, column: number) => row[keys[column]!]
  let decode: Decoder<JsonObject, RecordOf<K>> | undefined
  const bad = (line: number, problem: RowProblem) =>
    tally.bad(new BadRowError({ source: path, line, field: problem.field, reason: problem.reason, rule: problem.rule, value: problem.value }))

  for await (const { lines, first } of lineBatches(path)) {
    const batch: Array<RecordOf<K>> = []
    for (let i = 0; i < lines.length; i++) {
      const text = lines[i]!.trim()
      if (text === "") continue
      const line = first + i
      const row = parseObject(text)
      if (row instanceof RowProblem) {
        bad(line, row)
        continue
      }
      if (decode === undefined) {
        keys = Object.keys(row)
        decode = layoutDecoder(kind, path, keys, options, cell, line).decode
      }
      const record = decode(row)
      if (record instanceof RowProblem) bad(line, record)
      else batch.push(record)
    }
    yield batch
  }
}

const parseObject = (text: string): JsonObject | RowProblem => {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    return new RowProblem("json", "malformed", `a JSON object (${(error as Error).message})`, text)
  }
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as JsonObject) : new RowProblem("json", "malformed", "a JSON object", value)
}

/** The file's lines a chunk at a time, with the 1-based number of each chunk's first line; a line may span chunks. */
async function* lineBatches(path: string): AsyncGenerator<{ lines: string[]; first: number }> {
  let rest = ""
  let next = 1
  try {
    for await (const chunk of createReadStream(path, { encoding: "utf8", highWaterMark: 256 * 1024 }) as AsyncIterable<string>) {
      const lines = (rest + chunk).split("\n")
      rest = lines.pop()!
      if (lines.length === 0) continue
      yield { lines, first: next }
      next += lines.length
    }
  } catch (error) {
    throw toDataFileError(path, error)
  }
  if (rest !== "") yield { lines: [rest], first: next }
}
