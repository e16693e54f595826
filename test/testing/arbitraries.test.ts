import { fc, test } from "@fast-check/vitest"
import { describe, expect, it } from "vitest"
import { TradingSimulationEngine } from "../../src/index.ts"
import { changeFuture, futureChangeArb, marketArb, ohlcvBarArb, orderRequestArb, orderStreamArb, pricePathArb, simulationConfigArb, tickStreamArb } from "../../src/testing/index.ts"

type Bar = { readonly open: number; readonly high: number; readonly low: number; readonly close: number; readonly volume: number }

const wellFormed = (b: Bar): boolean =>
  [b.open, b.high, b.low, b.close].every((p) => Number.isFinite(p) && p > 0) &&
  b.high >= Math.max(b.open, b.close) &&
  b.low <= Math.min(b.open, b.close) &&
  Number.isFinite(b.volume) &&
  b.volume >= 0

const barsOf = (market: ReadonlyArray<unknown>): Bar[] =>
  market.flatMap((u) => Object.values((u as { bars?: Record<string, Bar> }).bars ?? {}))

describe("the arbitraries produce inputs the engine accepts", () => {
  test.prop([simulationConfigArb({ symbols: ["AAA", "BBB"] }), marketArb({ symbols: ["AAA", "BBB"], shape: "mixed" })], { numRuns: 60 })(
    "configs and markets: every update is accepted, in time order, each bar well formed",
    (config, market) => {
      const engine = new TradingSimulationEngine(config)
      for (const update of market) engine.processMarketUpdate(update)
      expect(engine.updateCount).toBe(market.length)
      expect(barsOf(market).every(wellFormed)).toBe(true)
    }
  )

  test.prop([marketArb({ symbols: ["AAA", "BBB"], shape: "mixed" }), fc.nat(), futureChangeArb], { numRuns: 60 })(
    "a changed future (the look-ahead check's) keeps the past as it was and every update valid",
    (market, at, change) => {
      const keep = at % market.length
      const changed = changeFuture(market, keep, change)
      expect(changed.slice(0, keep)).toEqual(market.slice(0, keep))
      const engine = new TradingSimulationEngine({ symbols: ["AAA", "BBB"] })
      for (const update of changed) engine.processMarketUpdate(update)
      expect(barsOf(changed).every(wellFormed)).toBe(true)
      // The bare form too: { AAA: price, time }.
      const bare = changeFuture([{ time: 1, AAA: 10 }, { time: 2, AAA: 12 }], 1, { kind: "mirror" })
      expect(bare[1]).toEqual({ time: 2, AAA: 8.3333 })
    }
  )

  test.prop([ohlcvBarArb()])("OHLCV bars: high ≥ max(open, close), low ≤ min(open, close), positive and finite", (bar) => {
    expect(wellFormed(bar)).toBe(true)
    new TradingSimulationEngine({ symbols: ["AAA"] }).processMarketUpdate({ bars: { AAA: bar } })
  })

  test.prop([tickStreamArb({ symbols: ["AAA"] })], { numRuns: 50 })("tick streams carry prices only, and are accepted", (ticks) => {
    const engine = new TradingSimulationEngine({ symbols: ["AAA"] })
    for (const tick of ticks) {
      expect(Object.keys(tick).sort()).toEqual(["prices", "time"])
      engine.processMarketUpdate(tick)
    }
  })

  test.prop([pricePathArb()])("price paths: positive, finite, at most 4 decimals", (path) => {
    expect(path.length).toBeGreaterThan(0)
    for (const p of path) {
      expect(p).toBeGreaterThan(0)
      expect(Math.round(p * 10_000) / 10_000).toBe(p)
    }
  })

  test.prop([fc.array(orderRequestArb({ symbols: ["AAA", "BBB"], price: 50 }), { maxLength: 20 })])(
    "order requests: every type and time in force, all accepted at submission",
    (requests) => {
      const engine = new TradingSimulationEngine({ symbols: ["AAA", "BBB"] })
      for (const request of requests) engine.submitOrder(request)
      expect(engine.getOrders()).toHaveLength(requests.length)
    }
  )

  it("order requests cover market, limit, stop, stop-limit and trailing stop orders, and every time in force", () => {
    const sample = fc.sample(orderRequestArb(), { seed: 3, numRuns: 300 })
    expect(new Set(sample.map((r) => r.type))).toEqual(new Set(["market", "limit", "stop", "stopLimit", "trailingStop"]))
    expect(new Set(sample.map((r) => r.timeInForce))).toEqual(new Set(["day", "gtc", "ioc", "fok", "gtd", "opg", "cls", undefined]))
    expect(sample.every((r) => (r.timeInForce === "gtd") === (r.expireAt !== undefined))).toBe(true)
  })

  it("order streams submit orders and order lists, cancel and replace", () => {
    const kinds = new Set(fc.sample(orderStreamArb(), { seed: 3, numRuns: 50 }).flat().map((c) => c.kind))
    expect(kinds).toEqual(new Set(["submit", "submitList", "cancel", "replace"]))
  })

  it("markets reach trends, flat stretches, gaps and crashes", () => {
    const markets = fc.sample(marketArb({ symbols: ["AAA"] }), { seed: 11, numRuns: 200 })
    let flat = 0
    let gaps = 0
    let crashes = 0
    for (const market of markets) {
      const bars = barsOf(market)
      bars.forEach((b, i) => {
        const previous = bars[i - 1]
        if (previous === undefined) return
        if (b.close === previous.close && b.high === b.low) flat += 1
        if (Math.abs(b.open / previous.close - 1) >= 0.05) gaps += 1
        if (b.close / previous.close <= 0.97) crashes += 1
      })
    }
    expect(flat).toBeGreaterThan(20)
    expect(gaps).toBeGreaterThan(10)
    expect(crashes).toBeGreaterThan(20)
  })
})
