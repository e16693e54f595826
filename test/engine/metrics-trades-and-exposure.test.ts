import { describe, expect, it } from "vitest"
import { baseInput, metricsOn, trade } from "./metrics-fixtures.ts"

const metrics = metricsOn(baseInput)

describe("expectancy, largest win and loss, streaks", () => {
  it("over the closed trades in the order they closed", () => {
    // Closed: +10, +5, −3, 0, −2, −4, −1, +7 (the open +100 is left out).
    // Σ = 12 over 8 trades: expectancy 1.5. Streaks: +10 +5 → 2 wins; −2 −4 −1 → 3 losses (0 breaks −3's).
    const trades = ["10", "5", "-3", "0", "-2", "-4", "-1", "7"].map((p) => trade(p))
    const m = metrics({ trades: [...trades, trade("100", { open: true })] })
    expect(m).toMatchObject({ expectancy: "1.5", largestWin: "10", largestLoss: "4", longestWinningStreak: 2, longestLosingStreak: 3 })
  })

  it("expectancy = win rate × average win − loss rate × average loss", () => {
    const m = metrics({ trades: ["3", "-1", "-1", "0.5"].map((p) => trade(p)) })
    // 0.5 × 1.75 − 0.5 × 1 = 0.375 = (3 − 1 − 1 + 0.5) / 4
    expect(m.expectancy).toBe("0.375")
  })

  it("all losing: no largest win, expectancy negative", () => {
    const m = metrics({ trades: [trade("-1"), trade("-2")] })
    expect(m).toMatchObject({ expectancy: "-1.5", largestWin: null, largestLoss: "2", longestWinningStreak: 0, longestLosingStreak: 2 })
  })

  it("no losing trade: no largest loss, losing streak 0", () => {
    const m = metrics({ trades: [trade("1"), trade("2.5")] })
    expect(m).toMatchObject({ expectancy: "1.75", largestWin: "2.5", largestLoss: null, longestWinningStreak: 2, longestLosingStreak: 0 })
  })

  it("no closed trade: expectancy null, streaks 0", () => {
    const m = metrics({ trades: [trade("5", { open: true })] })
    expect(m).toMatchObject({ expectancy: null, largestWin: null, largestLoss: null, longestWinningStreak: 0, longestLosingStreak: 0 })
  })

  it("exact decimals: 0.1 + 0.2 over 3 trades", () => {
    expect(metrics({ trades: [trade("0.1"), trade("0.2"), trade("0")] }).expectancy).toBe("0.1")
  })
})

describe("per-symbol breakdown", () => {
  it("counts, win rate, net P&L (open trades' realised part included) and commission per symbol, by name", () => {
    const m = metrics({
      trades: [
        trade("10", { symbol: "MSFT", commission: "1" }),
        trade("-4", { symbol: "AAPL", commission: "0.5" }),
        trade("6", { symbol: "MSFT", commission: "1" }),
        trade("-2", { symbol: "MSFT", commission: "1" }),
        trade("1.5", { symbol: "AAPL", open: true, commission: "0.25" })
      ]
    })
    expect(m.bySymbol).toEqual([
      { symbol: "AAPL", closedTrades: 1, openTrades: 1, winningTrades: 0, winRate: 0, netPnl: "-2.5", commission: "0.75" },
      { symbol: "MSFT", closedTrades: 3, openTrades: 0, winningTrades: 2, winRate: 2 / 3, netPnl: "14", commission: "3" }
    ])
  })

  it("a symbol with only an open trade has no win rate; no trades, no rows", () => {
    expect(metrics({ trades: [trade("1", { open: true })] }).bySymbol[0]!.winRate).toBeNull()
    expect(metrics({}).bySymbol).toEqual([])
  })
})

describe("exposure and turnover", () => {
  // equity 100, 100, 100, 50; long 0, 50, 0, 100; short 0, 0, 25, 0
  const curve = { equityCurve: [100, 100, 100, 50], longValue: [0, 50, 0, 100], shortValue: [0, 0, 25, 0] }

  it("time in market = points with a position / points = 3 / 4", () => {
    expect(metrics(curve).timeInMarket).toBe(0.75)
  })

  it("gross = mean (long + short) / equity, net = mean (long − short) / equity", () => {
    const m = metrics(curve)
    // gross: (0 + 0.5 + 0.25 + 2) / 4 = 0.6875; net: (0 + 0.5 − 0.25 + 2) / 4 = 0.5625
    expect(m.averageGrossExposure).toBeCloseTo(0.6875, 15)
    expect(m.averageNetExposure).toBeCloseTo(0.5625, 15)
  })

  it("points with equity ≤ 0 are left out of the exposure averages", () => {
    const m = metrics({ equityCurve: [100, 0], longValue: [50, 10], shortValue: [0, 10] })
    expect(m.timeInMarket).toBe(1)
    expect(m.averageGrossExposure).toBe(0.5)
    expect(metrics({ equityCurve: [0], longValue: [0], shortValue: [0] }).averageGrossExposure).toBeNull()
  })

  it("turnover = Σ |quantity × price| / mean equity / years", () => {
    const fills = [
      { quantity: "1", price: "50" },
      { quantity: "1", price: "60" }
    ]
    // traded 110; mean equity 350 / 4 = 87.5; 4 points at 1 a year = 4 years: 110 / 87.5 / 4 = 0.3142857
    expect(metrics({ ...curve, fills }).turnover).toBeCloseTo(110 / 87.5 / 4, 15)
    // 4 points a year: 1 year
    expect(metrics({ ...curve, fills, periodsPerYear: 4 }).turnover).toBeCloseTo(110 / 87.5, 15)
    expect(metrics({ ...curve, fills: [] }).turnover).toBe(0)
  })

  it("without long/short values or fills, or with an empty curve: null", () => {
    expect(metrics({ equityCurve: [100] })).toMatchObject({ timeInMarket: null, averageGrossExposure: null, averageNetExposure: null, turnover: null })
    expect(metrics({ longValue: [], shortValue: [], fills: [] })).toMatchObject({ timeInMarket: null, averageGrossExposure: null, turnover: null })
  })
})
