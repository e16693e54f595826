import { describe, expect, it } from "vitest"
import type { CalendarSpec } from "../../../src/domain/calendar/calendar-spec.ts"
import { calendarOf, makeExchangeCalendar } from "../../../src/domain/calendar/exchange-calendar.ts"

const spec = (name: string, holidays: string[] = []): CalendarSpec => ({ name, timeZone: "Europe/London", open: "08:00", close: "16:30", holidays })

describe("calendarOf", () => {
  it("gives simulations of one calendar one calendar (a name, or specs alike), and another for a spec that differs", () => {
    expect(calendarOf("XNYS")).toBe(calendarOf("XNYS"))
    const given = spec("XLON", ["2024-12-25"])
    const a = calendarOf(given)
    expect(calendarOf(given)).toBe(a)
    expect(calendarOf(spec("XLON", ["2024-12-25"]))).toBe(a)
    const b = calendarOf(spec("XLON", ["2024-12-26"]))
    expect(b).not.toBe(a)
    // Shared, a calendar still answers as one made for that spec alone.
    const day = Date.UTC(2024, 11, 26) / 86_400_000
    const alone = makeExchangeCalendar(spec("XLON", ["2024-12-26"]))
    expect(b.sessionOn(day)).toEqual(alone.sessionOn(day))
    expect(b.sessionOn(day)).toBeUndefined()
    expect(a.sessionOn(day)).toEqual(makeExchangeCalendar(spec("XLON", ["2024-12-25"])).sessionOn(day))
    expect(a.sessionOn(day)).toBeDefined()
  })
})
