/**
 * Per-period returns of an equity curve and the statistics over them that follow empyrical
 * (quantopian/empyrical, empyrical/stats.py): sample standard deviation (ddof = 1) and CAGR from
 * the number of periods.
 */

/** The value itself when it is a finite number, otherwise null. */
export const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null)

/**
 * r_t = e_t / e_{t−1} − 1 for every point t, with e_0 the initial capital; NaN where there is no
 * return (the previous equity is ≤ 0 or either equity is not finite). Aligned with the curve's points.
 */
export const periodReturns = (initial: number, curve: ArrayLike<number>): Float64Array => {
  const out = new Float64Array(curve.length)
  let prev = initial
  for (let i = 0; i < curve.length; i++) {
    const e = curve[i] as number
    out[i] = prev > 0 && Number.isFinite(prev) && Number.isFinite(e) ? e / prev - 1 : Number.NaN
    prev = e
  }
  return out
}

/** The finite values, in order. */
export const finiteValues = (values: ArrayLike<number>): Float64Array => {
  const out: number[] = []
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number
    if (Number.isFinite(v)) out.push(v)
  }
  return Float64Array.from(out)
}

export const mean = (xs: ArrayLike<number>): number => {
  let sum = 0
  for (let i = 0; i < xs.length; i++) sum += xs[i] as number
  return sum / xs.length
}

/** Sample standard deviation (n − 1, numpy's ddof=1), two-pass; NaN with fewer than 2 values. */
export const sampleStd = (xs: ArrayLike<number>): number => {
  if (xs.length < 2) return Number.NaN
  const m = mean(xs)
  let ss = 0
  for (let i = 0; i < xs.length; i++) ss += ((xs[i] as number) - m) ** 2
  return Math.sqrt(ss / (xs.length - 1))
}

/** empyrical `annual_volatility`: std(r, ddof=1) × √periodsPerYear; null with fewer than 2 returns. */
export const annualVolatility = (returns: ArrayLike<number>, periodsPerYear: number): number | null =>
  finiteOrNull(sampleStd(returns) * Math.sqrt(periodsPerYear))

/**
 * empyrical `cagr` / `annual_return`: ending_value ** (1 / (n / periodsPerYear)) − 1, where
 * ending_value = Π (1 + r_t) and n the number of returns; null with no returns, or a negative ending value.
 */
export const cagr = (returns: ArrayLike<number>, periodsPerYear: number): number | null => {
  if (returns.length === 0) return null
  let ending = 1
  for (let i = 0; i < returns.length; i++) ending *= 1 + (returns[i] as number)
  return finiteOrNull(ending ** (periodsPerYear / returns.length) - 1)
}
