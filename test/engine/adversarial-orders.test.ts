/**
 * A hostile caller against the order types: inputs that change under the engine's feet, sparse
 * arrays, and the corners where two rules meet. Each test is a defect that was found and fixed.
 */
import { describe, expect, it } from "vitest"
import { type OrderListRequest, TradingSimulationEngine, ValidationError } from "../../src/index.ts"
import { bar, buy, engineOn, frictionless, issuesOf } from "./fixtures.ts"

const engine = engineOn(frictionless(["ACME", "BETA"]))


describe("order lists read the caller's input once", () => {
  it("an entry whose side changes on a second read cannot give its children the entry's own side", () => {
    const e = engine()
    e.processMarketUpdate({ ACME: 100 })
    let reads = 0
    const entry = {
      symbol: "ACME",
      type: "market",
      quantity: 10,
      get side() {
        reads += 1
        return reads === 1 ? "buy" : "sell"
      }
    }
    e.submitOrderList({ kind: "bracket", entry, takeProfit: { limitPrice: 110 }, stopLoss: { stopPrice: 90 } } as unknown as OrderListRequest)
    // The children close what the entry opens: the other side, the same symbol.
    expect(e.getOrders().map((o) => `${o.orderList?.role} ${o.symbol} ${o.side}`)).toEqual(["entry ACME buy", "takeProfit ACME sell", "stopLoss ACME sell"])
  })

  it("an entry whose symbol changes on a second read cannot put its children in another symbol", () => {
    const e = engine()
    e.processMarketUpdate({ ACME: 100, BETA: 100 })
    let reads = 0
    const entry = {
      side: "buy",
      type: "market",
      quantity: 10,
      get symbol() {
        reads += 1
        return reads === 1 ? "ACME" : "BETA"
      }
    }
    e.submitOrderList({ kind: "oto", entry, stopLoss: { stopPrice: 90 } } as unknown as OrderListRequest)
    expect(e.getOrders().map((o) => o.symbol)).toEqual(["ACME", "ACME"])
  })

  it("a getter or Proxy trap that throws is a ValidationError naming its path, and nothing is placed", () => {
    const e = engine()
    const throwing = (message: string) => ({
      get() {
        throw new Error(message)
      },
      enumerable: true
    })
    const kind = Object.defineProperty({}, "kind", throwing("kind"))
    const child = Object.defineProperty({}, "limitPrice", throwing("tp"))
    const trap = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error("trap")
        }
      }
    )
    expect(issuesOf(() => e.submitOrderList(kind as never))).toEqual(["kind could not be read (kind)"])
    expect(issuesOf(() => e.submitOrderList({ kind: "oto", entry: buy("ACME", 1), takeProfit: child } as never))).toEqual([
      "takeProfit.limitPrice could not be read (tp)"
    ])
    expect(issuesOf(() => e.submitOrderList(trap as never))).toEqual(["(input) could not be read (trap)"])
    expect(e.getOrders()).toEqual([])
  })
})

describe("OCO groups: one symbol and one quantity, whatever the array", () => {
  it("a hole in `orders` is an invalid member, not a way past the group's symbol and quantity rules", () => {
    const e = engine({ ocoOnPartialFill: "reduce" })
    e.processMarketUpdate({ ACME: 100, BETA: 100 })
    // The hole is the attack.
    const orders = [, buy("ACME", 1), buy("BETA", 100)]
    expect(issuesOf(() => e.submitOrderList({ kind: "oco", orders } as never))).toEqual(["orders must have no holes (missing members)"])
    expect(e.getOrders()).toEqual([])
  })

  it("a vast sparse array is refused as one issue, at the cost of the members it has", () => {
    const e = engine()
    const orders: unknown[] = new Array(2 ** 32 - 1)
    orders[0] = buy("ACME", 1)
    orders[1] = buy("ACME", 1)
    const error = (() => {
      try {
        e.submitOrderList({ kind: "oco", orders } as never)
      } catch (x) {
        return x
      }
    })()
    expect(error).toBeInstanceOf(ValidationError)
    expect((error as ValidationError).issues).toEqual([
      { field: "orders", rule: "must have no holes (missing members)", value: "2 members in an array of length 4294967295" }
    ])
  })
})

