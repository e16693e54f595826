import { fc, test } from "@fast-check/vitest"
import { describe, expect, it } from "vitest"
import { timeOptionsProblem, timeParser } from "../../src/data/time-format.ts"
import { wallClockOf, zonedTime } from "../../src/data/zoned-time.ts"

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

describe("zonedTime: wall clocks in a zone, across daylight saving", () => {
  const newYork = zonedTime("America/New_York")
  const wall = (iso: string) => wallClockOf(utc(`${iso}Z`))

  it("a time the spring change skips is moved forward by the gap (02:30 → 03:30 EDT)", () => {
    expect(newYork(wall("2024-03-10T02:30:00"))).toBe(utc("2024-03-10T07:30:00Z"))
    expect(newYork(wall("2024-03-10T01:59:59"))).toBe(utc("2024-03-10T06:59:59Z"))
    expect(newYork(wall("2024-03-10T03:00:00"))).toBe(utc("2024-03-10T07:00:00Z"))
  })

  it("a time the autumn change repeats is its first occurrence (01:30 EDT)", () => {
    expect(newYork(wall("2024-11-03T01:30:00"))).toBe(utc("2024-11-03T05:30:00Z"))
    expect(newYork(wall("2024-11-03T02:00:00"))).toBe(utc("2024-11-03T07:00:00Z"))
  })

  it("a zone east of UTC, and one with a half-hour offset", () => {
    expect(zonedTime("Europe/Berlin")(wall("2024-03-31T03:30:00"))).toBe(utc("2024-03-31T01:30:00Z"))
    expect(zonedTime("Asia/Kolkata")(wall("2024-01-02T09:15:00"))).toBe(utc("2024-01-02T03:45:00Z"))
  })

  // Every instant's wall clock in the zone maps back to that instant, except where the clock
  // repeats an hour: there it maps to the first of the two instants showing it.
  const zones = ["America/New_York", "Europe/London", "Australia/Sydney", "America/Sao_Paulo", "Asia/Tehran", "Pacific/Chatham", "UTC"]
  test.prop([fc.constantFrom(...zones), fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2035, 0, 1) })], { numRuns: 300 })(
    "maps each instant's wall clock back to it, or to the first instant of a repeated hour",
    (zone, instant) => {
      const format = new Intl.DateTimeFormat("en-CA", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" })
      const parts = Object.fromEntries(format.formatToParts(instant).map((p) => [p.type, Number(p.value)]))
      const shown = { year: parts["year"]!, month: parts["month"]!, day: parts["day"]!, hour: parts["hour"]!, minute: parts["minute"]!, second: parts["second"]!, millisecond: instant % 1000 }
      const back = zonedTime(zone)(shown)
      expect(back).toBeLessThanOrEqual(instant)
      // It shows the same wall clock, so it is `instant` or an earlier occurrence of that clock.
      expect(format.format(back)).toBe(format.format(instant))
      if (back !== instant) expect(instant - back).toBeLessThanOrEqual(2 * 3_600_000)
    }
  )
})
