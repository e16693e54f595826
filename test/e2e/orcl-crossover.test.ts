import { describe, expect, it } from "vitest"
import { MovingAverageCrossover } from "../../examples/strategies/moving-average-crossover.ts"
import { loadOhlcvCsv, type OhlcvBar } from "../../src/data/ohlcv-csv.ts"
import { Decimal, TradingSimulationEngine } from "../../src/index.ts"

const bars = await loadOhlcvCsv(new URL("../../examples/data/orcl-1995-2014.txt", import.meta.url).pathname)

/** The 10/30 crossover on the real ORCL daily bars with the default costs (slippage 0.0005, commission 0.001). */
const run = () => {
  const engine = new TradingSimulationEngine({ symbols: ["ORCL"], updateFrequency: "1d" })
  const strategy = new MovingAverageCrossover("ORCL")
  for (const bar of bars) {
    engine.processMarketUpdate({ time: bar.time, bars: { ORCL: bar } })
    strategy.onClose(engine, bar.close)
  }
  return engine
}

const dateOf = (time: number | null) => (time === null ? null : new Date(time).toISOString().slice(0, 10))
const barOn = (date: string): OhlcvBar => bars.find((b) => b.date === date)!

describe("10/30 moving-average crossover on ORCL 1995–2014", () => {
  const engine = run()
  const fills = engine.getFills()

  it("buys at the open after the first cross up, checked by hand", () => {
    // Closes to 1995-05-11: SMA10 2.284259 > SMA30 2.282099, the day before 2.277778 ≤ 2.281790.
    // The market order fills at 1995-05-12's open 2.370370, plus 0.05% slippage.
    expect(dateOf(fills[0]!.time)).toBe("1995-05-12")
    expect(barOn("1995-05-12").open).toBe(2.37037)
    expect(fills[0]).toMatchObject({ side: "buy", quantity: "100", marketPrice: "2.37037", price: "2.371555185", commission: "0.2371555185" })
  })

  it("sells at the open after the next cross down, checked by hand", () => {
    // Closes to 1995-09-22: SMA10 3.085648 < SMA30 3.111420, the day before 3.118981 ≥ 3.116049.
    expect(dateOf(fills[1]!.time)).toBe("1995-09-25")
    expect(fills[1]).toMatchObject({ side: "sell", quantity: "100", marketPrice: "2.935185", price: "2.9337174075", commission: "0.29337174075" })
  })

  it("books the first round trip with both commissions", () => {
    const [first] = engine.getTrades()
    expect(first).toMatchObject({
      direction: "long",
      open: false,
      entryPrice: "2.371555185",
      exitPrice: "2.9337174075",
      grossPnl: "56.21622225",
      commission: "0.53052725925",
      netPnl: "55.68569499075"
    })
    expect([dateOf(first!.entryTime), dateOf(first!.exitTime)]).toEqual(["1995-05-12", "1995-09-25"])
  })

  it("fills every order at the next bar's open, moved by the slippage", () => {
    for (const fill of fills) {
      const bar = bars[fill.updateIndex - 1]!
      const order = engine.getOrder(fill.orderId)
      expect(fill.updateIndex).toBe(order.submittedAfterUpdate + 1)
      expect(new Decimal(fill.marketPrice).equals(bar.open)).toBe(true)
      const slip = fill.side === "buy" ? "1.0005" : "0.9995"
      expect(fill.price).toBe(new Decimal(bar.open).times(slip).toString())
      expect(fill.commission).toBe(new Decimal(fill.price).times(100).times("0.001").toString())
    }
  })

  it("keeps cash equal to the initial capital plus every fill's proceeds and costs", () => {
    const cash = fills.reduce((acc, f) => {
      const notional = new Decimal(f.price).times(f.quantity)
      return (f.side === "buy" ? acc.minus(notional) : acc.plus(notional)).minus(f.commission)
    }, new Decimal(100_000))
    expect(engine.getPortfolio().cash.equals(cash)).toBe(true)
  })

  it("pins the run's golden statistics", () => {
    expect(fills.length).toBe(195)
    expect(engine.getTrades().length).toBe(98)
    expect(engine.getTrades().at(-1)!.open).toBe(true)
    const m = engine.getPerformanceMetrics()
    expect(m).toMatchObject({
      finalEquity: "102139.47940958255",
      netProfit: "2139.47940958255",
      totalCommission: "343.72416726745",
      totalTrades: 97,
      winningTrades: 34,
      losingTrades: 63,
      grossProfit: "6842.16378346095",
      grossLoss: "5300.8430273784",
      periods: 5036
    })
    expect(m.totalReturn).toBeCloseTo(0.0213947940958255, 15)
    expect(m.maxDrawdown).toBeCloseTo(0.02442909753207423, 12)
    expect(m.sharpeRatio).toBeCloseTo(0.1771646071630977, 10)
    expect(m.profitFactor).toBeCloseTo(6842.16378346095 / 5300.8430273784, 12)
    expect(m.winRate).toBeCloseTo(34 / 97, 15)
  })

  it("pins the risk metrics, each checked against empyrical's / quantstats' formulas in numpy on the same curve", () => {
    const m = engine.getPerformanceMetrics()
    // numpy 2.4 on the 5,036 daily returns (e_0 = 100,000): empyrical cagr, annual_volatility, calmar_ratio,
    // value_at_risk, conditional_value_at_risk agree with these to 1e-13.
    expect(m.cagr).toBeCloseTo(0.001059858885625431, 14)
    expect(m.annualVolatility).toBeCloseTo(0.006083588053486585, 14)
    expect(m.calmarRatio).toBeCloseTo(0.043385101894733824, 12)
    expect(m.valueAtRisk95).toBeCloseTo(-0.0004644781443590984, 15)
    expect(m.valueAtRisk99).toBeCloseTo(-0.0011400425102669142, 15)
    expect(m.conditionalValueAtRisk95).toBeCloseTo(-0.0009211700413481668, 15)
    expect(m.conditionalValueAtRisk99).toBeCloseTo(-0.0018219889873229455, 15)
    // The deepest drawdown (2.44%) is never recovered by the end of 2014.
    expect(m).toMatchObject({ maxDrawdownDuration: 3714, timeToRecovery: null })
    // 100 shares of a ~$10–40 stock in a $100,000 account: in the market 56% of the days, ~1% exposed.
    expect(m.timeInMarket).toBeCloseTo(0.5591739475774424, 15)
    expect(m.averageGrossExposure).toBeCloseTo(0.010573755291120358, 14)
    expect(m.averageNetExposure).toBe(m.averageGrossExposure) // long only
    expect(m.turnover).toBeCloseTo(0.16991264648880508, 13)
    expect(m).toMatchObject({
      expectancy: "15.88990470188195876288659793814432989691",
      largestWin: "1590.6273609375",
      largestLoss: "474.23773125",
      longestWinningStreak: 3,
      longestLosingStreak: 8,
      bySymbol: [
        { symbol: "ORCL", closedTrades: 97, openTrades: 1, winningTrades: 34, winRate: 34 / 97, netPnl: "1537.42580958255", commission: "343.72416726745" }
      ]
    })
    // expectancy = (gross profit − gross loss) / closed trades
    expect(new Decimal(m.expectancy!).times(97).toString()).toBe(new Decimal(m.grossProfit).minus(m.grossLoss).toString())
  })

  it("offers quantstats' conventions: parametric VaR and durations in calendar days", () => {
    const m = engine.getPerformanceMetrics({ varMethod: "parametric", durationUnit: "calendarDays" })
    // norm.ppf(cutoff, mean, std(ddof=1)) in numpy/statistics.NormalDist, and the returns below it.
    expect(m.valueAtRisk95).toBeCloseTo(-0.0006260803271130019, 14)
    expect(m.valueAtRisk99).toBeCloseTo(-0.0008872493847624205, 14)
    expect(m.conditionalValueAtRisk95).toBeCloseTo(-0.001132749357080053, 15)
    expect(m.conditionalValueAtRisk99).toBeCloseTo(-0.0014820068834996902, 15)
    expect(m).toMatchObject({ maxDrawdownDuration: 5392, timeToRecovery: null })
  })

  it("gives the same result when run again", () => {
    const again = run()
    expect(JSON.stringify(again.getFills())).toBe(JSON.stringify(fills))
    expect(again.getPerformanceMetrics()).toEqual(engine.getPerformanceMetrics())
  })
})
