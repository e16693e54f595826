/**
 * Display-only downsampling of long series: min/max per bucket.
 *
 * The first and last points are kept; the points between are cut into equal runs of indices
 * ("buckets"), and each bucket keeps, for every series, the point holding its lowest and its
 * highest value. So every extreme survives (a drawdown's trough, an equity peak), and a chart of
 * the result looks like the chart of every point at screen resolution. Non-finite and null
 * values are never picked as extremes. Metrics are always computed from every point, never from
 * this.
 */
import { InvalidReportArgumentError } from "./report-errors.ts"

export type SeriesValues = ArrayLike<number | null>

/** The smallest limit that keeps first, last, and a min and max of each of `seriesCount` series. */
export const minimumLimit = (seriesCount: number): number => 2 + 2 * Math.max(1, seriesCount)

/**
 * The indices (ascending, unique) of the points to draw: all of them when `length ≤ limit`,
 * otherwise at most `limit`, keeping the first and last point and, for every series, the point of
 * its global minimum and maximum. `limit` must be an integer ≥ `minimumLimit(series.length)`.
 */
export const downsampleIndices = (length: number, series: ReadonlyArray<SeriesValues>, limit: number): ReadonlyArray<number> => {
  if (!Number.isInteger(limit) || limit < minimumLimit(series.length)) {
    throw new InvalidReportArgumentError({ field: "limit", value: limit, rule: `must be an integer ≥ ${minimumLimit(series.length)} for ${series.length} series` })
  }
  if (length <= limit) return Array.from({ length }, (_, i) => i)

  const interior = length - 2
  const buckets = Math.floor((limit - 2) / (2 * Math.max(1, series.length)))
  const out: number[] = [0]
  const picked = new Set<number>()
  for (let b = 0; b < buckets; b++) {
    const from = 1 + Math.floor((b * interior) / buckets)
    const to = 1 + Math.floor(((b + 1) * interior) / buckets)
    picked.clear()
    for (const values of series) {
      let lo = -1
      let hi = -1
      for (let i = from; i < to; i++) {
        const v = values[i]
        if (v === null || v === undefined || !Number.isFinite(v)) continue
        if (lo === -1 || v < (values[lo] as number)) lo = i
        if (hi === -1 || v > (values[hi] as number)) hi = i
      }
      if (lo !== -1) picked.add(lo)
      if (hi !== -1) picked.add(hi)
    }
    // A bucket where no series has a number keeps one point, so gaps stay visible.
    if (picked.size === 0 && from < to) picked.add(from)
    out.push(...[...picked].sort((a, b) => a - b))
  }
  out.push(length - 1)
  return out
}

/** `values` at `indices`. */
export const pick = <A>(values: ArrayLike<A>, indices: ReadonlyArray<number>): A[] => indices.map((i) => values[i] as A)

/** The x values and every series reduced to the points `downsampleIndices` keeps. */
export const downsample = (
  x: ArrayLike<number>,
  series: ReadonlyArray<SeriesValues>,
  limit: number
): { readonly x: number[]; readonly series: Array<Array<number | null>> } => {
  const indices = downsampleIndices(x.length, series, limit)
  return { x: pick(x, indices), series: series.map((values) => pick(values, indices)) }
}
