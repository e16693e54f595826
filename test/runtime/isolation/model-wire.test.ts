import { describe, expect, it } from "vitest"
import { Decimal } from "../../../src/index.ts"
import { modelCall, sendableOutput, updateRequest } from "../../../src/runtime/isolation/model-wire.ts"

describe("a model's output crosses the worker boundary", () => {
  it("with its cancels, replaces and order lists, decimals as strings, as the driver reads them on the main thread", () => {
    const output = {
      state: { n: 1 },
      cancels: ["entry-1", "O-000002"],
      replaces: [{ order: "tp", changes: { limitPrice: new Decimal("110.123456789012345678") } }],
      orderLists: [
        { kind: "bracket", entry: { symbol: "AAA", side: "buy", type: "limit", quantity: new Decimal(5), limitPrice: 100 }, takeProfit: { limitPrice: new Decimal("110.5") }, stopLoss: { stopPrice: 95 } },
        { kind: "oco", orders: [{ symbol: "AAA", side: "sell", type: "limit", quantity: 5, limitPrice: new Decimal(120) }] }
      ]
    }
    const sent = structuredClone(sendableOutput(output))
    expect(sent).toEqual({
      state: { n: 1 },
      cancels: ["entry-1", "O-000002"],
      replaces: [{ order: "tp", changes: { limitPrice: "110.123456789012345678" } }],
      orderLists: [
        { kind: "bracket", entry: { symbol: "AAA", side: "buy", type: "limit", quantity: "5", limitPrice: 100 }, takeProfit: { limitPrice: "110.5" }, stopLoss: { stopPrice: 95 } },
        { kind: "oco", orders: [{ symbol: "AAA", side: "sell", type: "limit", quantity: 5, limitPrice: "120" }] }
      ]
    })
  })

  it("malformed ones as the driver refuses them: not arrays stay what they were, or null when they cannot be cloned", () => {
    expect(sendableOutput({ state: 0, cancels: 5, orderLists: () => 1 })).toEqual({ state: 0, cancels: 5, orderLists: null })
  })
})

describe("an update crosses the worker boundary", () => {
  const view = { positionOf: () => new Decimal(0), portfolio: () => { throw new Error("not read") }, openOrders: () => [] }
  const quote = { symbol: "AAA", open: 1, high: 1, low: 1, close: 1, source: { open: "1", high: "1", low: "1", close: "1" } }

  it("with its session when the simulation has a calendar, and without one when it has none", () => {
    const session = { date: "2024-01-02", inSession: false }
    const withSession = modelCall(structuredClone(updateRequest(0, { time: 5, quotes: [quote as never], view, session })), () => "0")
    expect(withSession.input.session).toEqual(session)
    const without = modelCall(structuredClone(updateRequest(0, { time: 5, quotes: [quote as never], view })), () => "0")
    expect("session" in without.input).toBe(false)
  })
})
