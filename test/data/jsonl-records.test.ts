import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fc, test } from "@fast-check/vitest"
import { Effect, Stream } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { BadRowError, DataFormatError } from "../../src/data/data-errors.ts"
import { readJsonlBars, readJsonlQuotes, readJsonlTrades } from "../../src/data/jsonl-records.ts"
import { readAll } from "../../src/data/market-data-source.ts"
import { ValidationError } from "../../src/domain/errors.ts"
import { normalizeMarketUpdate } from "../../src/domain/market-update.ts"

const dir = mkdtempSync(join(tmpdir(), "paperfloor-jsonl-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let files = 0
const jsonl = (...lines: ReadonlyArray<unknown>): string => {
  const path = join(dir, `f${++files}.jsonl`)
  writeFileSync(path, `${lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n")}\n`)
  return path
}
const utc = (iso: string) => Date.parse(iso)

describe("readJsonlTrades", () => {
  it("reads trades: ISO or epoch-ms times, several symbols, several trades in one millisecond", async () => {
    const path = jsonl(
      { time: "2024-01-02T14:30:00.001Z", symbol: "AAPL", price: 187.15, size: 100 },
      { time: "2024-01-02T14:30:00.001Z", symbol: "AAPL", price: 187.16, size: 5 },
      { time: utc("2024-01-02T14:30:00.002Z"), symbol: "MSFT", price: "370.10", size: 10 }
    )
    expect(await readAll(readJsonlTrades(path))).toEqual([
      { kind: "trade", symbol: "AAPL", time: utc("2024-01-02T14:30:00.001Z"), price: 187.15, size: 100 },
      { kind: "trade", symbol: "AAPL", time: utc("2024-01-02T14:30:00.001Z"), price: 187.16, size: 5 },
      { kind: "trade", symbol: "MSFT", time: utc("2024-01-02T14:30:00.002Z"), price: 370.1, size: 10 }
    ])
  })

  it("reads a vendor's field names (Alpaca's t, S, p, s) and epoch seconds", async () => {
    const path = jsonl({ T: "t", S: "AAPL", p: 126.55, s: 1, t: 1_613_999_504 })
    const trades = await readAll(readJsonlTrades(path, { columns: { time: "t", symbol: "S", price: "p", size: "s" }, timeFormat: "epoch-s" }))
    expect(trades).toEqual([{ kind: "trade", symbol: "AAPL", time: 1_613_999_504_000, price: 126.55, size: 1 }])
  })

  it("reads a file of one symbol, given as an option", async () => {
    const path = jsonl({ timestamp: "2024-01-02T14:30:00Z", price: 1.5, quantity: 3 })
    expect(await readAll(readJsonlTrades(path, { symbol: "BTC/USD" }))).toMatchObject([{ symbol: "BTC/USD", price: 1.5, size: 3 }])
  })

  it.each([
    ["a line that is not JSON", "{time:", "json", "malformed"],
    ["a line that is not an object", "[1,2]", "json", "malformed"],
    ["a missing price", { time: "2024-01-02T14:30:01Z", symbol: "AAPL", size: 1 }, "price", "missing"],
    ["a price that is not a number", { time: "2024-01-02T14:30:01Z", symbol: "AAPL", price: "n/a", size: 1 }, "price", "not-a-number"],
    ["a negative size", { time: "2024-01-02T14:30:01Z", symbol: "AAPL", price: 1, size: -1 }, "size", "out-of-range"],
    ["a time going backwards", { time: "2024-01-02T14:29:59Z", symbol: "MSFT", price: 1, size: 1 }, "time", "time-backwards"],
    ["a time that is not one", { time: "yesterday", symbol: "AAPL", price: 1, size: 1 }, "time", "bad-time"]
  ] as const)("%s: a BadRowError naming the line and field; skipped and counted with onBadRow skip", async (_, bad, field, reason) => {
    const path = jsonl({ time: "2024-01-02T14:30:00Z", symbol: "AAPL", price: 1, size: 1 }, "", bad, { time: "2024-01-02T14:30:02Z", symbol: "AAPL", price: 2, size: 1 })
    await expect(readAll(readJsonlTrades(path))).rejects.toSatisfy((e) => e instanceof BadRowError && e.source === path && e.line === 3 && e.field === field && e.reason === reason)
    const skipping = readJsonlTrades(path, { onBadRow: "skip" })
    expect((await readAll(skipping)).map((t) => t.price)).toEqual([1, 2])
    expect(skipping.summary).toMatchObject({ records: 2, skipped: 1, skippedByReason: { [reason]: 1 } })
  })

  it("a field named that no line has is a DataFormatError", async () => {
    const path = jsonl({ time: "2024-01-02T14:30:00Z", symbol: "AAPL", price: 1, size: 1 })
    await expect(readAll(readJsonlTrades(path, { columns: { size: "volume" } }))).rejects.toSatisfy((e) => e instanceof DataFormatError && e.field === "size")
  })

  it("reads a file larger than a read chunk, with a line across chunks", async () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => ({ time: 1_704_186_000_000 + i, symbol: "AAPL", price: 100 + (i % 7), size: i }))
    const source = readJsonlTrades(jsonl(...lines))
    const trades = await readAll(source)
    expect(trades).toHaveLength(20_000)
    expect(trades.at(-1)).toEqual({ kind: "trade", symbol: "AAPL", time: 1_704_186_019_999, price: 100 + (19_999 % 7), size: 19_999 })
    expect(await Effect.runPromise(Stream.runCount(source.stream))).toBe(20_000)
  })
})

