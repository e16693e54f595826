/**
 * The comparison's chart: every run's equity on one shared x, as growth of 1 (equity / initial
 * capital, so runs of different sizes compare) with the plain equity one checkbox away.
 */
import { Decimal } from "../domain/decimal.ts"
import type { ChartSpec, SeriesSpec } from "./chart-spec.ts"
import { downsampleIndices, minimumLimit, pick } from "./downsample.ts"
import type { ReportInput } from "./report-input.ts"
import { palette, xOf } from "./run-charts.ts"

/** "#1 ma-crossover v1.0" */
export const runLabel = (input: ReportInput, i: number): string => `#${i + 1} ${input.modelId} ${input.modelVersion}`

/**
 * Each run keeps at most maxPoints / runs points, so the shared x (the union of the runs' kept x)
 * holds at most maxPoints. When any run has an update without a time, x is the update number for all.
 */
export const comparisonChart = (inputs: ReadonlyArray<ReportInput>, maxPoints: number): ChartSpec | undefined => {
  const totalPoints = inputs.reduce((n, r) => n + r.equityCurve.length, 0)
  if (totalPoints === 0) return undefined
  const timed = inputs.every((r) => r.equityCurve.every((p) => p.time !== null))
  const budget = Math.max(minimumLimit(1), Math.floor(maxPoints / inputs.length))

  const kept = inputs.map((run) => {
    const x = timed ? xOf(run.equityCurve).x : Float64Array.from(run.equityCurve, (_, i) => i + 1)
    const equity = Float64Array.from(run.equityCurve, (p) => p.equity)
    const indices = downsampleIndices(x.length, [equity], budget)
    const capital = new Decimal(run.config.initialCapital).toNumber()
    const xs = pick(x, indices)
    const values = pick(equity, indices)
    return {
      equity: new Map(xs.map((t, k) => [t, values[k]!])),
      growth: new Map(xs.map((t, k) => [t, values[k]! / capital]))
    }
  })
  const x = [...new Set(kept.flatMap((k) => [...k.equity.keys()]))].sort((a, b) => a - b)
  const column = (m: ReadonlyMap<number, number>) => x.map((t) => {
    const v = m.get(t)
    return v === undefined || !Number.isFinite(v) ? null : v
  })
  const series = (which: "equity" | "growth", suffix: string): ReadonlyArray<SeriesSpec> =>
    kept.map((k, i) => ({ label: `${runLabel(inputs[i]!, i)} (${suffix})`, values: column(k[which]), color: palette[i % palette.length]!, spanGaps: true }))

  return {
    id: "chart-comparison",
    title: "Equity",
    xKind: timed ? "time" : "index",
    x,
    totalPoints,
    yLabel: "growth of 1",
    unit: "ratio",
    series: series("growth", "growth of 1"),
    alternate: { toggle: "growth of 1", yLabel: "equity", unit: "money", series: series("equity", "equity") }
  }
}
