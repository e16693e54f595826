// paperfloor's reports: a run's HTML report, a comparison of runs, and the pieces they are made of.
export { renderComparisonReport, writeComparisonReport } from "./comparison-report.ts"
export { downsample, downsampleIndices, minimumLimit } from "./downsample.ts"
export { renderHtmlReport, TRADE_ROWS, writeHtmlReport } from "./html-report.ts"
export { formatMetric, type MetricDefinition, type MetricKey, metricDefinitions } from "./metric-definitions.ts"
export { InvalidReportArgumentError, ReportWriteError } from "./report-errors.ts"
export { DEFAULT_MAX_POINTS, type ReportInput, type ReportOptions, type ReportPosition } from "./report-input.ts"
export { type DiagramFormat, type DiagramMachine, diagramFormats, diagramMachines, machineDiagram, machineGraph, type MachineGraph } from "./machine-diagram.ts"
