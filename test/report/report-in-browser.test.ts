// The reports in headless Chromium: the real ORCL run through paper trading, a million-point
// curve, hostile model ids, and a comparison. Every chart must draw its data with no network, no
// console error and no page error. Needs /usr/bin/chromium: `node scripts/ensure-chromium.ts`.
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import type { Browser } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { loadOhlcvCsv } from "../../src/data/ohlcv-csv.ts"
import { LocalArtifactStore } from "../../src/deploy/artifact-store.ts"
import { DeploymentManager } from "../../src/deploy/deployment-manager.ts"
import { ModelRegistry } from "../../src/deploy/model-registry.ts"
import { type ArchivedResults, PaperTradingDeployer } from "../../src/deploy/paper-trading-deployer.ts"
import { writeComparisonReport } from "../../src/report/comparison-report.ts"
import { renderHtmlReport, writeHtmlReport } from "../../src/report/html-report.ts"
import { metricDefinitions } from "../../src/report/metric-definitions.ts"
import { type DrawnChart, drawnCharts, launchChromium, openReport } from "./browser.ts"
import { curveOf, embeddedCharts, longCurve, sampleInput, trade } from "./fixtures.ts"

const artifacts = fileURLToPath(new URL("../../test-artifacts/", import.meta.url))

let launched: Promise<Browser> | undefined
/** Chromium, launched by the first test that needs it: each test fails (none is skipped) when it is missing. */
const browser = () => (launched ??= launchChromium())
let dir: string
let orcl: ArchivedResults

/** The built-in 10/30 crossover on the bundled ORCL daily bars, deployed into paper trading. */
const runOrcl = async (root: string): Promise<ArchivedResults> => {
  const bars = await loadOhlcvCsv(fileURLToPath(new URL("../../examples/data/orcl-1995-2014.txt", import.meta.url)))
  const store = new LocalArtifactStore({ storageRoot: root })
  const registry = new ModelRegistry({ artifactStore: store })
  const deployments = new DeploymentManager({ modelRegistry: registry, artifactStore: store })
  const paper = new PaperTradingDeployer({ deploymentManager: deployments, modelRegistry: registry, artifactStore: store, supervisor: { logLevel: "None" } })
  try {
    await registry.registerModel({ modelId: "ma-crossover", version: "v1.0", kind: "moving-average-crossover", params: { fast: 10, slow: 30, quantity: 100 } })
    const id = await paper.deployToPaperTrading({ modelId: "ma-crossover", modelVersion: "v1.0", simulationConfig: { symbols: ["ORCL"], updateFrequency: "1d" } })
    await paper.startSimulation(id)
    const updates = bars.map(({ time, open, high, low, close, volume }) => ({ time, bars: { ORCL: { open, high, low, close, volume } } }))
    for (let i = 0; i < updates.length; i += 500) await paper.processMarketUpdates(id, updates.slice(i, i + 500))
    return await paper.stopSimulation(id)
  } finally {
    await paper.close()
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "paperfloor-report-browser-"))
  await mkdir(artifacts, { recursive: true })
  orcl = await runOrcl(join(dir, "store"))
}, 180_000)

afterAll(async () => {
  await launched?.then((b) => b.close(), () => undefined)
  await rm(dir, { recursive: true, force: true })
})

/**
 * Every chart has a canvas of some size, holds exactly the points embedded for it, and drew lines
 * in its series' colours: each series' when `everySeries` (series that coincide, like gross and
 * net exposure of a long-only run, hide one another), else at least one.
 */
