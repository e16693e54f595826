/**
 * Performance metrics of a finished (or running) simulation: pure, no I/O, no clock.
 *
 * Money stays exact (Decimal); statistics over the equity curve are float64 and follow empyrical
 * (quantopian/empyrical, empyrical/stats.py), with quantstats' conventions as options (see
 * MetricsOptions). Computed on demand, never on the per-update path: a few passes over the curve
 * and one sort of its returns (a million-point curve costs under half a second).
 * No metric is ever NaN or ±Infinity: where a statistic is undefined it is `null`.
 */
import { Decimal } from "../domain/decimal.ts"
import type { Trade } from "../domain/trade.ts"
import { type DurationUnit, drawdownDurations } from "./metrics/drawdown.ts"
import { exposureOf, type TradedFill, turnoverOf } from "./metrics/exposure.ts"
import { maxDrawdownOf } from "./metrics/max-drawdown.ts"
import { annualVolatility, cagr, finiteOrNull, finiteValues, periodReturns } from "./metrics/returns.ts"
import { tailRisk, type VarMethod } from "./metrics/tail-risk.ts"
import { type SymbolStats, symbolStats, tradeExtremes } from "./metrics/trade-stats.ts"

export type { DurationUnit } from "./metrics/drawdown.ts"
export type { TradedFill } from "./metrics/exposure.ts"
export type { VarMethod } from "./metrics/tail-risk.ts"
export type { SymbolStats } from "./metrics/trade-stats.ts"

export interface MetricsInput {
  /** Starting cash, a decimal string; must be > 0. */
  readonly initialCapital: string
  /** Exact final equity, a decimal string: cash + Σ position × mark. */
  readonly finalEquity: string
  /** Commissions paid over the run, a decimal string. */
  readonly totalCommission: string
  /** Equity after each market update, float64, in order (number[] or Float64Array). */
  readonly equityCurve: ArrayLike<number>
  /** Every trade of the run; open ones are left out of the trade statistics. */
  readonly trades: ReadonlyArray<Trade>
  /** Market updates per year, e.g. 252 for daily updates. */
  readonly periodsPerYear: number
  /** Annual risk-free rate, e.g. 0.02. */
  readonly riskFreeRate: number
  /** The time of each equity point (ms since the epoch; null or NaN for none): only for durations in calendar days. */
  readonly times?: ArrayLike<number | null>
  /** Σ market value of long positions at each equity point (≥ 0); without it (or shortValue) the exposures are null. */
  readonly longValue?: ArrayLike<number>
  /** Σ |market value| of short positions at each equity point (≥ 0). */
  readonly shortValue?: ArrayLike<number>
  /** Every fill of the run; without them the turnover is null. */
  readonly fills?: ReadonlyArray<TradedFill>
}

export interface MetricsOptions {
  /** How VaR and CVaR are estimated: "historical" (empyrical, the default) or "parametric" (quantstats, normal). */
  readonly varMethod?: VarMethod
  /** The unit of maxDrawdownDuration and timeToRecovery: "periods" (the default) or "calendarDays" (quantstats; needs `times`). */
  readonly durationUnit?: DurationUnit
}

