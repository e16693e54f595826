/**
 * The charts of one run, from its equity curve: equity, drawdown and exposure over time, and the
 * rolling Sharpe ratio and rolling max drawdown once the run has a full window; each downsampled
 * for display on its own series so that its extremes survive.
 */
import type { EquityPoint } from "../engine/equity-curve.ts"
import { periodReturns } from "../engine/metrics/returns.ts"
import { rollingMaxDrawdown, rollingSharpe } from "../engine/metrics/rolling.ts"
import type { ChartSpec } from "./chart-spec.ts"
import { downsample } from "./downsample.ts"

export const palette = ["#2563eb", "#dc2626", "#059669", "#7c3aed", "#d97706", "#0891b2", "#db2777", "#4b5563"] as const

/** x for every point: the times when every point has one, else the update numbers (1, 2, …). */
export const xOf = (curve: ReadonlyArray<EquityPoint>): { readonly kind: ChartSpec["xKind"]; readonly x: Float64Array } => {
  const timed = curve.every((p) => p.time !== null)
  const x = new Float64Array(curve.length)
  for (let i = 0; i < curve.length; i++) x[i] = timed ? curve[i]!.time! : i + 1
  return { kind: timed ? "time" : "index", x }
}

/** Drawdown in percent, −(peak − e) / peak × 100, with the peak starting at the initial capital (as the max drawdown metric). */
export const drawdownPercent = (curve: ReadonlyArray<EquityPoint>, initialCapital: number): Float64Array => {
  const out = new Float64Array(curve.length)
  let peak = initialCapital
  for (let i = 0; i < curve.length; i++) {
    const e = curve[i]!.equity
    if (Number.isFinite(e) && e > peak) peak = e
    out[i] = !Number.isFinite(e) || peak <= 0 ? Number.NaN : e < peak ? (-(peak - e) / peak) * 100 : 0
  }
  return out
}

/** Gross and net exposure in percent of equity; NaN where equity is not positive (no meaningful ratio). */
export const exposurePercent = (curve: ReadonlyArray<EquityPoint>): { readonly gross: Float64Array; readonly net: Float64Array } => {
  const gross = new Float64Array(curve.length)
  const net = new Float64Array(curve.length)
  for (let i = 0; i < curve.length; i++) {
    const { equity, longValue, shortValue } = curve[i]!
    const ok = equity > 0 && Number.isFinite(equity)
    gross[i] = ok ? ((longValue + shortValue) * 100) / equity : Number.NaN
    net[i] = ok ? ((longValue - shortValue) * 100) / equity : Number.NaN
  }
  return { gross, net }
}

/** NaN and ±Infinity become null: JSON has no NaN, and uPlot draws null as a gap. */
const finite = (values: ReadonlyArray<number | null>): Array<number | null> =>
  values.map((v) => (v === null || !Number.isFinite(v) ? null : v))

/** What the rolling series need: the window (in updates) and the run's annualisation. */
export interface RollingParams {
  readonly window: number
  readonly periodsPerYear: number
  readonly riskFreeRate: number
}

/** null (no value yet, or undefined) as NaN, for downsampling. */
const floats = (values: ReadonlyArray<number | null>, scale: number): Float64Array => Float64Array.from(values, (v) => (v === null ? Number.NaN : v * scale))

/** Rolling Sharpe and rolling max drawdown (as a negative percent), each over the trailing window (src/engine/metrics/rolling.ts). */
const rollingCharts = (
  curve: ReadonlyArray<EquityPoint>,
  initialCapital: number,
  x: Float64Array,
  maxPoints: number,
  rolling: RollingParams,
  common: Pick<ChartSpec, "xKind" | "totalPoints">
): ReadonlyArray<ChartSpec> => {
  // One window gives one value: no line to draw.
  if (curve.length <= rolling.window) return []
  const equity = Float64Array.from(curve, (p) => p.equity)
  const sharpe = rollingSharpe(periodReturns(initialCapital, equity), rolling.window, rolling.periodsPerYear, rolling.riskFreeRate)
  const s = downsample(x, [floats(sharpe, 1)], maxPoints)
  const d = downsample(x, [floats(rollingMaxDrawdown(initialCapital, equity, rolling.window), -100)], maxPoints)
  const over = `${rolling.window} updates`
  return [
    {
      ...common,
      id: "chart-rolling-sharpe",
      title: `Rolling Sharpe ratio (${over})`,
      x: s.x,
      yLabel: "Sharpe ratio",
      unit: "ratio",
      series: [{ label: `Sharpe ratio, ${over}`, values: finite(s.series[0]!), color: palette[5] }]
    },
    {
      ...common,
      id: "chart-rolling-drawdown",
      title: `Rolling max drawdown (${over})`,
      x: d.x,
      yLabel: "max drawdown %",
      unit: "percent",
      series: [{ label: `Max drawdown, ${over}`, values: finite(d.series[0]!), color: palette[6], fill: "rgba(219, 39, 119, 0.12)" }]
    }
  ]
}

export const runCharts = (
  curve: ReadonlyArray<EquityPoint>,
  initialCapital: number,
  maxPoints: number,
  rolling: RollingParams
): ReadonlyArray<ChartSpec> => {
  if (curve.length === 0) return []
  const { kind, x } = xOf(curve)
  const equity = Float64Array.from(curve, (p) => p.equity)
  const drawdown = drawdownPercent(curve, initialCapital)
  const { gross, net } = exposurePercent(curve)
  const common = { xKind: kind, totalPoints: curve.length }

  const e = downsample(x, [equity], maxPoints)
  const d = downsample(x, [drawdown], maxPoints)
  const g = downsample(x, [gross, net], maxPoints)
  return [
    {
      ...common,
      id: "chart-equity",
      title: "Equity",
      x: e.x,
      yLabel: "equity",
      unit: "money",
      series: [{ label: "Equity", values: finite(e.series[0]!), color: palette[0] }]
    },
    {
      ...common,
      id: "chart-drawdown",
      title: "Drawdown",
      x: d.x,
      yLabel: "drawdown %",
      unit: "percent",
      series: [{ label: "Drawdown", values: finite(d.series[0]!), color: palette[1], fill: "rgba(220, 38, 38, 0.15)" }]
    },
    {
      ...common,
      id: "chart-exposure",
      title: "Exposure",
      x: g.x,
      yLabel: "% of equity",
      unit: "percent",
      series: [
        // Gross filled: for a long-only run net is the same line, drawn over it.
        { label: "Gross exposure", values: finite(g.series[0]!), color: palette[3], fill: "rgba(124, 58, 237, 0.12)" },
        { label: "Net exposure", values: finite(g.series[1]!), color: palette[2] }
      ]
    },
    ...rollingCharts(curve, initialCapital, x, maxPoints, rolling, common)
  ]
}
