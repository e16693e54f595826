/**
 * `paperfloor compare`'s equity curves overlaid in the terminal (asciichart): each run as growth
 * of 1 (equity / initial capital, so runs of different sizes share the axis), sampled at `width`
 * evenly spaced points of its own run. Colours tell the lines apart; without them (not a terminal,
 * or NO_COLOR) the legend says so, and the table's sparklines show each run alone.
 */
import * as asciichart from "asciichart"
import type { ReportInput } from "../report/report-input.ts"
import { evenSamples } from "./even-samples.ts"
import { printable } from "./output.ts"

const palette = [asciichart.blue, asciichart.red, asciichart.green, asciichart.magenta, asciichart.cyan, asciichart.yellow]

export interface EquityChartOptions {
  readonly width: number
  readonly height: number
  readonly color: boolean
}

/** Growth of 1 at `width` evenly spaced points of the curve (every point when it has fewer). */
const sampled = (run: ReportInput, width: number): number[] => {
  const capital = Number(run.config.initialCapital)
  return evenSamples(run.equityCurve, width).map(({ equity }) => equity / capital)
}

/** The chart and its legend; empty when no run has a point to draw. */
export const overlaidEquityChart = (runs: ReadonlyArray<ReportInput>, options: EquityChartOptions): string => {
  const series = runs.map((run) => sampled(run, options.width))
  // asciichart draws nothing sensible for an empty series or a non-finite value.
  const drawn = series.map((s, i) => [s, i] as const).filter(([s]) => s.length > 0 && s.every(Number.isFinite))
  if (drawn.length === 0) return ""
  const colors = drawn.map(([, i]) => palette[i % palette.length])
  const chart = asciichart.plot(
    drawn.map(([s]) => s),
    { height: options.height, format: (x) => `${x.toFixed(2).padStart(7)}× `, ...(options.color ? { colors } : {}) }
  )
  const legend = drawn.map(([, i], k) => {
    const key = options.color ? asciichart.colored("━━", colors[k]) : "──"
    return `  ${key} ${printable(runs[i]!.deploymentId)}`
  })
  const note = options.color ? "" : " (lines told apart by colour on a terminal)"
  return [`Equity, growth of 1, each run over its own period${note}:`, chart, ...legend].join("\n")
}