describe("what the engine hands out is not a handle on its state", () => {
  it("changing an order view's list link or reasons changes nothing: an OCO member's quantity stays the group's", () => {
    const e = engine({ ocoOnPartialFill: "reduce" })
    e.processMarketUpdate({ ACME: 100 })
    const limit = (limitPrice: number) => buy("ACME", 5, { type: "limit", limitPrice })
    const { orderIds } = e.submitOrderList({ kind: "oco", orders: [limit(90), limit(80)] })
    e.processMarketUpdate({ ACME: 100 })
    e.cancelOrder(e.submitOrder(buy("BETA", 1, { type: "limit", limitPrice: 1 })))
    const before = JSON.stringify(e.snapshot())
    const member = e.getOrder(orderIds[1]!)
    const cancelled = e.getOrders().at(-1)!
    try {
      ;(member.orderList as { role: string }).role = "entry"
    } catch {
      // Refused outright is as good as ignored.
    }
    try {
      ;(cancelled.reasons as string[]).push("rewritten")
    } catch {
      // Likewise.
    }
    expect(JSON.stringify(e.snapshot())).toBe(before)
    expect(issuesOf(() => e.replaceOrder(orderIds[1]!, { quantity: 500 }))).toEqual(["quantity is set by the order's oco list for its member and cannot be replaced"])
    e.processMarketUpdate({ bars: { ACME: bar(100, 100, 70, 75) } })
    expect(e.positionOf("ACME").toString()).toBe("5")
  })
})

describe("the intrabar path puts a market-on-close where it trades: at the end of the bar", () => {
  it("an OCO of a cls sale and a take-profit: the limit reached on the way up fills, even when the close lies on that leg too", () => {
    const e = engine()
    e.processMarketUpdate({ ACME: 100 })
    e.submitOrder(buy("ACME", 10))
    e.processMarketUpdate({ ACME: 100 })
    const { orderIds } = e.submitOrderList({
      kind: "oco",
      orders: [
        { symbol: "ACME", side: "sell", type: "market", quantity: 10, timeInForce: "cls" },
        { symbol: "ACME", side: "sell", type: "limit", quantity: 10, limitPrice: 104 }
      ]
    })
    // The path: 100, up to 105 (the nearer extreme), down to 90, then the close at 102. The limit
    // at 104 is reached on the first leg; the close, although 102 was passed on that leg, comes last.
    e.processMarketUpdate({ bars: { ACME: bar(100, 105, 90, 102) } })
    expect(orderIds.map((id) => `${e.getOrder(id).status} ${e.getOrder(id).averageFillPrice}`)).toEqual(["cancelled null", "filled 104"])
  })
})

