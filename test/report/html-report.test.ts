import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fc, test } from "@fast-check/vitest"
import { afterEach, describe, expect, it } from "vitest"
import { computePerformanceMetrics, type PerformanceMetrics } from "../../src/engine/metrics.ts"
import { periodReturns } from "../../src/engine/metrics/returns.ts"
import { rollingSharpe } from "../../src/engine/metrics/rolling.ts"
import { escapeHtml } from "../../src/report/html.ts"
import { renderHtmlReport, TRADE_ROWS, writeHtmlReport } from "../../src/report/html-report.ts"
import { metricDefinitions } from "../../src/report/metric-definitions.ts"
import { InvalidReportArgumentError, ReportWriteError } from "../../src/report/report-errors.ts"
import { curveOf, embeddedCharts, longCurve, sampleInput, START, tableRows, trade } from "./fixtures.ts"

const dirs: string[] = []
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })))
})
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), "paperfloor-report-"))
  dirs.push(dir)
  return dir
}

const count = (html: string, pattern: RegExp) => html.match(pattern)?.length ?? 0

describe("renderHtmlReport", () => {
  const input = sampleInput()
  const html = renderHtmlReport(input, { version: "0.1.0" })

  it("is one self-contained page: uPlot inlined, no external resource", () => {
    expect(html.startsWith("<!doctype html>")).toBe(true)
    expect(html).toContain("var uPlot=function(){")
    expect(html).toContain(".uplot")
    expect(html).not.toMatch(/<(script|link|img|iframe)[^>]+(src|href)=/i)
    expect(html).toMatch(/Content-Security-Policy" content="default-src 'none'; script-src 'sha256-[^']+' 'sha256-[^']+';/)
  })

  it("has every section: charts, per symbol, metrics, trades, run, config, model and versions", () => {
    for (const id of ["chart-equity", "chart-drawdown", "chart-exposure"]) expect(html).toContain(`<div class="chart" id="${id}">`)
    for (const table of ["symbols-table", "metrics-table", "trades-table", "run-table", "config-table", "versions-table"]) expect(html).toContain(`<table id="${table}">`)
    expect(html).toContain(escapeHtml(JSON.stringify(input.model.params, null, 2)))
    expect(tableRows(html, "versions-table")).toEqual([
      ["model id", "sample"],
      ["model version", "v1.0"],
      ["model kind", "moving-average-crossover"],
      ["deployment", "paper-sample-1"],
      ["paperfloor", "0.1.0"]
    ])
    expect(tableRows(html, "config-table")).toContainEqual(["symbols", "AAPL, MSFT, GOOGL"])
    expect(tableRows(html, "config-table")).toContainEqual(["dailyStopLoss", "0.02"])
  })

  it("lists every metric with its value and definition", () => {
    const rows = tableRows(html, "metrics-table")
    expect(rows.map((r) => r[0])).toEqual(metricDefinitions.map((d) => d.label))
    for (const [i, d] of metricDefinitions.entries()) expect(rows[i]![2]).toBe(escapeHtml(d.definition))
    const value = (label: string) => rows.find((r) => r[0] === label)![1]
    expect(value("Final equity")).toBe("103,250.50")
    expect(value("Total return")).toBe("3.25%")
    expect(value("Win rate")).toBe("50.00%")
    expect(value("Periods")).toBe("5")
    expect(value("Per symbol")).toBe("AAPL 2 trades, 900.25; MSFT 0 trades, 150.00")
    expect(html).not.toContain("[object Object]")
  })

  it("breaks results down per symbol from the metrics' per-symbol statistics and the final positions", () => {
    expect(tableRows(html, "symbols-table")).toEqual([
      ["AAPL", "2", "1", "50.00%", "0", "900.25", "20.00", "0", "—", "—"],
      ["MSFT", "0", "0", "—", "1", "150.00", "0.00", "100", "41,550.00", "1,550.00"],
      ["GOOGL", "0", "0", "—", "0", "0.00", "0.00", "0", "—", "—"]
    ])
  })

  it("takes the per-symbol rows from the metrics, and from the trades for an archive without them", () => {
    const { bySymbol: _, ...older } = input.metrics
    const fromTrades = tableRows(renderHtmlReport(sampleInput({ metrics: older as PerformanceMetrics })), "symbols-table")
    expect(fromTrades).toEqual(tableRows(html, "symbols-table"))
    const edited = { ...input.metrics, bySymbol: [{ ...input.metrics.bySymbol[0]!, netPnl: "7" }] }
    expect(tableRows(renderHtmlReport(sampleInput({ metrics: edited })), "symbols-table")[0]![5]).toBe("7.00")
  })

  it("lists the trades, formatted, open ones marked", () => {
    const rows = tableRows(html, "trades-table")
    expect(rows).toHaveLength(3)
    expect(rows[0]).toEqual(["1", "AAPL", "long", "2024-01-02", "2024-01-03", "100", "10.0000", "11.0000", "1,210.50", "10.00", "1,200.50"])
    expect(rows[2]!.slice(1, 5)).toEqual(["MSFT", "long", "2024-01-02", "open"])
    expect(rows[2]![7]).toBe("—")
    expect(html).toContain('<td class="n neg" title="-300.25">-300.25</td>')
  })

  it("embeds equity, drawdown (peak from the initial capital) and exposure from the curve", () => {
    const [equity, drawdown, exposure] = embeddedCharts(html)
    expect(equity!.x).toEqual(input.equityCurve.map((p) => p.time))
    expect(equity!.series[0]!.values).toEqual(input.equityCurve.map((p) => p.equity))
    const dd = drawdown!.series[0]!.values as number[]
    expect(Math.min(...dd)).toBeCloseTo(-input.metrics.maxDrawdown! * 100, 10)
    expect(dd[0]).toBe(0)
    expect(exposure!.series.map((s) => s.label)).toEqual(["Gross exposure", "Net exposure"])
    expect(exposure!.series[0]!.values.every((v) => v !== null && Math.abs(v - 50) < 1e-9)).toBe(true)
  })

  it("adds rolling Sharpe and rolling max drawdown once the run is longer than the window", () => {
    // 5 points, window 3, daily (252 a year), rf 0 (the rolling functions' own arithmetic is checked in test/engine/metrics-rolling.test.ts).
    const charts = embeddedCharts(renderHtmlReport(input, { rollingWindow: 3 }))
    expect(charts.map((c) => c.id)).toEqual(["chart-equity", "chart-drawdown", "chart-exposure", "chart-rolling-sharpe", "chart-rolling-drawdown"])
    const [sharpe, drawdown] = charts.slice(3)
    const equity = input.equityCurve.map((p) => p.equity)
    expect(sharpe!.series[0]!.values).toEqual(rollingSharpe(periodReturns(100_000, equity), 3, 252, 0))
    expect(sharpe!.series[0]!.values.slice(0, 2)).toEqual([null, null])
    // Curve 100,000, 101,000, 99,500, 102,000, 103,250.5. Window [100,000, 101,000, 99,500] from the initial 100,000,
    // [101,000, 99,500, 102,000] from 100,000 and [99,500, 102,000, 103,250.5] from 101,000: each falls 1,500 from 101,000.
    const dd = drawdown!.series[0]!.values
    expect(dd.slice(0, 2)).toEqual([null, null])
    for (const v of dd.slice(2)) expect(v).toBeCloseTo((-1_500 / 101_000) * 100, 12)
  })

  it("leaves the rolling charts out while the run is no longer than the window, and rejects a window < 2", () => {
    expect(embeddedCharts(renderHtmlReport(input, { rollingWindow: 5 })).map((c) => c.id)).toEqual(["chart-equity", "chart-drawdown", "chart-exposure"])
    expect(() => renderHtmlReport(input, { rollingWindow: 1 })).toThrow(/rollingWindow/)
  })

  it("computes net exposure with shorts, and leaves a gap where equity is not positive", () => {
    const curve = [
      { time: START, equity: 100_000, longValue: 80_000, shortValue: 30_000 },
      { time: START + 1, equity: -5, longValue: 0, shortValue: 10 }
    ]
    const [, , exposure] = embeddedCharts(renderHtmlReport(sampleInput({ equityCurve: curve })))
    expect(exposure!.series[0]!.values).toEqual([110, null])
    expect(exposure!.series[1]!.values).toEqual([50, null])
  })

  it("uses the update number as x when an update has no time", () => {
    const curve = curveOf([100_000, 100_500, 99_000]).map((p, i) => (i === 1 ? { ...p, time: null } : p))
    const charts = embeddedCharts(renderHtmlReport(sampleInput({ equityCurve: curve })))
    expect(charts.map((c) => [c.xKind, c.x])).toEqual(Array(3).fill(["index", [1, 2, 3]]))
  })

  it('shows undefined metrics as "—"', () => {
    const noTrades = sampleInput({ trades: [], equityCurve: curveOf([100_000]) })
    const rows = tableRows(renderHtmlReport(noTrades), "metrics-table")
    const value = (label: string) => rows.find((r) => r[0] === label)![1]
    for (const label of ["Win rate", "Profit factor", "Average win", "Average loss", "Sharpe ratio", "Sortino ratio"]) expect(value(label)).toBe("—")
    expect(value("Max drawdown")).toBe("0.00%")
  })

  it('shows metrics missing from an older archive as "—"', () => {
    const { sortinoRatio: _a, averageLoss: _b, ...older } = sampleInput().metrics
    const rows = tableRows(renderHtmlReport(sampleInput({ metrics: older as PerformanceMetrics })), "metrics-table")
    expect(rows.find((r) => r[0] === "Sortino ratio")![1]).toBe("—")
    expect(rows.find((r) => r[0] === "Average loss")![1]).toBe("—")
  })

  it("renders an empty run (no updates) without charts", () => {
    const empty = sampleInput({
      updates: 0,
      firstUpdateTime: null,
      lastUpdateTime: null,
      trades: [],
      equityCurve: [],
      portfolio: { portfolioValue: "100000", cash: "100000", positions: [] },
      fills: 0,
      orders: { total: 0, filled: 0, rejected: 0, cancelled: 0, expired: 0 },
      metrics: computePerformanceMetrics({ initialCapital: "100000", finalEquity: "100000", totalCommission: "0", equityCurve: [], trades: [], periodsPerYear: 252, riskFreeRate: 0 })
    })
    const out = renderHtmlReport(empty)
    expect(embeddedCharts(out)).toEqual([])
    expect(out).toContain("No market updates yet: nothing to chart.")
    expect(out).toContain("No trades.")
    expect(out).toContain("no dated updates")
    expect(tableRows(out, "metrics-table").find((r) => r[0] === "Max drawdown")![1]).toBe("—")
  })

  it(`lists the first ${TRADE_ROWS} trades of a long run and says how many there are`, () => {
    const trades = Array.from({ length: 2_500 }, (_, i) => trade({ symbol: "AAPL", netPnl: String(i - 1_000) }))
    const out = renderHtmlReport(sampleInput({ trades }))
    expect(tableRows(out, "trades-table")).toHaveLength(TRADE_ROWS)
    expect(out).toContain("The first 1,000 of 2,500 trades")
    expect(tableRows(out, "symbols-table")[0]!.slice(0, 3)).toEqual(["AAPL", "2,500", "1,499"])
  })

  it("downsamples long curves for display only: every series within maxPoints, extremes kept", () => {
    const curve = longCurve(50_000)
    const long = sampleInput({ equityCurve: curve })
    const out = renderHtmlReport(long, { maxPoints: 500 })
    for (const chart of embeddedCharts(out)) {
      expect(chart.x.length).toBeLessThanOrEqual(500)
      expect(chart.totalPoints).toBe(50_000)
      for (const s of chart.series) expect(s.values).toHaveLength(chart.x.length)
    }
    const [equity, drawdown] = embeddedCharts(out)
    expect(Math.min(...(equity!.series[0]!.values as number[]))).toBe(Math.min(...curve.map((p) => p.equity)))
    expect(Math.min(...(drawdown!.series[0]!.values as number[]))).toBeCloseTo(-long.metrics.maxDrawdown! * 100, 9)
    expect(out).toContain("500 of 50,000 points shown")
    // The metrics are the input's, from every point.
    expect(tableRows(out, "metrics-table").find((r) => r[0] === "Periods")![1]).toBe("50,000")
  })

  it("refuses a maxPoints below 16 or not an integer", () => {
    expect(() => renderHtmlReport(input, { maxPoints: 15 })).toThrow(InvalidReportArgumentError)
    expect(() => renderHtmlReport(input, { maxPoints: 100.5 })).toThrow("Report maxPoints must be an integer ≥ 16, got 100.5")
  })

  it("is deterministic: the same input gives the same file", () => {
    expect(renderHtmlReport(sampleInput(), { version: "0.1.0" })).toBe(html)
  })
})

