import { describe, expect, it } from "vitest"
import { fc, test } from "@fast-check/vitest"
import { computePerformanceMetrics, type MetricsInput } from "../../src/engine/metrics.ts"
import { percentileLinear, tailRisk } from "../../src/engine/metrics/tail-risk.ts"

// 31 returns: −0.10, −0.06, −0.04 and 28 × 0.01 (sorted), shuffled.
const returns = Float64Array.from([0.01, -0.04, ...Array<number>(14).fill(0.01), -0.1, ...Array<number>(13).fill(0.01), -0.06])

describe("historical VaR and CVaR (empyrical value_at_risk, conditional_value_at_risk)", () => {
  it("95%: VaR at position 30 × 0.05 = 1.5, CVaR the mean of the ⌊1.5⌋ + 1 = 2 smallest", () => {
    const r = tailRisk(returns, 0.05, "historical")
    // sorted[1] + (sorted[2] − sorted[1]) × 0.5 = −0.06 + 0.02 × 0.5 = −0.05
    expect(r.valueAtRisk).toBeCloseTo(-0.05, 15)
    // (−0.10 − 0.06) / 2 = −0.08
    expect(r.conditionalValueAtRisk).toBeCloseTo(-0.08, 15)
  })

  it("99%: VaR at position 30 × 0.01 = 0.3, CVaR the smallest alone", () => {
    const r = tailRisk(returns, 0.01, "historical")
    // −0.10 + (−0.06 + 0.10) × 0.3 = −0.088
    expect(r.valueAtRisk).toBeCloseTo(-0.088, 15)
    expect(r.conditionalValueAtRisk).toBeCloseTo(-0.1, 15)
  })

  it("one return: it is both; none: null", () => {
    expect(tailRisk(Float64Array.of(-0.02), 0.05, "historical")).toEqual({ valueAtRisk: -0.02, conditionalValueAtRisk: -0.02 })
    expect(tailRisk(new Float64Array(0), 0.01, "historical")).toEqual({ valueAtRisk: null, conditionalValueAtRisk: null })
  })

  it("interpolates as numpy.percentile 'linear'", () => {
    // np.percentile([1, 2, 3, 4], 5) = 1 + 0.15 × 1 = 1.15; np.percentile([1, 2, 3, 4], 50) = 2.5
    expect(percentileLinear([1, 2, 3, 4], 0.05)).toBeCloseTo(1.15, 15)
    expect(percentileLinear([1, 2, 3, 4], 0.5)).toBe(2.5)
    expect(percentileLinear([7], 0.01)).toBe(7)
  })

  it("computePerformanceMetrics uses the curve's per-period returns", () => {
    // Initial 100, curve 90, 99, 99: returns −0.1, 0.1, 0. Sorted −0.1, 0, 0.1; position 2 × 0.05 = 0.1:
    // VaR95 = −0.1 + 0.1 × 0.1 = −0.09, CVaR95 = −0.1 (k = 0); VaR99 = −0.1 + 0.1 × 0.02 = −0.098.
    const input: MetricsInput = { initialCapital: "100", finalEquity: "99", totalCommission: "0", equityCurve: [90, 99, 99], trades: [], periodsPerYear: 252, riskFreeRate: 0 }
    const m = computePerformanceMetrics(input)
    expect(m.valueAtRisk95).toBeCloseTo(-0.09, 15)
    expect(m.conditionalValueAtRisk95).toBeCloseTo(-0.1, 15)
    expect(m.valueAtRisk99).toBeCloseTo(-0.098, 15)
    expect(m.conditionalValueAtRisk99).toBeCloseTo(-0.1, 15)
  })
})

describe("parametric VaR and CVaR (quantstats value_at_risk, conditional_value_at_risk)", () => {
  it("VaR = mean + Φ⁻¹(cutoff) × sample std; CVaR the mean of the returns below it", () => {
    // −0.10 and 9 × 0.01: mean = −0.01 / 10 = −0.001; squared deviations 0.099² + 9 × 0.011² = 0.01089;
    // sample variance 0.01089 / 9 = 0.00121, std 0.0347851; VaR95 = −0.001 − 1.6448536 × 0.0347851 = −0.0582163.
    const r = Float64Array.from([-0.1, ...Array<number>(9).fill(0.01)])
    const v95 = tailRisk(r, 0.05, "parametric")
    expect(v95.valueAtRisk).toBeCloseTo(-0.001 - 1.6448536269514722 * Math.sqrt(0.00121), 12)
    expect(v95.valueAtRisk).toBeCloseTo(-0.0582163, 7)
    expect(v95.conditionalValueAtRisk).toBeCloseTo(-0.1, 15)
    // VaR99 = −0.001 − 2.3263479 × 0.0347851 = −0.0819221
    expect(tailRisk(r, 0.01, "parametric").valueAtRisk).toBeCloseTo(-0.0819221, 7)
  })

  it("with no return below the VaR, the CVaR is the VaR (quantstats)", () => {
    // −0.02, 0, 0.02, 0.04: mean 0.01, std √(0.002 / 3); VaR95 = 0.01 − 1.6448536 × 0.0258199 = −0.0324699 < −0.02
    const r = tailRisk(Float64Array.of(-0.02, 0, 0.02, 0.04), 0.05, "parametric")
    expect(r.valueAtRisk).toBeCloseTo(-0.0324699, 7)
    expect(r.conditionalValueAtRisk).toBe(r.valueAtRisk)
  })

  it("needs 2 returns; zero variance gives the mean", () => {
    expect(tailRisk(Float64Array.of(0.01), 0.05, "parametric")).toEqual({ valueAtRisk: null, conditionalValueAtRisk: null })
    expect(tailRisk(Float64Array.of(0.01, 0.01), 0.05, "parametric").valueAtRisk).toBeCloseTo(0.01, 15)
  })
})

const anyReturns = fc.array(
  fc.oneof(fc.double({ min: -1, max: 1, noNaN: true }), fc.constantFrom(0, 0.01, -0.01)),
  { minLength: 1, maxLength: 300 }
)

describe("tail risk: properties", () => {
  test.prop([anyReturns, fc.constantFrom("historical" as const, "parametric" as const)])(
    "VaR99 ≤ VaR95, CVaR ≤ VaR at each level, CVaR99 ≤ CVaR95",
    (values, method) => {
      const r = Float64Array.from(values)
      const a = tailRisk(r, 0.05, method)
      const b = tailRisk(r, 0.01, method)
      if (a.valueAtRisk === null) return
      expect(b.valueAtRisk!).toBeLessThanOrEqual(a.valueAtRisk)
      expect(a.conditionalValueAtRisk!).toBeLessThanOrEqual(a.valueAtRisk)
      expect(b.conditionalValueAtRisk!).toBeLessThanOrEqual(b.valueAtRisk!)
      expect(b.conditionalValueAtRisk!).toBeLessThanOrEqual(a.conditionalValueAtRisk!)
    }
  )

  test.prop([anyReturns])("historical VaR and CVaR lie between the smallest and largest return", (values) => {
    const r = Float64Array.from(values)
    const lo = Math.min(...values)
    const hi = Math.max(...values)
    for (const cutoff of [0.05, 0.01] as const) {
      const t = tailRisk(r, cutoff, "historical")
      for (const v of [t.valueAtRisk!, t.conditionalValueAtRisk!]) {
        expect(v).toBeGreaterThanOrEqual(lo)
        expect(v).toBeLessThanOrEqual(hi)
      }
    }
  })
})
