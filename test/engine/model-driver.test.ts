// A model's output is the model's business, and a malformed one is the model's failure: the
// simulation fails with a reason naming what was wrong, and nothing throws at the caller.
import { describe, expect, it } from "vitest"
import { portfolioViewOf, runModel } from "../../src/engine/model-driver.ts"
import type { TradingModel } from "../../src/engine/trading-model.ts"
import { Decimal, TradingSimulationEngine } from "../../src/index.ts"

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

describe("runModel: a model cancels and replaces its own orders, and places order lists", () => {
  type Step = (engine: TradingSimulationEngine) => unknown
  /** Feeds `prices` one update at a time; the model's output at update i is `outputs[i]` (or nothing). */
  const drive = (prices: ReadonlyArray<number>, outputs: ReadonlyArray<Step | undefined>) => {
    const engine = new TradingSimulationEngine({ symbols: ["AAPL"], commissionRate: 0, slippageRate: 0, maxPositionSize: 1, dailyStopLoss: null })
    let i = 0
    const model: TradingModel<number> = { initialState: 0, onUpdate: (n) => ({ state: n + 1, ...(outputs[i]?.(engine) as object | undefined) }) }
    let state = model.initialState
    const view = portfolioViewOf(engine)
    for (const price of prices) {
      const update = engine.processMarketUpdate({ time: Date.UTC(2024, 0, 2, 15, i), prices: { AAPL: price } })
      state = runModel(engine, model, state, view, update)
      i += 1
    }
    return engine
  }

  it("cancels by client order id and by order id", () => {
    const engine = drive(
      [100, 100, 100],
      [
        () => ({ orders: [{ symbol: "AAPL", side: "buy", type: "limit", quantity: 1, limitPrice: 90, clientOrderId: "low" }, { symbol: "AAPL", side: "buy", type: "limit", quantity: 1, limitPrice: 80 }] }),
        () => ({ cancels: ["low", "O-000002"] })
      ]
    )
    expect(engine.status).toBe("running")
    expect(engine.getOrders().map((o) => [o.clientOrderId, o.status, o.reasons])).toEqual([
      ["low", "cancelled", ["cancelled by the model"]],
      ["O-000002", "cancelled", ["cancelled by the model"]]
    ])
  })

  it("replaces by client order id; a change the risk rules refuse is not a failure", () => {
    const engine = drive(
      [100, 100, 100, 100],
      [
        () => ({ orders: [{ symbol: "AAPL", side: "buy", type: "limit", quantity: 1, limitPrice: 90, clientOrderId: "low" }] }),
        () => ({ replaces: [{ order: "low", changes: { limitPrice: 95 } }] }),
        () => ({ replaces: [{ order: "low", changes: { quantity: 1e6 } }] })
      ]
    )
    expect(engine.status).toBe("running")
    expect(engine.getOrderByClientOrderId("low")).toMatchObject({ status: "accepted", limitPrice: "95", quantity: "1" })
  })

  it("places a bracket through orderLists, and cancels its entry", () => {
    const engine = drive(
      [100, 100, 100],
      [
        () => ({ orderLists: [{ kind: "bracket", entry: { symbol: "AAPL", side: "buy", type: "limit", quantity: 5, limitPrice: 90, clientOrderId: "entry" }, takeProfit: { limitPrice: 120 }, stopLoss: { stopPrice: 85 } }] }),
        () => ({ cancels: ["entry"] })
      ]
    )
    expect(engine.status).toBe("running")
    expect(engine.getOrders().map((o) => `${o.orderList?.role} ${o.status}`)).toEqual(["entry cancelled", "takeProfit cancelled", "stopLoss cancelled"])
  })

  it.each([
    ["an unknown client order id", () => ({ cancels: ["nope"] }), /^model asked for a cancel the engine refused: Unknown order nope/],
    ["a cancel that is not a string", () => ({ cancels: [5] }), /^model returned cancels\[0\] that is not an order id or a client order id/],
    ["a replace without changes", () => ({ replaces: [{ order: "O-000001" }] }), /^model returned replaces\[0\] that is not \{ order, changes \}/],
    ["a duplicate client order id", () => ({ orders: [{ symbol: "AAPL", side: "buy", type: "market", quantity: 1, clientOrderId: "x" }, { symbol: "AAPL", side: "buy", type: "market", quantity: 1, clientOrderId: "x" }] }), /^model asked for an order the engine refused: duplicateClientOrderId/],
    ["an invalid order list", () => ({ orderLists: [{ kind: "oco", orders: [] }] }), /^model asked for an order list the engine refused: Invalid orderList: orders must be/],
    ["order lists that are not an array", () => ({ orderLists: {} }), /^model returned orderLists that are not an array/]
  ])("%s fails the simulation with the reason", (_name, output, reason) => {
    const engine = drive([100], [output])
    expect(engine.status).toBe("failed")
    expect(engine.statusReason).toMatch(reason)
  })
})

describe("targetWeightOrders with order lists open", () => {
  it("counts an OCO group's quantity once and a held child not at all", async () => {
    const { targetWeightOrders } = await import("../../src/engine/model-driver.ts")
    const engine = new TradingSimulationEngine({ symbols: ["AAPL"], commissionRate: 0, slippageRate: 0, maxPositionSize: 1, dailyStopLoss: null })
    const update = engine.processMarketUpdate({ prices: { AAPL: 100 } })
    // Open: a buy entry of 10 with held sell children of 10 each, and an OCO group of two buys of 5.
    engine.submitOrderList({ kind: "bracket", entry: { symbol: "AAPL", side: "buy", type: "limit", quantity: 10, limitPrice: 90 }, takeProfit: { limitPrice: 120 }, stopLoss: { stopPrice: 80 } })
    engine.submitOrderList({ kind: "oco", orders: [{ symbol: "AAPL", side: "buy", type: "limit", quantity: 5, limitPrice: 95 }, { symbol: "AAPL", side: "buy", type: "stop", quantity: 5, stopPrice: 105 }] })
    // 20 % of 100 000 at 100 is 200 shares; 15 are already on their way.
    expect(targetWeightOrders(engine, { AAPL: 0.2 }, update.quotes)).toMatchObject([{ side: "buy", quantity: new Decimal(185) }])
  })
})

describe("runModel with an exchange calendar", () => {
  it("gives the model each update's session, so it knows when nothing trades", () => {
    const engine = new TradingSimulationEngine({ symbols: ["AAPL"], calendar: "XNYS", updateFrequency: "1min" })
    const seen: unknown[] = []
    const model: TradingModel<null> = { initialState: null, onUpdate: (state, { session }) => (seen.push(session), { state }) }
    for (const time of ["2024-01-02T14:00:00Z", "2024-01-02T14:30:00Z"]) {
      runModel(engine, model, null, portfolioViewOf(engine), engine.processMarketUpdate({ time, prices: { AAPL: 100 } }))
    }
    expect(seen).toEqual([
      { date: "2024-01-02", inSession: false },
      { date: "2024-01-02", inSession: true }
    ])
  })
})
