/**
 * The HTML report of one run: a single self-contained file (see page.ts) with the equity,
 * drawdown, exposure, rolling Sharpe and rolling drawdown charts, a per-symbol breakdown, the metrics with their definitions, the
 * trades, and the config, model and versions behind the run.
 *
 * The trades table lists the first TRADE_ROWS trades and says how many there are, so a run with
 * tens of thousands of trades still opens at once; every trade is in the run's results JSON.
 */
import { Decimal } from "../domain/decimal.ts"
import { periodsPerYear } from "../domain/simulation-config.ts"
import type { Trade } from "../domain/trade.ts"
import type { SymbolStats } from "../engine/metrics.ts"
import { symbolStats } from "../engine/metrics/trade-stats.ts"
import { formatCount, formatMoney, formatPercent, formatPrice, formatQuantity, formatTime, NONE } from "./format.ts"
import { displayJson, escapeHtml } from "./html.ts"
import { cell, chartSection, configValue, numberCell, paragraph, preformatted, section, table } from "./markup.ts"
import { formatMetric, metricDefinitions, rawMetricValue } from "./metric-definitions.ts"
import { packageVersion } from "./package-version.ts"
import { renderPage } from "./page.ts"
import { maxPointsOf, type ReportInput, type ReportOptions, rollingWindowOf } from "./report-input.ts"
import { writeReportFile } from "./report-file.ts"
import { runCharts } from "./run-charts.ts"
import { symbolBreakdown } from "./symbol-breakdown.ts"

/** Trades listed in the table at most. */
export const TRADE_ROWS = 1_000

export const defaultTitle = (input: ReportInput): string => `paperfloor report: ${input.modelId} ${input.modelVersion}`

/** "1995-01-03 → 2014-12-31" */
export const periodText = (first: number | null, last: number | null): string =>
  first === null && last === null ? "no dated updates" : `${formatTime(first)} → ${formatTime(last)}`

const header = (input: ReportInput, title: string): string => {
  const facts = [
    `${input.modelId} ${input.modelVersion}`,
    `deployment ${input.deploymentId}`,
    `${periodText(input.firstUpdateTime, input.lastUpdateTime)} (UTC)`,
    `${formatCount(input.updates)} updates`,
    input.state
  ]
  return `<header><h1>${escapeHtml(title)}</h1><p class="sub">${escapeHtml(facts.join(" · "))}</p></header>`
}

const cards = (input: ReportInput): string => {
  const shown: ReadonlyArray<keyof ReportInput["metrics"]> = ["finalEquity", "totalReturn", "netProfit", "maxDrawdown", "sharpeRatio", "totalTrades", "winRate"]
  const items = shown.map((key) => {
    const label = metricDefinitions.find((d) => d.key === key)!.label
    return `<div class="card"><div class="k">${escapeHtml(label)}</div><div class="v">${escapeHtml(formatMetric(key, input.metrics[key]))}</div></div>`
  })
  return `<div class="cards" id="summary">${items.join("")}</div>`
}

export const metricsTable = (input: ReportInput): string =>
  table(
    ["metric", cell("value", "n"), "definition"],
    metricDefinitions.map((d) => {
      const value = input.metrics[d.key]
      return [cell(d.label, undefined, d.key), cell(formatMetric(d.key, value), "n", rawMetricValue(value)), cell(d.definition, "def")]
    }),
    "metrics-table"
  )

/** The metrics' per-symbol statistics; computed from the trades for results archived before the metrics had them. */
const statsBySymbol = (input: ReportInput): ReadonlyArray<SymbolStats> =>
  Array.isArray(input.metrics.bySymbol) ? input.metrics.bySymbol : symbolStats(input.trades)

const symbolsTable = (input: ReportInput): string =>
  table(
    ["symbol", cell("closed trades", "n"), cell("wins", "n"), cell("win rate", "n"), cell("open", "n"), cell("net P&L (realised)", "n"), cell("commission", "n"), cell("final position", "n"), cell("market value", "n"), cell("unrealised P&L", "n")],
    symbolBreakdown(input.config.symbols, statsBySymbol(input), input.portfolio.positions).map((r) => [
      r.symbol,
      numberCell(formatCount(r.closedTrades)),
      numberCell(formatCount(r.winningTrades)),
      numberCell(formatPercent(r.winRate)),
      numberCell(formatCount(r.openTrades)),
      numberCell(formatMoney(r.netPnl), r.netPnl, r.netPnl),
      numberCell(formatMoney(r.commission), r.commission),
      numberCell(formatQuantity(r.position), r.position),
      numberCell(formatMoney(r.marketValue), r.marketValue ?? undefined),
      numberCell(formatMoney(r.unrealizedPnl), r.unrealizedPnl ?? undefined, r.unrealizedPnl)
    ]),
    "symbols-table"
  )