describe("readJsonlQuotes", () => {
  it("reads quotes with their sizes", async () => {
    const path = jsonl({ time: "2024-01-02T14:30:00Z", symbol: "AAPL", bid: 187.1, ask: 187.2, bidSize: 3, askSize: 4 })
    expect(await readAll(readJsonlQuotes(path))).toEqual([{ kind: "quote", symbol: "AAPL", time: utc("2024-01-02T14:30:00Z"), bid: 187.1, ask: 187.2, bidSize: 3, askSize: 4 }])
  })

  it("reads Alpaca's quote fields (bp, ap, bs, as) with nanosecond times", async () => {
    const path = jsonl({ T: "q", S: "AMD", bx: "U", bp: 87.66, bs: 1, ax: "Q", ap: 87.68, as: 4, t: "2021-02-22T15:51:45.335689322Z" })
    const quotes = await readAll(readJsonlQuotes(path, { columns: { time: "t", symbol: "S", bid: "bp", ask: "ap", bidSize: "bs", askSize: "as" } }))
    expect(quotes).toEqual([{ kind: "quote", symbol: "AMD", time: utc("2021-02-22T15:51:45.335Z"), bid: 87.66, ask: 87.68, bidSize: 1, askSize: 4 }])
  })

  it("a crossed quote (ask below bid) is a bad row", async () => {
    const path = jsonl({ time: "2024-01-02T14:30:00Z", symbol: "AAPL", bid: 10, ask: 9.99, bidSize: 1, askSize: 1 })
    await expect(readAll(readJsonlQuotes(path))).rejects.toSatisfy((e) => e instanceof BadRowError && e.field === "ask" && e.reason === "inconsistent" && e.line === 1)
  })

  // Around the engine's edges: 0, 1e15, a locked quote (bid = ask), a crossed one, negatives.
  const side = fc.oneof(
    fc.constantFrom(0, 1e-9, 1, 1e15, 1e15 + 1, 2e15, -1),
    fc.double({ min: -10, max: 2e15, noNaN: true, noDefaultInfinity: true })
  )
  const quoteRows = fc.array(
    fc.oneof(
      fc.record({ bid: side, ask: side }),
      side.map((p) => ({ bid: p, ask: p }))
    ),
    { minLength: 1, maxLength: 30 }
  )

  test.prop([quoteRows], { numRuns: 40 })("a quote row is read exactly when the engine takes its bid and ask: the reader's rules are the engine's", async (rows) => {
    const path = jsonl(...rows.map(({ bid, ask }, i) => ({ time: i, symbol: "AAPL", bid, ask, bidSize: 1, askSize: 1 })))
    const read = await readAll(readJsonlQuotes(path, { onBadRow: "skip" }))
    const taken = rows.flatMap(({ bid, ask }, i) => (normalizeMarketUpdate({ quotes: { AAPL: { bid, ask } } }, new Set(["AAPL"]), null) instanceof ValidationError ? [] : [i]))
    expect(read.map((quote) => quote.time)).toEqual(taken)
  })
})

describe("readJsonlBars", () => {
  it("reads bars under short names (t, o, h, l, c, v)", async () => {
    const path = jsonl({ t: "2024-01-02T14:30:00Z", S: "AAPL", o: 10, h: 11, l: 9, c: 10.5, v: 100 })
    expect(await readAll(readJsonlBars(path, { columns: { symbol: "S" } }))).toEqual([{ kind: "bar", symbol: "AAPL", time: utc("2024-01-02T14:30:00Z"), open: 10, high: 11, low: 9, close: 10.5, volume: 100 }])
  })
})
