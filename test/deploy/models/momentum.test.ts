import { describe, expect, it } from "vitest"
import { momentum, momentumKind } from "../../../src/deploy/index.ts"
import { barsFromCloses, decodeParamsNow, paramIssues, resumeThroughJson, runInstance, stepModel, syntheticConfig, updatesOf } from "../helpers.ts"

const params = (input: unknown) => decodeParamsNow(momentumKind, input)
const issues = (input: unknown) => paramIssues(momentumKind, input)

//                  0   1   2   3   4   5   6   7   8   9  10
const closes = [10, 10, 10, 10, 11, 12, 13, 12, 11, 10, 10]

const targets = (outputs: ReadonlyArray<{ targetWeights?: Readonly<Record<string, number>>; orders?: unknown }>) =>
  outputs.flatMap((o, i) => (o.targetWeights === undefined ? [] : [[i, o.targetWeights] as const]))

describe("momentum", () => {
  it("holds `weight` while the return over `lookback` closes is above the threshold, and 0 otherwise", () => {
    const { outputs } = stepModel(momentum(params({ lookback: 3, weight: 0.2 })), closes)
    // Index 3: 10/10 − 1 = 0, not above 0. Index 4: 11/10 − 1 > 0. Index 8: 11/12 − 1 < 0.
    expect(targets(outputs)).toEqual([
      [3, { AAA: 0 }],
      [4, { AAA: 0.2 }],
      [8, { AAA: 0 }]
    ])
    expect(outputs.every((o) => o.orders === undefined)).toBe(true)

    const higher = stepModel(momentum(params({ lookback: 3, weight: 0.2, threshold: 0.15 })), closes)
    expect(targets(higher.outputs)).toEqual([
      [3, { AAA: 0 }],
      [5, { AAA: 0.2 }],
      [7, { AAA: 0 }]
    ])
  })

  it("trades to the target weights in a simulation", () => {
    const instance = runInstance(momentum(params({ lookback: 3, weight: 0.2 })), updatesOf("AAA", barsFromCloses(closes)), syntheticConfig(["AAA"]))
    // 20% of 100000 at the close of 11 is 1818 whole shares, bought at the next open (11) and sold after index 8.
    expect(instance.engine.getFills().map((f) => [f.updateIndex, f.side, f.quantity, f.price])).toEqual([
      [6, "buy", "1818", "11"],
      [10, "sell", "1818", "11"]
    ])
  })

  it("follows each symbol on its own", () => {
    const model = momentum(params({ lookback: 1 }))
    const quote = (symbol: string, close: number) => ({ symbol, open: close, high: close, low: close, close, source: { open: close, high: close, low: close, close } })
    const view = { positionOf: () => { throw new Error("unused") }, portfolio: () => { throw new Error("unused") }, openOrders: () => [] }
    const a = model.onUpdate(model.initialState, { time: 0, quotes: [quote("A", 10), quote("B", 10)], view: view as never })
    const b = model.onUpdate(a.state, { time: 1, quotes: [quote("A", 11), quote("B", 9)], view: view as never })
    expect(b.targetWeights).toEqual({ A: 0.1, B: 0 })
    const c = model.onUpdate(b.state, { time: 2, quotes: [quote("B", 10)], view: view as never })
    expect(c.targetWeights).toEqual({ B: 0.1 })
  })

  it("keeps a plain-JSON state: resumed from JSON, it continues identically", () => {
    const { whole, first, revived, rest } = resumeThroughJson(momentum(params({ lookback: 3 })), closes, 6)
    expect(revived).toEqual(first.state)
    expect(rest.state).toEqual(whole.state)
    expect(rest.outputs).toEqual(whole.outputs.slice(6))
  })

  it("is deterministic", () => {
    const run = () => runInstance(momentum(params({ lookback: 2 })), updatesOf("AAA", barsFromCloses(closes)), syntheticConfig(["AAA"]))
    expect(JSON.stringify(run().snapshot())).toBe(JSON.stringify(run().snapshot()))
  })

  it("validates its params, naming the field and the rule", () => {
    expect(params({})).toEqual({ lookback: 20, threshold: 0, weight: 0.1 })
    expect(issues({ lookback: 0 })).toEqual([{ field: "params.lookback", rule: "must be a whole number from 1 to 10000", value: 0 }])
    expect(issues({ weight: 0 })).toEqual([{ field: "params.weight", rule: "must be a number above 0 and at most 1", value: 0 }])
    expect(issues({ threshold: "high" })).toEqual([{ field: "params.threshold", rule: "must be number", value: "high" }])
    expect(issues({ threshold: Number.POSITIVE_INFINITY })).toEqual([{ field: "params.threshold", rule: "must be a finite number", value: Number.POSITIVE_INFINITY }])
  })
})
