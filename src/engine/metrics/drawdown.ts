/**
 * How long the equity stays under water. The running peak starts at the initial capital (as the
 * max drawdown, empyrical `max_drawdown`); a point is under water when its equity is below the
 * peak before it. Non-finite points are skipped: they neither move the peak nor count.
 */

export type DurationUnit = "periods" | "calendarDays"

const DAY_MS = 86_400_000

export interface DrawdownDurations {
  /** Longest stretch of consecutive under-water points; 0 when never under water; null for an empty curve. */
  readonly maxDrawdownDuration: number | null
  /** From the trough of the max drawdown to the first point back at or above its peak; 0 with no drawdown; null when it never recovers. */
  readonly timeToRecovery: number | null
}

/**
 * `unit` "periods" counts points. "calendarDays" follows quantstats `drawdown_details`: a stretch
 * lasts (last under-water day − first under-water day) + 1 days, and the recovery
 * (recovery time − trough time) in whole days; null when a time it needs is missing.
 */
export const drawdownDurations = (
  initial: number,
  curve: ArrayLike<number>,
  unit: DurationUnit,
  times?: ArrayLike<number | null>
): DrawdownDurations => {
  if (curve.length === 0) return { maxDrawdownDuration: null, timeToRecovery: null }
  // The engine's curve marks an update without a time as NaN.
  const timeAt = (i: number): number | null => {
    const t = times?.[i]
    return t === undefined || t === null || Number.isNaN(t) ? null : t
  }
  const days = (from: number, to: number): number | null => {
    const a = timeAt(from)
    const b = timeAt(to)
    return a === null || b === null ? null : Math.floor((b - a) / DAY_MS)
  }
  const lengthOf = (first: number, last: number): number | null => {
    if (unit === "periods") return last - first + 1
    const d = days(first, last)
    return d === null ? null : d + 1
  }

  let peak = initial
  let episodeStart = -1
  let longestLength = 0
  let lengthUnknown = false
  // The deepest drawdown so far: its trough and the peak it is measured from.
  let maxDd = 0
  let trough = -1
  let troughPeak = 0
  let recovery: number | null = null

  const closeEpisode = (last: number) => {
    if (episodeStart < 0) return
    const length = lengthOf(episodeStart, last)
    if (length === null) lengthUnknown = true
    else longestLength = Math.max(longestLength, length)
    episodeStart = -1
  }

  let lastFinite = -1
  for (let i = 0; i < curve.length; i++) {
    const e = curve[i] as number
    if (!Number.isFinite(e)) continue
    if (peak > 0 && e < peak) {
      if (episodeStart < 0) episodeStart = i
      const dd = (peak - e) / peak
      if (dd > maxDd) {
        maxDd = dd
        trough = i
        troughPeak = peak
        recovery = null
      }
    } else {
      closeEpisode(lastFinite)
      if (trough >= 0 && recovery === null && e >= troughPeak) recovery = i
      if (e > peak) peak = e
    }
    lastFinite = i
  }
  closeEpisode(lastFinite)

  const maxDrawdownDuration = lengthUnknown ? null : longestLength
  let timeToRecovery: number | null
  if (trough < 0) timeToRecovery = 0
  else if (recovery === null) timeToRecovery = null
  else timeToRecovery = unit === "periods" ? recovery - trough : days(trough, recovery)
  return { maxDrawdownDuration, timeToRecovery }
}
