import { describe, expect, it } from "vitest"
import { fc, test } from "@fast-check/vitest"
import { Decimal } from "../../src/domain/decimal.ts"
import { computePerformanceMetrics, type PerformanceMetrics } from "../../src/engine/metrics.ts"
import { baseInput, metricsOn, trade } from "./metrics-fixtures.ts"

const metrics = metricsOn(baseInput)

/** Straightforward two-pass reference of the README definitions, allocating freely. */
const reference = (initial: number, curve: ReadonlyArray<number>, ppy: number, rf: number) => {
  const xs: Array<number> = []
  let prev = initial
  for (const e of curve) {
    if (prev > 0) xs.push(e / prev - 1 - rf / ppy)
    prev = e
  }
  const n = xs.length
  const mean = xs.reduce((a, b) => a + b, 0) / n
  const stdev = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1))
  const downside = Math.sqrt(xs.reduce((a, x) => a + Math.min(x, 0) ** 2, 0) / n)
  let peak = initial
  let mdd = 0
  for (const e of curve) {
    peak = Math.max(peak, e)
    mdd = Math.max(mdd, (peak - e) / peak)
  }
  return { sharpe: (mean / stdev) * Math.sqrt(ppy), sortino: (mean / downside) * Math.sqrt(ppy), mdd }
}

describe("computePerformanceMetrics: curve", () => {
  // returns 0.1, −0.1, 2/9: mean 2/27, sample variance 1929/72900, downside √(0.01 / 3)
  it("hand-computed Sharpe, Sortino and max drawdown for a small curve", () => {
    const m = metrics({ equityCurve: [110, 99, 121], finalEquity: "121" })
    expect(m.sharpeRatio).toBeCloseTo(20 / Math.sqrt(1929), 12)
    expect(m.sortinoRatio).toBeCloseTo((20 * Math.sqrt(3)) / 27, 12)
    expect(m.maxDrawdown).toBeCloseTo(0.1, 12)
    expect(m.periods).toBe(3)
    expect(m.totalReturn).toBeCloseTo(0.21, 15)
    expect(m.netProfit).toBe("21")
  })

  it("annualisation scales by √periodsPerYear", () => {
    const m = metrics({ equityCurve: [110, 99, 121], periodsPerYear: 252 })
    expect(m.sharpeRatio).toBeCloseTo((20 / Math.sqrt(1929)) * Math.sqrt(252), 10)
    expect(m.sortinoRatio).toBeCloseTo(((20 * Math.sqrt(3)) / 27) * Math.sqrt(252), 10)
  })

  it("the risk-free rate is subtracted per period, matching a two-pass reference", () => {
    const curve = [100_100, 99_800, 100_400, 100_350, 101_000, 100_200, 100_900]
    const m = metrics({ initialCapital: "100000", equityCurve: curve, periodsPerYear: 252, riskFreeRate: 0.02 })
    const ref = reference(100_000, curve, 252, 0.02)
    expect(m.sharpeRatio).toBeCloseTo(ref.sharpe, 10)
    expect(m.sortinoRatio).toBeCloseTo(ref.sortino, 10)
    expect(m.maxDrawdown).toBeCloseTo(ref.mdd, 12)
  })

  it("accepts a Float64Array and gives the same result as a number[]", () => {
    const curve = [105, 103, 108, 90, 95, 120]
    const a = metrics({ equityCurve: curve, periodsPerYear: 252, riskFreeRate: 0.01 })
    const b = metrics({ equityCurve: Float64Array.from(curve), periodsPerYear: 252, riskFreeRate: 0.01 })
    expect(b).toEqual(a)
  })

  it("a constant curve has no Sharpe (zero stdev) and no drawdown", () => {
    const m = metrics({ equityCurve: [100, 100, 100, 100] })
    expect(m.sharpeRatio).toBeNull()
    expect(m.sortinoRatio).toBeNull()
    expect(m.maxDrawdown).toBe(0)
  })

  it("a constant curve with a risk-free rate: Sharpe null, Sortino −√periodsPerYear", () => {
    const m = metrics({ equityCurve: [100, 100, 100], periodsPerYear: 252, riskFreeRate: 0.02 })
    expect(m.sharpeRatio).toBeNull()
    expect(m.sortinoRatio).toBeCloseTo(-Math.sqrt(252), 10)
  })

  it("an empty curve has no Sharpe, Sortino or max drawdown", () => {
    const m = metrics({ equityCurve: [] })
    expect(m.sharpeRatio).toBeNull()
    expect(m.sortinoRatio).toBeNull()
    expect(m.maxDrawdown).toBeNull()
    expect(m.periods).toBe(0)
  })

  it("a single point gives one return: no Sharpe or Sortino, but a drawdown", () => {
    const m = metrics({ equityCurve: [80] })
    expect(m.sharpeRatio).toBeNull()
    expect(m.sortinoRatio).toBeNull()
    expect(m.maxDrawdown).toBeCloseTo(0.2, 15)
  })

  it("a rising curve has no downside: Sortino null, drawdown 0", () => {
    const m = metrics({ equityCurve: [101, 103, 110] })
    expect(m.sharpeRatio).not.toBeNull()
    expect(m.sortinoRatio).toBeNull()
    expect(m.maxDrawdown).toBe(0)
  })

  it("the running peak starts at the initial capital", () => {
    expect(metrics({ equityCurve: [90, 95] }).maxDrawdown).toBeCloseTo(0.1, 15)
  })

  it("a period after equity ≤ 0 is skipped; a wipe-out is a 100% drawdown", () => {
    // returns: −1 (100 → 0), skipped (0 → 50), then 50 → 60 = 0.2
    const m = metrics({ equityCurve: [0, 50, 60] })
    const ref = reference(100, [0, 50, 60], 1, 0)
    expect(m.sharpeRatio).toBeCloseTo(ref.sharpe, 12)
    expect(m.maxDrawdown).toBe(1)
  })


})

