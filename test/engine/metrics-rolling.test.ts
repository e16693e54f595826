import { describe, expect, it } from "vitest"
import { fc, test } from "@fast-check/vitest"
import { periodReturns } from "../../src/engine/metrics/returns.ts"
import { rollingMaxDrawdown, rollingSharpe } from "../../src/engine/metrics/rolling.ts"

describe("rolling Sharpe (empyrical roll_sharpe_ratio)", () => {
  it("over each trailing window, aligned to its last point", () => {
    // window 3, one period a year, rf 0:
    // [0.01, 0.03, 0.02]: mean 0.02, sample std √((0.0001 + 0.0001 + 0) / 2) = 0.01 → 2
    // [0.03, 0.02, 0.02]: mean 0.07 / 3, sample std √((0.02/3)² + 2 × (0.01/3)²) / 2) = √(1/30000) → (0.07 / 3) × √30000 = 4.0414519
    // [0.02, 0.02, 0.02]: zero std → null
    const out = rollingSharpe([0.01, 0.03, 0.02, 0.02, 0.02], 3, 1, 0)
    expect(out.slice(0, 2)).toEqual([null, null])
    expect(out[2]).toBeCloseTo(2, 12)
    expect(out[3]).toBeCloseTo((0.07 / 3) * Math.sqrt(30000), 9)
    expect(out[4]).toBeNull()
  })

  it("annualises by √periodsPerYear and subtracts the risk-free rate per period", () => {
    // rf 0.04 a year at 4 periods: 0.01 a period; excess 0, 0.02, 0.01: mean 0.01, std 0.01 → 1 × √4 = 2
    expect(rollingSharpe([0.01, 0.03, 0.02], 3, 4, 0.04)[2]).toBeCloseTo(2, 12)
  })

  it("skips missing returns in a window; a window shorter than the series gives nothing", () => {
    expect(rollingSharpe([0.01, Number.NaN, 0.03], 3, 1, 0)[2]).toBeCloseTo(0.02 / Math.sqrt(0.0002), 12)
    expect(rollingSharpe([0.01], 3, 1, 0)).toEqual([null])
  })

  it("rejects a window < 2", () => {
    expect(() => rollingSharpe([], 1, 1, 0)).toThrow(/rolling window must be an integer ≥ 2, got 1/)
  })
})

describe("rolling max drawdown (empyrical roll_max_drawdown)", () => {
  it("the peak starts at the equity just before the window (the initial capital for the first)", () => {
    // initial 100, curve 90, 100, 80, 100, 110, window 2:
    // [90, 100] from 100 → 0.1; [100, 80] from 90 → 0.2; [80, 100] from 100 → 0.2; [100, 110] from 80 → 0
    expect(rollingMaxDrawdown(100, [90, 100, 80, 100, 110], 2)).toEqual([null, 0.1, 0.2, 0.2, 0])
  })
})

const curve = fc.array(fc.double({ min: 1, max: 1e6, noNaN: true }), { maxLength: 120 })

describe("rolling series: properties", () => {
  test.prop([curve, fc.integer({ min: 2, max: 30 })])("one value per point, drawdowns in [0, 1), Sharpe finite or null", (points, window) => {
    const dd = rollingMaxDrawdown(1000, points, window)
    const sharpe = rollingSharpe(periodReturns(1000, points), window, 252, 0.02)
    expect(dd).toHaveLength(points.length)
    expect(sharpe).toHaveLength(points.length)
    for (const [i, v] of dd.entries()) {
      if (i < window - 1) expect(v).toBeNull()
      else {
        expect(v).toBeGreaterThanOrEqual(0)
        expect(v).toBeLessThan(1)
      }
    }
    for (const v of sharpe) if (v !== null) expect(Number.isFinite(v)).toBe(true)
  })
})
