import { describe, expect, it } from "vitest"
import { makeSimulationConfig, TradingSimulationEngine, ValidationError } from "../../src/index.ts"
import type { BarInput, OrderRequest, SimulationConfigInput } from "../../src/index.ts"
import { bar, buy, flat, frictionless, sell } from "./fixtures.ts"

/**
 * Exchange calendars in the engine (issue 12, trading sessions): with one, a trading day is a
 * session, `day` means the session, `opg` and `cls` its open and close, and an update outside the
 * session marks the portfolio while nothing trades on it. Times are New York's, in winter (UTC-5)
 * unless said.
 */
const ny = (date: string, time: string, offset = "-05:00") => Date.parse(`${date}T${time}:00${offset}`)

const engineOn = (extra: SimulationConfigInput = {}) =>
  new TradingSimulationEngine(frictionless(["AAPL"], { calendar: "XNYS", updateFrequency: "1min", dailyStopLoss: null, ...extra }))

const feed = (engine: TradingSimulationEngine, time: number, b: BarInput) => engine.processMarketUpdate({ time, bars: { AAPL: b } })

const fillsOf = (engine: TradingSimulationEngine, id: string) => engine.getFills().filter((f) => f.orderId === id).map((f) => [f.quantity, f.price, f.time])

describe("the calendar in a config", () => {
  it("takes the built-in XNYS or a spec, and keeps it as given", () => {
    const spec = { name: "XLON", timeZone: "Europe/London", open: "08:00", close: "16:30", holidays: ["2024-12-25"], earlyCloses: { "2024-12-24": "12:30" } }
    expect(makeSimulationConfig({ calendar: "XNYS" })).toMatchObject({ _tag: "Success", success: { calendar: "XNYS" } })
    expect(makeSimulationConfig({ calendar: spec })).toMatchObject({ _tag: "Success", success: { calendar: spec } })
    // Without one, a config keeps the form it had.
    expect(Object.keys((makeSimulationConfig({}) as { success: object }).success)).not.toContain("calendar")
  })

  it.each([
    ["an unknown built-in", "XLON", "calendar"],
    ["an unknown time zone", { name: "X", timeZone: "Mars/Olympus", open: "09:00", close: "17:00" }, "calendar.timeZone"],
    ["a time of day past 23:59", { name: "X", timeZone: "UTC", open: "09:00", close: "24:00" }, "calendar.close"],
    ["a close before the open", { name: "X", timeZone: "UTC", open: "17:00", close: "09:00" }, "calendar"],
    ["a date that does not exist", { name: "X", timeZone: "UTC", open: "09:00", close: "17:00", holidays: ["2024-02-30"] }, "calendar.holidays.0"],
    ["a weekday 8", { name: "X", timeZone: "UTC", open: "09:00", close: "17:00", weekdays: [1, 8] }, "calendar.weekdays.1"],
    ["an early close after the close", { name: "X", timeZone: "UTC", open: "09:00", close: "17:00", earlyCloses: { "2024-12-24": "18:00" } }, "calendar"],
    ["an unknown field", { name: "X", timeZone: "UTC", open: "09:00", close: "17:00", holidayz: [] }, "calendar"]
  ])("refuses %s, naming the field", (_, calendar, field) => {
    const result = makeSimulationConfig({ calendar })
    expect(result._tag).toBe("Failure")
    const error = (result as { failure: ValidationError }).failure
    expect(error).toBeInstanceOf(ValidationError)
    expect(error.issues.map((i) => i.field).some((f) => f.startsWith(field))).toBe(true)
  })
})

