// A model's output is the model's business, and a malformed one is the model's failure: the
// simulation fails with a reason naming what was wrong, and nothing throws at the caller.
import { describe, expect, it } from "vitest"
import { portfolioViewOf, runModel } from "../../src/engine/model-driver.ts"
import type { TradingModel } from "../../src/engine/trading-model.ts"
import { TradingSimulationEngine } from "../../src/index.ts"

const cyclic: Record<string, unknown> = {}
cyclic["self"] = cyclic

const outputs: ReadonlyArray<readonly [string, unknown, RegExp]> = [
  ["null", null, /^model returned no output object/],
  ["a number", 5, /^model returned no output object/],
  ["orders that are no array", { state: 0, orders: 5 }, /^model returned orders that are not an array/],
  ["null target weights", { state: 0, targetWeights: null }, /^model returned targetWeights that are not a record of finite numbers/],
  ["a non-finite target weight", { state: 0, targetWeights: { AAPL: Number.NaN } }, /^model returned targetWeights\.AAPL of NaN: a weight must be a finite number from -100 to 100/],
  ["a target weight past 100 × equity", { state: 0, targetWeights: { AAPL: 1e9 } }, /^model returned targetWeights\.AAPL of 1000000000: a weight must be/],
  [
    "an order whose toJSON lies",
    { state: 0, orders: [{ symbol: "AAPL", side: "buy", type: "market", quantity: 1, toJSON: () => ({ symbol: "AAPL", side: "buy", type: "market", quantity: 1e6 }) }] },
    /^model returned orders\[0\]\.toJSON holding a function/
  ],
  ["a cycle in an order", { state: 0, orders: [{ symbol: "AAPL", side: "buy", type: "market", quantity: 1, tag: cyclic }] }, /^model returned orders\[0\]\.tag\.self holding a cycle/],
  ["a bigint quantity", { state: 0, orders: [{ symbol: "AAPL", side: "buy", type: "market", quantity: 1n }] }, /^model returned orders\[0\]\.quantity holding a bigint/],
  [
    "a getter that throws",
    { state: 0, get orders() { throw new Error("boom") } },
    /^model returned an output whose orders cannot be read \(boom\)/
  ],
  ["a bigint in the state", { state: { n: 10n } }, /^model returned a state that is not plain JSON/],
  ["a cycle in the state", { state: cyclic }, /^model returned a state that is not plain JSON/],
  ["a Date in the state", { state: { at: new Date(0) } }, /^model returned a state that is not plain JSON/]
]

describe("runModel with malformed output", () => {
  it.each(outputs)("%s fails the simulation with the reason, and keeps the last good state", (_, output, reason) => {
    const engine = new TradingSimulationEngine({ symbols: ["AAPL"] })
    const model: TradingModel<unknown> = { initialState: { ok: true }, onUpdate: () => output as never }
    const update = engine.processMarketUpdate({ time: Date.UTC(2024, 0, 2), prices: { AAPL: 100 } })
    const next = runModel(engine, model, model.initialState, portfolioViewOf(engine), update)
    expect(engine.status).toBe("failed")
    expect(engine.statusReason).toMatch(reason)
    expect(next).toEqual({ ok: true })
    expect(engine.getOrders()).toEqual([])
  })

  it("a well-formed output goes through", () => {
    const engine = new TradingSimulationEngine({ symbols: ["AAPL"] })
    const model: TradingModel<number> = { initialState: 0, onUpdate: (n) => ({ state: n + 1, targetWeights: { AAPL: 0.05 } }) }
    const update = engine.processMarketUpdate({ time: Date.UTC(2024, 0, 2), prices: { AAPL: 100 } })
    expect(runModel(engine, model, 0, portfolioViewOf(engine), update)).toBe(1)
    expect(engine.status).toBe("running")
    expect(engine.getOrders()).toHaveLength(1)
  })
})
