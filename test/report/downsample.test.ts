import { fc, test } from "@fast-check/vitest"
import { describe, expect } from "vitest"
import { downsample, downsampleIndices, minimumLimit } from "../../src/report/downsample.ts"
import { InvalidReportArgumentError } from "../../src/report/report-errors.ts"

const value = fc.oneof({ weight: 8, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }) }, { weight: 1, arbitrary: fc.constant(null) })

/** 1–3 series of one length, with a limit that fits them. */
const input = fc
  .record({ length: fc.integer({ min: 0, max: 400 }), count: fc.integer({ min: 1, max: 3 }) })
  .chain(({ length, count }) =>
    fc.record({
      series: fc.array(fc.array(value, { minLength: length, maxLength: length }), { minLength: count, maxLength: count }),
      limit: fc.integer({ min: minimumLimit(count), max: 120 }),
      length: fc.constant(length)
    })
  )

const finiteOnly = (values: ReadonlyArray<number | null>) => values.filter((v): v is number => v !== null)

describe("downsampleIndices", () => {
  test.prop([input])("keeps the first and last point, never more than the limit, indices ascending", ({ length, series, limit }) => {
    const kept = downsampleIndices(length, series, limit)
    expect(kept.length).toBeLessThanOrEqual(Math.max(limit, 0))
    if (length > 0) {
      expect(kept[0]).toBe(0)
      expect(kept.at(-1)).toBe(length - 1)
    }
    for (let i = 1; i < kept.length; i++) expect(kept[i]!).toBeGreaterThan(kept[i - 1]!)
  })

  test.prop([input])("keeps every series' global minimum and maximum", ({ length, series, limit }) => {
    const kept = downsampleIndices(length, series, limit)
    for (const values of series) {
      const all = finiteOnly(values)
      if (all.length === 0) continue
      const shown = finiteOnly(kept.map((i) => values[i]!))
      expect(Math.min(...shown)).toBe(Math.min(...all))
      expect(Math.max(...shown)).toBe(Math.max(...all))
    }
  })

  test.prop([input])("is the identity when the series fit", ({ length, series }) => {
    expect(downsampleIndices(length, series, Math.max(length, minimumLimit(series.length)))).toEqual(Array.from({ length }, (_, i) => i))
  })

  test("refuses a limit too small to keep first, last, and each series' extremes", () => {
    expect(() => downsampleIndices(100, [[1], [2]], 5)).toThrow(InvalidReportArgumentError)
    expect(() => downsampleIndices(100, [[1]], 4.5)).toThrow(/limit must be an integer ≥ 4/)
  })
})

describe("downsample", () => {
  test.prop([
    fc.array(fc.double({ min: -1e9, max: 1e9, noNaN: true }), { minLength: 0, maxLength: 600 }).map((ys) => ({ ys, xs: ys.map((_, i) => 1_000 + i * 60) })),
    fc.integer({ min: 4, max: 200 })
  ])("keeps x and y together, times ascending", ({ xs, ys }, limit) => {
    const out = downsample(xs, [ys], limit)
    expect(out.x.length).toBe(out.series[0]!.length)
    expect(out.x.length).toBeLessThanOrEqual(limit)
    for (let k = 0; k < out.x.length; k++) expect(out.series[0]![k]).toBe(ys[(out.x[k]! - 1_000) / 60])
    for (let k = 1; k < out.x.length; k++) expect(out.x[k]!).toBeGreaterThan(out.x[k - 1]!)
  })

  test("a million points come down to the limit with the trough kept", () => {
    const n = 1_000_000
    const ys = new Float64Array(n)
    for (let i = 0; i < n; i++) ys[i] = Math.sin(i / 1000)
    ys[777_777] = -5
    const xs = Float64Array.from(ys, (_, i) => i)
    const out = downsample(xs, [ys], 2_000)
    expect(out.x.length).toBeLessThanOrEqual(2_000)
    expect(out.x).toContain(777_777)
    expect(Math.min(...(out.series[0] as number[]))).toBe(-5)
  })
})