const expectAllDrawn = (charts: ReadonlyArray<DrawnChart>, ids: ReadonlyArray<string>, everySeries = false) => {
  expect(charts.map((c) => c.id)).toEqual(ids)
  for (const chart of charts) {
    expect(chart.canvas, chart.id).not.toBeNull()
    expect(chart.canvas!.width, chart.id).toBeGreaterThan(0)
    expect(chart.canvas!.height, chart.id).toBeGreaterThan(0)
    expect(chart.embeddedPoints, chart.id).toBeGreaterThan(0)
    expect(chart.points, chart.id).toBe(chart.embeddedPoints)
    expect(chart.series, chart.id).toBe(chart.embeddedSeries)
    expect(chart.draws, chart.id).toBeGreaterThan(0)
    expect(Math.max(...chart.seriesPixels), chart.id).toBeGreaterThan(20)
    if (everySeries) for (const pixels of chart.seriesPixels) expect(pixels, chart.id).toBeGreaterThan(20)
  }
}

const RUN_CHARTS = ["chart-equity", "chart-drawdown", "chart-exposure"]
/** With the rolling Sharpe and rolling drawdown: a run longer than the rolling window (63 updates). */
const ALL_RUN_CHARTS = [...RUN_CHARTS, "chart-rolling-sharpe", "chart-rolling-drawdown"]

describe("the HTML report in Chromium", () => {
  it("of the real ORCL run: every chart draws its data, offline, without errors; a screenshot is kept", async () => {
    expect(orcl.metrics.periods).toBe(5036)
    expect(orcl.metrics.totalTrades).toBeGreaterThan(50)
    const file = await writeHtmlReport(join(dir, "orcl.html"), orcl, { version: "0.1.0" })
    const embedded = embeddedCharts(await readFile(file, "utf8"))
    const drawdown = embedded[1]!.series[0]!.values as number[]
    expect(Math.min(...drawdown)).toBeCloseTo(-orcl.metrics.maxDrawdown! * 100, 9)

    const { context, page, problems } = await openReport(await browser(), file)
    try {
      expectAllDrawn(await drawnCharts(page), ALL_RUN_CHARTS)
      expect(await page.title()).toBe("paperfloor report: ma-crossover v1.0")
      expect(await page.locator("#symbols-table tbody tr").count()).toBe(1)
      expect(await page.locator("#trades-table tbody tr").count()).toBe(orcl.trades.length)
      expect(await page.locator("#metrics-table tbody tr").count()).toBe(metricDefinitions.length)
      await page.screenshot({ path: join(artifacts, "report-orcl.png"), fullPage: true })
      expect(problems).toEqual([])
    } finally {
      await context.close()
    }
  })

  it("resizes its charts with the window", async () => {
    const file = await writeHtmlReport(join(dir, "orcl-resize.html"), orcl)
    const { context, page, problems } = await openReport(await browser(), file, { width: 1280, height: 900 })
    try {
      const wide = (await drawnCharts(page))[0]!.canvas!.cssWidth
      expect(wide).toBeGreaterThan(900)
      await page.setViewportSize({ width: 640, height: 900 })
      await page.waitForFunction("document.querySelector('#chart-equity canvas').getBoundingClientRect().width <= 640")
      const narrow = await drawnCharts(page)
      expect(narrow[0]!.canvas!.cssWidth).toBeLessThan(wide)
      expectAllDrawn(narrow, ALL_RUN_CHARTS)
      expect(problems).toEqual([])
    } finally {
      await context.close()
    }
  })

  it("of a 1,000,000-point equity curve: gets ready with at most maxPoints per series", async () => {
    const input = sampleInput({ equityCurve: longCurve(1_000_000) })
    const file = await writeHtmlReport(join(dir, "million.html"), input)
    const embedded = embeddedCharts(await readFile(file, "utf8"))
    for (const chart of embedded) {
      expect(chart.totalPoints).toBe(1_000_000)
      expect(chart.x.length).toBeLessThanOrEqual(2_000)
      for (const s of chart.series) expect(s.values.length).toBe(chart.x.length)
    }
    const { context, page, problems } = await openReport(await browser(), file)
    try {
      expectAllDrawn(await drawnCharts(page), ALL_RUN_CHARTS)
      expect(problems).toEqual([])
    } finally {
      await context.close()
    }
  })

  it("runs no script from a hostile model id, params or symbol, and shows them as text", async () => {
    const attack = "</script><script>alert(1)</script>"
    const input = sampleInput({
      modelId: attack,
      modelVersion: '"><img src=x onerror=alert(2)>',
      model: { kind: "<svg onload=alert(3)>", params: { [attack]: "<!--<script>alert(4)</script>" } },
      trades: [trade({ symbol: "<b onmouseover=alert(5)>X</b>", netPnl: "1" })]
    })
    const file = await writeHtmlReport(join(dir, "hostile.html"), input, { title: attack })
    const { context, page, problems } = await openReport(await browser(), file)
    try {
      expect(await page.title()).toBe(attack)
      expect(await page.locator("h1").textContent()).toBe(attack)
      expect(await page.locator("#versions-table td").nth(1).textContent()).toBe(attack)
      expect(await page.locator("img, svg:not(.uplot svg), b").count()).toBe(0)
      expect(await page.locator("script").count()).toBe(3)
      expectAllDrawn(await drawnCharts(page), RUN_CHARTS)
      expect(problems).toEqual([])
    } finally {
      await context.close()
    }
  })
  it("runs only its own scripts: one slipped into the markup is refused by the page's policy", async () => {
    const html = renderHtmlReport(sampleInput()).replace("<main>", "<main><script>document.title = 'injected'</script>")
    const file = join(dir, "injected.html")
    await writeFile(file, html)
    const { context, page, problems } = await openReport(await browser(), file)
    try {
      expect(await page.title()).toBe("paperfloor report: sample v1.0")
      expectAllDrawn(await drawnCharts(page), RUN_CHARTS)
      expect(problems).toHaveLength(1)
      expect(problems[0]).toMatch(/^console error: .*Content Security Policy/)
    } finally {
      await context.close()
    }
  })

  it("of an empty run and of a one-update run: gets ready without errors", async () => {
    const empty = sampleInput({ equityCurve: [], trades: [], updates: 0, firstUpdateTime: null, lastUpdateTime: null })
    const one = sampleInput({ equityCurve: curveOf([100_000]) })
    for (const [name, input, points] of [["empty", empty, []], ["one", one, [1, 1, 1]]] as const) {
      const { context, page, problems } = await openReport(await browser(), await writeHtmlReport(join(dir, `${name}.html`), input))
      try {
        const charts = await drawnCharts(page)
        expect(charts.map((c) => [c.points, c.embeddedPoints, c.canvas !== null])).toEqual(points.map((n) => [n, n, true]))
        expect(problems).toEqual([])
      } finally {
        await context.close()
      }
    }
  })
})

