/**
 * Max drawdown = max over t of (peak_t − e_t) / peak_t, the running peak starting at `initial`
 * (the starting capital as the first peak, as empyrical `max_drawdown`, which starts its
 * cumulative series at a starting value before the first return). A fraction ≥ 0.
 *
 * Non-finite points never move the peak nor set a drawdown. A drawdown is only measured against a
 * positive peak (null when the peak is never positive), and one too large for a float64 (equity
 * below −1.8e308 × peak) makes it null. Null for an empty range.
 */
export const maxDrawdownOf = (initial: number, curve: ArrayLike<number>, from = 0, to = curve.length): number | null => {
  let peak = initial
  let maxDrawdown = 0
  let defined = peak > 0 && Number.isFinite(peak)
  for (let i = from; i < to; i++) {
    const e = curve[i] as number
    if (!Number.isFinite(e)) continue
    if (e > peak) {
      peak = e
      if (peak > 0) defined = true
    } else if (peak > 0 && e < peak) {
      let dd = (peak - e) / peak
      // peak − e overflows only for e far below zero; the same ratio without the subtraction.
      if (dd === Infinity) dd = 1 - e / peak
      if (dd > maxDrawdown) maxDrawdown = dd
    }
  }
  return to > from && defined && Number.isFinite(maxDrawdown) ? maxDrawdown : null
}
