/** One runner's measurements, as the bench collected them. */
export interface BenchRow {
  readonly name: string
  readonly bars: number
  /** Median of the timed runs. */
  readonly seconds: number
  readonly trades: number
  readonly finalEquity: number
  /** `process.memoryUsage().rss` once the input bars are built, before the runner starts. */
  readonly rssWithBarsBytes: number
  /** `process.memoryUsage().rss` right after the timed run. */
  readonly rssAfterBytes: number
  /** `process.resourceUsage().maxRSS` of the runner's process: input bars included. */
  readonly peakRssBytes: number
}

interface Column {
  readonly header: string
  readonly align: "left" | "right"
  readonly cell: (row: BenchRow) => string
}

const megabytes = (bytes: number): string => (bytes / 2 ** 20).toFixed(0)
const rate = (row: BenchRow): number => row.bars / row.seconds
const grouped = (value: number): string => Math.round(value).toLocaleString("en-US")

/** The results as an aligned text table; ratios are against the row named `baseline`. */
export const renderBenchTable = (rows: ReadonlyArray<BenchRow>, baseline: string): string => {
  const base = rows.find((row) => row.name === baseline)
  const columns: ReadonlyArray<Column> = [
    { header: "runner", align: "left", cell: (row) => row.name },
    { header: "bars", align: "right", cell: (row) => grouped(row.bars) },
    { header: "seconds", align: "right", cell: (row) => row.seconds.toFixed(3) },
    { header: "bars/s", align: "right", cell: (row) => grouped(rate(row)) },
    // How many times the baseline's time per bar: 1.00× for the baseline, higher is slower.
    {
      header: `time/bar vs ${baseline}`,
      align: "right",
      cell: (row) => (base === undefined ? "n/a" : `${(rate(base) / rate(row)).toFixed(2)}×`)
    },
    { header: "trades", align: "right", cell: (row) => grouped(row.trades) },
    { header: "final equity", align: "right", cell: (row) => row.finalEquity.toFixed(2) },
    { header: "RSS with bars (MB)", align: "right", cell: (row) => megabytes(row.rssWithBarsBytes) },
    { header: "RSS after (MB)", align: "right", cell: (row) => megabytes(row.rssAfterBytes) },
    { header: "peak RSS (MB)", align: "right", cell: (row) => megabytes(row.peakRssBytes) }
  ]
  const cells = rows.map((row) => columns.map((column) => column.cell(row)))
  const widths = columns.map((column, c) => Math.max(column.header.length, ...cells.map((line) => line[c]!.length)))
  const format = (line: ReadonlyArray<string>): string =>
    line
      .map((text, c) => (columns[c]!.align === "left" ? text.padEnd(widths[c]!) : text.padStart(widths[c]!)))
      .join(" | ")
  return [
    format(columns.map((column) => column.header)),
    widths.map((width) => "-".repeat(width)).join("-|-"),
    ...cells.map(format)
  ].join("\n")
}