describe("opg placed outside the session: its opening is the next one to come", () => {
  it("placed after the close, it expires when that opening passes without its symbol, and never trades at a later one", () => {
    const e = new TradingSimulationEngine({ ...frictionless(["ACME", "BETA"]), calendar: "XNYS", updateFrequency: "1min" })
    e.processMarketUpdate({ time: "2024-01-02T20:59:00Z", ACME: 100, BETA: 50 })
    // 17:00 New York: the evening, which belongs to the session of Wednesday the 3rd.
    e.processMarketUpdate({ time: "2024-01-02T22:00:00Z", ACME: 100, BETA: 50 })
    const id = e.submitOrder(buy("ACME", 1, { timeInForce: "opg" }))
    // Wednesday's opening bar has no ACME trade: the order's only opening went by.
    e.processMarketUpdate({ time: "2024-01-03T14:30:00Z", BETA: 50 })
    e.processMarketUpdate({ time: "2024-01-03T14:31:00Z", ACME: 101, BETA: 50 })
    e.processMarketUpdate({ time: "2024-01-04T14:30:00Z", ACME: 102, BETA: 50 })
    expect(e.getOrder(id)).toMatchObject({ status: "expired", filledQuantity: "0", reasons: ["opg: the session opened without it"] })
  })

  it("placed before the open it fills at that same morning's opening; placed mid-session it waits for tomorrow's", () => {
    const e = new TradingSimulationEngine({ ...frictionless(["ACME"]), calendar: "XNYS", updateFrequency: "1min" })
    e.processMarketUpdate({ time: "2024-01-03T13:00:00Z", ACME: 100 })
    const early = e.submitOrder(buy("ACME", 1, { timeInForce: "opg" }))
    e.processMarketUpdate({ time: "2024-01-03T14:30:00Z", ACME: 101 })
    const late = e.submitOrder(buy("ACME", 1, { timeInForce: "opg" }))
    e.processMarketUpdate({ time: "2024-01-03T14:31:00Z", ACME: 102 })
    e.processMarketUpdate({ time: "2024-01-04T14:30:00Z", ACME: 103 })
    expect([early, late].map((id) => `${e.getOrder(id).status} ${e.getOrder(id).averageFillPrice}`)).toEqual(["filled 101", "filled 103"])
  })
})

describe("amounts the ledger cannot hold exactly are refused", () => {
  it("a quantity of more significant digits than the ledger's 40 is a ValidationError, not an order that can never fill whole", () => {
    const e = engine({ volumeParticipation: 0.5 })
    e.processMarketUpdate({ bars: { ACME: bar(1, 1, 1, 1, 10) } })
    const quantity = "10.0000000000000000000000000000000000000000001"
    expect(issuesOf(() => e.submitOrder(buy("ACME", quantity)))).toEqual(["quantity must have at most 40 significant digits"])
    expect(issuesOf(() => e.submitOrder(buy("ACME", 1, { type: "limit", limitPrice: "1.00000000000000000000000000000000000000000001" })))).toEqual([
      "limitPrice must have at most 40 significant digits"
    ])
    expect(e.getOrders()).toEqual([])
    // Forty digits are taken, and fill whole through partial fills.
    const id = e.submitOrder(buy("ACME", "10.00000000000000000000000000000000000001"))
    for (let i = 0; i < 3; i++) e.processMarketUpdate({ bars: { ACME: bar(1, 1, 1, 1, 10) } })
    expect(e.getOrder(id)).toMatchObject({ status: "filled", filledQuantity: "10.00000000000000000000000000000000000001" })
  })
})

describe("a gtd order's expireAt is read once", () => {
  it("a Date whose getTime answers differently on a second call gives the time validated, and a restore expires it alike", () => {
    const e = engine()
    e.processMarketUpdate({ time: 1_700_000_000_000, ACME: 100 })
    let calls = 0
    class Shifty extends Date {
      override getTime(): number {
        calls += 1
        return calls === 1 ? 1_800_000_000_000 : Number.NaN
      }
    }
    const id = e.submitOrder(buy("ACME", 1, { type: "limit", limitPrice: 50, timeInForce: "gtd", expireAt: new Shifty(1_800_000_000_000) }))
    expect(e.getOrder(id).expireAt).toBe(1_800_000_000_000)
    const restored = TradingSimulationEngine.fromSnapshot(JSON.parse(JSON.stringify(e.snapshot())))
    for (const x of [e, restored]) x.processMarketUpdate({ time: 1_900_000_000_000, ACME: 100 })
    expect([e, restored].map((x) => x.getOrder(id).status)).toEqual(["expired", "expired"])
  })
})

