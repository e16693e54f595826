import { describe, expect, it } from "vitest"
import { computePerformanceMetrics, type PerformanceMetrics } from "../../src/engine/metrics.ts"
import { formatMoney, formatPercent, formatQuantity, formatTime } from "../../src/report/format.ts"
import { formatMetric, metricDefinitions } from "../../src/report/metric-definitions.ts"

const metrics = computePerformanceMetrics({
  initialCapital: "100000",
  finalEquity: "102139.47940958255",
  totalCommission: "343.72416726745",
  equityCurve: [100_000, 99_000, 102_139.48],
  trades: [],
  periodsPerYear: 252,
  riskFreeRate: 0
})

describe("metricDefinitions", () => {
  it("has exactly one entry per PerformanceMetrics key, each with a label and a definition", () => {
    expect(metricDefinitions.map((d) => d.key).sort()).toEqual(Object.keys(metrics).sort())
    for (const d of metricDefinitions) {
      expect(d.label.length).toBeGreaterThan(0)
      expect(d.definition.length).toBeGreaterThan(10)
    }
  })

  it("states the definitions the engine computes", () => {
    const definition = (key: keyof PerformanceMetrics) => metricDefinitions.find((d) => d.key === key)!.definition
    expect(definition("maxDrawdown")).toContain("peak starting at the initial capital")
    expect(definition("sharpeRatio")).toContain("sample standard deviation (n − 1)")
    expect(definition("sortinoRatio")).toContain("√(Σ min(x_t, 0)² / n)")
    expect(definition("profitFactor")).toContain("gross profit / gross loss")
    expect(definition("cagr")).toContain("(Π (1 + r_t)) ^ (periodsPerYear / n) − 1")
    expect(definition("valueAtRisk95")).toContain("linearly interpolated (empyrical value_at_risk)")
    expect(definition("conditionalValueAtRisk95")).toContain("k = ⌊(n − 1) × 0.05⌋")
    expect(definition("calmarRatio")).toContain("CAGR / max drawdown")
    expect(definition("turnover")).toContain("Σ |quantity × price| of every fill / mean equity / years")
  })
})

describe("formatMetric", () => {
  it("formats each kind of value", () => {
    expect(formatMetric("finalEquity", metrics.finalEquity)).toBe("102,139.48")
    expect(formatMetric("netProfit", "-2139.475")).toBe("-2,139.48")
    expect(formatMetric("totalReturn", metrics.totalReturn)).toBe("2.14%")
    expect(formatMetric("maxDrawdown", 0.01)).toBe("1.00%")
    expect(formatMetric("sharpeRatio", 0.1771646071630977)).toBe("0.177")
    expect(formatMetric("periods", 1_234_567)).toBe("1,234,567")
    expect(formatMetric("winRate", 34 / 97)).toBe("35.05%")
    expect(formatMetric("valueAtRisk95", -0.0004644781443590984)).toBe("-0.05%")
    expect(formatMetric("maxDrawdownDuration", 3714)).toBe("3,714")
    expect(formatMetric("largestLoss", "474.23773125")).toBe("474.24")
  })

  it("shows the per-symbol breakdown on one line, the first three symbols by name", () => {
    const row = (symbol: string, closedTrades: number, netPnl: string) => ({ symbol, closedTrades, openTrades: 0, winningTrades: 0, winRate: null, netPnl, commission: "0" })
    expect(formatMetric("bySymbol", [row("ORCL", 97, "1537.42580958255")])).toBe("ORCL 97 trades, 1,537.43")
    const four = ["A", "B", "C", "D"].map((s) => row(s, 1, "1"))
    expect(formatMetric("bySymbol", four)).toBe("A 1 trades, 1.00; B 1 trades, 1.00; C 1 trades, 1.00; +1 more")
    expect(formatMetric("bySymbol", [])).toBe("no trades")
    expect(formatMetric("bySymbol", "garbage" as unknown as [])).toBe("—")
  })

  it('shows null, a missing value and a non-number as "—"', () => {
    expect(formatMetric("winRate", null)).toBe("—")
    expect(formatMetric("averageWin", null)).toBe("—")
    expect(formatMetric("sharpeRatio", undefined as unknown as number)).toBe("—")
    expect(formatMetric("finalEquity", "not a number")).toBe("—")
    expect(formatMetric("totalReturn", Number.NaN)).toBe("—")
  })
})

describe("formats", () => {
  it("groups thousands, rounds half-even in Decimal, and never shows -0", () => {
    expect(formatMoney("1234567.125")).toBe("1,234,567.12")
    expect(formatMoney("-0.001")).toBe("0.00")
    expect(formatMoney(999.999)).toBe("1,000.00")
    expect(formatPercent(-0.5)).toBe("-50.00%")
    expect(formatQuantity("-1500")).toBe("-1,500")
    expect(formatQuantity("0.5")).toBe("0.5")
  })

  it("shows times in UTC, the date alone at midnight", () => {
    expect(formatTime(Date.UTC(2014, 11, 31))).toBe("2014-12-31")
    expect(formatTime(Date.UTC(2024, 0, 2, 14, 30))).toBe("2024-01-02 14:30:00")
    expect(formatTime(null)).toBe("—")
  })
})
