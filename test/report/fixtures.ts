/** Report inputs for the report tests: a small hand-made run, and a long synthetic curve. */
import { defaultSimulationConfig } from "../../src/domain/simulation-config.ts"
import type { TradeId } from "../../src/domain/ids.ts"
import type { Trade } from "../../src/domain/trade.ts"
import type { EquityPoint } from "../../src/engine/equity-curve.ts"
import { computePerformanceMetrics } from "../../src/engine/metrics.ts"
import type { ChartSpec } from "../../src/report/chart-spec.ts"
import type { ReportInput } from "../../src/report/report-input.ts"

const DAY = 86_400_000
export const START = Date.UTC(2024, 0, 2)

export const trade = (over: Partial<Trade> & Pick<Trade, "symbol" | "netPnl">): Trade => ({
  id: `t-${over.symbol}-${over.netPnl}` as TradeId,
  direction: "long",
  open: false,
  entryTime: START,
  exitTime: START + DAY,
  quantity: "100",
  entryPrice: "10",
  exitPrice: "11",
  grossPnl: over.netPnl,
  commission: "0",
  ...over
})

/** A curve from equity values, one a day; long value = equity × `long`, no shorts. */
export const curveOf = (equities: ReadonlyArray<number>, long = 0.5): ReadonlyArray<EquityPoint> =>
  equities.map((equity, i) => ({ time: START + i * DAY, equity, longValue: equity * long, shortValue: 0 }))

/** A run with its metrics computed from its curve and trades, as the engine would. */
export const sampleInput = (over: Partial<ReportInput> = {}): ReportInput => {
  const equityCurve = over.equityCurve ?? curveOf([100_000, 101_000, 99_500, 102_000, 103_250.5])
  const trades = over.trades ?? [
    trade({ symbol: "AAPL", netPnl: "1200.5", grossPnl: "1210.5", commission: "10" }),
    trade({ symbol: "AAPL", netPnl: "-300.25", grossPnl: "-290.25", commission: "10" }),
    trade({ symbol: "MSFT", netPnl: "150", open: true, exitTime: null, exitPrice: null })
  ]
  const config = over.config ?? { ...defaultSimulationConfig, symbols: ["AAPL", "MSFT", "GOOGL"], updateFrequency: "1d" as const }
  const finalEquity = String(equityCurve.at(-1)?.equity ?? config.initialCapital)
  return {
    deploymentId: "paper-sample-1",
    modelId: "sample",
    modelVersion: "v1.0",
    model: { kind: "moving-average-crossover", params: { fast: 10, slow: 30, quantity: 100 } },
    config,
    state: "stopped",
    updates: equityCurve.length,
    firstUpdateTime: equityCurve[0]?.time ?? null,
    lastUpdateTime: equityCurve.at(-1)?.time ?? null,
    metrics: computePerformanceMetrics({
      initialCapital: config.initialCapital,
      finalEquity,
      totalCommission: "20",
      equityCurve: equityCurve.map((p) => p.equity),
      times: equityCurve.map((p) => p.time),
      longValue: equityCurve.map((p) => p.longValue),
      shortValue: equityCurve.map((p) => p.shortValue),
      trades,
      periodsPerYear: 252,
      riskFreeRate: 0
    }),
    portfolio: {
      portfolioValue: finalEquity,
      cash: "50000",
      positions: [{ symbol: "MSFT", quantity: "100", averageCost: "400", marketPrice: "415.5", marketValue: "41550", unrealizedPnl: "1550" }]
    },
    fills: 5,
    orders: { total: 6, filled: 5, rejected: 1, cancelled: 0, expired: 0 },
    trades,
    equityCurve,
    ...over
  }
}

/**
 * A long deterministic random walk (one point a minute), with one deep trough at `troughAt` so a
 * test can see it survive downsampling.
 */
export const longCurve = (n: number, troughAt = Math.floor(n * 0.637)): ReadonlyArray<EquityPoint> => {
  const out = new Array<EquityPoint>(n)
  let equity = 100_000
  let seed = 12345
  for (let i = 0; i < n; i++) {
    // mulberry32: a small deterministic generator, uniform in [0, 1).
    seed = (seed + 0x6d2b79f5) | 0
    let r = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r
    const u = ((r ^ (r >>> 14)) >>> 0) / 4294967296
    equity *= 1 + (u - 0.5) * 0.002
    const e = i === troughAt ? equity * 0.5 : equity
    out[i] = { time: START + i * 60_000, equity: e, longValue: e * 0.8, shortValue: e * 0.1 }
  }
  return out
}

/** The chart specs a page embeds, as its script reads them. */
export const embeddedCharts = (html: string): ReadonlyArray<ChartSpec> => {
  const match = /<script type="application\/json" id="paperfloor-data">([^<]*)<\/script>/.exec(html)
  if (match === null) throw new Error("no embedded chart data")
  return (JSON.parse(match[1]!) as { charts: ReadonlyArray<ChartSpec> }).charts
}

/** The rows of the table with `id`, each as its cells' text (tags stripped, entities left as they are). */
export const tableRows = (html: string, id: string): ReadonlyArray<ReadonlyArray<string>> => {
  const start = html.indexOf(`<table id="${id}">`)
  if (start === -1) throw new Error(`no table ${id}`)
  const body = html.slice(html.indexOf("<tbody>", start), html.indexOf("</tbody>", start))
  return [...body.matchAll(/<tr>(.*?)<\/tr>/g)].map((row) => [...row[1]!.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((c) => c[1]!))
}