const tradeRow = (t: Trade, i: number) => [
  numberCell(String(i + 1)),
  t.symbol,
  t.direction,
  formatTime(t.entryTime),
  t.open ? "open" : formatTime(t.exitTime),
  numberCell(formatQuantity(t.quantity), t.quantity),
  numberCell(formatPrice(t.entryPrice), t.entryPrice),
  numberCell(formatPrice(t.exitPrice), t.exitPrice ?? undefined),
  numberCell(formatMoney(t.grossPnl), t.grossPnl, t.grossPnl),
  numberCell(formatMoney(t.commission), t.commission),
  numberCell(formatMoney(t.netPnl), t.netPnl, t.netPnl)
]

const tradesSection = (trades: ReadonlyArray<Trade>): string => {
  if (trades.length === 0) return paragraph("No trades.")
  const shown = trades.slice(0, TRADE_ROWS)
  const note =
    trades.length > shown.length
      ? `The first ${formatCount(shown.length)} of ${formatCount(trades.length)} trades; every trade is in the run's results (JSON).`
      : `${formatCount(trades.length)} trade${trades.length === 1 ? "" : "s"}, in the order they opened. Times in UTC.`
  const head = [cell("#", "n"), "symbol", "direction", "entry", "exit", cell("quantity", "n"), cell("entry price", "n"), cell("exit price", "n"), cell("gross P&L", "n"), cell("commission", "n"), cell("net P&L", "n")]
  return paragraph(note) + table(head, shown.map(tradeRow), "trades-table")
}

const runSection = (input: ReportInput): string => {
  const o = input.orders
  return table(
    ["", cell("value", "n")],
    [
      ["portfolio value", numberCell(formatMoney(input.portfolio.portfolioValue), input.portfolio.portfolioValue)],
      ["cash", numberCell(formatMoney(input.portfolio.cash), input.portfolio.cash)],
      ["orders", numberCell(formatCount(o.total))],
      ["… filled", numberCell(formatCount(o.filled))],
      ["… rejected", numberCell(formatCount(o.rejected))],
      ["… cancelled", numberCell(formatCount(o.cancelled))],
      ["… expired", numberCell(formatCount(o.expired))],
      ["fills", numberCell(formatCount(input.fills))],
      ["market updates", numberCell(formatCount(input.updates))],
      ["state", input.state]
    ],
    "run-table"
  )
}

const configSection = (input: ReportInput, version: string | undefined): string => {
  const config = table(["setting", "value"], Object.entries(input.config).map(([key, value]) => [key, configValue(value)]), "config-table")
  const versions = table(
    ["", ""],
    [
      ["model id", input.modelId],
      ["model version", input.modelVersion],
      ["model kind", input.model.kind],
      ["deployment", input.deploymentId],
      ["paperfloor", version ?? NONE]
    ],
    "versions-table"
  )
  return `<h3>Configuration</h3>${config}<h3>Model and versions</h3>${versions}<h3>Model params</h3>${preformatted(displayJson(input.model.params))}`
}

/** The run's report as one HTML document. */
export const renderHtmlReport = (input: ReportInput, options: ReportOptions = {}): string => {
  const maxPoints = maxPointsOf(options)
  const title = options.title ?? defaultTitle(input)
  const initialCapital = new Decimal(input.config.initialCapital).toNumber()
  const charts = runCharts(input.equityCurve, initialCapital, maxPoints, {
    window: rollingWindowOf(options),
    periodsPerYear: periodsPerYear[input.config.updateFrequency],
    riskFreeRate: input.config.riskFreeRate
  })
  const chartsHtml =
    charts.length === 0 ? section("charts", "Charts", paragraph("No market updates yet: nothing to chart.")) : charts.map(chartSection).join("\n")
  const body = [
    header(input, title),
    cards(input),
    chartsHtml,
    section("symbols", "Per symbol", paragraph("Net P&L is realised, after commissions; the final position is marked at the last update.") + symbolsTable(input)),
    section("metrics", "Metrics", metricsTable(input)),
    section("trades", "Trades", tradesSection(input.trades)),
    section("run", "Run", runSection(input)),
    section("config", "Configuration, model and versions", configSection(input, options.version ?? packageVersion()))
  ].join("\n")
  return renderPage({ title, body, charts })
}

/** Renders the run's report and writes it atomically to `path`; resolves with the absolute path written. */
export const writeHtmlReport = (path: string, input: ReportInput, options: ReportOptions = {}): Promise<string> =>
  writeReportFile(path, renderHtmlReport(input, options))
