import { fc, test } from "@fast-check/vitest"
import { describe, expect, it } from "vitest"
import { defaultSimulationConfig } from "../../src/domain/simulation-config.ts"
import { renderComparisonReport } from "../../src/report/comparison-report.ts"
import { escapeHtml } from "../../src/report/html.ts"
import { metricDefinitions } from "../../src/report/metric-definitions.ts"
import { InvalidReportArgumentError } from "../../src/report/report-errors.ts"
import { curveOf, embeddedCharts, longCurve, sampleInput, START, tableRows } from "./fixtures.ts"

const DAY = 86_400_000
const a = sampleInput()
const b = sampleInput({
  deploymentId: "paper-other-1",
  modelId: "other",
  modelVersion: "v2.0",
  config: { ...a.config, initialCapital: "50000" },
  // Starts a day later than a and ends two days after it.
  equityCurve: curveOf([50_000, 51_000, 52_000, 50_500, 53_000, 54_000]).map((p) => ({ ...p, time: p.time! + DAY }))
})
const c = sampleInput({ deploymentId: "paper-third-1", modelId: "third", modelVersion: "v1.1", trades: [] })

describe("renderComparisonReport", () => {
  it("puts every run's metrics side by side, each with its definition", () => {
    const html = renderComparisonReport([a, b])
    const rows = tableRows(html, "metrics-table")
    expect(rows).toHaveLength(metricDefinitions.length)
    for (const row of rows) expect(row).toHaveLength(4)
    expect(rows.find((r) => r[0] === "Final equity")).toEqual(["Final equity", "103,250.50", "54,000.00", escapeHtml(metricDefinitions[1]!.definition)])
    expect(html).toContain("<th class=\"n\">#1 sample v1.0</th><th class=\"n\">#2 other v2.0</th>")
    expect(html).not.toContain("[object Object]")
    expect(tableRows(html, "runs-table")[0]).toEqual(["deployment", "paper-sample-1", "paper-other-1"])
  })

  it("overlays the equity curves on one x, as growth of 1 with the equity one toggle away", () => {
    const [chart, ...more] = embeddedCharts(renderComparisonReport([a, b]))
    expect(more).toEqual([])
    expect(chart!.xKind).toBe("time")
    expect(chart!.x).toEqual(Array.from({ length: 7 }, (_, i) => START + i * DAY))
    expect(chart!.series.map((s) => s.label)).toEqual(["#1 sample v1.0 (growth of 1)", "#2 other v2.0 (growth of 1)"])
    expect(chart!.series[0]!.values).toEqual([1, 1.01, 0.995, 1.02, 1.032505, null, null])
    expect(chart!.series[1]!.values).toEqual([null, 1, 1.02, 1.04, 1.01, 1.06, 1.08])
    expect(chart!.alternate!.toggle).toBe("growth of 1")
    expect(chart!.alternate!.series[1]!.values).toEqual([null, 50_000, 51_000, 52_000, 50_500, 53_000, 54_000])
    expect(chart!.alternate!.series[0]!.label).toBe("#1 sample v1.0 (equity)")
  })

  it("highlights the settings that differ between runs", () => {
    const rows = tableRows(renderComparisonReport([a, b, c]), "config-table")
    expect(rows).toHaveLength(Object.keys(defaultSimulationConfig).length)
    expect(rows.find((r) => r[0] === "initialCapital")).toEqual(["initialCapital", "100000", "50000", "100000"])
    const html = renderComparisonReport([a, b, c])
    expect(html).toContain('<td class="diff">50000</td>')
    expect(html).toContain("<td>1d</td><td>1d</td><td>1d</td>")
  })

  it("compares three runs, their params shown", () => {
    const html = renderComparisonReport([a, b, c], { version: "0.1.0" })
    expect(tableRows(html, "metrics-table")[0]).toHaveLength(5)
    expect(html).toContain("#3 third v1.1: moving-average-crossover")
    expect(html).toContain("3 runs · paperfloor 0.1.0")
    expect(embeddedCharts(html)[0]!.series).toHaveLength(3)
  })

  it("keeps the shared x within maxPoints for long runs", () => {
    const long = sampleInput({ equityCurve: longCurve(30_000) })
    const [chart] = embeddedCharts(renderComparisonReport([long, a, long], { maxPoints: 600 }))
    expect(chart!.x.length).toBeLessThanOrEqual(600)
    for (const s of chart!.series) expect(s.values).toHaveLength(chart!.x.length)
    expect(chart!.totalPoints).toBe(60_005)
  })

  it("uses the update number as x when a run has updates without a time", () => {
    const untimed = sampleInput({ equityCurve: curveOf([100_000, 90_000]).map((p) => ({ ...p, time: null })) })
    const [chart] = embeddedCharts(renderComparisonReport([a, untimed]))
    expect(chart!.xKind).toBe("index")
    expect(chart!.x).toEqual([1, 2, 3, 4, 5])
    expect(chart!.series[1]!.values).toEqual([1, 0.9, null, null, null])
  })

  it("needs at least one run, and draws no chart for runs without updates", () => {
    expect(() => renderComparisonReport([])).toThrow(InvalidReportArgumentError)
    const empty = sampleInput({ equityCurve: [], updates: 0 })
    const html = renderComparisonReport([empty, empty])
    expect(embeddedCharts(html)).toEqual([])
    expect(html).toContain("No market updates yet")
  })

  test.prop([fc.string({ unit: "grapheme" }), fc.constantFrom("</script><script>alert(1)</script>", "<!--<script>", "\u2028</SCRIPT>")])(
    "model ids in the legend's JSON and the tables cannot add markup",
    (text, attack) => {
      const evil = sampleInput({ modelId: `${text}${attack}`, modelVersion: attack, model: { kind: attack, params: { [attack]: attack } } })
      const html = renderComparisonReport([a, evil], { title: attack })
      const start = html.indexOf("var uPlot=function(){")
      const outside = html.slice(0, start) + html.slice(html.indexOf("</script>", start))
      expect(outside.match(/<script/gi)).toHaveLength(3)
      expect(outside.match(/<\/script/gi)).toHaveLength(3)
      expect(outside).not.toContain("<!--")
      expect(embeddedCharts(html)[0]!.series[1]!.label).toBe(`#2 ${text}${attack} ${attack} (growth of 1)`)
    }
  )
})