const hostile = fc.oneof(
  fc.string({ unit: "grapheme" }),
  fc.constantFrom("</script><script>alert(1)</script>", "<!--", "<img src=x onerror=alert(1)>", "</SCRIPT >", "\u2028\u2029", "<script", '"><svg onload=alert(1)>', "&lt;script&gt;"),
  fc.array(fc.constantFrom("<", "/", "script", ">", "!--", "'", '"', "&", "SCRIPT", " ", "\u2028"), { maxLength: 12 }).map((a) => a.join(""))
)

/** The page outside the inlined uPlot: what user-controlled text could land in. */
const outsideLibrary = (html: string) => {
  const start = html.indexOf("var uPlot=function(){")
  const end = html.indexOf("</script>", start)
  return html.slice(0, start) + html.slice(end)
}

describe("escaping", () => {
  test.prop([hostile, hostile, hostile, hostile, fc.jsonValue(), hostile, hostile])(
    "no user-controlled string adds markup: only the page's own three scripts, no comment, no tag from the input",
    (modelId, modelVersion, deploymentId, kind, params, symbol, title) => {
      const input = sampleInput({
        modelId,
        modelVersion,
        deploymentId,
        state: title,
        model: { kind, params: { params, [symbol]: symbol } },
        trades: [trade({ symbol, netPnl: "1" })]
      })
      const html = outsideLibrary(renderHtmlReport(input, { title, version: symbol }))
      expect(count(html, /<script/gi)).toBe(3)
      expect(count(html, /<\/script/gi)).toBe(3)
      expect(html).not.toContain("<!--")
      expect(html).not.toMatch(/<(img|svg)/i)
      expect(html).toContain(`<title>${escapeHtml(title)}</title>`)
      expect(html).toContain(`<td>${escapeHtml(modelId)}</td>`)
      expect(embeddedCharts(html)).toHaveLength(3)
    }
  )
})

