// The built-in NYSE calendar is data; these tests check it against the exchange's published
// schedule for 2024–2026 and against NYSE Rule 7.2 computed independently here for every year.
import { describe, expect, it } from "vitest"
import { dayOf } from "../../../src/domain/calendar/calendar-spec.ts"
import { calendarOf } from "../../../src/domain/calendar/exchange-calendar.ts"
import { usEquities } from "../../../src/domain/calendar/us-equities.ts"

const xnys = calendarOf("XNYS")
const iso = (d: Date) => d.toISOString().slice(0, 10)
const date = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d))
const plusDays = (d: Date, n: number) => new Date(d.getTime() + n * 86_400_000)
const nthWeekday = (y: number, m: number, weekday: number, n: number) => {
  let d = date(y, m, 1)
  while (d.getUTCDay() !== weekday) d = plusDays(d, 1)
  return plusDays(d, 7 * (n - 1))
}
const lastWeekday = (y: number, m: number, weekday: number) => {
  let d = plusDays(date(y, m + 1, 1), -1)
  while (d.getUTCDay() !== weekday) d = plusDays(d, -1)
  return d
}
/** Easter Sunday (the anonymous Gregorian algorithm). */
const easter = (y: number) => {
  const a = y % 19, b = Math.floor(y / 100), c = y % 100, d = Math.floor(b / 4), e = b % 4
  const f = Math.floor((b + 8) / 25), g = Math.floor((b - f + 1) / 3), h = (19 * a + b - d - g + 15) % 30
  const i = Math.floor(c / 4), k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7, m = Math.floor((a + 11 * h + 22 * l) / 451)
  return date(y, Math.floor((h + l - 7 * m + 114) / 31), ((h + l - 7 * m + 114) % 31) + 1)
}
/** Rule 7.2: Saturday holidays on the Friday before (not New Year's Day), Sunday ones on the Monday after. */
const observed = (d: Date, saturdayToFriday = true): Date | undefined =>
  d.getUTCDay() === 6 ? (saturdayToFriday ? plusDays(d, -1) : undefined) : d.getUTCDay() === 0 ? plusDays(d, 1) : d

const UNSCHEDULED = ["2001-09-11", "2001-09-12", "2001-09-13", "2001-09-14", "2004-06-11", "2007-01-02", "2012-10-29", "2012-10-30", "2018-12-05", "2025-01-09"]

const holidaysByRule = (y: number): string[] =>
  [
    observed(date(y, 1, 1), false),
    nthWeekday(y, 1, 1, 3),
    nthWeekday(y, 2, 1, 3),
    plusDays(easter(y), -2),
    lastWeekday(y, 5, 1),
    y >= 2022 ? observed(date(y, 6, 19)) : undefined,
    observed(date(y, 7, 4)),
    nthWeekday(y, 9, 1, 1),
    nthWeekday(y, 11, 4, 4),
    observed(date(y, 12, 25))
  ].flatMap((d) => (d === undefined ? [] : [iso(d)]))

describe("the built-in NYSE calendar (XNYS)", () => {
  it("has the exchange's published holidays and early closes for 2024–2026", () => {
    const inYear = (y: number) => (usEquities.holidays ?? []).filter((d) => d.startsWith(String(y)))
    expect(inYear(2024)).toEqual(["2024-01-01", "2024-01-15", "2024-02-19", "2024-03-29", "2024-05-27", "2024-06-19", "2024-07-04", "2024-09-02", "2024-11-28", "2024-12-25"])
    expect(inYear(2025)).toEqual(["2025-01-01", "2025-01-09", "2025-01-20", "2025-02-17", "2025-04-18", "2025-05-26", "2025-06-19", "2025-07-04", "2025-09-01", "2025-11-27", "2025-12-25"])
    expect(inYear(2026)).toEqual(["2026-01-01", "2026-01-19", "2026-02-16", "2026-04-03", "2026-05-25", "2026-06-19", "2026-07-03", "2026-09-07", "2026-11-26", "2026-12-25"])
    const early = Object.keys(usEquities.earlyCloses ?? {}).filter((d) => d >= "2024" && d < "2027")
    expect(early).toEqual(["2024-07-03", "2024-11-29", "2024-12-24", "2025-07-03", "2025-11-28", "2025-12-24", "2026-11-27", "2026-12-24"])
  })

  it("follows Rule 7.2 in every year it covers, with the unscheduled closures", () => {
    for (let y = 2000; y <= 2035; y++) {
      const expected = [...holidaysByRule(y), ...UNSCHEDULED.filter((d) => d.startsWith(String(y)))].sort()
      expect((usEquities.holidays ?? []).filter((d) => d.startsWith(String(y))), String(y)).toEqual(expected)
    }
  })

  it("opens 09:30 and closes 16:00 New York time across daylight saving, 13:00 on an early close, never on a holiday or a weekend", () => {
    expect(xnys.sessionOn(dayOf("2024-01-02"))).toEqual({ day: dayOf("2024-01-02"), date: "2024-01-02", open: Date.parse("2024-01-02T14:30:00Z"), close: Date.parse("2024-01-02T21:00:00Z"), earlyClose: false })
    expect(xnys.sessionOn(dayOf("2024-07-01"))).toMatchObject({ open: Date.parse("2024-07-01T13:30:00Z"), close: Date.parse("2024-07-01T20:00:00Z") })
    expect(xnys.sessionOn(dayOf("2024-11-29"))).toMatchObject({ close: Date.parse("2024-11-29T18:00:00Z"), earlyClose: true })
    expect(xnys.sessionOn(dayOf("2024-12-25"))).toBeUndefined()
    expect(xnys.sessionOn(dayOf("2024-12-28"))).toBeUndefined()
    expect(xnys.sessionOn(dayOf("1999-12-31"))).toBeUndefined()
  })

  it("places an instant in the session in progress, or the next one to open", () => {
    const at = (t: string) => xnys.positionOf(Date.parse(t))
    expect(at("2024-03-08T15:00:00Z")).toMatchObject({ session: { date: "2024-03-08" }, inSession: true })
    // Before the open, and after the close (the evening belongs to the next session: Friday's to Monday's).
    expect(at("2024-03-08T14:29:59Z")).toMatchObject({ session: { date: "2024-03-08" }, inSession: false })
    expect(at("2024-03-08T21:00:00Z")).toMatchObject({ session: { date: "2024-03-11" }, inSession: false })
    // Monday 11 March is in daylight time: it opens at 13:30 UTC.
    expect(at("2024-03-11T13:30:00Z")).toMatchObject({ session: { date: "2024-03-11" }, inSession: true })
    // Over Christmas 2024: the 24th closes at 13:00, the 25th is a holiday.
    expect(at("2024-12-24T18:30:00Z")).toMatchObject({ session: { date: "2024-12-26" }, inSession: false })
    // From the evening of 10 September 2001 to the reopening on Monday the 17th.
    expect(at("2001-09-10T22:00:00Z")).toMatchObject({ session: { date: "2001-09-17" }, inSession: false })
    expect(at("2036-01-02T15:00:00Z")).toBeUndefined()
  })
})
