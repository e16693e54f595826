import { describe, expect, it } from "vitest"
import { buyAndHold, buyAndHoldKind } from "../../../src/deploy/index.ts"
import { barsFromCloses, decodeParamsNow, paramIssues, resumeThroughJson, runInstance, stepModel, syntheticConfig, updatesOf } from "../helpers.ts"

const params = (input: unknown) => decodeParamsNow(buyAndHoldKind, input)
const issues = (input: unknown) => paramIssues(buyAndHoldKind, input)
const closes = [10, 11, 12, 11, 13]

describe("buy-and-hold", () => {
  it("buys `quantity` of each symbol once, on its first quote, and then holds", () => {
    const { outputs, state } = stepModel(buyAndHold(params({ quantity: 25 })), closes)
    expect(outputs.map((o) => o.orders?.map((order) => [order.side, order.quantity]))).toEqual([[["buy", 25]], undefined, undefined, undefined, undefined])
    expect(state).toEqual({ bought: ["AAA"] })

    // BBB is first quoted on the third update.
    const updates = barsFromCloses(closes).map(({ time, ...bar }, i) => ({ time, bars: (i < 2 ? { AAA: bar } : { AAA: bar, BBB: bar }) as Record<string, typeof bar> }))
    const instance = runInstance(buyAndHold(params({})), updates, syntheticConfig(["AAA", "BBB"]))
    expect(instance.engine.getFills().map((f) => [f.updateIndex, f.symbol, f.side, f.quantity])).toEqual([
      [2, "AAA", "buy", "100"],
      [4, "BBB", "buy", "100"]
    ])
  })

  it("sets target weights once", () => {
    const { outputs } = stepModel(buyAndHold(params({ weights: { AAA: 0.5, ZZZ: 0.25 } })), closes)
    expect(outputs.map((o) => o.targetWeights)).toEqual([{ AAA: 0.5 }, undefined, undefined, undefined, undefined])
    const instance = runInstance(buyAndHold(params({ weights: { AAA: 0.5 } })), updatesOf("AAA", barsFromCloses(closes)), syntheticConfig(["AAA"]))
    // Half of 100000 at the close of 10: 5000 shares, bought at the next open.
    expect(instance.engine.getFills().map((f) => [f.side, f.quantity, f.price])).toEqual([["buy", "5000", "10"]])
    expect(instance.engine.positionOf("AAA").toString()).toBe("5000")
  })

  it("keeps a plain-JSON state: resumed from JSON, it continues identically", () => {
    const { whole, first, revived, rest } = resumeThroughJson(buyAndHold(params({})), closes, 2)
    expect(revived).toEqual(first.state)
    expect(rest.state).toEqual(whole.state)
    expect(rest.outputs).toEqual(whole.outputs.slice(2))
  })

  it("validates its params, naming the field and the rule", () => {
    expect(params({})).toEqual({})
    expect(issues({ weights: { AAA: 0.7, BBB: 0.6 } })).toEqual([{ field: "params.weights", rule: "must add up to at most 1 (they add up to 1.2999999999999998)", value: { AAA: 0.7, BBB: 0.6 } }])
    expect(issues({ weights: { AAA: 0 } })).toEqual([{ field: "params.weights.AAA", rule: "must be a number above 0 and at most 1", value: 0 }])
    expect(issues({ weights: {} })).toEqual([{ field: "params.weights", rule: "must name at least one symbol", value: {} }])
    expect(issues({ weights: { AAA: 0.5 }, quantity: 3 })).toEqual([{ field: "params.quantity", rule: "cannot be given together with weights", value: 3 }])
    expect(issues({ quantity: 0 })).toEqual([{ field: "params.quantity", rule: "must be a finite number greater than 0", value: 0 }])
  })
})
