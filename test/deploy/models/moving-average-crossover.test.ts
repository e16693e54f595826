import { describe, expect, it } from "vitest"
import { MovingAverageCrossover } from "../../../examples/strategies/moving-average-crossover.ts"
import { loadOhlcvCsv } from "../../../src/data/ohlcv-csv.ts"
import { ValidationError } from "../../../src/domain/errors.ts"
import { buildModel, movingAverageCrossover, movingAverageCrossoverKind } from "../../../src/deploy/index.ts"
import { TradingSimulationEngine } from "../../../src/engine/trading-simulation-engine.ts"
import { barsFromCloses, decodeParamsNow, paramIssues, runInstance, stepModel, syntheticConfig, updatesOf } from "../helpers.ts"

const params = (input: unknown) => decodeParamsNow(movingAverageCrossoverKind, input)

describe("moving-average-crossover on the real ORCL bars", async () => {
  const bars = await loadOhlcvCsv(new URL("../../../examples/data/orcl-1995-2014.txt", import.meta.url).pathname)
  const updates = bars.map((bar) => ({ time: bar.time, bars: { ORCL: bar } }))
  const config = { symbols: ["ORCL"], updateFrequency: "1d" } as const

  // The example strategy, driven the way examples/crossover-demo.ts and the e2e test drive it.
  const example = new TradingSimulationEngine(config as never)
  const strategy = new MovingAverageCrossover("ORCL")
  for (const bar of bars) {
    example.processMarketUpdate({ time: bar.time, bars: { ORCL: bar } })
    strategy.onClose(example, bar.close)
  }

  it("makes exactly the example strategy's fills and trades (defaults 10/30, 100 shares)", () => {
    const instance = runInstance(movingAverageCrossover(params({})), updates, config)
    expect(example.getFills().length).toBe(195)
    expect(JSON.stringify(instance.engine.getFills())).toBe(JSON.stringify(example.getFills()))
    expect(JSON.stringify(instance.engine.getTrades())).toBe(JSON.stringify(example.getTrades()))
    expect(instance.engine.getPerformanceMetrics()).toEqual(example.getPerformanceMetrics())
  })

  it("continues identically when the simulation and the model's state go through JSON halfway", () => {
    const instance = runInstance(movingAverageCrossover(params({})), updates, config, { roundTripAt: 2500 })
    expect(JSON.stringify(instance.engine.getFills())).toBe(JSON.stringify(example.getFills()))
  })
})

