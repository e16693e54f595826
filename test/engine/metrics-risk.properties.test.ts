import { describe, expect } from "vitest"
import { fc, test } from "@fast-check/vitest"
import { computePerformanceMetrics, type MetricsOptions, type PerformanceMetrics } from "../../src/engine/metrics.ts"

const anyEquity = fc.oneof(
  fc.double(),
  fc.constantFrom(0, -0, 1e-300, -1e-300, 1e300, -1e300, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE),
  fc.double({ min: 0, max: 1e7, noNaN: true })
)
const side = fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1e7, noNaN: true }))
const point = fc.record({ equity: anyEquity, long: side, short: side, day: fc.integer({ min: 0, max: 5 }) })
const options = fc.record({
  varMethod: fc.constantFrom("historical" as const, "parametric" as const),
  durationUnit: fc.constantFrom("periods" as const, "calendarDays" as const)
})

const run = (points: ReadonlyArray<{ equity: number; long: number; short: number; day: number }>, opts: MetricsOptions): PerformanceMetrics => {
  let t = Date.UTC(2020, 0, 1)
  return computePerformanceMetrics(
    {
      initialCapital: "1000",
      finalEquity: "1000",
      totalCommission: "0",
      equityCurve: points.map((p) => p.equity),
      longValue: points.map((p) => p.long),
      shortValue: points.map((p) => p.short),
      times: points.map((p) => (t += p.day * 86_400_000)),
      fills: points.map((p) => ({ quantity: "1", price: String(p.long) })),
      trades: [],
      periodsPerYear: 252,
      riskFreeRate: 0.02
    },
    opts
  )
}

const numbers = (m: PerformanceMetrics): number[] =>
  Object.values(m).filter((v): v is number => typeof v === "number")

describe("new metrics: properties", () => {
  test.prop([fc.array(point, { maxLength: 60 }), options])("every number is finite, every undefined value null", (points, opts) => {
    const m = run(points, opts)
    for (const v of numbers(m)) expect(Number.isFinite(v)).toBe(true)
  })

  test.prop([fc.array(point, { maxLength: 60 }), options])("bounds: time in market in [0, 1], durations within the run", (points, opts) => {
    const m = run(points, opts)
    if (m.timeInMarket !== null) {
      expect(m.timeInMarket).toBeGreaterThanOrEqual(0)
      expect(m.timeInMarket).toBeLessThanOrEqual(1)
    }
    const limit = opts.durationUnit === "periods" ? m.periods : 5 * m.periods + 1
    for (const d of [m.maxDrawdownDuration, m.timeToRecovery]) {
      if (d === null) continue
      expect(Number.isInteger(d)).toBe(true)
      expect(d).toBeGreaterThanOrEqual(0)
      expect(d).toBeLessThanOrEqual(limit)
    }
  })

  test.prop([fc.array(point.map((p) => ({ ...p, equity: Math.abs(p.equity) % 1e7 + 1 })), { minLength: 1, maxLength: 60 }), options])(
    "positive curves: VaR99 ≤ VaR95, CVaR ≤ VaR, volatility ≥ 0, CAGR ≥ −1",
    (points, opts) => {
      const m = run(points, opts)
      if (m.valueAtRisk95 !== null && m.valueAtRisk99 !== null) {
        expect(m.valueAtRisk99).toBeLessThanOrEqual(m.valueAtRisk95)
        expect(m.conditionalValueAtRisk95!).toBeLessThanOrEqual(m.valueAtRisk95)
        expect(m.conditionalValueAtRisk99!).toBeLessThanOrEqual(m.valueAtRisk99)
      }
      if (m.annualVolatility !== null) expect(m.annualVolatility).toBeGreaterThanOrEqual(0)
      // Positive equity: CAGR ≥ −1 (it can underflow to −1 for a huge loss over a short run, and is null where it overflows).
      if (m.cagr !== null) expect(m.cagr).toBeGreaterThanOrEqual(-1)
    }
  )
})