describe("computePerformanceMetrics: money and trades", () => {
  it("totals are exact decimals", () => {
    const m = metrics({ initialCapital: "100000", finalEquity: "100000.30", totalCommission: "12.3450" })
    expect(m.finalEquity).toBe("100000.3")
    expect(m.netProfit).toBe("0.3")
    expect(m.totalCommission).toBe("12.345")
    expect(m.totalReturn).toBeCloseTo(0.000003, 18)
  })

  it("no trades: counts 0, win rate, profit factor and averages null", () => {
    const m = metrics({ trades: [] })
    expect(m).toMatchObject({
      totalTrades: 0,
      winningTrades: 0,
      losingTrades: 0,
      grossProfit: "0",
      grossLoss: "0",
      winRate: null,
      profitFactor: null,
      averageWin: null,
      averageLoss: null
    })
  })

  it("only winners: win rate 1, profit factor null (never Infinity)", () => {
    const m = metrics({ trades: [trade("5"), trade("7.5")] })
    expect(m.winRate).toBe(1)
    expect(m.profitFactor).toBeNull()
    expect(m.grossProfit).toBe("12.5")
    expect(m.averageWin).toBe("6.25")
    expect(m.averageLoss).toBeNull()
  })

  it("only losers: win rate 0, profit factor 0", () => {
    const m = metrics({ trades: [trade("-2"), trade("-3")] })
    expect(m.winRate).toBe(0)
    expect(m.profitFactor).toBe(0)
    expect(m.grossLoss).toBe("5")
    expect(m.averageLoss).toBe("2.5")
    expect(m.averageWin).toBeNull()
  })

  it("sums are exact: 0.1 + 0.2 = 0.3", () => {
    const m = metrics({ trades: [trade("0.1"), trade("0.2"), trade("-0.1"), trade("-0.2")] })
    expect(m.grossProfit).toBe("0.3")
    expect(m.grossLoss).toBe("0.3")
    expect(m.averageWin).toBe("0.15")
    expect(m.averageLoss).toBe("0.15")
    expect(m.profitFactor).toBe(1)
  })

  it("open trades are excluded; break-even trades count but neither win nor lose", () => {
    const m = metrics({ trades: [trade("10"), trade("-4"), trade("0"), trade("1000", { open: true }), trade("-1000", { open: true })] })
    expect(m.totalTrades).toBe(3)
    expect(m.winningTrades).toBe(1)
    expect(m.losingTrades).toBe(1)
    expect(m.winRate).toBeCloseTo(1 / 3, 15)
    expect(m.grossProfit).toBe("10")
    expect(m.grossLoss).toBe("4")
    expect(m.profitFactor).toBe(2.5)
  })

  it("only open trades: nothing closed, win rate null", () => {
    const m = metrics({ trades: [trade("3", { open: true })] })
    expect(m.totalTrades).toBe(0)
    expect(m.winRate).toBeNull()
  })

  it("initial capital that is not positive is rejected", () => {
    expect(() => metrics({ initialCapital: "0" })).toThrow(RangeError)
    expect(() => metrics({ initialCapital: "-5" })).toThrow(RangeError)
  })
})

// Equity values that stress the arithmetic: zeros, negatives, tiny, huge and non-finite.
const anyEquity = fc.oneof(
  fc.double(),
  fc.constantFrom(0, -0, 1e-300, -1e-300, 1e300, -1e300, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE),
  fc.double({ min: 0, max: 1e7, noNaN: true })
)
const nonNegativeEquity = fc.oneof(
  fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, 1e-300, 1e300, Number.MAX_VALUE),
  fc.double({ min: 0, max: 1e7, noNaN: true })
)
const decimalString = fc
  .tuple(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.integer({ min: 0, max: 12 }))
  .map(([units, scale]) => new Decimal(units.toString()).div(new Decimal(10).pow(scale)).toString())
