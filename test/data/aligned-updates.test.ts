import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { fc, test } from "@fast-check/vitest"
import { Effect, Stream } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { type AlignedUpdate, alignByTime, toMarketUpdateInput } from "../../src/data/aligned-updates.ts"
import { barTimeline } from "../../src/data/bar-timeline.ts"
import { readCsvBars } from "../../src/data/csv-bars.ts"
import { BadRowError } from "../../src/data/data-errors.ts"
import { readJsonlQuotes, readJsonlTrades } from "../../src/data/jsonl-records.ts"
import { fromRecords, readAll } from "../../src/data/market-data-source.ts"
import type { BarRecord, MarketRecord, QuoteRecord, TradeRecord } from "../../src/data/market-records.ts"
import { loadOhlcvCsv } from "../../src/data/ohlcv-csv.ts"
import { writeParquetBars } from "../../src/data/parquet-bars-writer.ts"
import { readParquetBars } from "../../src/data/parquet-records.ts"

const example = (name: string) => fileURLToPath(new URL(`../../examples/data/${name}`, import.meta.url))
const dir = mkdtempSync(join(tmpdir(), "paperfloor-align-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const bar = (symbol: string, time: number, close = 10): BarRecord => ({ kind: "bar", symbol, time, open: close, high: close, low: close, close, volume: 1 })
const trade = (symbol: string, time: number, price: number, size = 1): TradeRecord => ({ kind: "trade", symbol, time, price, size })
const quote = (symbol: string, time: number, bid: number, ask: number): QuoteRecord => ({ kind: "quote", symbol, time, bid, ask, bidSize: 1, askSize: 1 })
const source = (name: string, records: ReadonlyArray<MarketRecord>, batchSize = 2) => fromRecords(name, () => records, { batchSize })
const shape = (updates: ReadonlyArray<AlignedUpdate>) => updates.map((u) => [u.time, u.records.map((r) => `${r.kind}:${r.symbol}`)])

describe("alignByTime", () => {
  it("puts records of one time in one update; a symbol without a record then is absent, not filled in", async () => {
    const a = source("a", [bar("AAA", 1), bar("AAA", 3), bar("AAA", 4)])
    const b = source("b", [bar("BBB", 2), bar("BBB", 3)])
    expect(shape(await readAll(alignByTime([a, b])))).toEqual([
      [1, ["bar:AAA"]],
      [2, ["bar:BBB"]],
      [3, ["bar:AAA", "bar:BBB"]],
      [4, ["bar:AAA"]]
    ])
  })

  it("never merges records away: a symbol's second trade in one millisecond starts another update of that time", async () => {
    const t = source("t", [trade("AAA", 1, 10), trade("AAA", 1, 11), trade("BBB", 1, 20)])
    const q = source("q", [quote("AAA", 1, 9, 10)])
    expect(shape(await readAll(alignByTime([t, q])))).toEqual([
      [1, ["trade:AAA"]],
      [1, ["trade:AAA", "trade:BBB", "quote:AAA"]]
    ])
  })

  it("aligns the bundled ORCL and NVDA files as barTimeline does in memory", async () => {
    const updates = await readAll(alignByTime([readCsvBars(example("orcl-1995-2014.txt"), { symbol: "ORCL" }), readCsvBars(example("nvda-1999-2014.txt"), { symbol: "NVDA" })]))
    const inMemory = barTimeline({ ORCL: await loadOhlcvCsv(example("orcl-1995-2014.txt")), NVDA: await loadOhlcvCsv(example("nvda-1999-2014.txt")) })
    expect(updates.map(toMarketUpdateInput)).toEqual(inMemory)
  })

  it("aligns sources of different formats: CSV bars, Parquet bars, JSON-lines trades and quotes", async () => {
    const csv = join(dir, "aaa.csv")
    writeFileSync(csv, "Datetime,Open,High,Low,Close,Volume\n2024-01-02T14:30:00Z,10,11,9,10.5,100\n2024-01-02T14:31:00Z,10.5,11,10,11,100\n")
    const pq = join(dir, "bbb.parquet")
    await writeParquetBars(pq, [bar("BBB", Date.parse("2024-01-02T14:31:00Z"), 20)])
    const trades = join(dir, "trades.jsonl")
    writeFileSync(trades, `${JSON.stringify({ time: "2024-01-02T14:30:30Z", symbol: "CCC", price: 5, size: 10 })}\n`)
    const quotes = join(dir, "quotes.jsonl")
    writeFileSync(quotes, `${JSON.stringify({ time: "2024-01-02T14:31:00Z", symbol: "DDD", bid: 1, ask: 1.02, bidSize: 1, askSize: 1 })}\n`)
    const aligned = alignByTime([readCsvBars(csv, { symbol: "AAA" }), readParquetBars(pq), readJsonlTrades(trades), readJsonlQuotes(quotes)])
    const updates = await Effect.runPromise(Stream.runCollect(aligned.stream))
    expect(updates.map(toMarketUpdateInput)).toEqual([
      { time: Date.parse("2024-01-02T14:30:00Z"), bars: { AAA: { open: 10, high: 11, low: 9, close: 10.5, volume: 100 } } },
      { time: Date.parse("2024-01-02T14:30:30Z"), prices: { CCC: 5 } },
      {
        time: Date.parse("2024-01-02T14:31:00Z"),
        bars: { AAA: { open: 10.5, high: 11, low: 10, close: 11, volume: 100 }, BBB: { open: 20, high: 20, low: 20, close: 20, volume: 1 }, DDD: { open: 1.01, high: 1.01, low: 1.01, close: 1.01, volume: 0 } }
      }
    ])
    expect(aligned.summary).toMatchObject({ records: 3, skipped: 0 })
    expect(aligned.summary!.inputs!.map((i) => i.records)).toEqual([2, 1, 1, 1])
  })

  it("sums its inputs' skipped rows, and fails with an input's bad row when that input does", async () => {
    const csv = join(dir, "bad.csv")
    writeFileSync(csv, "Date,Open,High,Low,Close,Volume\n2024-01-02,10,11,9,10.5,100\n2024-01-03,10,11,9,x,100\n2024-01-04,10,11,9,10.5,100\n")
    const skipping = alignByTime([readCsvBars(csv, { symbol: "AAA", onBadRow: "skip" }), source("b", [bar("BBB", Date.parse("2024-01-03"))])])
    expect(await readAll(skipping)).toHaveLength(3)
    expect(skipping.summary).toMatchObject({ records: 3, skipped: 1, skippedByReason: { "not-a-number": 1 } })
    expect(skipping.summary!.firstSkipped[0]).toMatchObject({ source: csv, line: 3 })
    await expect(readAll(alignByTime([readCsvBars(csv, { symbol: "AAA" })]))).rejects.toBeInstanceOf(BadRowError)
  })

  it("no sources, no updates", async () => {
    expect(await readAll(alignByTime([]))).toEqual([])
  })

  // k sources, each sorted by time, with bars unique per symbol and time within a source; times
  // from a narrow range so that sources tie often; batches of any size.
  const record = fc.oneof(
    fc.record({ kind: fc.constant("bar" as const), symbol: fc.constantFrom("A", "B", "C") }),
    fc.record({ kind: fc.constant("trade" as const), symbol: fc.constantFrom("A", "B") }),
    fc.record({ kind: fc.constant("quote" as const), symbol: fc.constantFrom("A", "C") })
  )
  const sortedSource = fc
    .array(fc.tuple(fc.integer({ min: 0, max: 12 }), record), { maxLength: 30 })
    .map((rows) => rows.sort((a, b) => a[0] - b[0]))
    .map((rows) => {
      const barsAt = new Set<string>()
      return rows
        .filter(([time, { kind, symbol }]) => kind !== "bar" || (!barsAt.has(`${symbol}@${time}`) && barsAt.add(`${symbol}@${time}`)))
        .map(([time, { kind, symbol }], i): MarketRecord => (kind === "bar" ? bar(symbol, time, i + 1) : kind === "trade" ? trade(symbol, time, i + 1) : quote(symbol, time, i + 1, i + 2)))
    })
  const sources = fc.array(fc.tuple(sortedSource, fc.integer({ min: 1, max: 7 })), { maxLength: 5 })

  test.prop([sources])("merging k sorted sources: sorted, grouped by time, every record exactly once, nothing filled in", async (inputs) => {
    const updates = await readAll(alignByTime(inputs.map(([records, batchSize], i) => source(`s${i}`, records, batchSize))))
    const out = updates.flatMap((u) => u.records)
    // Every input record exactly once, and nothing else: the very same objects.
    const given = inputs.flatMap(([records]) => records)
    expect(out).toHaveLength(given.length)
    expect(new Set(out)).toEqual(new Set(given))
    // Each source's records keep their order.
    for (const [records] of inputs) expect(out.filter((r) => records.includes(r))).toEqual(records)
    for (const [i, update] of updates.entries()) {
      expect(update.records.length).toBeGreaterThan(0)
      expect(update.records.every((r) => r.time === update.time)).toBe(true)
      const keys = update.records.map((r) => `${r.kind}:${r.symbol}`)
      expect(new Set(keys).size).toBe(keys.length)
      const previous = updates[i - 1]
      if (previous !== undefined) {
        expect(update.time).toBeGreaterThanOrEqual(previous.time)
        // A time continues in a new update only when the next record's kind and symbol are taken.
        if (update.time === previous.time) expect(previous.records.map((r) => `${r.kind}:${r.symbol}`)).toContain(keys[0])
      }
    }
  })
})

describe("toMarketUpdateInput", () => {
  it("bars as bars", () => {
    expect(toMarketUpdateInput({ time: 1, records: [bar("A", 1, 10), bar("B", 1, 20)] })).toEqual({
      time: 1,
      bars: { A: { open: 10, high: 10, low: 10, close: 10, volume: 1 }, B: { open: 20, high: 20, low: 20, close: 20, volume: 1 } }
    })
  })

  it("trades as last prices; quotes as mid prices until the engine takes bid and ask; a trade's price over a quote's mid", () => {
    expect(toMarketUpdateInput({ time: 1, records: [quote("A", 1, 9, 10), trade("B", 1, 20), quote("B", 1, 19, 19.5)] })).toEqual({ time: 1, prices: { A: 9.5, B: 20 } })
  })

  it("with a bar, a trade becomes a bar of its price and size; a symbol's own bar wins", () => {
    expect(toMarketUpdateInput({ time: 1, records: [bar("A", 1, 10), trade("A", 1, 11), trade("B", 1, 20, 7)] })).toEqual({
      time: 1,
      bars: { A: { open: 10, high: 10, low: 10, close: 10, volume: 1 }, B: { open: 20, high: 20, low: 20, close: 20, volume: 7 } }
    })
  })
})
