import { describe, expect, it } from "vitest"
import { baseInput, metricsOn } from "./metrics-fixtures.ts"

const DAY = 86_400_000

const metrics = metricsOn({ ...baseInput, periodsPerYear: 4 })

describe("CAGR, annual volatility and Calmar (empyrical cagr, annual_volatility, calmar_ratio)", () => {
  // Initial 100, curve 100, 50, 100, 100, 75: returns r = 0, −0.5, 1, 0, −0.25 (n = 5).
  const m = metrics({ equityCurve: [100, 50, 100, 100, 75] })

  it("CAGR = (Π (1 + r))^(periodsPerYear / n) − 1 = 0.75^(4/5) − 1", () => {
    // Π (1 + r) = 1 × 0.5 × 2 × 1 × 0.75 = 0.75; 0.75^0.8 = e^(0.8 × ln 0.75) = e^(−0.2301457) = 0.7944179
    expect(m.cagr).toBeCloseTo(-0.2055821, 7)
    expect(m.cagr).toBeCloseTo(0.75 ** 0.8 - 1, 15)
  })

  it("annual volatility = sample std × √periodsPerYear = √(1.3 / 4) × 2 = √1.3", () => {
    // mean = 0.25 / 5 = 0.05; deviations −0.05, −0.55, 0.95, −0.05, −0.3;
    // squares 0.0025 + 0.3025 + 0.9025 + 0.0025 + 0.09 = 1.3; sample variance 1.3 / 4 = 0.325.
    expect(m.annualVolatility).toBeCloseTo(Math.sqrt(1.3), 12)
  })

  it("Calmar = CAGR / max drawdown, the drawdown 50% (100 → 50)", () => {
    expect(m.maxDrawdown).toBe(0.5)
    expect(m.calmarRatio).toBeCloseTo((0.75 ** 0.8 - 1) / 0.5, 12)
  })

  it("one period a year for a year of daily data: CAGR is the total return", () => {
    const daily = metrics({ equityCurve: [110], periodsPerYear: 1 })
    expect(daily.cagr).toBeCloseTo(0.1, 15)
  })

  it("an empty curve: all null; one point: CAGR but no volatility", () => {
    const empty = metrics({})
    expect([empty.cagr, empty.annualVolatility, empty.calmarRatio]).toEqual([null, null, null])
    const one = metrics({ equityCurve: [121], periodsPerYear: 2 })
    // 1.21^(2/1) − 1 = 0.4641
    expect(one.cagr).toBeCloseTo(0.4641, 12)
    expect(one.annualVolatility).toBeNull()
    expect(one.calmarRatio).toBeNull() // no drawdown
  })

  it("zero variance: volatility 0, no drawdown so no Calmar", () => {
    const flat = metrics({ equityCurve: [100, 100, 100] })
    expect(flat.annualVolatility).toBe(0)
    expect(flat.cagr).toBe(0)
    expect(flat.calmarRatio).toBeNull()
  })

  it("a wipe-out: CAGR −100%, never NaN", () => {
    const m = metrics({ equityCurve: [50, 0, 0] })
    expect(m.cagr).toBe(-1)
    expect(m.calmarRatio).toBe(-1)
  })
})

describe("drawdown duration and time to recovery", () => {
  // Peak 100 (the initial capital): points 1–3 under water (90, 95, 80), point 4 back at 100;
  // new peak 120 at point 5, points 6–7 under it and never back.
  const curve = [100, 90, 95, 80, 100, 120, 110, 115]

  it("in periods: the longest stretch under water, and trough → recovery of the max drawdown", () => {
    const m = metrics({ equityCurve: curve })
    expect(m.maxDrawdown).toBeCloseTo(0.2, 15) // 80 vs 100
    expect(m.maxDrawdownDuration).toBe(3) // points 1, 2, 3
    expect(m.timeToRecovery).toBe(1) // trough at point 3, back at 100 on point 4
  })

  it("in calendar days (quantstats drawdown_details): last − first under-water day + 1", () => {
    const times = [0, 1, 2, 5, 6, 7, 8, 30].map((d) => Date.UTC(2020, 0, 1) + d * DAY)
    const m = metrics({ equityCurve: curve, times }, { durationUnit: "calendarDays" })
    // First stretch: day 1 → day 5 = 5 days; second: day 8 → day 30 = 23 days.
    expect(m.maxDrawdownDuration).toBe(23)
    // Trough on day 5, recovered on day 6.
    expect(m.timeToRecovery).toBe(1)
  })

  it("in calendar days without times: null", () => {
    const m = metrics({ equityCurve: curve }, { durationUnit: "calendarDays" })
    expect([m.maxDrawdownDuration, m.timeToRecovery]).toEqual([null, null])
  })

  it("never recovering: time to recovery null, the duration runs to the end", () => {
    const m = metrics({ equityCurve: [100, 90, 80, 85] })
    expect(m.maxDrawdownDuration).toBe(3)
    expect(m.timeToRecovery).toBeNull()
  })

  it("a deeper drawdown later that never recovers replaces an earlier recovered one", () => {
    // 90 recovers on point 2; 70 (30%) on point 3 never does.
    const m = metrics({ equityCurve: [100, 90, 100, 70, 80] })
    expect(m.maxDrawdown).toBeCloseTo(0.3, 15)
    expect(m.maxDrawdownDuration).toBe(2)
    expect(m.timeToRecovery).toBeNull()
  })

  it("never under water: duration 0 and nothing to recover (0); empty curve: null", () => {
    expect(metrics({ equityCurve: [101, 102, 102] })).toMatchObject({ maxDrawdownDuration: 0, timeToRecovery: 0 })
    expect(metrics({})).toMatchObject({ maxDrawdownDuration: null, timeToRecovery: null })
  })

  it("the first point can be under the initial capital", () => {
    expect(metrics({ equityCurve: [99, 100] })).toMatchObject({ maxDrawdownDuration: 1, timeToRecovery: 1 })
  })
})
