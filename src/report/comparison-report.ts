/**
 * The comparison report behind `paperfloor compare`: several runs in one self-contained file, their
 * metrics side by side and their equity curves overlaid (as growth of 1, or as equity).
 */
import { comparisonChart, runLabel } from "./comparison-chart.ts"
import { formatCount } from "./format.ts"
import { displayJson, escapeHtml } from "./html.ts"
import { periodText } from "./html-report.ts"
import { cell, chartSection, configValue, paragraph, preformatted, section, table } from "./markup.ts"
import { formatMetric, metricDefinitions, rawMetricValue } from "./metric-definitions.ts"
import { renderPage } from "./page.ts"
import { packageVersion } from "./package-version.ts"
import { InvalidReportArgumentError } from "./report-errors.ts"
import { maxPointsOf, type ReportInput, type ReportOptions } from "./report-input.ts"
import { writeReportFile } from "./report-file.ts"

const runsTable = (inputs: ReadonlyArray<ReportInput>): string => {
  const row = (label: string, value: (r: ReportInput) => string) => [label, ...inputs.map((r) => value(r))]
  return table(
    ["", ...inputs.map(runLabel)],
    [
      row("deployment", (r) => r.deploymentId),
      row("model", (r) => `${r.modelId} ${r.modelVersion}`),
      row("model kind", (r) => r.model.kind),
      row("period (UTC)", (r) => periodText(r.firstUpdateTime, r.lastUpdateTime)),
      row("market updates", (r) => formatCount(r.updates)),
      row("state", (r) => r.state)
    ],
    "runs-table"
  )
}

const metricsTable = (inputs: ReadonlyArray<ReportInput>): string =>
  table(
    ["metric", ...inputs.map((r, i) => cell(runLabel(r, i), "n")), "definition"],
    metricDefinitions.map((d) => [
      cell(d.label, undefined, d.key),
      ...inputs.map((r) => {
        const value = r.metrics[d.key]
        return cell(formatMetric(d.key, value), "n", rawMetricValue(value))
      }),
      cell(d.definition, "def")
    ]),
    "metrics-table"
  )

/** Every setting of every run; a setting that differs between runs is highlighted. */
const configTable = (inputs: ReadonlyArray<ReportInput>): string => {
  const keys = [...new Set(inputs.flatMap((r) => Object.keys(r.config)))]
  return table(
    ["setting", ...inputs.map(runLabel)],
    keys.map((key) => {
      const values = inputs.map((r) => configValue((r.config as unknown as Record<string, unknown>)[key]))
      const differs = new Set(values).size > 1
      return [key, ...values.map((v) => cell(v, differs ? "diff" : undefined))]
    }),
    "config-table"
  )
}

const paramsSection = (inputs: ReadonlyArray<ReportInput>): string =>
  inputs.map((r, i) => `<h3>${escapeHtml(`${runLabel(r, i)}: ${r.model.kind}`)}</h3>${preformatted(displayJson(r.model.params))}`).join("\n")

/** Several runs' comparison as one HTML document; at least one run. */
export const renderComparisonReport = (inputs: ReadonlyArray<ReportInput>, options: ReportOptions = {}): string => {
  if (inputs.length === 0) throw new InvalidReportArgumentError({ field: "inputs", value: 0, rule: "must hold at least one run" })
  const maxPoints = maxPointsOf(options)
  const title = options.title ?? `paperfloor comparison: ${inputs.map((r) => `${r.modelId} ${r.modelVersion}`).join(" vs ")}`
  const chart = comparisonChart(inputs, maxPoints)
  const body = [
    `<header><h1>${escapeHtml(title)}</h1><p class="sub">${escapeHtml(`${inputs.length} runs · paperfloor ${options.version ?? packageVersion()}`)}</p></header>`,
    section("runs", "Runs", runsTable(inputs)),
    chart === undefined ? section("charts", "Equity", paragraph("No market updates yet: nothing to chart.")) : chartSection(chart),
    section("metrics", "Metrics", metricsTable(inputs)),
    section("config", "Configuration", configTable(inputs)),
    section("models", "Model params", paramsSection(inputs))
  ].join("\n")
  return renderPage({ title, body, charts: chart === undefined ? [] : [chart] })
}

/** Renders the comparison and writes it atomically to `path`; resolves with the absolute path written. */
export const writeComparisonReport = (path: string, inputs: ReadonlyArray<ReportInput>, options: ReportOptions = {}): Promise<string> =>
  writeReportFile(path, renderComparisonReport(inputs, options))
