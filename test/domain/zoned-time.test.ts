import { fc, test } from "@fast-check/vitest"
import { describe, expect, it } from "vitest"
import { wallClockOf, zonedTime } from "../../src/domain/zoned-time.ts"

const utc = (iso: string) => Date.parse(iso)

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
