import { describe, expect, it } from "vitest"
import { syntheticBars, syntheticTicks } from "../../../src/data/synthetic/index.ts"

const iso = (ms: number): string => new Date(ms).toISOString()
const distinctTimes = (records: ReadonlyArray<{ time: number }>): string[] => [...new Set(records.map((r) => iso(r.time)))]

describe("when the bars and events fall", () => {
  it("daily bars: one per weekday at UTC midnight, weekends skipped, from the first day at or after the start", () => {
    // 2024-01-05 is a Friday; a start after its midnight begins on Monday the 8th.
    expect(distinctTimes(syntheticBars({ seed: 1, start: "2024-01-04" }).take(4)).map((t) => t.slice(0, 10))).toEqual([
      "2024-01-04",
      "2024-01-05",
      "2024-01-08",
      "2024-01-09"
    ])
    expect(iso(syntheticBars({ seed: 1, start: "2024-01-05T00:00:01Z" }).take(1)[0]!.time)).toBe("2024-01-08T00:00:00.000Z")
    expect(iso(syntheticBars({ seed: 1, start: "1969-12-27" }).take(1)[0]!.time)).toBe("1969-12-29T00:00:00.000Z")
    expect(syntheticBars({ seed: 1, start: new Date("2024-01-06T00:00:00Z") }).take(1)[0]!.time).toBe(Date.UTC(2024, 0, 8))
  })

  it("intraday bars: every interval through each session, the last one shorter when the session does not divide", () => {
    const times = distinctTimes(syntheticBars({ seed: 1, interval: 120, start: "2024-01-05T16:00Z" }).take(5))
    expect(times).toEqual(["2024-01-05T16:30:00.000Z", "2024-01-05T18:30:00.000Z", "2024-01-05T20:30:00.000Z", "2024-01-08T14:30:00.000Z", "2024-01-08T16:30:00.000Z"])
    const custom = distinctTimes(syntheticBars({ seed: 1, interval: 60, session: { open: "00:00", close: "24:00" }, start: "2024-01-05T22:00Z" }).take(3))
    expect(custom).toEqual(["2024-01-05T22:00:00.000Z", "2024-01-05T23:00:00.000Z", "2024-01-08T00:00:00.000Z"])
  })

  it("several symbols share each bar time, in the order given", () => {
    const bars = syntheticBars({ seed: 1, symbols: ["X", "A", "M"], interval: 15 }).take(9)
    expect(bars.map((b) => b.symbol)).toEqual(["X", "A", "M", "X", "A", "M", "X", "A", "M"])
    expect(distinctTimes(bars)).toEqual(["2024-01-02T14:30:00.000Z", "2024-01-02T14:45:00.000Z", "2024-01-02T15:00:00.000Z"])
  })

  it("ticks: whole ms inside the sessions, never going back, carried over nights and weekends", () => {
    const ticks = syntheticTicks({ seed: 5, eventsPerMinute: 0.05, session: { open: "09:00", close: "10:00" }, start: "2024-01-05T09:30Z" }).take(200)
    let previous = -Infinity
    const days = new Set<string>()
    for (const { time } of ticks) {
      expect(Number.isInteger(time)).toBe(true)
      expect(time).toBeGreaterThanOrEqual(previous)
      previous = time
      const t = iso(time)
      expect(t.slice(11, 13)).toBe("09")
      expect([0, 6]).not.toContain(new Date(time).getUTCDay())
      days.add(t.slice(0, 10))
    }
    expect(ticks[0]!.time).toBeGreaterThanOrEqual(Date.UTC(2024, 0, 5, 9, 30))
    // 3 events per session on average: the 200 spread over dozens of sessions.
    expect(days.size).toBeGreaterThan(30)
  })

  it("ticks from a start after the session's close, or on a weekend, begin at the next session", () => {
    const afterClose = syntheticTicks({ seed: 1, start: "2024-01-05T22:00Z" }).take(1)[0]!
    expect(iso(afterClose.time).slice(0, 10)).toBe("2024-01-08")
    const weekend = syntheticTicks({ seed: 1, start: "2024-01-06T15:00Z" }).take(1)[0]!
    expect(iso(weekend.time).slice(0, 10)).toBe("2024-01-08")
  })

  it("ticks arrive at eventsPerMinute on average", () => {
    const ticks = syntheticTicks({ seed: 9, eventsPerMinute: 30, session: { open: "00:00", close: "24:00" }, start: "2024-01-02" }).take(30_000)
    const minutes = (ticks.at(-1)!.time - ticks[0]!.time) / 60_000
    expect(ticks.length / minutes).toBeGreaterThan(27)
    expect(ticks.length / minutes).toBeLessThan(33)
  })
})