export interface PerformanceMetrics {
  /** Total return = finalEquity / initialCapital − 1 (computed exactly in Decimal, then as a float). */
  readonly totalReturn: number
  /** Final equity = cash + Σ position × mark, exact (canonical decimal string). */
  readonly finalEquity: string
  /** Net profit = finalEquity − initialCapital, exact (decimal string). */
  readonly netProfit: string
  /** Total commission = Σ commissions of every fill, exact (decimal string). */
  readonly totalCommission: string
  /** Sharpe ratio = mean(x) / stdev(x) × √periodsPerYear, over per-period excess returns x_t = r_t − riskFreeRate / periodsPerYear, where r_t = e_t / e_{t−1} − 1 (e_0 = initial capital, periods whose previous equity is ≤ 0 skipped) and stdev is the sample standard deviation (n − 1); null with fewer than 2 returns or a zero stdev. */
  readonly sharpeRatio: number | null
  /** Sortino ratio = mean(x) / downside deviation × √periodsPerYear, with the same excess returns x_t as Sharpe and downside deviation = √(Σ min(x_t, 0)² / n); null with fewer than 2 returns or a zero downside deviation. */
  readonly sortinoRatio: number | null
  /** Max drawdown = max over t of (peak_t − e_t) / peak_t, where the running peak starts at the initial capital; a fraction ≥ 0, 0 when equity never falls below its peak; null when the curve is empty. */
  readonly maxDrawdown: number | null
  /** Win rate = winning trades / closed trades; null with no closed trades. */
  readonly winRate: number | null
  /** Profit factor = gross profit / gross loss; null when the gross loss is 0 (never Infinity). */
  readonly profitFactor: number | null
  /** Total trades = number of closed trades (open positions are not counted). */
  readonly totalTrades: number
  /** Winning trades = closed trades with net P&L (after commissions) > 0. */
  readonly winningTrades: number
  /** Losing trades = closed trades with net P&L (after commissions) < 0. */
  readonly losingTrades: number
  /** Gross profit = Σ net P&L of winning trades, exact ("0" if none). */
  readonly grossProfit: string
  /** Gross loss = Σ |net P&L| of losing trades, exact and positive ("0" if none). */
  readonly grossLoss: string
  /** Average win = gross profit / winning trades; null with no winning trades. */
  readonly averageWin: string | null
  /** Average loss = gross loss / losing trades, positive; null with no losing trades. */
  readonly averageLoss: string | null
  /** Periods = number of points in the equity curve (market updates). */
  readonly periods: number
  /** CAGR = (Π (1 + r_t)) ^ (periodsPerYear / n) − 1 over the n per-period returns r_t (empyrical `cagr`); null with no returns. */
  readonly cagr: number | null
  /** Annual volatility = std(r_t, ddof = 1) × √periodsPerYear (empyrical `annual_volatility`); null with fewer than 2 returns. */
  readonly annualVolatility: number | null
  /** Calmar ratio = cagr / maxDrawdown (empyrical `calmar_ratio`); null when either is null or the max drawdown is 0. */
  readonly calmarRatio: number | null
  /** Longest stretch of consecutive points with equity below its running peak (peak starting at the initial capital), in periods (or calendar days, first to last such day + 1, with durationUnit "calendarDays"); 0 when never under water; null for an empty curve. */
  readonly maxDrawdownDuration: number | null
  /** Periods (or whole calendar days) from the max drawdown's trough to the first point at or above the peak it fell from; 0 with no drawdown; null when equity never gets back there (or for an empty curve). */
  readonly timeToRecovery: number | null
  /** 95% value at risk: the 5th percentile of r_t, linearly interpolated (empyrical `value_at_risk`, cutoff 0.05), or mean + Φ⁻¹(0.05) × std with varMethod "parametric" (quantstats); a return, negative for a loss; null with no returns. */
  readonly valueAtRisk95: number | null
  /** 99% value at risk: as valueAtRisk95 with cutoff 0.01. */
  readonly valueAtRisk99: number | null
  /** 95% conditional value at risk: mean of the k + 1 smallest r_t, k = ⌊(n − 1) × 0.05⌋ (empyrical `conditional_value_at_risk`), or the mean of the returns below the parametric VaR (quantstats); null with no returns. */
  readonly conditionalValueAtRisk95: number | null
  /** 99% conditional value at risk: as conditionalValueAtRisk95 with cutoff 0.01. */
  readonly conditionalValueAtRisk99: number | null
  /** Time in market = fraction of points with any position (longValue + shortValue > 0); null for an empty curve or without long/short values. */
  readonly timeInMarket: number | null
  /** Average gross exposure = mean of (longValue + shortValue) / equity over the points with equity > 0; null with none. */
  readonly averageGrossExposure: number | null
  /** Average net exposure = mean of (longValue − shortValue) / equity over the points with equity > 0; null with none. */
  readonly averageNetExposure: number | null
  /** Annual turnover = Σ |quantity × price| of every fill / mean equity / (n / periodsPerYear), two-sided; null for an empty curve, a mean equity ≤ 0, or without fills. */
  readonly turnover: number | null
  /** Expectancy = Σ net P&L of the closed trades / closed trades, exact; null with no closed trade. */
  readonly expectancy: string | null
  /** Largest win = the largest net P&L of a closed trade, exact; null with no winning trade. */
  readonly largestWin: string | null
  /** Largest loss = the largest |net P&L| of a losing closed trade, positive, exact; null with no losing trade. */
  readonly largestLoss: string | null
  /** Longest winning streak = most consecutive winning closed trades, in the order they closed. */
  readonly longestWinningStreak: number
  /** Longest losing streak = most consecutive losing closed trades, in the order they closed. */
  readonly longestLosingStreak: number
  /** Per symbol, by name: closed and open trades, winning trades, win rate, net P&L and commission. */
  readonly bySymbol: ReadonlyArray<SymbolStats>
}

