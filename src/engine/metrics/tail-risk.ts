/**
 * Value at risk and conditional value at risk of the per-period returns, as return quantiles
 * (negative for a loss). Historical: empyrical `value_at_risk` / `conditional_value_at_risk`
 * (empyrical/stats.py). Parametric: quantstats `value_at_risk` / `conditional_value_at_risk`
 * (quantstats/stats.py), the normal distribution's quantile.
 */
import { finiteOrNull, mean, sampleStd } from "./returns.ts"

export type VarMethod = "historical" | "parametric"

export interface TailRisk {
  readonly valueAtRisk: number | null
  readonly conditionalValueAtRisk: number | null
}

/**
 * numpy.percentile's default ("linear"): the value at position (n − 1) × q of the sorted values,
 * interpolated as numpy's `_lerp` does (from the nearer end), and kept between the two values it
 * interpolates so that float rounding never breaks the order of quantiles.
 */
export const percentileLinear = (sorted: ArrayLike<number>, q: number): number => {
  const pos = (sorted.length - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.min(lo + 1, sorted.length - 1)
  const a = sorted[lo] as number
  const b = sorted[hi] as number
  const t = pos - lo
  if (a === b) return a
  const v = t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t
  return Math.min(Math.max(v, a), b)
}

/** Φ⁻¹(cutoff) for the cutoffs the metrics use (scipy.stats.norm.ppf). */
const normalQuantile: Readonly<Record<number, number>> = { 0.05: -1.6448536269514722, 0.01: -2.3263478740408408 }

/**
 * Historical (empyrical): VaR = percentile(r, 100 × cutoff), linear interpolation; CVaR = mean of
 * the k + 1 smallest returns, k = ⌊(n − 1) × cutoff⌋. Null with no returns.
 *
 * Parametric (quantstats): VaR = mean(r) + Φ⁻¹(cutoff) × std(r, ddof=1); CVaR = mean of the
 * returns below that VaR, or the VaR itself when none is. Null with fewer than 2 returns.
 */
export const tailRisk = (returns: Float64Array, cutoff: 0.05 | 0.01, method: VarMethod): TailRisk => {
  const n = returns.length
  if (method === "historical") {
    if (n === 0) return { valueAtRisk: null, conditionalValueAtRisk: null }
    const sorted = Float64Array.from(returns).sort()
    const k = Math.floor((n - 1) * cutoff)
    return {
      valueAtRisk: finiteOrNull(percentileLinear(sorted, cutoff)),
      // A mean of equal values can round an ulp above them: capped at the largest value averaged.
      conditionalValueAtRisk: finiteOrNull(Math.min(mean(sorted.subarray(0, k + 1)), sorted[k]!))
    }
  }
  if (n < 2) return { valueAtRisk: null, conditionalValueAtRisk: null }
  const v = mean(returns) + normalQuantile[cutoff]! * sampleStd(returns)
  const below = returns.filter((r) => r < v)
  return { valueAtRisk: finiteOrNull(v), conditionalValueAtRisk: finiteOrNull(below.length > 0 ? Math.min(mean(below), v) : v) }
}