describe("sessions in the engine", () => {
  it("marks each update with its session; before the open nothing trades, the first update in session fills a market order at its open", () => {
    const engine = engineOn()
    const id = engine.submitOrder(buy("AAPL", 10))
    expect(feed(engine, ny("2024-01-02", "09:00"), flat(99)).session).toEqual({ date: "2024-01-02", inSession: false })
    expect(engine.getOrder(id).status).toBe("submitted")
    expect(feed(engine, ny("2024-01-02", "09:30"), bar(100, 101, 99, 100)).session).toEqual({ date: "2024-01-02", inSession: true })
    expect(fillsOf(engine, id)).toEqual([["10", "100", ny("2024-01-02", "09:30")]])
    // The pre-market price marked the portfolio all the same.
    expect(engine.getPortfolio().positions[0]?.marketPrice.toString()).toBe("100")
  })

  it("a day order lasts the session: it expires at the first update after the close, not at midnight UTC", () => {
    const engine = engineOn()
    feed(engine, ny("2024-01-02", "15:00"), flat(100))
    const id = engine.submitOrder(buy("AAPL", 10, { type: "limit", limitPrice: 90, timeInForce: "day" }))
    feed(engine, ny("2024-01-02", "15:59"), flat(100))
    expect(engine.getOrder(id).status).toBe("accepted")
    // 16:30 New York is 21:30 UTC, still 2 January in UTC: without a calendar the order would work on.
    expect(feed(engine, ny("2024-01-02", "16:30"), flat(85)).session).toEqual({ date: "2024-01-03", inSession: false })
    expect(engine.getOrder(id).status).toBe("expired")
    expect(fillsOf(engine, id)).toEqual([])
  })

  it("opg waits through the pre-market for the next session's opening and fills at its open; one submitted after an opening waits for the next", () => {
    const engine = engineOn()
    feed(engine, ny("2024-01-02", "15:00"), flat(100))
    const filled = engine.submitOrder(buy("AAPL", 10, { timeInForce: "opg" }))
    feed(engine, ny("2024-01-03", "08:00"), flat(101))
    expect(engine.getOrder(filled).status).toBe("submitted")
    feed(engine, ny("2024-01-03", "09:30"), bar(102, 103, 101, 102.5))
    expect(fillsOf(engine, filled)).toEqual([["10", "102", ny("2024-01-03", "09:30")]])
    const next = engine.submitOrder(buy("AAPL", 10, { timeInForce: "opg" }))
    feed(engine, ny("2024-01-03", "09:31"), flat(102))
    expect(engine.getOrder(next).status).toBe("accepted")
    // The 4th's first update in session is its opening, whenever it comes.
    feed(engine, ny("2024-01-04", "09:35"), bar(103, 104, 102, 103))
    expect(fillsOf(engine, next)).toEqual([["10", "103", ny("2024-01-04", "09:35")]])
  })

  it("opg expires when the session opens without its symbol", () => {
    const engine = new TradingSimulationEngine(frictionless(["AAPL", "MSFT"], { calendar: "XNYS", updateFrequency: "1min", dailyStopLoss: null }))
    engine.processMarketUpdate({ time: ny("2024-01-02", "15:00"), prices: { AAPL: 100, MSFT: 50 } })
    const id = engine.submitOrder(buy("AAPL", 10, { timeInForce: "opg" }))
    engine.processMarketUpdate({ time: ny("2024-01-03", "09:30"), prices: { MSFT: 51 } })
    engine.processMarketUpdate({ time: ny("2024-01-03", "09:31"), prices: { AAPL: 101, MSFT: 51 } })
    expect(engine.getOrder(id).status).toBe("expired")
    expect(fillsOf(engine, id)).toEqual([])
  })

  it("cls fills at the close of the bar that reaches the session's close, 13:00 on an early close", () => {
    const engine = engineOn()
    feed(engine, ny("2024-11-29", "09:30"), flat(100))
    const id = engine.submitOrder(buy("AAPL", 5, { timeInForce: "cls" }))
    feed(engine, ny("2024-11-29", "09:31"), bar(100, 101, 99, 100.5))
    feed(engine, ny("2024-11-29", "12:58"), bar(100, 101, 99, 100.7))
    expect(engine.getOrder(id).status).toBe("accepted")
    feed(engine, ny("2024-11-29", "12:59"), bar(100, 101, 99, 100.9))
    expect(fillsOf(engine, id)).toEqual([["5", "100.9", ny("2024-11-29", "12:59")]])
  })

  it("daily bars: a bar dated on a holiday is out of session, and a day order placed the day before lasts to its session's end", () => {
    const engine = engineOn({ updateFrequency: "1d" })
    const day = (date: string) => Date.parse(`${date}T00:00:00Z`)
    feed(engine, day("2024-12-23"), flat(100))
    const id = engine.submitOrder(buy("AAPL", 10, { type: "limit", limitPrice: 95, timeInForce: "day" }))
    expect(feed(engine, day("2024-12-24"), flat(100)).session).toEqual({ date: "2024-12-24", inSession: true })
    expect(engine.getOrder(id).status).toBe("accepted")
    // 25 December: no session; the bar marks the position, the order does not trade at 90, and it has expired.
    expect(feed(engine, day("2024-12-25"), flat(90)).session).toEqual({ date: "2024-12-26", inSession: false })
    expect(engine.getOrder(id).status).toBe("expired")
    expect(fillsOf(engine, id)).toEqual([])
  })

  it("a time outside the days the calendar covers, or no time at all, is a ValidationError naming time, and changes nothing", () => {
    const engine = engineOn()
    feed(engine, ny("2024-01-02", "10:00"), flat(100))
    const before = JSON.stringify(engine.snapshot())
    expect(() => feed(engine, Date.parse("2036-01-02T15:00:00Z"), flat(100))).toThrow(/time must be within the days XNYS covers \(2000-01-03 to 2035-12-31\)/)
    expect(JSON.stringify(engine.snapshot())).toBe(before)
    // An update without a time is at the previous one's; before any, there is none to place.
    expect(() => engineOn().processMarketUpdate({ prices: { AAPL: 100 } })).toThrow(/time must be given with an exchange calendar \(XNYS\)/)
  })

  it("a run snapshotted and restored after any update ends byte-identical to the uninterrupted run", () => {
    const updates: Array<readonly [number, BarInput, OrderRequest | null]> = [
      [ny("2024-01-02", "15:58"), flat(100), buy("AAPL", 10, { timeInForce: "opg" })],
      [ny("2024-01-02", "15:59"), flat(100), sell("AAPL", 3, { timeInForce: "cls" })],
      [ny("2024-01-02", "17:00"), flat(101), null],
      [ny("2024-01-03", "09:30"), bar(102, 103, 101, 102), buy("AAPL", 2, { type: "limit", limitPrice: 101 })],
      [ny("2024-01-03", "09:31"), bar(102, 102, 100, 101), sell("AAPL", 4, { timeInForce: "cls" })],
      [ny("2024-01-03", "15:59"), flat(104), null],
      [ny("2024-01-04", "09:30"), flat(105), null]
    ]
    const run = (restoreAfter: number | null) => {
      let engine = engineOn({ enableShorting: true })
      updates.forEach(([time, b, order], i) => {
        if (order !== null) engine.submitOrder(order)
        feed(engine, time, b)
        if (i === restoreAfter) engine = TradingSimulationEngine.fromSnapshot(JSON.parse(JSON.stringify(engine.snapshot())))
      })
      return JSON.stringify(engine.snapshot())
    }
    const whole = run(null)
    expect(JSON.parse(whole).fills.length).toBeGreaterThanOrEqual(3)
    for (let i = 0; i < updates.length; i++) expect(run(i), `restored after update ${i}`).toBe(whole)
  })
})