describe("moving-average-crossover", () => {
  // Falls, rises (the 2-close average crosses above the 4-close one), then falls (and crosses below).
  const wave = [10, 9, 8, 7, 6, 7, 8, 9, 10, 11, 12, 11, 10, 9, 8, 7]

  it("buys after a cross up while flat and sells the position after a cross down", () => {
    const { outputs } = stepModel(movingAverageCrossover(params({ fast: 2, slow: 4, quantity: 7 })), wave, "AAA", (i) => (i >= 7 && i < 13 ? 7 : 0))
    const signals = outputs.flatMap((o, i) => (o.orders ?? []).map((order) => [i, order.side, String(order.quantity)]))
    // Index 6 (close 8): SMA2 7.5 > SMA4 7, the close before 6.5 ≤ 7. Index 12 (close 10): SMA2 10.5 < SMA4 11, before 11.5 ≥ 11.
    expect(signals).toEqual([
      [6, "buy", "7"],
      [12, "sell", "7"]
    ])

    const fills = runInstance(movingAverageCrossover(params({ fast: 2, slow: 4, quantity: 7 })), updatesOf("AAA", barsFromCloses(wave)), syntheticConfig(["AAA"])).engine.getFills()
    expect(fills.map((f) => [f.updateIndex, f.side, f.quantity])).toEqual([
      [8, "buy", "7"],
      [14, "sell", "7"]
    ])
  })

  it("does not buy on a cross up while already long, nor sell while flat", () => {
    const held = stepModel(movingAverageCrossover(params({ fast: 2, slow: 4 })), wave, "AAA", () => 100)
    expect(held.outputs.flatMap((o) => o.orders ?? []).map((o) => o.side)).toEqual(["sell"])
    const flat = stepModel(movingAverageCrossover(params({ fast: 2, slow: 4 })), wave, "AAA", () => 0)
    expect(flat.outputs.flatMap((o) => o.orders ?? []).map((o) => [o.side, o.quantity])).toEqual([["buy", 100]])
  })

  it("trades by target weight when given a weight", () => {
    const { outputs } = stepModel(movingAverageCrossover(params({ fast: 2, slow: 4, weight: 0.25 })), wave, "AAA", (i) => (i >= 7 && i < 13 ? 7 : 0))
    expect(outputs.map((o, i) => [i, o.targetWeights, o.orders]).filter(([, w]) => w !== undefined)).toEqual([
      [6, { AAA: 0.25 }, undefined],
      [12, { AAA: 0 }, undefined]
    ])
    const fills = runInstance(movingAverageCrossover(params({ fast: 2, slow: 4, weight: 0.25 })), updatesOf("AAA", barsFromCloses(wave)), syntheticConfig(["AAA"])).engine.getFills()
    // 25% of 100000 at the close of 8: 3125 shares.
    expect(fills.map((f) => [f.side, f.quantity])).toEqual([
      ["buy", "3125"],
      ["sell", "3125"]
    ])
  })

  it("keeps each symbol's averages apart", () => {
    const model = movingAverageCrossover(params({ fast: 2, slow: 4 }))
    const updates = barsFromCloses(wave).map(({ time, ...bar }, i) => ({
      time,
      bars: (i % 2 === 0
        ? { AAA: bar, BBB: { open: bar.open * 2, high: bar.high * 2, low: bar.low * 2, close: bar.close * 2 } }
        : { AAA: bar }) as Record<string, typeof bar>
    }))
    const instance = runInstance(model, updates, syntheticConfig(["AAA", "BBB"]), { roundTripAt: 7 })
    expect(instance.engine.getFills().map((f) => [f.symbol, f.side])).toEqual([
      ["AAA", "buy"],
      ["BBB", "buy"],
      ["AAA", "sell"]
    ])
    // BBB's cross down comes on its last quote; the sell waits for the next one.
    expect(instance.engine.getOpenOrders().map((o) => [o.symbol, o.side])).toEqual([["BBB", "sell"]])
  })

  it("keeps a plain-JSON state that survives a round trip", () => {
    const model = movingAverageCrossover(params({ fast: 3, slow: 5 }))
    const whole = stepModel(model, wave)
    const half = stepModel(model, wave.slice(0, 8))
    expect(JSON.parse(JSON.stringify(half.state))).toEqual(half.state)
    const resumed = { ...model, initialState: JSON.parse(JSON.stringify(half.state)) }
    const rest = stepModel(resumed, wave.slice(8))
    expect(rest.state).toEqual(whole.state)
    expect(rest.outputs).toEqual(whole.outputs.slice(8))
  })

  it("validates its params, naming the field and the rule", () => {
    expect(params({})).toEqual({ fast: 10, slow: 30 })
    const cases: Array<[unknown, string, string]> = [
      [{ fast: 1.5 }, "params.fast", "must be a whole number from 1 to 10000"],
      [{ slow: -3 }, "params.slow", "must be a whole number from 2 to 10000"],
      [{ fast: 30 }, "params.fast", "must be less than slow (30)"],
      [{ quantity: 0 }, "params.quantity", "must be a finite number greater than 0"],
      [{ weight: 1.5 }, "params.weight", "must be a number above 0 and at most 1"],
      [{ quantity: 5, weight: 0.5 }, "params.weight", "cannot be given together with quantity"],
      [{ fast: "10" }, "params.fast", "must be number"],
      [{ lookback: 3 }, "params.lookback", "is not a known field"]
    ]
    for (const [input, field, rule] of cases) {
      expect(() => params(input), JSON.stringify(input)).toThrow(ValidationError)
      expect(paramIssues(movingAverageCrossoverKind, input)).toEqual([{ field, rule, value: expect.anything() }])
    }
  })

  it("builds its model from valid params and refuses bad ones", async () => {
    await expect(buildModel(movingAverageCrossoverKind, { fast: 0 })).rejects.toThrow("params.fast must be a whole number")
    const model = await buildModel(movingAverageCrossoverKind, { fast: 2, slow: 3 })
    expect(model.initialState).toEqual({ symbols: {} })
  })
})