const anyTrade = fc.tuple(decimalString, fc.boolean()).map(([pnl, open]) => trade(pnl, { open }))
const capital = fc.oneof(
  fc.constantFrom("100000", "0.01", "1"),
  fc.double({ min: 1e-6, max: 1e15, noNaN: true }).map((x) => new Decimal(x).toString())
)
const curveOf = (value: fc.Arbitrary<number>) =>
  fc.oneof(
    fc.array(value, { maxLength: 60 }),
    fc.array(value, { maxLength: 60 }).map((xs) => Float64Array.from(xs))
  )
const ppy = fc.oneof(fc.constantFrom(1, 12, 52, 252, 98_280), fc.double({ min: -10, max: 1e7 }))
const rf = fc.oneof(fc.constantFrom(0, 0.02), fc.double())

const numericMetrics = (m: PerformanceMetrics): ReadonlyArray<number | null> => [
  m.totalReturn,
  m.sharpeRatio,
  m.sortinoRatio,
  m.maxDrawdown,
  m.winRate,
  m.profitFactor,
  m.totalTrades,
  m.winningTrades,
  m.losingTrades,
  m.periods
]

describe("computePerformanceMetrics: properties", () => {
  test.prop([capital, decimalString, curveOf(anyEquity), fc.array(anyTrade, { maxLength: 20 }), ppy, rf])(
    "no metric is NaN or ±Infinity; drawdown ≥ 0; counts are consistent",
    (initialCapital, finalEquity, equityCurve, trades, periodsPerYear, riskFreeRate) => {
      const m = computePerformanceMetrics({
        initialCapital,
        finalEquity,
        totalCommission: "0",
        equityCurve,
        trades,
        periodsPerYear,
        riskFreeRate
      })
      for (const v of numericMetrics(m)) {
        if (v !== null) expect(Number.isFinite(v)).toBe(true)
      }
      if (m.maxDrawdown !== null) expect(m.maxDrawdown).toBeGreaterThanOrEqual(0)
      if (equityCurve.length === 0) expect(m.maxDrawdown).toBeNull()
      expect(m.periods).toBe(equityCurve.length)

      const closed = trades.filter((t) => !t.open)
      expect(m.totalTrades).toBe(closed.length)
      expect(m.winningTrades + m.losingTrades).toBeLessThanOrEqual(m.totalTrades)
      expect(m.winningTrades).toBe(closed.filter((t) => new Decimal(t.netPnl).gt(0)).length)
      expect(m.losingTrades).toBe(closed.filter((t) => new Decimal(t.netPnl).lt(0)).length)
      expect(new Decimal(m.grossProfit).gte(0)).toBe(true)
      expect(new Decimal(m.grossLoss).gte(0)).toBe(true)
      if (m.winRate !== null) {
        expect(m.winRate).toBeGreaterThanOrEqual(0)
        expect(m.winRate).toBeLessThanOrEqual(1)
      }
      if (m.profitFactor !== null) expect(m.profitFactor).toBeGreaterThanOrEqual(0)
      expect(m.netProfit).toBe(new Decimal(finalEquity).minus(initialCapital).toString())
    }
  )

  test.prop([capital, curveOf(nonNegativeEquity)])(
    "with equity never negative, max drawdown is within [0, 1]",
    (initialCapital, equityCurve) => {
      const m = computePerformanceMetrics({ ...baseInput, initialCapital, equityCurve })
      if (equityCurve.length === 0) expect(m.maxDrawdown).toBeNull()
      else {
        expect(m.maxDrawdown).not.toBeNull()
        expect(m.maxDrawdown).toBeGreaterThanOrEqual(0)
        expect(m.maxDrawdown).toBeLessThanOrEqual(1)
      }
    }
  )

  test.prop([
    fc.array(fc.double({ min: 1, max: 1e6, noNaN: true }), { minLength: 2, maxLength: 60 }),
    fc.constantFrom(1, 252),
    fc.constantFrom(0, 0.02)
  ])("ordinary curves agree with a two-pass reference", (curve, periodsPerYear, riskFreeRate) => {
    const m = computePerformanceMetrics({ ...baseInput, initialCapital: "1000", equityCurve: curve, periodsPerYear, riskFreeRate })
    const ref = reference(1000, curve, periodsPerYear, riskFreeRate)
    const close = (actual: number | null, expected: number) => {
      if (actual === null) return
      expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-7 * Math.max(1, Math.abs(expected)))
    }
    close(m.sharpeRatio, ref.sharpe)
    close(m.sortinoRatio, ref.sortino)
    expect(m.maxDrawdown).toBeCloseTo(ref.mdd, 12)
  })
})
