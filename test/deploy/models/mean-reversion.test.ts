import { describe, expect, it } from "vitest"
import { meanReversion, meanReversionKind, zScore } from "../../../src/deploy/index.ts"
import { Decimal } from "../../../src/domain/decimal.ts"
import { barsFromCloses, decodeParamsNow, paramIssues, resumeThroughJson, runInstance, stepModel, syntheticConfig, updatesOf } from "../helpers.ts"

const params = (input: unknown) => decodeParamsNow(meanReversionKind, input)
const issues = (input: unknown) => paramIssues(meanReversionKind, input)

//                  0   1   2   3   4  5    6    7   8   9
const closes = [10, 10, 10, 10, 10, 8, 8.5, 9.5, 10, 10]
const orders = (outputs: ReadonlyArray<{ orders?: ReadonlyArray<{ side: string; quantity: unknown }> }>) =>
  outputs.flatMap((o, i) => (o.orders ?? []).map((order) => [i, order.side, String(order.quantity)]))

describe("mean-reversion", () => {
  it("computes the z-score over the window with the population standard deviation", () => {
    expect(zScore([10, 10, 10, 10, 8])).toBeCloseTo(-2, 12)
    expect(zScore([10, 10, 10])).toBeNull()
  })

  it("buys below −entryZ when flat and sells above −exitZ when long", () => {
    // Index 5: z = −2 < −1.5, buy. Index 6: z ≈ −0.92, not above −0.5, hold. Index 7: z > 0, sell.
    const { outputs } = stepModel(meanReversion(params({ window: 5, quantity: 10 })), closes, "AAA", (i) => (i === 6 || i === 7 ? 10 : 0))
    expect(orders(outputs)).toEqual([
      [5, "buy", "10"],
      [7, "sell", "10"]
    ])

    const instance = runInstance(meanReversion(params({ window: 5, quantity: 10 })), updatesOf("AAA", barsFromCloses(closes)), syntheticConfig(["AAA"]))
    expect(instance.engine.getFills().map((f) => [f.updateIndex, f.side, f.quantity, f.price])).toEqual([
      [7, "buy", "10", "8"],
      [9, "sell", "10", "9.5"]
    ])
  })

  it("stays out of the market before a full window, and never sells short", () => {
    expect(orders(stepModel(meanReversion(params({ window: 5 })), closes.slice(0, 5)).outputs)).toEqual([])
    const high = [10, 10, 10, 10, 13]
    expect(orders(stepModel(meanReversion(params({ window: 5 })), high, "AAA", () => 0).outputs)).toEqual([])
  })

  it("waits while the symbol has an open order", () => {
    const model = meanReversion(params({ window: 5 }))
    let state = model.initialState
    const quote = (close: number) => ({ symbol: "AAA", open: close, high: close, low: close, close, source: { open: close, high: close, low: close, close } })
    const view = (open: ReadonlyArray<{ symbol: string }>) =>
      ({ positionOf: () => new Decimal(0), portfolio: () => { throw new Error("unused") }, openOrders: () => open }) as never
    for (const close of closes.slice(0, 5)) state = model.onUpdate(state, { time: 0, quotes: [quote(close)], view: view([]) }).state
    expect(model.onUpdate(state, { time: 0, quotes: [quote(8)], view: view([{ symbol: "AAA" }]) }).orders).toBeUndefined()
    expect(model.onUpdate(state, { time: 0, quotes: [quote(8)], view: view([{ symbol: "BBB" }]) }).orders).toHaveLength(1)
  })

  it("keeps a plain-JSON state: resumed from JSON, it continues identically", () => {
    const position = (i: number) => (i === 6 || i === 7 ? 10 : 0)
    const { whole, first, revived, rest } = resumeThroughJson(meanReversion(params({ window: 5 })), closes, 6, position)
    expect(revived).toEqual(first.state)
    expect(rest.state).toEqual(whole.state)
    expect(rest.outputs).toEqual(whole.outputs.slice(6))
    const midRun = runInstance(meanReversion(params({ window: 5 })), updatesOf("AAA", barsFromCloses(closes)), syntheticConfig(["AAA"]), { roundTripAt: 6 })
    const straight = runInstance(meanReversion(params({ window: 5 })), updatesOf("AAA", barsFromCloses(closes)), syntheticConfig(["AAA"]))
    expect(midRun.engine.getFills()).toEqual(straight.engine.getFills())
  })

  it("validates its params, naming the field and the rule", () => {
    expect(params({})).toEqual({ window: 20, entryZ: 1.5, exitZ: 0.5, quantity: 100 })
    expect(params({ exitZ: -0.5 }).exitZ).toBe(-0.5)
    expect(issues({ window: 1 })).toEqual([{ field: "params.window", rule: "must be a whole number from 2 to 10000", value: 1 }])
    expect(issues({ entryZ: 0 })).toEqual([{ field: "params.entryZ", rule: "must be a finite number greater than 0", value: 0 }])
    expect(issues({ exitZ: 2 })).toEqual([{ field: "params.exitZ", rule: "must be less than entryZ (1.5)", value: 2 }])
    expect(issues({ quantity: -1, window: "5" }).map((i) => i.field)).toEqual(["params.window", "params.quantity"])
  })
})
