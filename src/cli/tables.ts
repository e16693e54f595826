/**
 * The terminal tables of the command's readable output (cli-table3, no colours: the output reads
 * the same in a terminal, a pipe or a log). Figures are formatted as in the HTML report.
 */
import Table from "cli-table3"
import type { DeploymentRecord, PerformanceMetrics, SimulationStatusReport } from "../index.ts"
import { formatCount, formatMoney, formatPrice, formatQuantity, formatTime } from "../report/format.ts"
import { formatMetric, metricDefinitions } from "../report/metric-definitions.ts"
import type { ReportInput } from "../report/report-input.ts"
import { evenSamples } from "./even-samples.ts"
import { printable } from "./output.ts"

const plain = { style: { head: [] as string[], border: [] as string[], compact: true } }

const rowsTable = (rows: ReadonlyArray<readonly [string, string]>, head?: ReadonlyArray<string>): string => {
  const table = new Table({ ...plain, ...(head === undefined ? {} : { head: [...head] }) })
  table.push(...rows.map(([label, value]) => [label, value]))
  return table.toString()
}

const metricLabel = (key: keyof PerformanceMetrics) => metricDefinitions.find((d) => d.key === key)?.label ?? key
const metricRow = (m: PerformanceMetrics, key: keyof PerformanceMetrics) => [metricLabel(key), formatMetric(key, m[key])] as const

/** The metrics a summary shows; `compare` and the HTML report show all of them. */
const keyMetrics: ReadonlyArray<keyof PerformanceMetrics> = [
  "finalEquity",
  "netProfit",
  "totalReturn",
  "cagr",
  "annualVolatility",
  "sharpeRatio",
  "sortinoRatio",
  "maxDrawdown",
  "valueAtRisk95",
  "timeInMarket",
  "totalTrades",
  "winRate",
  "profitFactor",
  "totalCommission"
]

/** `fast=10, slow=30, quantity=100`; printable before the table measures it. */
const paramsLine = (params: unknown): string =>
  params !== null && typeof params === "object"
    ? printable(Object.entries(params).map(([k, v]) => `${k}=${typeof v === "object" ? JSON.stringify(v) : String(v)}`).join(", ")) || "none"
    : "none"

const period = (r: ReportInput) => `${formatTime(r.firstUpdateTime)} .. ${formatTime(r.lastUpdateTime)} (${formatCount(r.updates)} updates)`
const ordersLine = ({ orders: o, fills }: ReportInput) =>
  `${formatCount(o.total)} (${formatCount(o.filled)} filled, ${formatCount(o.rejected)} rejected, ${formatCount(o.cancelled)} cancelled, ${formatCount(o.expired)} expired); ${formatCount(fills)} fills`
const positionsLine = (positions: ReadonlyArray<{ readonly symbol: string; readonly quantity: string }>) =>
  positions.length === 0 ? "none" : positions.map((p) => `${formatQuantity(p.quantity)} ${p.symbol}`).join(", ")

/** The key metrics alone, for a run driven through the engine directly. */
export const metricsTable = (m: PerformanceMetrics): string => rowsTable(keyMetrics.map((key) => metricRow(m, key)))

/** A run's results: what ran, over which period, its key metrics, orders and fills, and where it ended. */
export const resultsTable = (r: ReportInput): string =>
  rowsTable([
    ["Simulation", `${r.deploymentId} (${r.state})`],
    ["Model", `${r.modelId} ${r.modelVersion}`],
    ["Params", paramsLine(r.model.params)],
    ["Period", period(r)],
    ["Initial capital", formatMoney(r.config.initialCapital)],
    ...keyMetrics.map((key) => metricRow(r.metrics, key)),
    ["Orders", ordersLine(r)],
    ["Cash at the end", formatMoney(r.portfolio.cash)],
    ["Positions at the end", positionsLine(r.portfolio.positions)]
  ])

