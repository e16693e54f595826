import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Effect, Stream } from "effect"
import { type ColumnSource, parquetWriteFile, type SchemaElement, schemaFromColumnData } from "hyparquet-writer"
import { afterAll, describe, expect, it } from "vitest"
import { readCsvBars } from "../../src/data/csv-bars.ts"
import { BadRowError, DataFileError, DataFormatError } from "../../src/data/data-errors.ts"
import { readAll } from "../../src/data/market-data-source.ts"
import { writeParquetBars } from "../../src/data/parquet-bars-writer.ts"
import { readParquetBars, readParquetQuotes, readParquetTrades } from "../../src/data/parquet-records.ts"

const example = (name: string) => fileURLToPath(new URL(`../../examples/data/${name}`, import.meta.url))
const dir = mkdtempSync(join(tmpdir(), "paperfloor-parquet-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let files = 0
/** A Parquet file of these columns; a schema override replaces its column's type. */
const parquet = (columnData: ColumnSource[], rowGroupSize = 1000, schemaOverrides: Record<string, SchemaElement> = {}): string => {
  const filename = join(dir, `f${++files}.parquet`)
  if (Object.keys(schemaOverrides).length === 0) parquetWriteFile({ filename, columnData, rowGroupSize })
  else {
    const untyped = columnData.map(({ type: _, ...column }) => column)
    parquetWriteFile({ filename, columnData: untyped, schema: schemaFromColumnData({ columnData: untyped, schemaOverrides }), rowGroupSize })
  }
  return filename
}
const utc = (iso: string) => Date.parse(iso)

describe("writeParquetBars and readParquetBars", () => {
  it("a Parquet copy of the bundled ORCL file reads back as the same bars, a row group at a time", async () => {
    const csv = readCsvBars(example("orcl-1995-2014.txt"), { symbol: "ORCL" })
    const path = join(dir, "orcl.parquet")
    expect(await writeParquetBars(path, csv, { rowGroupSize: 1000 })).toEqual({ rows: 5036, rowGroups: 6 })
    const source = readParquetBars(path)
    const bars = await readAll(source)
    expect(bars).toEqual(await readAll(csv))
    expect(source.summary).toMatchObject({ source: path, records: 5036, skipped: 0 })
    expect(await Effect.runPromise(Stream.runCollect(source.stream))).toEqual(bars)
  })

  it("writes an empty file that reads as no bars", async () => {
    const path = join(dir, "empty.parquet")
    await writeParquetBars(path, [])
    expect(await readAll(readParquetBars(path))).toEqual([])
  })
})

describe("readParquetBars: layouts", () => {
  const prices = (n: number) => ({
    o: Array.from({ length: n }, (_, i) => 10 + i),
    h: Array.from({ length: n }, (_, i) => 12 + i),
    l: Array.from({ length: n }, (_, i) => 9 + i),
    c: Array.from({ length: n }, (_, i) => 11 + i)
  })
  const priceColumns = (n: number): ColumnSource[] =>
    Object.entries(prices(n)).map(([name, data]) => ({ name, data, type: "DOUBLE" as const, nullable: false }))

  it("a vendor's column names, an INT64 volume and several symbols", async () => {
    const path = parquet([
      { name: "ts", data: [utc("2024-01-02T14:30:00Z"), utc("2024-01-02T14:30:00Z"), utc("2024-01-02T14:31:00Z")], type: "TIMESTAMP" },
      { name: "ticker", data: ["AAA", "BBB", "AAA"], type: "STRING" },
      ...priceColumns(3),
      { name: "v", data: [100n, 200n, 300n], type: "INT64" }
    ])
    const bars = await readAll(readParquetBars(path, { columns: { time: "ts" } }))
    expect(bars).toEqual([
      { kind: "bar", symbol: "AAA", time: utc("2024-01-02T14:30:00Z"), open: 10, high: 12, low: 9, close: 11, volume: 100 },
      { kind: "bar", symbol: "BBB", time: utc("2024-01-02T14:30:00Z"), open: 11, high: 13, low: 10, close: 12, volume: 200 },
      { kind: "bar", symbol: "AAA", time: utc("2024-01-02T14:31:00Z"), open: 12, high: 14, low: 11, close: 13, volume: 300 }
    ])
  })

  it("times as text in a declared zone, and as epoch seconds", async () => {
    const text = parquet([{ name: "date", data: ["2024-03-08 09:30", "2024-03-11 09:30"], type: "STRING" }, ...priceColumns(2), { name: "volume", data: [1, 2], type: "DOUBLE" }])
    expect((await readAll(readParquetBars(text, { symbol: "X", timeZone: "America/New_York" }))).map((b) => b.time)).toEqual([utc("2024-03-08T14:30:00Z"), utc("2024-03-11T13:30:00Z")])
    const epoch = parquet([{ name: "time", data: [1_704_186_000n, 1_704_186_060n], type: "INT64" }, ...priceColumns(2), { name: "volume", data: [1, 2], type: "DOUBLE" }])
    expect((await readAll(readParquetBars(epoch, { symbol: "X", timeFormat: "epoch-s" }))).map((b) => b.time)).toEqual([1_704_186_000_000, 1_704_186_060_000])
  })

  it("a TIMESTAMP not adjusted to UTC is a wall-clock time in the declared zone", async () => {
    const path = parquet(
      [{ name: "time", data: [new Date(utc("2024-07-01T09:30:00Z"))], type: "TIMESTAMP" }, ...priceColumns(1), { name: "volume", data: [1], type: "DOUBLE" }],
      1000,
      { time: { name: "time", type: "INT64", repetition_type: "REQUIRED", logical_type: { type: "TIMESTAMP", isAdjustedToUTC: false, unit: "MICROS" } } }
    )
    expect((await readAll(readParquetBars(path, { symbol: "X", timeZone: "America/New_York" }))).map((b) => b.time)).toEqual([utc("2024-07-01T13:30:00Z")])
  })
})

describe("readParquetBars: bad rows", () => {
  // Three row groups of two rows; the bad row is the second row of the second group.
  const file = (high: number) =>
    parquet(
      [
        { name: "time", data: [1, 2, 3, 4, 5, 6].map((d) => utc(`2024-01-0${d}`)), type: "TIMESTAMP" },
        { name: "symbol", data: Array(6).fill("AAA"), type: "STRING" },
        { name: "open", data: [10, 10, 10, 10, 10, 10], type: "DOUBLE" },
        { name: "high", data: [11, 11, 11, high, 11, 11], type: "DOUBLE" },
        { name: "low", data: [9, 9, 9, 9, 9, 9], type: "DOUBLE" },
        { name: "close", data: [10.5, 10.5, 10.5, 10.5, 10.5, 10.5], type: "DOUBLE" },
        { name: "volume", data: [1, 1, 1, 1, 1, 1], type: "DOUBLE" }
      ],
      2
    )

  it("fails with a BadRowError naming the file, the row group and row, and the field", async () => {
    const path = file(8.5)
    const error = await readAll(readParquetBars(path)).then(
      () => undefined,
      (e: unknown) => e
    )
    expect(error).toBeInstanceOf(BadRowError)
    expect(error).toMatchObject({ source: path, rowGroup: 1, row: 1, field: "high", reason: "inconsistent", value: 8.5 })
    expect((error as BadRowError).line).toBeUndefined()
    expect((error as BadRowError).message).toBe(`${path} row group 1 row 1: high must be ≥ max(open, close, low) = 10.5 (got 8.5)`)
  })

  it("skips and counts it with onBadRow skip", async () => {
    const source = readParquetBars(file(8.5), { onBadRow: "skip" })
    expect(await readAll(source)).toHaveLength(5)
    expect(source.summary).toMatchObject({ records: 5, skipped: 1, skippedByReason: { inconsistent: 1 } })
  })

  it("a file that is not Parquet is a DataFormatError; a missing one a DataFileError; a missing column a DataFormatError", async () => {
    const text = join(dir, "not.parquet")
    writeFileSync(text, "Date,Open\n")
    await expect(readAll(readParquetBars(text))).rejects.toBeInstanceOf(DataFormatError)
    await expect(readAll(readParquetBars(join(dir, "none.parquet")))).rejects.toBeInstanceOf(DataFileError)
    await expect(readAll(readParquetBars(file(11), { columns: { volume: "shares" } }))).rejects.toSatisfy((e) => e instanceof DataFormatError && e.field === "volume")
  })
})

describe("readParquetTrades and readParquetQuotes", () => {
  it("reads trades and quotes", async () => {
    const times = [utc("2024-01-02T14:30:00.001Z"), utc("2024-01-02T14:30:00.002Z")]
    const trades = parquet([
      { name: "timestamp", data: times, type: "TIMESTAMP" },
      { name: "symbol", data: ["AAPL", "AAPL"], type: "STRING" },
      { name: "price", data: [187.15, 187.16], type: "DOUBLE" },
      { name: "size", data: [100, 5], type: "DOUBLE" }
    ])
    expect(await readAll(readParquetTrades(trades))).toEqual([
      { kind: "trade", symbol: "AAPL", time: times[0], price: 187.15, size: 100 },
      { kind: "trade", symbol: "AAPL", time: times[1], price: 187.16, size: 5 }
    ])
    const quotes = parquet([
      { name: "time", data: times, type: "TIMESTAMP" },
      { name: "bid_price", data: [187.1, 187.12], type: "DOUBLE" },
      { name: "ask_price", data: [187.2, 187.18], type: "DOUBLE" },
      { name: "bid_size", data: [3, 1], type: "DOUBLE" },
      { name: "ask_size", data: [4, 2], type: "DOUBLE" }
    ])
    expect(await readAll(readParquetQuotes(quotes, { symbol: "AAPL" }))).toEqual([
      { kind: "quote", symbol: "AAPL", time: times[0], bid: 187.1, ask: 187.2, bidSize: 3, askSize: 4 },
      { kind: "quote", symbol: "AAPL", time: times[1], bid: 187.12, ask: 187.18, bidSize: 1, askSize: 2 }
    ])
  })
})