interface CurveStats {
  readonly sharpeRatio: number | null
  readonly sortinoRatio: number | null
}

/**
 * One pass over the curve: Welford's running mean and sum of squared deviations of the excess
 * returns, and the downside sum of squares (empyrical `sharpe_ratio`, and `sortino_ratio` with
 * required_return = riskFreeRate / periodsPerYear, whose `downside_risk` averages over all
 * returns). No allocation per point.
 *
 * Beyond the definitions: a period where either equity is not a finite number is skipped like one
 * whose previous equity is ≤ 0.
 */
const curveStats = (
  initial: number,
  curve: ArrayLike<number>,
  periodsPerYear: number,
  riskFreeRate: number
): CurveStats => {
  const rfPerPeriod = riskFreeRate / periodsPerYear
  const length = curve.length

  let n = 0
  let mean = 0
  let m2 = 0
  let downsideSq = 0

  let prev = initial

  for (let i = 0; i < length; i++) {
    const e = curve[i] as number

    if (prev > 0 && Number.isFinite(prev) && Number.isFinite(e)) {
      const x = e / prev - 1 - rfPerPeriod
      n++
      const delta = x - mean
      mean += delta / n
      m2 += delta * (x - mean)
      if (x < 0) downsideSq += x * x
    }
    prev = e
  }

  const annualise = Math.sqrt(periodsPerYear)
  let sharpeRatio: number | null = null
  let sortinoRatio: number | null = null
  // An overflowed accumulator would turn a ratio into a meaningless 0: only finite inputs count.
  if (n >= 2 && Number.isFinite(mean)) {
    const stdev = Math.sqrt(m2 / (n - 1))
    if (stdev > 0 && Number.isFinite(stdev)) sharpeRatio = finiteOrNull((mean / stdev) * annualise)
    const downside = Math.sqrt(downsideSq / n)
    if (downside > 0 && Number.isFinite(downside)) sortinoRatio = finiteOrNull((mean / downside) * annualise)
  }

  return { sharpeRatio, sortinoRatio }
}

/** Decimal division as a float, null when the quotient is not a finite float. */
const ratioOrNull = (num: Decimal, den: Decimal): number | null =>
  den.isZero() ? null : finiteOrNull(num.div(den).toNumber())

/**
 * Computes the run's performance metrics (definitions on the fields of {@link PerformanceMetrics}).
 * Throws a RangeError when `initialCapital` is not > 0 or the total return is outside float64
 * range (there is no total return to report), and decimal.js's error when a decimal string does
 * not parse.
 */
