import { describe, expect, it } from "vitest"
import { DuplicateClientOrderIdError, TradingSimulationEngine, UnknownOrderError, ValidationError } from "../../src/index.ts"
import { buy, engineOn, flat, frictionless, sell } from "./fixtures.ts"

const engine = engineOn(frictionless(["ACME"]))

const thrown = (f: () => unknown): unknown => {
  try {
    f()
  } catch (e) {
    return e
  }
  throw new Error("expected a throw")
}

describe("client order ids", () => {
  it("an order carries the caller's id, and the engine finds the order by it", () => {
    const e = engine()
    const id = e.submitOrder(buy("ACME", 5, { clientOrderId: "signal-42" }))
    expect(e.getOrder(id).clientOrderId).toBe("signal-42")
    expect(e.getOrderByClientOrderId("signal-42").id).toBe(id)
  })

  it("an order given none gets its own order id, deterministically", () => {
    const e = engine()
    const id = e.submitOrder(buy("ACME", 5))
    expect(e.getOrder(id).clientOrderId).toBe(id)
    expect(e.getOrderByClientOrderId(id).id).toBe(id)
  })

  it("a second order with the same id is refused with a typed error and a stable code, and nothing changes", () => {
    const e = engine()
    e.processMarketUpdate({ ACME: 10 })
    const first = e.submitOrder(buy("ACME", 5, { clientOrderId: "retry-me" }))
    const before = JSON.stringify(e.snapshot())
    const error = thrown(() => e.submitOrder(buy("ACME", 7, { clientOrderId: "retry-me" })))
    expect(error).toBeInstanceOf(DuplicateClientOrderIdError)
    expect(error).toMatchObject({ _tag: "DuplicateClientOrderIdError", code: "duplicateClientOrderId", clientOrderId: "retry-me", orderId: first })
    expect(JSON.stringify(e.snapshot())).toBe(before)
    // The retried order is placed once: the next order takes the next id.
    e.processMarketUpdate({ ACME: 10 })
    expect(e.getFills().map((f) => f.quantity)).toEqual(["5"])
    expect(e.submitOrder(sell("ACME", 1))).toBe("O-000002")
  })

  it("an id stays taken after its order is final (a retry after the fill is still refused)", () => {
    const e = engine()
    e.processMarketUpdate({ ACME: 10 })
    e.submitOrder(buy("ACME", 5, { clientOrderId: "once" }))
    e.processMarketUpdate({ ACME: 10 })
    expect(e.getOrderByClientOrderId("once").status).toBe("filled")
    expect(() => e.submitOrder(buy("ACME", 5, { clientOrderId: "once" }))).toThrow(DuplicateClientOrderIdError)
  })

  it("an id of the engine's form, an empty one and a long one are validation errors naming the field", () => {
    const e = engine()
    for (const clientOrderId of ["O-000002", "", "x".repeat(129)]) {
      const error = thrown(() => e.submitOrder(buy("ACME", 5, { clientOrderId })))
      expect(error).toBeInstanceOf(ValidationError)
      expect((error as ValidationError).issues.map((i) => i.field)).toEqual(["clientOrderId"])
    }
    expect(e.getOrders()).toEqual([])
    // Alpaca's longest fits.
    const longest = "x".repeat(128)
    e.submitOrder(buy("ACME", 5, { clientOrderId: longest }))
    expect(e.getOrderByClientOrderId(longest).clientOrderId).toBe(longest)
  })

  it("an unknown client order id is an UnknownOrderError", () => {
    expect(() => engine().getOrderByClientOrderId("nope")).toThrow(UnknownOrderError)
  })

  it("survives a snapshot: the restored engine finds orders by their ids and still refuses a duplicate", () => {
    const e = engine()
    e.processMarketUpdate({ ACME: 10 })
    const id = e.submitOrder(buy("ACME", 5, { type: "limit", limitPrice: 9, clientOrderId: "resting" }))
    e.processMarketUpdate({ bars: { ACME: flat(10) } })
    const restored = TradingSimulationEngine.fromSnapshot(JSON.parse(JSON.stringify(e.snapshot())))
    expect(restored.getOrderByClientOrderId("resting").id).toBe(id)
    expect(() => restored.submitOrder(buy("ACME", 5, { clientOrderId: "resting" }))).toThrow(DuplicateClientOrderIdError)
  })

  it("in an order list: a duplicate inside the list is a validation error; one taken before refuses the whole list", () => {
    const e = engine()
    e.processMarketUpdate({ ACME: 10 })
    const same = { kind: "oco" as const, orders: [sell("ACME", 5, { type: "limit", limitPrice: 12, clientOrderId: "a" }), sell("ACME", 5, { type: "stop", stopPrice: 8, clientOrderId: "a" })] }
    const error = thrown(() => e.submitOrderList(same))
    expect(error).toBeInstanceOf(ValidationError)
    expect((error as ValidationError).issues).toEqual([{ field: "orders.1.clientOrderId", rule: "must differ from orders.0.clientOrderId in the same list", value: "a" }])
    e.submitOrder(buy("ACME", 1, { clientOrderId: "b" }))
    const taken = { kind: "oco" as const, orders: [sell("ACME", 5, { type: "limit", limitPrice: 12, clientOrderId: "c" }), sell("ACME", 5, { type: "stop", stopPrice: 8, clientOrderId: "b" })] }
    expect(() => e.submitOrderList(taken)).toThrow(DuplicateClientOrderIdError)
    expect(e.getOrders().map((o) => o.clientOrderId)).toEqual(["b"])
    expect(() => e.getOrderByClientOrderId("c")).toThrow(UnknownOrderError)
  })
})
