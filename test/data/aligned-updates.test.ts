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
import { ValidationError } from "../../src/domain/errors.ts"
import { normalizeMarketUpdate } from "../../src/domain/market-update.ts"
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

  it("never merges records away: a symbol's second record in one millisecond (a trade, its quote) starts another update of that time", async () => {
    const t = source("t", [trade("AAA", 1, 10), trade("AAA", 1, 11), trade("BBB", 1, 20)])
    const q = source("q", [quote("AAA", 1, 9, 10), quote("CCC", 1, 5, 6)])
    expect(shape(await readAll(alignByTime([t, q])))).toEqual([
      [1, ["trade:AAA"]],
      [1, ["trade:AAA", "trade:BBB"]],
      [1, ["quote:AAA", "quote:CCC"]]
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
        bars: { AAA: { open: 10.5, high: 11, low: 10, close: 11, volume: 100 }, BBB: { open: 20, high: 20, low: 20, close: 20, volume: 1 } },
        quotes: { DDD: { bid: 1, ask: 1.02 } }
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
      const symbols = update.records.map((r) => r.symbol)
      expect(new Set(symbols).size).toBe(symbols.length)
      const previous = updates[i - 1]
      if (previous !== undefined) {
        expect(update.time).toBeGreaterThanOrEqual(previous.time)
        // A time continues in a new update only when the next record's symbol is taken.
        if (update.time === previous.time) expect(previous.records.map((r) => r.symbol)).toContain(symbols[0])
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

  it("trades as last prices, quotes as bid and ask, alone or beside them", () => {
    expect(toMarketUpdateInput({ time: 1, records: [trade("A", 1, 20)] })).toEqual({ time: 1, prices: { A: 20 } })
    expect(toMarketUpdateInput({ time: 1, records: [quote("A", 1, 9, 10)] })).toEqual({ time: 1, quotes: { A: { bid: 9, ask: 10 } } })
    expect(toMarketUpdateInput({ time: 1, records: [quote("A", 1, 9, 10), trade("B", 1, 20)] })).toEqual({ time: 1, prices: { B: 20 }, quotes: { A: { bid: 9, ask: 10 } } })
  })

  it("with a bar, a trade becomes a bar of its price and size, and quotes stand beside them", () => {
    expect(toMarketUpdateInput({ time: 1, records: [bar("A", 1, 10), trade("B", 1, 20, 7), quote("C", 1, 4, 5)] })).toEqual({
      time: 1,
      bars: { A: { open: 10, high: 10, low: 10, close: 10, volume: 1 }, B: { open: 20, high: 20, low: 20, close: 20, volume: 7 } },
      quotes: { C: { bid: 4, ask: 5 } }
    })
  })

  it("refuses an update that repeats a symbol (alignByTime never makes one): a record would be lost", () => {
    for (const records of [
      [bar("A", 1, 10), trade("A", 1, 11)],
      [trade("A", 1, 10), quote("A", 1, 9, 10)],
      [trade("A", 1, 10), trade("A", 1, 11)]
    ]) {
      const error = (() => {
        try {
          toMarketUpdateInput({ time: 1, records })
        } catch (e) {
          return e
        }
      })()
      expect(error).toBeInstanceOf(ValidationError)
      expect((error as ValidationError).issues.map((i) => [i.field, i.rule])).toEqual([
        ["records.1", "must not repeat A, which an earlier record of this update has (one record per symbol, as alignByTime makes updates)"]
      ])
    }
  })

  // Updates as alignByTime makes them: one record per symbol, of any kind, valid prices.
  const update = fc
    .uniqueArray(
      fc.record({
        symbol: fc.constantFrom("A", "B", "C", "D"),
        kind: fc.constantFrom("bar" as const, "trade" as const, "quote" as const),
        price: fc.integer({ min: 1, max: 10_000 }).map((cents) => cents / 100),
        spread: fc.integer({ min: 0, max: 50 }).map((cents) => cents / 100)
      }),
      { selector: (r) => r.symbol, minLength: 1 }
    )
    .map((rows): AlignedUpdate => ({
      time: 1,
      records: rows.map(({ symbol, kind, price, spread }) =>
        kind === "bar" ? bar(symbol, 1, price) : kind === "trade" ? trade(symbol, 1, price) : quote(symbol, 1, price, Math.round((price + spread) * 100) / 100)
      )
    }))

  test.prop([update])("the engine takes every update it makes, with each record's symbol once, and each quote's bid and ask as they are", (aligned) => {
    const input = toMarketUpdateInput(aligned)
    const normalized = normalizeMarketUpdate(input, new Set(["A", "B", "C", "D"]), null)
    if (normalized instanceof ValidationError) throw normalized
    expect(normalized.quotes.map((q) => q.symbol).sort()).toEqual(aligned.records.map((r) => r.symbol).sort())
    for (const record of aligned.records) {
      const taken = normalized.quotes.find((q) => q.symbol === record.symbol)!
      if (record.kind === "quote") expect([taken.sides?.bid.close, taken.sides?.ask.close]).toEqual([record.bid, record.ask])
      else expect(taken.sides).toBeUndefined()
    }
  })
})