describe("writeHtmlReport", () => {
  it("writes the page atomically, creating the directory, and returns the absolute path", async () => {
    const dir = await tempDir()
    const written = await writeHtmlReport(join(dir, "a", "..", "out", "report.html"), sampleInput(), { version: "0.1.0" })
    expect(written).toBe(join(dir, "out", "report.html"))
    expect(await readFile(written, "utf8")).toBe(renderHtmlReport(sampleInput(), { version: "0.1.0" }))
    expect(await readdir(join(dir, "out"))).toEqual(["report.html"])
  })

  it("fails with a ReportWriteError naming the path, leaving nothing behind", async () => {
    const dir = await tempDir()
    await writeFile(join(dir, "file"), "not a directory")
    const target = join(dir, "file", "report.html")
    const error = await writeHtmlReport(target, sampleInput()).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ReportWriteError)
    expect((error as ReportWriteError).path).toBe(target)
    expect((error as ReportWriteError).message).toContain(`Could not write the report ${target}`)
    expect(await readdir(dir)).toEqual(["file"])
  })
})

describe("the version shown", () => {
  it("is the running paperfloor's, from its package.json, unless one is given", async () => {
    const { version } = JSON.parse(await readFile(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }
    expect(renderHtmlReport(sampleInput())).toContain(`<td>${escapeHtml(version)}</td>`)
    expect(renderHtmlReport(sampleInput(), { version: "9.9.9-test" })).toContain("9.9.9-test")
  })
})
