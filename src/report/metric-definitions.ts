/**
 * Every performance metric as a report shows it: its label, its definition (as in
 * src/engine/metrics.ts and the README's "Metrics") and how its value is formatted.
 */
import type { PerformanceMetrics } from "../engine/metrics.ts"
import { formatCount, formatMoney, formatPercent, formatRatio, NONE } from "./format.ts"

export type MetricKey = keyof PerformanceMetrics

export interface MetricDefinition<K extends MetricKey = MetricKey> {
  readonly key: K
  readonly label: string
  readonly definition: string
  /** The value as shown; "—" for null. */
  readonly format: (value: PerformanceMetrics[K]) => string
}

type Entry<K extends MetricKey> = Omit<MetricDefinition<K>, "key">

// A record over every key: a metric added to PerformanceMetrics without a definition here does not compile.
const definitions: { readonly [K in MetricKey]: Entry<K> } = {
  totalReturn: { label: "Total return", definition: "finalEquity / initialCapital − 1, computed exactly and then converted to a float.", format: formatPercent },
  finalEquity: { label: "Final equity", definition: "cash + Σ position × mark at the last update (exact).", format: formatMoney },
  netProfit: { label: "Net profit", definition: "finalEquity − initialCapital (exact).", format: formatMoney },
  totalCommission: { label: "Total commission", definition: "Σ commissions of every fill (exact).", format: formatMoney },
  sharpeRatio: {
    label: "Sharpe ratio",
    definition:
      "mean(x) / stdev(x) × √periodsPerYear, over per-period excess returns x_t = r_t − riskFreeRate / periodsPerYear, where r_t = e_t / e_{t−1} − 1 (e_0 is the initial capital; a period whose previous equity is ≤ 0 is skipped) and stdev is the sample standard deviation (n − 1). Undefined (—) with fewer than 2 returns or a zero stdev.",
    format: formatRatio
  },
  sortinoRatio: {
    label: "Sortino ratio",
    definition:
      "mean(x) / downside deviation × √periodsPerYear, with the same excess returns x_t as Sharpe and downside deviation = √(Σ min(x_t, 0)² / n). Undefined (—) with fewer than 2 returns or a zero downside deviation.",
    format: formatRatio
  },
  maxDrawdown: {
    label: "Max drawdown",
    definition: "max over t of (peak_t − e_t) / peak_t, with the running peak starting at the initial capital; 0 when equity never falls below its peak. Undefined (—) for an empty curve.",
    format: formatPercent
  },
  winRate: { label: "Win rate", definition: "winning trades / closed trades. Undefined (—) with no closed trades.", format: formatPercent },
  profitFactor: { label: "Profit factor", definition: "gross profit / gross loss. Undefined (—) when the gross loss is 0.", format: formatRatio },
  totalTrades: { label: "Closed trades", definition: "Closed round trips, flat to flat (an open position is not counted).", format: formatCount },
  winningTrades: { label: "Winning trades", definition: "Closed trades with net P&L (after commissions) > 0.", format: formatCount },
  losingTrades: { label: "Losing trades", definition: "Closed trades with net P&L (after commissions) < 0.", format: formatCount },
  grossProfit: { label: "Gross profit", definition: "Σ net P&L of the winning trades (exact).", format: formatMoney },
  grossLoss: { label: "Gross loss", definition: "Σ |net P&L| of the losing trades, positive (exact).", format: formatMoney },
  averageWin: { label: "Average win", definition: "gross profit / winning trades. Undefined (—) with no winning trades.", format: formatMoney },
  averageLoss: { label: "Average loss", definition: "gross loss / losing trades, positive. Undefined (—) with no losing trades.", format: formatMoney },
  periods: { label: "Periods", definition: "Points in the equity curve: one per market update.", format: formatCount }
}

/** One entry per PerformanceMetrics key, in the order a report lists them. */
export const metricDefinitions: ReadonlyArray<MetricDefinition> = (Object.keys(definitions) as MetricKey[]).map(
  (key) => ({ key, ...definitions[key] }) as MetricDefinition
)

/**
 * A metric's value as a report shows it: "—" for null, and for a value that is missing (an
 * archive written before the metric existed) or of the wrong type.
 */
export const formatMetric = (key: MetricKey, value: PerformanceMetrics[MetricKey]): string => {
  if (value === null || value === undefined) return NONE
  const format = definitions[key]?.format as ((v: PerformanceMetrics[MetricKey]) => string) | undefined
  return format === undefined ? String(value) : format(value)
}
