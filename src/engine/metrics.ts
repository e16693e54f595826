/**
 * Performance metrics of a finished (or running) simulation: pure, no I/O, no clock.
 *
 * Money stays exact (Decimal); ratios over the equity curve are float64, computed in one pass with
 * no allocation per point (Welford's mean and variance), so a 1M-point curve costs a few ms.
 * No metric is ever NaN or ±Infinity: where a ratio is undefined it is `null`.
 */
import { Decimal } from "../domain/decimal.ts"
import type { Trade } from "../domain/trade.ts"

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
}

/** The value itself when it is a finite number, otherwise null. */
const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null)

interface CurveStats {
  readonly sharpeRatio: number | null
  readonly sortinoRatio: number | null
  readonly maxDrawdown: number | null
}

/**
 * One pass over the curve: Welford's running mean and sum of squared deviations of the excess
 * returns, the downside sum of squares, and the running peak. No allocation per point.
 *
 * Beyond the definitions: a period where either equity is not a finite number is skipped like one
 * whose previous equity is ≤ 0, and non-finite points never move the peak nor set a drawdown.
 * A drawdown is only measured against a positive peak (null when the peak is never positive),
 * and one too large for a float64 (equity below −1.8e308 × peak) makes the max drawdown null.
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
  let peak = initial
  let maxDrawdown = 0
  let drawdownDefined = peak > 0 && Number.isFinite(peak)

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

    if (Number.isFinite(e)) {
      if (e > peak) {
        peak = e
        if (peak > 0) drawdownDefined = true
      } else if (peak > 0 && e < peak) {
        let dd = (peak - e) / peak
        // peak − e overflows only for e far below zero; the same ratio without the subtraction.
        if (dd === Infinity) dd = 1 - e / peak
        if (dd > maxDrawdown) maxDrawdown = dd
      }
    }
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

  return {
    sharpeRatio,
    sortinoRatio,
    maxDrawdown: length > 0 && drawdownDefined ? finiteOrNull(maxDrawdown) : null
  }
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
export const computePerformanceMetrics = (input: MetricsInput): PerformanceMetrics => {
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

  const curve = curveStats(initialCapital.toNumber(), input.equityCurve, input.periodsPerYear, input.riskFreeRate)

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
    maxDrawdown: curve.maxDrawdown,
    winRate: totalTrades > 0 ? winningTrades / totalTrades : null,
    profitFactor: ratioOrNull(grossProfit, grossLoss),
    totalTrades,
    winningTrades,
    losingTrades,
    grossProfit: grossProfit.toString(),
    grossLoss: grossLoss.toString(),
    averageWin: winningTrades > 0 ? grossProfit.div(winningTrades).toString() : null,
    averageLoss: losingTrades > 0 ? grossLoss.div(losingTrades).toString() : null,
    periods: input.equityCurve.length
  }
}
