/** `width` points of `series` at evenly spaced positions, first and last included (all of them when it has fewer). */
export const evenSamples = <A>(series: ReadonlyArray<A>, width: number): A[] => {
  const n = Math.min(width, series.length)
  return Array.from({ length: n }, (_, i) => series[Math.round((i * (series.length - 1)) / Math.max(1, n - 1))]!)
}
