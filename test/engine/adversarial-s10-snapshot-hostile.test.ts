/**
 * Session 10 adversarial review of fromSnapshot's refusals (src/engine/snapshot-issue.ts): a
 * hostile snapshot must be a ValidationError naming the field out of shape, never a TypeError or
 * RangeError, at the restore or later. The shape is only asked once reading has thrown, so a
 * snapshot that reads without throwing is taken as it is: those are the defects below.
 */
import { describe, expect, it } from "vitest"
import { TradingSimulationEngine, ValidationError } from "../../src/index.ts"
import { buy, engineOn, frictionless, sell } from "./fixtures.ts"

/** A snapshot with a filled order, a working limit, a working OCO pair and a pending order. */
const written = (): string => {
  const e = engineOn(frictionless(["ACME"]))()
  e.processMarketUpdate({ ACME: 100 })
  e.submitOrder(buy("ACME", 7))
  e.processMarketUpdate({ ACME: 100 })
  e.submitOrder(buy("ACME", 3, { type: "limit", limitPrice: 90 }))
  e.submitOrderList({
    kind: "oco",
    orders: [
      { symbol: "ACME", side: "sell", type: "limit", limitPrice: 120, quantity: 2 },
      { symbol: "ACME", side: "sell", type: "stop", stopPrice: 80, quantity: 2 }
    ]
  })
  e.processMarketUpdate({ ACME: 100 })
  e.submitOrder(buy("ACME", 1, { type: "limit", limitPrice: 90 }))
  return JSON.stringify(e.snapshot())
}
const BASE = written()

type Hostile = Record<string, any>

/** Restores the snapshot changed by `change`, then uses it (an order, two updates, its records, a snapshot): what was thrown, or null. */
const restoreAndUse = (change: (s: Hostile) => void): unknown => {
  const s = JSON.parse(BASE) as Hostile
  change(s)
  try {
    const e = TradingSimulationEngine.fromSnapshot(s as never)
    e.submitOrder(sell("ACME", 1))
    e.processMarketUpdate({ ACME: 101 })
    e.processMarketUpdate({ ACME: 85 })
    e.getPortfolio()
    e.getOrders()
    JSON.stringify(e.snapshot())
    return null
  } catch (thrown) {
    return thrown
  }
}

/** The field the ValidationError thrown names; fails on anything else thrown, or nothing. */
const namedField = (change: (s: Hostile) => void): string => {
  const thrown = restoreAndUse(change)
  expect(thrown, "the hostile snapshot was taken as it is").not.toBeNull()
  expect(thrown).toBeInstanceOf(ValidationError)
  return (thrown as ValidationError).issues[0]!.field
}

describe("hostile snapshots refused naming the field", () => {
  it("the engine's own snapshot restores and runs", () => {
    expect(restoreAndUse(() => {})).toBeNull()
  })

  it.each<[string, (s: Hostile) => void, string]>([
    ["trades.closed null", (s) => (s.trades.closed = null), "trades.closed"],
    ["a null open trade", (s) => (s.trades.open = [null]), "trades.open[0]"],
    ["a million nulls for orders", (s) => (s.orders = new Array(1_000_000).fill(null)), "orders[0]"],
    ["the orders array inside itself (a cycle)", (s) => s.orders.push(s.orders), "orders[5]"],
    ["a __proto__ key in the config", (s) => (s.config = JSON.parse('{"__proto__": {"polluted": 1}}')), "__proto__"],
    ["an order type that does not exist", (s) => (s.orders[1].context.order.type = "bogus"), "(snapshot)"],
    ["a time in force that does not exist", (s) => (s.orders[1].context.order.timeInForce = "bogus"), "(snapshot)"],
    ["a working id that names no order", (s) => (s.working = ["O-999999"]), "working[0]"]
  ])("%s", (_name, change, field) => {
    expect(namedField(change)).toBe(field)
    // Nothing leaks from a __proto__ key.
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined()
  })

  // Found by the session 10 adversarial review (fixed): a string where a count goes reads without throwing, so it is taken: the
  // next order id is "O-000051" (the string "5" + 1), not a ValidationError naming orderSeq.
  it("orderSeq as the string \"5\" is refused naming orderSeq", () => {
    expect(namedField((s) => (s.orderSeq = "5"))).toBe("orderSeq")
  })

  // Found by the session 10 adversarial review (fixed): NaN where the update count goes is taken as it is.
  it("updateIndex NaN is refused naming updateIndex", () => {
    expect(namedField((s) => (s.updateIndex = Number.NaN))).toBe("updateIndex")
  })

  // Found by the session 10 adversarial review (fixed): an unknown simulation status restores, and the next call throws
  // "TypeError: Cannot read properties of undefined (reading 'takesUpdates')".
  it("a simulation status that does not exist is refused naming simulation.status", () => {
    expect(namedField((s) => (s.simulation.status = "bogus"))).toBe("simulation.status")
  })

  // Found by the session 10 adversarial review (fixed): a pending id that names no order (or "__proto__") restores as an
  // undefined entry, and the next update throws "TypeError: Cannot read properties of undefined (reading 'isFinal')".
  it.each([["O-999999"], ["__proto__"]])("a pending id %s that names no order is refused, not a TypeError at the next update", (id) => {
    expect(namedField((s) => (s.pending = [id]))).toBe("pending[0]")
  })

  // Found by the session 10 adversarial review (fixed): "NaN" is no decimal string (snapshotIssue says so), but new Decimal("NaN")
  // reads it, so the ledger's cash is NaN and the restore is taken.
  it("ledger.cash \"NaN\" is refused naming ledger.cash", () => {
    expect(namedField((s) => (s.ledger.cash = "NaN"))).toBe("ledger.cash")
  })

  // Found by the session 10 adversarial review (fixed): an order status the machine does not know restores as it is.
  it("an order status that does not exist is refused naming orders[0].status", () => {
    expect(namedField((s) => (s.orders[0].status = "bogus"))).toBe("orders[0].status")
  })
})
