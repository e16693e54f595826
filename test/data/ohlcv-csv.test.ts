import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { BadRowError, DataFileError, DataFormatError } from "../../src/data/data-errors.ts"
import { loadOhlcvCsv, parseOhlcvCsv } from "../../src/data/ohlcv-csv.ts"

const orclPath = fileURLToPath(new URL("../../examples/data/orcl-1995-2014.txt", import.meta.url))

const header = "Date,Open,High,Low,Close,Adj Close,Volume"
const good = "2020-01-02,10,11,9,10.5,10.4,1000"

/** Parses `rows` under the Yahoo header and returns the error it throws. */
const errorOf = (...rows: string[]): BadRowError => {
  try {
    parseOhlcvCsv([header, ...rows].join("\n"), "test.csv")
  } catch (error) {
    if (error instanceof BadRowError) return error
    throw error
  }
  throw new Error("expected a BadRowError")
}

describe("loadOhlcvCsv", () => {
  it("reads the real ORCL series", async () => {
    const bars = await loadOhlcvCsv(orclPath)
    expect(bars).toHaveLength(5036)
    expect(bars[0]).toEqual({
      time: Date.UTC(1995, 0, 3),
      date: "1995-01-03",
      open: 2.179012,
      high: 2.191358,
      low: 2.117284,
      close: 2.117284,
      volume: 36301200
    })
    expect(bars.at(-1)).toMatchObject({ date: "2014-12-31", time: Date.UTC(2014, 11, 31), close: 44.970001 })
  })

  it("rejects a missing file with a DataFileError carrying the file system's error", async () => {
    await expect(loadOhlcvCsv("/nonexistent/bars.csv")).rejects.toSatisfy(
      (e) => e instanceof DataFileError && e.path === "/nonexistent/bars.csv" && e.reason.includes("ENOENT")
    )
  })
})

describe("parseOhlcvCsv", () => {
  it("accepts the header without Adj Close and with OpenInterest, CRLF line ends and blank lines", () => {
    const text = "Date,Open,High,Low,Close,Volume,OpenInterest\r\n2020-01-02,10,11,9,10.5,1000,7\r\n\r\n2020-01-03,10.5,12,10,11,0,7\r\n"
    const bars = parseOhlcvCsv(text)
    expect(bars.map((b) => [b.date, b.close, b.volume])).toEqual([
      ["2020-01-02", 10.5, 1000],
      ["2020-01-03", 11, 0]
    ])
  })

  it("gives an empty series for a header alone", () => {
    expect(parseOhlcvCsv(header)).toEqual([])
  })

  it("is a BadRowError whose message names the source, line, field and value", () => {
    const error = errorOf(good, "2020-01-03,10,11,9,abc,10,5")
    expect(error._tag).toBe("BadRowError")
    expect(error.message).toBe('test.csv:3: close must be a finite number > 0 (got "abc")')
  })

  it.each([
    ["a missing column", "Date,Open,High,Low,Volume\n2020-01-02,1,1,1,1", DataFormatError, 1, "close"],
    ["an empty file", "", DataFormatError, 1, "header"],
    ["an unterminated quote", `${header}\n"2020-01-02,10,11,9,10.5,10.4,1000`, BadRowError, 2, "csv"]
  ])("names the line and field for %s", (_, text, type, line, field) => {
    expect(() => parseOhlcvCsv(text, "t")).toThrow(type)
    expect(() => parseOhlcvCsv(text, "t")).toThrow(expect.objectContaining({ source: "t", line, field }))
  })

  it.each([
    ["an unparsable date", "02/01/2020,10,11,9,10.5,10.4,1000", "time", "02/01/2020"],
    ["an impossible date", "2020-02-30,10,11,9,10.5,10.4,1000", "time", "2020-02-30"],
    ["a missing cell", "2020-01-03,10,11,9", "close", undefined],
    ["an empty price", "2020-01-03,,11,9,10.5,10.4,1000", "open", ""],
    ["a non-finite price", "2020-01-03,10,Infinity,9,10.5,10.4,1000", "high", "Infinity"],
    ["a zero price", "2020-01-03,10,11,0,10.5,10.4,1000", "low", "0"],
    ["a negative price", "2020-01-03,10,11,9,-1,10.4,1000", "close", "-1"],
    ["high below the open", "2020-01-03,12,11,9,10.5,10.4,1000", "high", 11],
    ["high below the close", "2020-01-03,10,11,9,11.5,10.4,1000", "high", 11],
    ["low above the close", "2020-01-03,10,11,10.2,10.1,10.4,1000", "low", 10.2],
    ["a negative volume", "2020-01-03,10,11,9,10.5,10.4,-5", "volume", -5],
    ["an unparsable volume", "2020-01-03,10,11,9,10.5,10.4,lots", "volume", "lots"],
    // Number() reads these as 16, 3 and 8: a CSV's numbers are decimal.
    ["a hexadecimal price", "2020-01-03,0x10,17,9,10.5,10.4,1000", "open", "0x10"],
    ["a binary volume", "2020-01-03,10,11,9,10.5,10.4,0b11", "volume", "0b11"],
    ["an octal price", "2020-01-03,10,11,9,0o10,10.4,1000", "close", "0o10"],
    ["a repeated date", "2020-01-02,10,11,9,10.5,10.4,1000", "time", "2020-01-02"],
    ["a date going back", "2019-12-31,10,11,9,10.5,10.4,1000", "time", "2019-12-31"],
    // The daily reader takes dates, not times of day.
    ["a date with a time", "2020-01-03T10:00:00Z,10,11,9,10.5,10.4,1000", "time", "2020-01-03T10:00:00Z"]
  ])("rejects %s on line 3, naming the field", (_, row, field, value) => {
    const error = errorOf(good, row)
    expect({ line: error.line, field: error.field, value: error.value, source: error.source }).toEqual({
      line: 3,
      field,
      value,
      source: "test.csv"
    })
  })

  it("reads decimal numbers with a sign, a fraction or an exponent", () => {
    const bars = parseOhlcvCsv(`${header}\n2020-01-02,+10,1.1e1,9.,.105e2,0,1E3\n`)
    expect(bars.map(({ open, high, low, close, volume }) => [open, high, low, close, volume])).toEqual([[10, 11, 9, 10.5, 1000]])
  })

  it("counts blank lines when naming a line", () => {
    expect(errorOf(good, "", "", "2020-01-03,10,11,9,x,10.4,1000").line).toBe(5)
  })
})
