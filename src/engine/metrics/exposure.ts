/** How much of the capital the run kept in the market, from the equity curve's long and short values. */
import { finiteOrNull } from "./returns.ts"

export interface Exposure {
  /** Fraction of points with any position (longValue + shortValue > 0). */
  readonly timeInMarket: number | null
  /** Mean of (longValue + shortValue) / equity over the points with equity > 0. */
  readonly averageGrossExposure: number | null
  /** Mean of (longValue − shortValue) / equity over the points with equity > 0. */
  readonly averageNetExposure: number | null
}

export const exposureOf = (equity: ArrayLike<number>, longValue: ArrayLike<number>, shortValue: ArrayLike<number>): Exposure => {
  const n = equity.length
  let inMarket = 0
  let counted = 0
  let gross = 0
  let net = 0
  for (let i = 0; i < n; i++) {
    const e = equity[i] as number
    const long = longValue[i] as number
    const short = shortValue[i] as number
    if (long + short > 0) inMarket++
    if (e > 0 && Number.isFinite(e) && Number.isFinite(long) && Number.isFinite(short)) {
      counted++
      gross += (long + short) / e
      net += (long - short) / e
    }
  }
  return {
    timeInMarket: n === 0 ? null : inMarket / n,
    averageGrossExposure: counted === 0 ? null : finiteOrNull(gross / counted),
    averageNetExposure: counted === 0 ? null : finiteOrNull(net / counted)
  }
}

/** What turnover needs of a fill. */
export interface TradedFill {
  readonly quantity: string
  readonly price: string
}

/**
 * Annualised two-sided turnover = (Σ |quantity × price| of every fill / mean equity) / years,
 * years = points / periodsPerYear: the traded value over the average capital, per year, buys and
 * sells both counted (a full round trip of the whole capital once a year is 2.0). Null with no
 * points or a mean equity ≤ 0.
 */
export const turnoverOf = (fills: ReadonlyArray<TradedFill>, equity: ArrayLike<number>, periodsPerYear: number): number | null => {
  const n = equity.length
  if (n === 0) return null
  let sum = 0
  for (let i = 0; i < n; i++) sum += equity[i] as number
  const meanEquity = sum / n
  if (!(meanEquity > 0)) return null
  let traded = 0
  for (const f of fills) traded += Math.abs(Number(f.quantity) * Number(f.price))
  return finiteOrNull(traded / meanEquity / (n / periodsPerYear))
}