/** A simulation's state and portfolio now, then its positions. */
export const statusTable = (s: SimulationStatusReport): string => {
  const summary = rowsTable([
    ["Simulation", s.deploymentId],
    ["Model", `${s.modelId} ${s.modelVersion}`],
    ["State", s.reason === null ? s.state : `${s.state} (${printable(s.reason)})`],
    ["Updates", formatCount(s.updates)],
    ["Last update", formatTime(s.lastUpdateTime)],
    ["Portfolio value", formatMoney(s.portfolioValue)],
    ["Cash", formatMoney(s.cash)],
    ["Buying power", formatMoney(s.buyingPower)],
    ["Realized P&L", formatMoney(s.realizedPnl)],
    ["Unrealized P&L", formatMoney(s.unrealizedPnl)],
    ["Commission", formatMoney(s.totalCommission)],
    ["Open orders", formatCount(s.openOrders.length)]
  ])
  if (s.positions.length === 0) return summary
  const positions = new Table({ ...plain, head: ["Symbol", "Quantity", "Average cost", "Mark", "Market value", "Unrealized P&L"] })
  positions.push(
    ...s.positions.map((p) => [p.symbol, formatQuantity(p.quantity), formatPrice(p.averageCost), formatPrice(p.marketPrice), formatMoney(p.marketValue), formatMoney(p.unrealizedPnl)])
  )
  return `${summary}\n${positions.toString()}`
}

/** The store's deployments, oldest first. */
export const deploymentsTable = (records: ReadonlyArray<DeploymentRecord>): string => {
  const table = new Table({ ...plain, head: ["Simulation", "Model", "Version", "Status", "Created", "Results"] })
  table.push(...records.map((d) => [d.id, d.modelId, d.modelVersion, d.status, d.createdAt.slice(0, 19).replace("T", " "), d.resultsArtifact === undefined ? "" : "archived"]))
  return table.toString()
}

const SPARK = "▁▂▃▄▅▆▇█"

/**
 * Equity curves as sparklines on one shared scale, so their heights compare across the
 * simulations: each curve sampled at `width` evenly spaced points of its own run.
 */
export const equitySparklines = (curves: ReadonlyArray<ReadonlyArray<{ readonly equity: number }>>, width = 32): ReadonlyArray<string> => {
  let low = Infinity
  let high = -Infinity
  // A loop, not Math.min(...): a curve may hold a million points.
  for (const curve of curves)
    for (const { equity } of curve) {
      low = Math.min(low, equity)
      high = Math.max(high, equity)
    }
  const span = high - low
  return curves.map((curve) =>
    evenSamples(curve, width)
      .map(({ equity }) => SPARK[span === 0 ? 0 : Math.round(((equity - low) / span) * (SPARK.length - 1))])
      .join("")
  )
}

/** Simulations side by side: what ran, every metric, orders, and the equity curves. */
export const comparisonTable = (runs: ReadonlyArray<ReportInput>): string => {
  const table = new Table({ ...plain, head: ["", ...runs.map((r) => r.deploymentId)] })
  const row = (label: string, cell: (r: ReportInput, i: number) => string) => table.push([label, ...runs.map(cell)])
  row("Model", (r) => `${r.modelId} ${r.modelVersion}`)
  row("Params", (r) => paramsLine(r.model.params))
  row("Symbols", (r) => r.config.symbols.join(", "))
  row("Period", (r) => `${formatTime(r.firstUpdateTime)} .. ${formatTime(r.lastUpdateTime)}`)
  row("Updates", (r) => formatCount(r.updates))
  row("Initial capital", (r) => formatMoney(r.config.initialCapital))
  for (const { key, label } of metricDefinitions) row(label, (r) => formatMetric(key, r.metrics[key]))
  row("Orders", (r) => formatCount(r.orders.total))
  row("Fills", (r) => formatCount(r.fills))
  const sparks = equitySparklines(runs.map((r) => r.equityCurve))
  row("Equity (one scale)", (_, i) => sparks[i]!)
  return table.toString()
}