describe("what a caller holds of an engine changes nothing in it", () => {
  it("its config is frozen, down to its symbols and instruments: an assignment throws and the run is unchanged", () => {
    const engine = new TradingSimulationEngine({ symbols: ["ACME"], instruments: { ACME: { tickSize: "0.01" } } })
    const before = JSON.stringify(engine.snapshot())
    expect(() => {
      ;(engine.config as { commissionRate: number }).commissionRate = 1
    }).toThrow(TypeError)
    expect(() => (engine.config.symbols as string[]).push("BETA")).toThrow(TypeError)
    expect(() => {
      ;(engine.config.instruments!["ACME"] as { tickSize: string }).tickSize = "1"
    }).toThrow(TypeError)
    expect(JSON.stringify(engine.snapshot())).toBe(before)
  })

  it("a cancel's reason must be plain text of at most 1,000 characters: anything else is a ValidationError and the order stays as it was", () => {
    const engine = new TradingSimulationEngine({ symbols: ["ACME"] })
    const id = engine.submitOrder({ symbol: "ACME", side: "buy", type: "limit", quantity: 1, limitPrice: 1 })
    for (const reason of [10n, { toString: () => "x" }, "r".repeat(1_001)]) {
      expect(() => engine.cancelOrder(id, reason as never)).toThrow(/reason must be a string of at most 1000 characters/)
      expect(engine.getOrder(id).status).toBe("submitted")
    }
    engine.cancelOrder(id, "r".repeat(1_000))
    expect(engine.getOrder(id).status).toBe("cancelled")
  })
})

describe("a market update that cannot be read", () => {
  const throwing = (): never => {
    throw new Error("boom")
  }

  it.each([
    ["a price getter that throws", () => ({ get ACME(): number { return throwing() } }), "ACME"],
    ["a bar behind a Proxy whose trap throws", () => ({ time: 1, bars: { ACME: new Proxy({}, { ownKeys: throwing, get: throwing }) } }), "bars.ACME"],
    ["a revoked Proxy as the update", () => { const { proxy, revoke } = Proxy.revocable({}, {}); revoke(); return proxy }, "(update)"]
  ])("%s is a ValidationError naming the part, and changes nothing", (_, make, field) => {
    const engine = new TradingSimulationEngine({ symbols: ["ACME"] })
    engine.processMarketUpdate({ time: 0, prices: { ACME: 10 } })
    const before = JSON.stringify(engine.snapshot())
    let error: unknown
    try {
      engine.processMarketUpdate(make() as never)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ValidationError)
    expect((error as ValidationError).issues.map((i) => i.field)).toEqual([field])
    expect(JSON.stringify(engine.snapshot())).toBe(before)
  })
})

describe("a snapshot, the fills and the trades a caller holds", () => {
  it("changing them changes nothing in the engine: a fill and a closed trade are frozen, a snapshot's orders are copies", () => {
    const engine = new TradingSimulationEngine(frictionless(["ACME"]))
    engine.submitOrder(buy("ACME", 10))
    engine.processMarketUpdate({ time: 0, bars: { ACME: bar(10, 11, 9, 10) } })
    engine.submitOrder({ symbol: "ACME", side: "sell", type: "market", quantity: 10 })
    engine.processMarketUpdate({ time: 60_000, bars: { ACME: bar(12, 12, 12, 12) } })
    const resting = engine.submitOrder(buy("ACME", 5, { type: "limit", limitPrice: 1 }))
    const before = JSON.stringify(engine.snapshot())
    const snapshot = engine.snapshot()
    ;(snapshot.orders.find((o) => o.context.order.id === resting)!.context.order as { quantity: string }).quantity = "500"
    expect(() => {
      ;(engine.getFills()[0] as { price: string }).price = "0"
    }).toThrow(TypeError)
    expect(() => {
      ;(engine.getTrades()[0] as { netPnl: string }).netPnl = "1000000"
    }).toThrow(TypeError)
    expect(JSON.stringify(engine.snapshot())).toBe(before)
    expect(engine.getOrder(resting).quantity).toBe("5")
  })
})
