import { describe, expect, it } from "vitest"
import { MovingAverageCrossover } from "../../examples/strategies/moving-average-crossover.ts"
import { loadOhlcvCsv } from "../../src/data/ohlcv-csv.ts"
import { Decimal, TradingSimulationEngine } from "../../src/index.ts"
import { checkPortfolioInvariants, type InvariantName } from "../../src/testing/index.ts"
import { tamper } from "./tamper.ts"

const bars = await loadOhlcvCsv(new URL("../../examples/data/orcl-1995-2014.txt", import.meta.url).pathname)

/** A round trip and an open position: buy 5, sell 2 at 10, with commissions. */
const traded = (config = {}) => {
  const engine = new TradingSimulationEngine({ symbols: ["ORCL"], commissionRate: 0.001, minimumCommission: 0, slippageRate: 0, ...config })
  engine.processMarketUpdate({ ORCL: 10 })
  engine.submitOrder({ symbol: "ORCL", side: "buy", type: "market", quantity: 5 })
  engine.processMarketUpdate({ ORCL: 10 })
  engine.submitOrder({ symbol: "ORCL", side: "sell", type: "market", quantity: 2 })
  engine.processMarketUpdate({ ORCL: 11 })
  engine.submitOrder({ symbol: "ORCL", side: "buy", type: "limit", limitPrice: 1, quantity: 1 })
  return engine
}

const names = (engine: TradingSimulationEngine): InvariantName[] => [...new Set(checkPortfolioInvariants(engine).map((v) => v.invariant))].sort()

describe("checkPortfolioInvariants", () => {
  it("holds after every update of a real run", () => {
    const engine = new TradingSimulationEngine({ symbols: ["ORCL"], updateFrequency: "1d", minimumCommission: 1 })
    const strategy = new MovingAverageCrossover("ORCL")
    for (const bar of bars.slice(0, 1500)) {
      engine.processMarketUpdate({ time: bar.time, bars: { ORCL: bar } })
      strategy.onClose(engine, bar.close)
      expect(checkPortfolioInvariants(engine)).toEqual([])
    }
    expect(engine.getFills().length).toBeGreaterThan(10)
  })

  it("holds on the fixture, so each case below fails for its tampering alone", () => {
    expect(checkPortfolioInvariants(traded())).toEqual([])
  })

  // Each case corrupts one figure of the books, as a buggy engine would show it, and names what must catch it.
  const cases: ReadonlyArray<[string, (e: TradingSimulationEngine) => Partial<Record<keyof TradingSimulationEngine, unknown>>, InvariantName[]]> = [
    ["total value off by 1", (e) => ({ getPortfolio: () => ({ ...e.getPortfolio(), totalValue: e.getPortfolio().totalValue.plus(1) }) }), ["equity"]],
    [
      "a position's market value off",
      (e) => ({ getPortfolio: () => ({ ...e.getPortfolio(), positions: e.getPortfolio().positions.map((p) => ({ ...p, marketValue: p.marketValue.plus(1) })) }) }),
      ["marketValue"]
    ],
    ["cash off by 1, and total value with it", (e) => ({ getPortfolio: () => ({ ...e.getPortfolio(), cash: e.getPortfolio().cash.minus(1), totalValue: e.getPortfolio().totalValue.minus(1) }) }), ["cash"]],
    ["a fill's commission dropped", (e) => ({ getFills: () => e.getFills().map((f, i) => (i === 0 ? { ...f, commission: "0" } : f)) }), ["cash", "commission", "fillSums"]],
    ["an order filled past its quantity", (e) => ({ getOrders: () => e.getOrders().map((o, i) => (i === 0 ? { ...o, filledQuantity: "6" } : o)) }), ["fillSums", "filledQuantity", "filledStatus"]],
    ["an order filled in part but marked filled", (e) => ({ getOrders: () => e.getOrders().map((o, i) => (i === 0 ? { ...o, quantity: "7" } : o)) }), ["filledStatus"]],
    ["a final order among the open ones", (e) => ({ getOpenOrders: () => [...e.getOpenOrders(), e.getOrders()[0]!] }), ["openOrders"]],
    ["a working order missing from the open ones", (e) => ({ getOpenOrders: () => [] }), ["openOrders"]],
    [
      "a short and negative cash with shorting disabled",
      (e) => ({
        getPortfolio: () => {
          const p = e.getPortfolio()
          const positions = p.positions.map((x) => ({ ...x, quantity: x.quantity.negated(), marketValue: x.marketValue.negated() }))
          const cash = new Decimal(-1)
          return { ...p, cash, positions, totalValue: positions.reduce((s, x) => s.plus(x.marketValue), cash) }
        }
      }),
      ["cash", "fillSums", "noNegativeCash", "noShort"]
    ],
    ["a metric that is NaN", (e) => ({ getPerformanceMetrics: () => ({ ...e.getPerformanceMetrics(), sharpeRatio: Number.NaN }) }), ["metricsFinite"]],
    ["an equity curve point at Infinity", (e) => ({ getEquityCurve: () => [...e.getEquityCurve(), { time: null, equity: Number.POSITIVE_INFINITY }] }), ["metricsFinite"]],
    ["a trade's gross P&L off", (e) => ({ getTrades: () => e.getTrades().map((t, i) => (i === 0 ? { ...t, grossPnl: new Decimal(t.grossPnl).plus(1).toString() } : t)) }), ["tradesPnl"]],
    [
      "an open trade in a symbol not held",
      (e) => ({ getPortfolio: () => ({ ...e.getPortfolio(), positions: [] }), getTrades: () => e.getTrades() }),
      ["equity", "fillSums", "tradesPnl"]
    ],
    ["a position the fills do not add up to", (e) => ({ positionOf: () => new Decimal(42) }), ["fillSums"]]
  ]

  it("checks only the invariants asked for", () => {
    const engine = traded()
    const view = tamper(engine, { getFills: () => engine.getFills().map((f) => ({ ...f, commission: "0" })) }).view
    expect(checkPortfolioInvariants(view, new Set(["commission", "equity"])).map((v) => v.invariant)).toEqual(["commission"])
  })

  for (const [what, override, expected] of cases)
    it(`catches ${what}: ${expected.join(", ")}`, () => {
      const engine = traded()
      expect(names(tamper(engine, override(engine)).view)).toEqual(expected)
    })
})
