/**
 * Every performance metric as a report shows it: its label, its definition (as in
 * src/engine/metrics.ts and the README's "Metrics") and how its value is formatted.
 */
import type { PerformanceMetrics, SymbolStats } from "../engine/metrics.ts"
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

/** Symbols shown by name in the per-symbol metric's one-line value; the report's per-symbol table has them all. */
const SYMBOLS_SHOWN = 3

/** "ORCL 97 trades, 2,139.48; MSFT …; +2 more" */
const formatBySymbol = (rows: ReadonlyArray<SymbolStats>): string => {
  if (!Array.isArray(rows)) return NONE
  if (rows.length === 0) return "no trades"
  const shown = rows.slice(0, SYMBOLS_SHOWN).map((r) => `${r.symbol} ${formatCount(r.closedTrades)} trades, ${formatMoney(r.netPnl)}`)
  return [...shown, ...(rows.length > SYMBOLS_SHOWN ? [`+${rows.length - SYMBOLS_SHOWN} more`] : [])].join("; ")
}

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
  periods: { label: "Periods", definition: "Points in the equity curve: one per market update.", format: formatCount },
  cagr: {
    label: "CAGR",
    definition: "(Π (1 + r_t)) ^ (periodsPerYear / n) − 1 over the n per-period returns r_t (empyrical cagr / annual_return). Undefined (—) with no returns.",
    format: formatPercent
  },
  annualVolatility: {
    label: "Annual volatility",
    definition: "std(r_t) × √periodsPerYear, sample standard deviation (n − 1) of the per-period returns (empyrical annual_volatility). Undefined (—) with fewer than 2 returns.",
    format: formatPercent
  },
  calmarRatio: {
    label: "Calmar ratio",
    definition: "CAGR / max drawdown (empyrical calmar_ratio). Undefined (—) when the max drawdown is 0.",
    format: formatRatio
  },
  maxDrawdownDuration: {
    label: "Max drawdown duration",
    definition:
      "The longest stretch of consecutive updates with equity below its running peak (the peak starting at the initial capital), in periods (or in calendar days, first to last such day + 1, as quantstats' drawdown_details, when asked). 0 when equity never falls below its peak.",
    format: formatCount
  },
  timeToRecovery: {
    label: "Time to recovery",
    definition:
      "Periods from the max drawdown's trough to the first update at or above the peak it fell from; 0 with no drawdown. Undefined (—) when equity never gets back to that peak.",
    format: formatCount
  },
  valueAtRisk95: {
    label: "VaR 95%",
    definition:
      "The 5th percentile of the per-period returns, linearly interpolated (empyrical value_at_risk); with the parametric option, mean + Φ⁻¹(0.05) × std (quantstats value_at_risk). A return: negative for a loss. Undefined (—) with no returns.",
    format: formatPercent
  },
  valueAtRisk99: { label: "VaR 99%", definition: "As VaR 95% at the 1st percentile (Φ⁻¹(0.01) when parametric).", format: formatPercent },
  conditionalValueAtRisk95: {
    label: "CVaR 95%",
    definition:
      "Mean of the k + 1 smallest per-period returns, k = ⌊(n − 1) × 0.05⌋ (empyrical conditional_value_at_risk); with the parametric option, the mean of the returns below the parametric VaR (quantstats). Undefined (—) with no returns.",
    format: formatPercent
  },
  conditionalValueAtRisk99: { label: "CVaR 99%", definition: "As CVaR 95% with the cutoff 0.01.", format: formatPercent },
  timeInMarket: {
    label: "Time in market",
    definition: "Fraction of updates with any position open (long value + short value > 0).",
    format: formatPercent
  },
  averageGrossExposure: {
    label: "Average gross exposure",
    definition: "Mean over the updates of (long value + short value) / equity, where equity > 0.",
    format: formatPercent
  },
  averageNetExposure: {
    label: "Average net exposure",
    definition: "Mean over the updates of (long value − short value) / equity, where equity > 0.",
    format: formatPercent
  },
  turnover: {
    label: "Annual turnover",
    definition:
      "Σ |quantity × price| of every fill / mean equity / years, years = updates / periodsPerYear: traded value over average capital per year, buys and sells both counted (2.0 = the whole capital in and out once a year).",
    format: formatRatio
  },
  expectancy: {
    label: "Expectancy",
    definition: "Σ net P&L of the closed trades / closed trades: win rate × average win − loss rate × average loss. Undefined (—) with no closed trades.",
    format: formatMoney
  },
  largestWin: { label: "Largest win", definition: "The largest net P&L of a closed trade. Undefined (—) with no winning trades.", format: formatMoney },
  largestLoss: { label: "Largest loss", definition: "The largest |net P&L| of a losing closed trade, positive. Undefined (—) with no losing trades.", format: formatMoney },
  longestWinningStreak: { label: "Longest winning streak", definition: "Most consecutive winning closed trades, in the order they closed.", format: formatCount },
  longestLosingStreak: { label: "Longest losing streak", definition: "Most consecutive losing closed trades, in the order they closed.", format: formatCount },
  bySymbol: {
    label: "Per symbol",
    definition: "For each traded symbol: closed and open trades, winning trades, win rate, net P&L (realised, after commissions) and commission.",
    format: formatBySymbol
  }
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

/** A metric's unformatted value, for a cell's title: none for null, a missing value, or a structured one (the per-symbol rows). */
export const rawMetricValue = (value: PerformanceMetrics[MetricKey] | undefined): string | undefined =>
  value === null || value === undefined || typeof value === "object" ? undefined : String(value)
