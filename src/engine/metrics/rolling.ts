/**
 * Rolling series for the report, one value per curve point over the trailing `window` points
 * (empyrical `roll_sharpe_ratio` / `roll_max_drawdown`, aligned to each window's last point); null
 * before the first full window and where the statistic is undefined.
 */
import { maxDrawdownOf } from "./max-drawdown.ts"
import { finiteOrNull } from "./returns.ts"

/** 63 periods: a quarter of daily updates. */
export const DEFAULT_ROLLING_WINDOW = 63

const checkWindow = (window: number): void => {
  if (!Number.isInteger(window) || window < 2) throw new RangeError(`rolling window must be an integer ≥ 2, got ${window}`)
}

/**
 * Sharpe ratio of the finite returns of each trailing window (empyrical `sharpe_ratio`):
 * mean(x) / std(x, ddof=1) × √periodsPerYear over x = r − riskFreeRate / periodsPerYear; null
 * with fewer than 2 returns or a zero std. Two passes over each window with no allocation (a
 * running sum of squares would turn a flat window's zero std into noise).
 */
export const rollingSharpe = (
  returns: ArrayLike<number>,
  window: number,
  periodsPerYear: number,
  riskFreeRate: number
): Array<number | null> => {
  checkWindow(window)
  const rf = riskFreeRate / periodsPerYear
  const annualise = Math.sqrt(periodsPerYear)
  const out = new Array<number | null>(returns.length).fill(null)
  for (let i = window - 1; i < returns.length; i++) {
    let n = 0
    let sum = 0
    for (let j = i - window + 1; j <= i; j++) {
      const r = returns[j] as number
      if (Number.isFinite(r)) {
        n++
        sum += r - rf
      }
    }
    if (n < 2) continue
    const mean = sum / n
    let ss = 0
    for (let j = i - window + 1; j <= i; j++) {
      const r = returns[j] as number
      if (Number.isFinite(r)) ss += (r - rf - mean) ** 2
    }
    const std = Math.sqrt(ss / (n - 1))
    if (std > 0) out[i] = finiteOrNull((mean / std) * annualise)
  }
  return out
}

/**
 * Max drawdown (a fraction ≥ 0) within each trailing window, its running peak starting at the
 * equity just before the window (the initial capital for the first), as empyrical's
 * `max_drawdown` of the window's returns.
 */
export const rollingMaxDrawdown = (initial: number, curve: ArrayLike<number>, window: number): Array<number | null> => {
  checkWindow(window)
  const out = new Array<number | null>(curve.length).fill(null)
  for (let i = window - 1; i < curve.length; i++) {
    const start = i - window + 1
    out[i] = maxDrawdownOf(start === 0 ? initial : (curve[start - 1] as number), curve, start, i + 1)
  }
  return out
}