export const computePerformanceMetrics = (input: MetricsInput, options: MetricsOptions = {}): PerformanceMetrics => {
  const initialCapital = new Decimal(input.initialCapital)
  const finalEquity = new Decimal(input.finalEquity)
  const totalCommission = new Decimal(input.totalCommission)
  if (!initialCapital.isFinite() || !initialCapital.gt(0)) {
    throw new RangeError(`initialCapital must be a positive decimal, got ${input.initialCapital}`)
  }
  if (!finalEquity.isFinite()) throw new RangeError(`finalEquity must be finite, got ${input.finalEquity}`)

  const totalReturn = finalEquity.div(initialCapital).minus(1).toNumber()
  if (!Number.isFinite(totalReturn)) {
    throw new RangeError(`totalReturn of ${input.finalEquity} / ${input.initialCapital} is outside float64 range`)
  }

  const initial = initialCapital.toNumber()
  const curve = curveStats(initial, input.equityCurve, input.periodsPerYear, input.riskFreeRate)
  const maxDrawdown = maxDrawdownOf(initial, input.equityCurve)
  const returns = finiteValues(periodReturns(initial, input.equityCurve))
  const annualReturn = cagr(returns, input.periodsPerYear)
  const varMethod = options.varMethod ?? "historical"
  const tail95 = tailRisk(returns, 0.05, varMethod)
  const tail99 = tailRisk(returns, 0.01, varMethod)
  const durations = drawdownDurations(initial, input.equityCurve, options.durationUnit ?? "periods", input.times)
  const exposure =
    input.longValue !== undefined && input.shortValue !== undefined
      ? exposureOf(input.equityCurve, input.longValue, input.shortValue)
      : { timeInMarket: null, averageGrossExposure: null, averageNetExposure: null }

  let totalTrades = 0
  let winningTrades = 0
  let losingTrades = 0
  let grossProfit = new Decimal(0)
  let grossLoss = new Decimal(0)
  for (const trade of input.trades) {
    if (trade.open) continue
    totalTrades++
    const pnl = new Decimal(trade.netPnl)
    if (pnl.gt(0)) {
      winningTrades++
      grossProfit = grossProfit.plus(pnl)
    } else if (pnl.lt(0)) {
      losingTrades++
      grossLoss = grossLoss.minus(pnl)
    }
  }

  return {
    totalReturn,
    finalEquity: finalEquity.toString(),
    netProfit: finalEquity.minus(initialCapital).toString(),
    totalCommission: totalCommission.toString(),
    sharpeRatio: curve.sharpeRatio,
    sortinoRatio: curve.sortinoRatio,
    maxDrawdown,
    winRate: totalTrades > 0 ? winningTrades / totalTrades : null,
    profitFactor: ratioOrNull(grossProfit, grossLoss),
    totalTrades,
    winningTrades,
    losingTrades,
    grossProfit: grossProfit.toString(),
    grossLoss: grossLoss.toString(),
    averageWin: winningTrades > 0 ? grossProfit.div(winningTrades).toString() : null,
    averageLoss: losingTrades > 0 ? grossLoss.div(losingTrades).toString() : null,
    periods: input.equityCurve.length,
    cagr: annualReturn,
    annualVolatility: annualVolatility(returns, input.periodsPerYear),
    calmarRatio: annualReturn !== null && maxDrawdown !== null && maxDrawdown > 0 ? finiteOrNull(annualReturn / maxDrawdown) : null,
    ...durations,
    valueAtRisk95: tail95.valueAtRisk,
    valueAtRisk99: tail99.valueAtRisk,
    conditionalValueAtRisk95: tail95.conditionalValueAtRisk,
    conditionalValueAtRisk99: tail99.conditionalValueAtRisk,
    ...exposure,
    turnover: input.fills === undefined ? null : turnoverOf(input.fills, input.equityCurve, input.periodsPerYear),
    ...tradeExtremes(input.trades),
    bySymbol: symbolStats(input.trades)
  }
}
