import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { fc, test } from "@fast-check/vitest"
import { describe, expect, it } from "vitest"
import { TradingSimulationEngine, ValidationError } from "../../src/index.ts"
import { parseTime } from "../../src/domain/time.ts"

const zones = ["UTC", "America/New_York", "Asia/Kolkata"]

describe("parseTime", () => {
  it("reads a time without a zone as UTC", () => {
    expect(parseTime("2024-01-02T12:00:00")).toBe(Date.UTC(2024, 0, 2, 12))
    expect(parseTime("2024-01-02T12:00")).toBe(Date.UTC(2024, 0, 2, 12))
    expect(parseTime("2024-01-02 23:59:59.250")).toBe(Date.UTC(2024, 0, 2, 23, 59, 59, 250))
    expect(parseTime("2024-01-02")).toBe(Date.UTC(2024, 0, 2))
  })

  it("keeps a zone that is given", () => {
    expect(parseTime("2024-01-02T12:00:00Z")).toBe(Date.UTC(2024, 0, 2, 12))
    expect(parseTime("2024-01-02T12:00:00-05:00")).toBe(Date.UTC(2024, 0, 2, 17))
    expect(parseTime("2024-01-02T12:00:00+0530")).toBe(Date.UTC(2024, 0, 2, 6, 30))
  })

  it("takes numbers and Dates as they are, and gives NaN for anything else", () => {
    expect(parseTime(1_700_000_000_000)).toBe(1_700_000_000_000)
    expect(parseTime(new Date(5))).toBe(5)
    expect(parseTime("yesterday")).toBeNaN()
    expect(parseTime("2024-13-45T12:00:00")).toBeNaN()
    expect(parseTime({})).toBeNaN()
  })

  test.prop([fc.date({ min: new Date("1900-01-01T00:00:00Z"), max: new Date("2200-01-01T00:00:00Z"), noInvalidDate: true })])(
    "a zone-less ISO string names the same instant as its UTC form",
    (date) => {
      const iso = date.toISOString()
      expect(parseTime(iso.slice(0, -1))).toBe(date.getTime())
    }
  )
})

// A `day` order's expiry depends on which trading day an update falls on: the machine's zone must not decide it.
const script = `
import { TradingSimulationEngine } from "./src/index.ts"
const engine = new TradingSimulationEngine({ symbols: ["AAPL"], commissionRate: 0, slippageRate: 0, maxPositionSize: 1, dailyStopLoss: null })
engine.processMarketUpdate({ time: "2024-01-02T20:00:00", prices: { AAPL: 100 } })
const id = engine.submitOrder({ symbol: "AAPL", side: "buy", type: "limit", quantity: 1, limitPrice: 50, timeInForce: "day" })
engine.processMarketUpdate({ time: "2024-01-02T22:00:00", prices: { AAPL: 100 } })
engine.processMarketUpdate({ time: "2024-01-03T01:00:00", prices: { AAPL: 100 } })
console.log(JSON.stringify({ status: engine.getOrder(id).status, curve: engine.getEquityCurve().map((p) => p.time) }))
`

describe("zone-less times under different TZ", () => {
  it("give the same results whatever the machine's time zone", () => {
    const root = fileURLToPath(new URL("../..", import.meta.url))
    const outputs = zones.map((TZ) =>
      execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: root, env: { ...process.env, TZ }, encoding: "utf8" })
    )
    expect(JSON.parse(outputs[0]!)).toEqual({
      status: "expired",
      curve: [Date.UTC(2024, 0, 2, 20), Date.UTC(2024, 0, 2, 22), Date.UTC(2024, 0, 3, 1)]
    })
    expect(outputs[1]).toBe(outputs[0])
    expect(outputs[2]).toBe(outputs[0])
  })
})

describe("times beyond what a Date can hold", () => {
  it.each([1e300, -1e300, 8.64e15 + 1, "+275760-09-13T00:00:00.001Z"])("%s is a ValidationError naming time, and changes nothing", (time) => {
    const engine = new TradingSimulationEngine({ symbols: ["AAPL"] })
    engine.processMarketUpdate({ time: Date.UTC(2024, 0, 2), prices: { AAPL: 100 } })
    const before = JSON.stringify(engine.snapshot())
    let error: unknown
    try {
      engine.processMarketUpdate({ time, prices: { AAPL: 101 } })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ValidationError)
    expect((error as ValidationError).issues.map((i) => i.field)).toEqual(["time"])
    expect(JSON.stringify(engine.snapshot())).toBe(before)
    // The next update still works: nothing was left half-applied.
    engine.processMarketUpdate({ time: Date.UTC(2024, 0, 3), prices: { AAPL: 102 } })
    expect(engine.updateCount).toBe(2)
  })

  it("the last instant a Date holds is still a time", () => {
    expect(parseTime(8.64e15)).toBe(8.64e15)
  })
})
