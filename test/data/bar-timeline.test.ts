import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { fc, test } from "@fast-check/vitest"
import { describe, expect, it } from "vitest"
import { barTimeline, dataSource, DataSourceError, loadBarTimeline } from "../../src/data/bar-timeline.ts"
import { BadRowError, DataFileError } from "../../src/data/data-errors.ts"
import type { OhlcvBar } from "../../src/data/ohlcv-csv.ts"

const data = (name: string) => fileURLToPath(new URL(`../../examples/data/${name}`, import.meta.url))
const day = (d: number) => Date.UTC(2020, 0, 1) + d * 86_400_000
const bar = (d: number, close: number): OhlcvBar => ({ time: day(d), date: new Date(day(d)).toISOString().slice(0, 10), open: close, high: close, low: close, close, volume: 1 })
const ohlcv = (close: number) => ({ open: close, high: close, low: close, close, volume: 1 })

describe("barTimeline", () => {
  it("puts bars of the same time in one update and leaves out a symbol without a bar", () => {
    expect(barTimeline({ AAA: [bar(0, 1), bar(2, 3)], BBB: [bar(1, 20), bar(2, 30)] })).toEqual([
      { time: day(0), bars: { AAA: ohlcv(1) } },
      { time: day(1), bars: { BBB: ohlcv(20) } },
      { time: day(2), bars: { AAA: ohlcv(3), BBB: ohlcv(30) } }
    ])
  })

  it("is empty for no series or empty series", () => {
    expect(barTimeline({})).toEqual([])
    expect(barTimeline({ AAA: [] })).toEqual([])
  })

  // Series as the CSV loader gives them: strictly ascending times per symbol.
  const series = fc.dictionary(
    fc.stringMatching(/^[A-Z]{1,5}$/),
    fc.uniqueArray(fc.integer({ min: 0, max: 400 }), { maxLength: 60 }).map((days) => days.sort((a, b) => a - b).map((d) => bar(d, d + 1))),
    { maxKeys: 6 }
  )

  test.prop([series])("every input bar appears exactly once, in an update of its time; times strictly ascend", (input) => {
    const timeline = barTimeline(input)
    for (let i = 1; i < timeline.length; i++) expect(timeline[i]!.time).toBeGreaterThan(timeline[i - 1]!.time)
    const seen = timeline.flatMap((u) => Object.entries(u.bars).map(([symbol, b]) => `${symbol}@${u.time}:${b.close}`)).sort()
    const given = Object.entries(input).flatMap(([symbol, bars]) => bars.map((b) => `${symbol}@${b.time}:${b.close}`)).sort()
    expect(seen).toEqual(given)
    // No empty updates: each time comes from some bar.
    expect(timeline.every((u) => Object.keys(u.bars).length > 0)).toBe(true)
  })
})

describe("dataSource: the symbol of a data file", () => {
  it.each([
    ["examples/data/orcl-1995-2014.txt", "ORCL"],
    ["nvda.csv", "NVDA"],
    ["/tmp/x/brk-b.csv", "BRK"],
    ["Msft2020.csv", "MSFT"]
  ])("%s is for %s", (path, symbol) => {
    expect(dataSource(path)).toEqual({ symbol, path })
  })

  it("SYM=path names it as given", () => {
    expect(dataSource("BRK.B=data/brk-b.csv")).toEqual({ symbol: "BRK.B", path: "data/brk-b.csv" })
  })

  // Every symbol a simulation config accepts can be named, also one starting with a digit or holding a slash.
  it.each([
    ["0700.HK=data/tencent.csv", "0700.HK", "data/tencent.csv"],
    ["BTC/USD=btc usd.csv", "BTC/USD", "btc usd.csv"],
    ["X=a=b.csv", "X", "a=b.csv"]
  ])("%s is for %s", (argument, symbol, path) => {
    expect(dataSource(argument)).toEqual({ symbol, path })
  })

  it.each([
    ["ORCL=", "names no file after ORCL="],
    ["=orcl.csv", "names no symbol before ="]
  ])("refuses %s: it %s", (argument, rule) => {
    expect(() => dataSource(argument)).toThrow(new DataSourceError({ argument, rule }))
  })

  it("refuses a file name without leading letters, saying how to name it", () => {
    expect(() => dataSource("data/2020.csv")).toThrow(DataSourceError)
    expect(() => dataSource("data/2020.csv")).toThrow("name it: SYM=data/2020.csv")
  })
})

describe("loadBarTimeline", () => {
  it("merges the bundled ORCL and NVDA files: one update per trading day", async () => {
    const timeline = await loadBarTimeline([dataSource(data("orcl-1995-2014.txt")), dataSource(data("nvda-1999-2014.txt"))])
    expect(timeline).toHaveLength(5036) // ORCL's 1995–2014 days; NVDA's (from 1999) all fall on them
    expect(timeline[0]).toEqual({ time: Date.UTC(1995, 0, 3), bars: { ORCL: { open: 2.179012, high: 2.191358, low: 2.117284, close: 2.117284, volume: 36301200 } } })
    expect(Object.keys(timeline.at(-1)!.bars)).toEqual(["ORCL", "NVDA"])
    expect(timeline.filter((u) => "NVDA" in u.bars)).toHaveLength(4012)
  })

  it("refuses a symbol given by two files", async () => {
    const orcl = data("orcl-1995-2014.txt")
    await expect(loadBarTimeline([dataSource(orcl), { symbol: "ORCL", path: orcl }])).rejects.toBeInstanceOf(DataSourceError)
  })

  it("names an unreadable file, and a malformed one with its line", async () => {
    await expect(loadBarTimeline([{ symbol: "X", path: "/nonexistent/x.csv" }])).rejects.toSatisfy(
      (e) => e instanceof DataFileError && e.path === "/nonexistent/x.csv" && e.message.includes("ENOENT")
    )
    const dir = mkdtempSync(join(tmpdir(), "paperfloor-timeline-"))
    try {
      const bad = join(dir, "bad.csv")
      writeFileSync(bad, "Date,Open,High,Low,Close,Volume\n2020-01-02,1,2,0.5,1.5,10\n2020-01-03,1,0.5,0.4,0.45,10\n")
      await expect(loadBarTimeline([{ symbol: "X", path: bad }])).rejects.toSatisfy((e) => e instanceof BadRowError && e.line === 3 && e.field === "high")
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
