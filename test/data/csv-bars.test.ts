import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Effect, Stream } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { type CsvBarsOptions, parseCsvBars, readCsvBars } from "../../src/data/csv-bars.ts"
import { BadRowError, DataFileError, DataFormatError } from "../../src/data/data-errors.ts"
import { readAll } from "../../src/data/market-data-source.ts"

const example = (name: string) => fileURLToPath(new URL(`../../examples/data/${name}`, import.meta.url))
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))

const dir = mkdtempSync(join(tmpdir(), "paperfloor-csv-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let files = 0
/** A CSV file of these lines, in the test's temp dir. */
const csv = (...lines: string[]): string => {
  const path = join(dir, `f${++files}.csv`)
  writeFileSync(path, `${lines.join("\n")}\n`)
  return path
}
const read = (path: string, options: CsvBarsOptions = {}) => readAll(readCsvBars(path, options))
const utc = (iso: string) => Date.parse(iso)
const ohlcv = (bar: { open: number; high: number; low: number; close: number; volume: number }) => [bar.open, bar.high, bar.low, bar.close, bar.volume]

describe("readCsvBars: the bundled files, as they are", () => {
  it("reads Yahoo's ORCL file (Adj Close ignored), daily bars at UTC midnight", async () => {
    const bars = await read(example("orcl-1995-2014.txt"), { symbol: "ORCL" })
    expect(bars).toHaveLength(5036)
    expect(bars[0]).toEqual({ kind: "bar", symbol: "ORCL", time: utc("1995-01-03"), open: 2.179012, high: 2.191358, low: 2.117284, close: 2.117284, volume: 36301200 })
    expect(bars.at(-1)).toMatchObject({ time: utc("2014-12-31"), close: 44.970001 })
  })

  it("reads Yahoo's NVDA file", async () => {
    const bars = await read(example("nvda-1999-2014.txt"), { symbol: "NVDA" })
    expect(bars).toHaveLength(4012)
    expect(bars[0]).toMatchObject({ time: utc("1999-01-22"), open: 1.75, high: 1.953125, low: 1.552083, close: 1.640625, volume: 67867200 })
  })

  it("reads backtrader's 2006-day-001.txt (OpenInterest ignored, volume 0)", async () => {
    const bars = await read(fixture("2006-day-001.txt"), { symbol: "IDX" })
    expect(bars).toHaveLength(255)
    expect(bars[0]).toEqual({ kind: "bar", symbol: "IDX", time: utc("2006-01-02"), open: 3578.73, high: 3605.95, low: 3578.73, close: 3604.33, volume: 0 })
  })

  it("gives the same records as an async iterable, as batches and as an Effect Stream, on every read", async () => {
    const source = readCsvBars(example("nvda-1999-2014.txt"), { symbol: "NVDA" })
    const iterated = []
    for await (const bar of source) iterated.push(bar)
    const batched = []
    for await (const batch of source.batches()) batched.push(...batch)
    const streamed = await Effect.runPromise(Stream.runCollect(source.stream))
    expect(batched).toEqual(iterated)
    expect(streamed).toEqual(iterated)
    expect(source.summary).toEqual({ source: source.name, records: 4012, skipped: 0, skippedByReason: {}, firstSkipped: [] })
  })
})

describe("readCsvBars: layouts", () => {
  const expected = [
    [utc("2024-01-02"), 10, 11, 9, 10.5, 100],
    [utc("2024-01-03"), 10.5, 12, 10, 11, 200]
  ]
  const timesAndValues = (bars: ReadonlyArray<{ time: number; open: number; high: number; low: number; close: number; volume: number }>) =>
    bars.map((bar) => [bar.time, ...ohlcv(bar)])

  it("any column order and case, another delimiter", async () => {
    const path = csv("close;VOLUME;date;High;low;Open", "10.5;100;2024-01-02;11;9;10", "11;200;2024-01-03;12;10;10.5")
    expect(timesAndValues(await read(path, { symbol: "X", delimiter: ";" }))).toEqual(expected)
  })

  it("columns named by the caller, tab-delimited", async () => {
    const path = csv("Zeit\tEröffnung\tHoch\tTief\tSchluss\tUmsatz", "2024-01-02\t10\t11\t9\t10.5\t100", "2024-01-03\t10.5\t12\t10\t11\t200")
    const columns = { time: "zeit", open: "Eröffnung", high: "Hoch", low: "Tief", close: "Schluss", volume: "Umsatz" }
    expect(timesAndValues(await read(path, { symbol: "X", delimiter: "\t", columns }))).toEqual(expected)
  })

  it("no header: columns by index", async () => {
    const path = csv("X,2024-01-02,10,11,9,10.5,100", "X,2024-01-03,10.5,12,10,11,200")
    const bars = await read(path, { header: false, columns: { symbol: 0, time: 1, open: 2, high: 3, low: 4, close: 5, volume: 6 } })
    expect(timesAndValues(bars)).toEqual(expected)
    expect(bars.map((b) => b.symbol)).toEqual(["X", "X"])
  })

  it("several symbols in one file, interleaved by time", async () => {
    const path = csv(
      "Timestamp,Ticker,Open,High,Low,Close,Volume",
      "2024-01-02T14:30:00Z,AAA,10,11,9,10.5,100",
      "2024-01-02T14:30:00Z,BBB,20,21,19,20.5,300",
      "2024-01-02T14:31:00Z,BBB,20.5,21,20,21,400",
      "2024-01-02T14:32:00Z,AAA,10.5,12,10,11,200"
    )
    const bars = await read(path)
    expect(bars.map((b) => [b.symbol, new Date(b.time).toISOString(), b.close])).toEqual([
      ["AAA", "2024-01-02T14:30:00.000Z", 10.5],
      ["BBB", "2024-01-02T14:30:00.000Z", 20.5],
      ["BBB", "2024-01-02T14:31:00.000Z", 21],
      ["AAA", "2024-01-02T14:32:00.000Z", 11]
    ])
  })

  it("a date and a time-of-day column (Date,Time,…), in a declared time zone", async () => {
    const path = csv("Date,Time,Open,High,Low,Close,Volume", "2024-07-01,09:30:00,10,11,9,10.5,100", "2024-07-01,09:31:00,10.5,12,10,11,200")
    const bars = await read(path, { symbol: "X", timeZone: "America/New_York" })
    expect(bars.map((b) => new Date(b.time).toISOString())).toEqual(["2024-07-01T13:30:00.000Z", "2024-07-01T13:31:00.000Z"])
  })

  it("intraday times without a zone across both DST changes of New York", async () => {
    const path = csv(
      "Datetime,Open,High,Low,Close,Volume",
      "2024-03-08 09:30:00,10,11,9,10.5,100", // EST, UTC−5
      "2024-03-11 09:30:00,10,11,9,10.5,100", // EDT, UTC−4, after the spring change on the 10th
      "2024-11-01 09:30:00,10,11,9,10.5,100", // still EDT
      "2024-11-04 09:30:00,10,11,9,10.5,100" // EST again, after the autumn change on the 3rd
    )
    const bars = await read(path, { symbol: "X", timeZone: "America/New_York" })
    expect(bars.map((b) => new Date(b.time).toISOString())).toEqual([
      "2024-03-08T14:30:00.000Z",
      "2024-03-11T13:30:00.000Z",
      "2024-11-01T13:30:00.000Z",
      "2024-11-04T14:30:00.000Z"
    ])
  })

  it("zone-less times are UTC when no zone is declared; a time's own offset wins over the declared zone", async () => {
    const path = csv("Datetime,Open,High,Low,Close,Volume", "2024-03-08T09:30,10,11,9,10.5,100", "2024-03-08T09:31:00-05:00,10,11,9,10.5,100")
    expect((await read(path, { symbol: "X" })).map((b) => b.time)).toEqual([utc("2024-03-08T09:30:00Z"), utc("2024-03-08T14:31:00Z")])
    expect((await read(path, { symbol: "X", timeZone: "Europe/Berlin" })).map((b) => b.time)).toEqual([utc("2024-03-08T08:30:00Z"), utc("2024-03-08T14:31:00Z")])
  })

  it.each([
    ["YYYYMMDD", "20240102", "20240103", { timeFormat: "YYYYMMDD" }, [utc("2024-01-02"), utc("2024-01-03")]],
    ["MM/DD/YYYY HH:mm:ss in Chicago", "01/02/2024 08:30:00", "01/02/2024 08:31:00", { timeFormat: "MM/DD/YYYY HH:mm:ss", timeZone: "America/Chicago" }, [utc("2024-01-02T14:30:00Z"), utc("2024-01-02T14:31:00Z")]],
    ["D.M.YYYY", "2.1.2024", "3.1.2024", { timeFormat: "D.M.YYYY" }, [utc("2024-01-02"), utc("2024-01-03")]],
    ["epoch seconds", "1704186000", "1704186060.5", { timeFormat: "epoch-s" }, [1_704_186_000_000, 1_704_186_060_500]],
    ["epoch milliseconds", "1704186000000", "1704186060000", { timeFormat: "epoch-ms" }, [1_704_186_000_000, 1_704_186_060_000]]
  ] as const)("time format %s", async (_, first, second, options, times) => {
    const path = csv("Time,Open,High,Low,Close,Volume", `${first},10,11,9,10.5,100`, `"${second}",10.5,12,10,11,200`)
    expect((await read(path, { symbol: "X", ...options })).map((b) => b.time)).toEqual(times)
  })

  it("a byte-order mark, CRLF line ends, blank lines and spaces around values", async () => {
    const path = join(dir, "bom.csv")
    writeFileSync(path, "\uFEFFDate,Open,High,Low,Close,Volume\r\n\r\n 2024-01-02 , 10 ,11,9,10.5, 100\r\n2024-01-03,10.5,12,10,11,200\r\n")
    expect(timesAndValues(await read(path, { symbol: "X" }))).toEqual(expected)
  })

  it("parseCsvBars reads text in memory by the same rules", () => {
    const { bars, summary } = parseCsvBars("Date;Symbol;O;H;L;C;V\n2024-01-02;AAA;10;11;9;10.5;100\n2024-01-02;AAA;10;11;9;10.5;100\n", { delimiter: ";", onBadRow: "skip", source: "mem" })
    expect(bars.map(ohlcv)).toEqual([[10, 11, 9, 10.5, 100]])
    expect(summary).toMatchObject({ source: "mem", records: 1, skipped: 1, skippedByReason: { "duplicate-time": 1 } })
  })
})

describe("readCsvBars: bad rows", () => {
  const header = "Date,Symbol,Open,High,Low,Close,Volume"
  const good = (day: number, symbol = "AAA") => `2024-01-${String(day).padStart(2, "0")},${symbol},10,11,9,10.5,100`
  // One bad row of each kind, each on line 3 after a good row, then a good row.
  const cases = [
    ["a missing field (short row)", "2024-01-03,AAA,10,11,9", "close", "missing", undefined],
    ["an empty field", "2024-01-03,AAA,10,,9,10.5,100", "high", "missing", ""],
    ["a non-number", "2024-01-03,AAA,10,11,9,abc,100", "close", "not-a-number", "abc"],
    ["a price ≤ 0", "2024-01-03,AAA,10,11,-9,10.5,100", "low", "out-of-range", "-9"],
    ["a price above 1e15, more than a simulation takes", "2024-01-03,AAA,10,2e15,9,10.5,100", "high", "out-of-range", "2e15"],
    ["a negative volume", "2024-01-03,AAA,10,11,9,10.5,-1", "volume", "out-of-range", -1],
    ["high below low", "2024-01-03,AAA,10,8,9,10.5,100", "high", "inconsistent", 8],
    ["low above the open", "2024-01-03,AAA,10,11,10.2,10.5,100", "low", "inconsistent", 10.2],
    ["a time going backwards", "2024-01-01,AAA,10,11,9,10.5,100", "time", "time-backwards", "2024-01-01"],
    ["a duplicate time for the same symbol", "2024-01-02,AAA,10,11,9,10.5,100", "time", "duplicate-time", "2024-01-02"],
    ["an impossible date", "2024-02-30,AAA,10,11,9,10.5,100", "time", "bad-time", "2024-02-30"],
    ["a bad symbol", "2024-01-03,A A,10,11,9,10.5,100", "symbol", "bad-symbol", "A A"],
    ["a symbol every object has as a property", "2024-01-03,constructor,10,11,9,10.5,100", "symbol", "bad-symbol", "constructor"],
    // (A quote left open swallows the lines after it: csv-parse reads them as the quoted field.)
    ["broken quoting", '2024-01-03,AAA,1"0,11,9,10.5,100', "csv", "malformed", expect.stringContaining("Invalid Opening Quote")]
  ] as const

  it.each(cases)("%s: the read fails with a BadRowError naming the file, line 3 and the field", async (_, row, field, reason, value) => {
    const path = csv(header, good(2), row, good(4))
    const error = await read(path).then(
      () => undefined,
      (e: unknown) => e
    )
    expect(error).toBeInstanceOf(BadRowError)
    expect(error).toMatchObject({ source: path, line: 3, field, reason, value })
    expect((error as BadRowError).message).toMatch(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}:3: ${field} must be `))
  })

  it.each(cases)("%s: with onBadRow skip, the row is left out and counted", async (_, row, __, reason) => {
    const path = csv(header, good(2), row, good(4))
    const source = readCsvBars(path, { onBadRow: "skip" })
    expect((await readAll(source)).map((b) => b.time)).toEqual([utc("2024-01-02"), utc("2024-01-04")])
    expect(source.summary).toMatchObject({ source: path, records: 2, skipped: 1, skippedByReason: { [reason]: 1 } })
    expect(source.summary!.firstSkipped.map((e) => [e.line, e.reason])).toEqual([[3, reason]])
  })

  it("fails only after every bar before the bad row has been read", async () => {
    const path = csv(header, good(2), good(3), "2024-01-04,AAA,10,11,9,x,100")
    const seen: number[] = []
    await expect(
      (async () => {
        for await (const bar of readCsvBars(path)) seen.push(bar.time)
      })()
    ).rejects.toBeInstanceOf(BadRowError)
    expect(seen).toEqual([utc("2024-01-02"), utc("2024-01-03")])
  })

  it("counts many bad rows by reason and keeps the first ten", async () => {
    const rows = [header, good(1)]
    for (let day = 2; day <= 28; day++) rows.push(day % 2 === 0 ? `2024-01-${String(day).padStart(2, "0")},AAA,10,11,9,x,100` : good(day))
    rows.push("2024-01-05,AAA,10,11,9,10.5,100")
    const source = readCsvBars(csv(...rows), { onBadRow: "skip" })
    expect(await readAll(source)).toHaveLength(14)
    expect(source.summary).toMatchObject({ records: 14, skipped: 15, skippedByReason: { "not-a-number": 14, "time-backwards": 1 } })
    expect(source.summary!.firstSkipped.map((e) => e.line)).toEqual([3, 5, 7, 9, 11, 13, 15, 17, 19, 21])
  })

  it("a symbol's bars may share a time with another symbol's", async () => {
    const bars = await read(csv(header, good(2, "AAA"), good(2, "BBB"), good(3, "AAA")))
    expect(bars.map((b) => b.symbol)).toEqual(["AAA", "BBB", "AAA"])
  })

  it("the Effect Stream fails with the same typed error", async () => {
    const path = csv(header, good(2), "2024-01-03,AAA,10,11,9,abc,100")
    const error = await Effect.runPromise(Effect.flip(Stream.runCollect(readCsvBars(path).stream)))
    expect(error).toBeInstanceOf(BadRowError)
    expect(error).toMatchObject({ _tag: "BadRowError", line: 3, field: "close" })
  })
})

describe("readCsvBars: files that cannot be read as asked", () => {
  const header = "Date,Open,High,Low,Close,Volume"
  it.each([
    ["a missing column", [header.replace(",Close", ""), "2024-01-02,10,11,9,100"], { symbol: "X" }, "close"],
    ["no symbol column and no symbol", [header, "2024-01-02,10,11,9,10.5,100"], {}, "symbol"],
    ["a column named that is not there", [header, "2024-01-02,10,11,9,10.5,100"], { symbol: "X", columns: { close: "Last" } }, "close"],
    ["an unknown time zone", [header], { symbol: "X", timeZone: "Mars/Olympus" }, "timeZone"],
    ["a time format without a day", [header], { symbol: "X", timeFormat: "YYYY-MM" }, "timeFormat"],
    ["a symbol a simulation cannot trade", [header], { symbol: "NO SPACES" }, "symbol"],
    ["an empty file", [], { symbol: "X" }, "header"]
  ] as const)("%s is a DataFormatError naming the field, also when skipping bad rows", async (_, lines, options, field) => {
    const path = csv(...lines)
    await expect(read(path, { ...options, onBadRow: "skip" })).rejects.toSatisfy((e) => e instanceof DataFormatError && e.field === field && e.source === path)
  })

  it("a missing file is a DataFileError, in the iterable and in the stream", async () => {
    await expect(read(join(dir, "nope.csv"))).rejects.toSatisfy((e) => e instanceof DataFileError && e.reason.includes("ENOENT"))
    const error = await Effect.runPromise(Effect.flip(Stream.runCollect(readCsvBars(join(dir, "nope.csv")).stream)))
    expect(error).toBeInstanceOf(DataFileError)
  })
})
