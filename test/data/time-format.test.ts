import { fc, test } from "@fast-check/vitest"
import { describe, expect, it } from "vitest"
import { timeOptionsProblem, timeParser } from "../../src/data/time-format.ts"

const utc = (iso: string) => Date.parse(iso)

describe("timeParser", () => {
  const iso = timeParser({})
  it.each([
    ["2024-03-08", utc("2024-03-08T00:00:00Z")],
    ["2024-03-08T14:30", utc("2024-03-08T14:30:00Z")],
    ["2024-03-08 14:30:05", utc("2024-03-08T14:30:05Z")],
    ["2024-03-08T14:30:05.25Z", utc("2024-03-08T14:30:05.250Z")],
    // Nanoseconds (Alpaca's times) are cut to the ms, never rounded into the next.
    ["2021-02-22T15:51:45.335689322Z", utc("2021-02-22T15:51:45.335Z")],
    ["2024-03-08T09:30:00-05:00", utc("2024-03-08T14:30:00Z")],
    ["2024-03-08T15:30:00+0100", utc("2024-03-08T14:30:00Z")],
    ["2024-02-29", utc("2024-02-29T00:00:00Z")],
    // Date.UTC would read year 50 as 1950.
    ["0050-01-01", new Date("0050-01-01T00:00:00Z").getTime()]
  ])("reads %s", (text, time) => {
    expect(iso(text)).toBe(time)
  })

  it.each(["2023-02-29", "2024-13-01", "2024-01-32", "2024-01-02T24:00", "2024-01-02T12:60", "2024-01-02Z", "2024-1-2", "02/01/2024", "", "2024-01-02T10:00+19:00"])(
    "refuses %j",
    (text) => {
      expect(iso(text)).toBeNaN()
    }
  )

  it("reads numbers as epoch ms, or seconds with epoch-s; Dates and bigints too", () => {
    expect(iso(1_704_186_000_000)).toBe(1_704_186_000_000)
    expect(iso(1_704_186_000_000n)).toBe(1_704_186_000_000)
    expect(iso(new Date(5))).toBe(5)
    expect(timeParser({ timeFormat: "epoch-s" })(1.001)).toBe(1001)
    expect(timeParser({ timeFormat: "epoch-s" })("1.001")).toBe(1001)
    expect(timeParser({ timeFormat: "epoch-ms" })("0x10")).toBeNaN()
    expect(iso(9e15)).toBeNaN()
  })

  it("reads patterns in the declared zone", () => {
    const parse = timeParser({ timeFormat: "YYYYMMDD HHmmss.SSS", timeZone: "Asia/Tokyo" })
    expect(parse("20240308 093000.125")).toBe(utc("2024-03-08T00:30:00.125Z"))
    expect(parse("20240230 093000.125")).toBeNaN()
    expect(parse("2024030 093000.125")).toBeNaN()
  })

  it("reads a time-of-day with one-digit fields", () => {
    expect(timeParser({ timeFormat: "M/D/YYYY H:mm" })("3/8/2024 9:30")).toBe(utc("2024-03-08T09:30:00Z"))
  })

  it.each([
    [{ timeZone: "Nowhere/Special" }, "timeZone"],
    [{ timeFormat: "HH:mm" }, "timeFormat"],
    [{ timeFormat: "YYYY-MM-DD MM" }, "timeFormat"]
  ])("refuses the options %j", (options, field) => {
    expect(timeOptionsProblem(options)).toMatchObject({ field })
  })
})
