/**
 * What a report is drawn from: a run's results as plain JSON. Declared here structurally (the
 * report layer does not depend on deploy), so the deployer's `PaperTradingResults` and
 * `ArchivedResults`, or a run driven through the engine directly, can be passed as they are.
 */
import type { PositionRecord } from "../domain/portfolio.ts"
import type { SimulationConfig } from "../domain/simulation-config.ts"
import type { Trade } from "../domain/trade.ts"
import type { EquityPoint } from "../engine/equity-curve.ts"
import type { PerformanceMetrics } from "../engine/metrics.ts"
import { DEFAULT_ROLLING_WINDOW } from "../engine/metrics/rolling.ts"
import { InvalidReportArgumentError } from "./report-errors.ts"

/** A position at the end of the run, decimals as strings. */
export type ReportPosition = Omit<PositionRecord, "realizedPnl">

export interface ReportInput {
  readonly deploymentId: string
  readonly modelId: string
  readonly modelVersion: string
  /** The model kind and the params it was built with. */
  readonly model: { readonly kind: string; readonly params?: unknown }
  readonly config: SimulationConfig
  /** The simulation's state when the results were taken (running, stopped, failed…). */
  readonly state: string
  /** Market updates processed. */
  readonly updates: number
  readonly firstUpdateTime: number | null
  readonly lastUpdateTime: number | null
  readonly metrics: PerformanceMetrics
  readonly portfolio: {
    readonly portfolioValue: string
    readonly cash: string
    readonly positions: ReadonlyArray<ReportPosition>
  }
  readonly fills: number
  readonly orders: {
    readonly total: number
    readonly filled: number
    readonly rejected: number
    readonly cancelled: number
    readonly expired: number
  }
  readonly trades: ReadonlyArray<Trade>
  readonly equityCurve: ReadonlyArray<EquityPoint>
}

export interface ReportOptions {
  /** The page's title; by default one naming the model and version. */
  readonly title?: string
  /** The paperfloor version shown in the report; the running one by default. */
  readonly version?: string
  /** Points per chart series at most (display only; metrics use every point). An integer ≥ 16; 2,000 by default. */
  readonly maxPoints?: number
  /** Updates in the rolling Sharpe and rolling drawdown windows: an integer ≥ 2; 63 (a quarter of daily updates) by default. */
  readonly rollingWindow?: number
}

export const DEFAULT_MAX_POINTS = 2_000
/** Enough for the first and last point and a bucket's min and max of several series. */
export const MIN_MAX_POINTS = 16

/** `options.maxPoints`, checked; the default when absent. */
export const maxPointsOf = (options: ReportOptions): number => {
  const value = options.maxPoints ?? DEFAULT_MAX_POINTS
  if (!Number.isInteger(value) || value < MIN_MAX_POINTS) {
    throw new InvalidReportArgumentError({ field: "maxPoints", value, rule: `must be an integer ≥ ${MIN_MAX_POINTS}` })
  }
  return value
}

export const rollingWindowOf = (options: ReportOptions): number => {
  const value = options.rollingWindow ?? DEFAULT_ROLLING_WINDOW
  if (!Number.isInteger(value) || value < 2) throw new InvalidReportArgumentError({ field: "rollingWindow", value, rule: "must be an integer ≥ 2" })
  return value
}