describe("the comparison report in Chromium", () => {
  it("overlays two runs as growth of 1, and as equity when the box is unchecked", async () => {
    const other: ArchivedResults = {
      ...orcl,
      deploymentId: "paper-ma-crossover-2",
      modelVersion: "v2.0",
      config: { ...orcl.config, initialCapital: "50000" },
      equityCurve: orcl.equityCurve.map((p) => ({ ...p, equity: 50_000 + (p.equity - 100_000) * 4 }))
    }
    const file = await writeComparisonReport(join(dir, "compare.html"), [orcl, other], { version: "0.1.0" })
    const { context, page, problems } = await openReport(await browser(), file)
    try {
      expectAllDrawn(await drawnCharts(page), ["chart-comparison"], true)
      expect(await page.locator(".u-legend").textContent()).toContain("#2 ma-crossover v2.0 (growth of 1)")
      await page.locator('input[data-toggle="chart-comparison"]').uncheck()
      await page.waitForFunction("window.__paperfloorCharts[0].draws >= 2")
      expect(await page.locator(".u-legend").textContent()).toContain("#2 ma-crossover v2.0 (equity)")
      expectAllDrawn(await drawnCharts(page), ["chart-comparison"], true)
      expect(await page.locator("#metrics-table thead th").count()).toBe(4)
      expect(problems).toEqual([])
    } finally {
      await context.close()
    }
  })
})
