import { describe, expect, it } from "vitest"
import { approve, reject, ValidationError } from "../../src/index.ts"
import type { BarInput, EngineEvent, OrderRequest, RiskRule, SimulationConfigInput } from "../../src/index.ts"
import { at, bar, buy, DAY, engineOn, flat, frictionless, MONDAY, record, sell, TUESDAY } from "./fixtures.ts"

/**
 * Times in force (DESIGN.md, "Execution semantics, advanced orders"), by example on hand-made
 * bars: ioc, fok, gtd, opg and cls beside day and gtc. No costs unless a test is about them.
 */
const engineWith = engineOn(frictionless(["AAPL", "MSFT"], { enableShorting: true }))

const minute = (i: number) => at(MONDAY, i)

const updateAt = (time: number, b: BarInput, symbol = "AAPL") => ({ time, bars: { [symbol]: b } })

/** Submits `request` before any update, then feeds the bars (one a minute on Monday); returns the order, its fills and the events. */
const run = (request: OrderRequest, bars: ReadonlyArray<BarInput>, config: SimulationConfigInput = {}) => {
  const engine = engineWith(config)
  const events = record(engine, (e) => e.type !== "simulationStatusChanged")
  const id = engine.submitOrder(request)
  const after: string[] = []
  bars.forEach((b, i) => {
    engine.processMarketUpdate(updateAt(minute(i), b))
    after.push(engine.getOrder(id).status)
  })
  return { engine, id, order: engine.getOrder(id), fills: engine.getFills().filter((f) => f.orderId === id), events, after }
}

const typesOf = (events: ReadonlyArray<EngineEvent>) => events.map((e) => e.type)

/** Refuses, at fill time only, every fill of a sell that opens a short: a fill-time refusal on demand. */
const noShortFills: RiskRule = { name: "noShortFills", check: (c) => (c.fill !== null && c.order.side === "sell" ? reject("noShortFills: refused at the fill") : approve) }

describe("ioc: fills what its first matching update allows, the rest is cancelled", () => {
  it("a limit ioc the bar does not reach is cancelled on that update, unfilled", () => {
    const { order, fills, after } = run(buy("AAPL", 10, { type: "limit", limitPrice: 95, timeInForce: "ioc" }), [bar(100, 101, 96, 100), bar(94, 95, 90, 92)])
    expect(fills).toEqual([])
    expect(after).toEqual(["cancelled", "cancelled"])
    expect(order.reasons).toEqual(["ioc: the rest is cancelled after its first matching update"])
  })

  it("a limit ioc the bar reaches fills whole", () => {
    const { order, fills } = run(buy("AAPL", 10, { type: "limit", limitPrice: 97, timeInForce: "ioc" }), [bar(100, 101, 96, 100)])
    expect(order.status).toBe("filled")
    expect(fills.map((f) => [f.quantity, f.price])).toEqual([["10", "97"]])
  })

  it("under a volume cap it fills the cap and cancels the rest on the same update", () => {
    const { order, fills, events } = run(buy("AAPL", 60, { timeInForce: "ioc" }), [flat(100, 250), flat(101, 250)], { volumeParticipation: 0.1 })
    expect(fills.map((f) => [f.quantity, f.price, f.updateIndex])).toEqual([["25", "100", 1]])
    expect(order.status).toBe("cancelled")
    expect(order.filledQuantity).toBe("25")
    expect(typesOf(events)).toEqual(["orderSubmitted", "orderAccepted", "orderPartiallyFilled", "orderCancelled"])
  })

  it("waits, unchecked, until its symbol trades: the first update that can match it is the one that counts", () => {
    const engine = engineWith()
    const id = engine.submitOrder(buy("AAPL", 5, { timeInForce: "ioc" }))
    engine.processMarketUpdate(updateAt(minute(0), flat(50), "MSFT"))
    expect(engine.getOrder(id).status).toBe("submitted")
    engine.processMarketUpdate(updateAt(minute(1), flat(100)))
    expect(engine.getOrder(id)).toMatchObject({ status: "filled", averageFillPrice: "100" })
  })

  it("an untriggered stop ioc is cancelled on its first matching update", () => {
    const { order, fills } = run(buy("AAPL", 5, { type: "stop", stopPrice: 110, timeInForce: "ioc" }), [bar(100, 105, 99, 104), bar(111, 112, 110, 111)])
    expect(fills).toEqual([])
    expect(order.status).toBe("cancelled")
  })
})

describe("fok: all of it on its first matching update, or nothing", () => {
  it("a volume cap below its quantity cancels it with nothing filled", () => {
    const { order, fills } = run(buy("AAPL", 60, { timeInForce: "fok" }), [flat(100, 250)], { volumeParticipation: 0.1 })
    expect(fills).toEqual([])
    expect(order.status).toBe("cancelled")
    expect(order.reasons).toEqual(["fok: it could not fill whole on its first matching update"])
  })

  it("a volume cap that covers its quantity lets it fill whole", () => {
    const { order, fills } = run(buy("AAPL", 25, { timeInForce: "fok" }), [flat(100, 250)], { volumeParticipation: 0.1 })
    expect(fills.map((f) => f.quantity)).toEqual(["25"])
    expect(order.status).toBe("filled")
  })

  it("a limit the bar does not reach is cancelled; a later bar that reaches it is too late", () => {
    const { order, after } = run(sell("AAPL", 10, { type: "limit", limitPrice: 105, timeInForce: "fok" }), [bar(100, 104, 99, 100), bar(106, 107, 105, 106)])
    expect(after).toEqual(["cancelled", "cancelled"])
    expect(order.filledQuantity).toBe("0")
  })

  it("refused at the fill, it is rejected whole: not even the closing part trades (a gtc order closes it)", () => {
    // A rule that refuses sell fills that open (a short) at fill time only: the long position to close is built first.
    const build = (timeInForce: "fok" | "gtc") => {
      const engine = engineWith({}, { riskRules: [noShortFills] })
      engine.submitOrder(buy("AAPL", 10))
      engine.processMarketUpdate(updateAt(minute(0), flat(100)))
      const id = engine.submitOrder(sell("AAPL", 15, { timeInForce }))
      engine.processMarketUpdate(updateAt(minute(1), flat(100)))
      return { engine, order: engine.getOrder(id), fills: engine.getFills().filter((f) => f.orderId === id) }
    }
    const fok = build("fok")
    expect(fok.order).toMatchObject({ status: "rejected", filledQuantity: "0", rejectionCode: "noShortFills" })
    expect(fok.fills).toEqual([])
    expect(fok.engine.positionOf("AAPL").toString()).toBe("10")
    const gtc = build("gtc")
    expect(gtc.order).toMatchObject({ status: "rejected", filledQuantity: "10", rejectionCode: "noShortFills" })
    expect(gtc.engine.positionOf("AAPL").toString()).toBe("0")
  })
})

describe("while halted by the daily stop-loss", () => {
  it("a fok that would also open is refused at its check (dailyStopLoss); one that only closes fills whole, as an ioc does", () => {
    const halted = (timeInForce: "fok" | "ioc", quantity: number) => {
      const engine = engineWith({ dailyStopLoss: 0.02 })
      engine.submitOrder(buy("AAPL", 100))
      engine.processMarketUpdate(updateAt(minute(0), flat(100)))
      engine.processMarketUpdate(updateAt(minute(1), flat(70))) // equity 97000, under 98000: halted
      expect(engine.status).toBe("halted")
      const id = engine.submitOrder(sell("AAPL", quantity, { timeInForce }))
      engine.processMarketUpdate(updateAt(minute(2), flat(70)))
      const { status, filledQuantity, rejectionCode } = engine.getOrder(id)
      return { status, filledQuantity, rejectionCode, position: engine.positionOf("AAPL").toString() }
    }
    expect(halted("fok", 150)).toEqual({ status: "rejected", filledQuantity: "0", rejectionCode: "dailyStopLoss", position: "100" })
    expect(halted("fok", 100)).toEqual({ status: "filled", filledQuantity: "100", rejectionCode: null, position: "0" })
    expect(halted("ioc", 100)).toEqual({ status: "filled", filledQuantity: "100", rejectionCode: null, position: "0" })
  })
})

describe("gtd: works while the update's time is at most expireAt", () => {
  const limitBuy = (expireAt: number | string | Date): OrderRequest => buy("AAPL", 10, { type: "limit", limitPrice: 95, timeInForce: "gtd", expireAt })

  it("works on an update exactly at expireAt and on one without a time; expires before matching on the first later update", () => {
    const engine = engineWith()
    const events = record(engine, (e) => e.type === "orderExpired" || e.type === "orderFilled")
    const id = engine.submitOrder(limitBuy(minute(1)))
    engine.processMarketUpdate(updateAt(minute(0), flat(100)))
    engine.processMarketUpdate(updateAt(minute(1), flat(100)))
    engine.processMarketUpdate({ bars: { AAPL: flat(100) } }) // no time: still minute 1
    expect(engine.getOrder(id).status).toBe("accepted")
    // This bar would fill it (the low reaches 95), but its time is past expireAt.
    engine.processMarketUpdate(updateAt(minute(2), bar(96, 97, 90, 92)))
    expect(engine.getOrder(id)).toMatchObject({ status: "expired", filledQuantity: "0", reasons: ["gtd: its expiry time has passed"] })
    expect(typesOf(events)).toEqual(["orderExpired"])
  })

  it("an order whose expireAt passed before its first update expires unchecked: never accepted, never traded", () => {
    const { order, events } = run(limitBuy(new Date(minute(0) - 1)), [flat(90)])
    expect(order.status).toBe("expired")
    expect(typesOf(events)).toEqual(["orderSubmitted", "orderExpired"])
  })

  it("takes expireAt as ms, an ISO-8601 string or a Date, and stores it as ms", () => {
    const engine = engineWith()
    for (const expireAt of [minute(5), new Date(minute(5)).toISOString(), new Date(minute(5))])
      expect(engine.getOrder(engine.submitOrder(limitBuy(expireAt))).expireAt).toBe(minute(5))
    // Other times in force carry no expireAt at all.
    expect("expireAt" in engine.getOrder(engine.submitOrder(buy("AAPL", 1)))).toBe(false)
  })

  const refused = (request: Record<string, unknown>) => {
    try {
      engineWith().submitOrder(request as unknown as OrderRequest)
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError)
      return (e as ValidationError).issues.map((i) => [i.field, i.rule])
    }
    throw new Error("expected a ValidationError")
  }

  it("refuses gtd without expireAt, expireAt without gtd, and an expireAt that is not a time, naming the field", () => {
    expect(refused({ ...buy("AAPL", 1), timeInForce: "gtd" })).toEqual([["expireAt", "is required for gtd orders"]])
    expect(refused({ ...buy("AAPL", 1), timeInForce: "day", expireAt: minute(1) })).toEqual([["expireAt", "is only allowed for gtd orders"]])
    expect(refused({ ...buy("AAPL", 1), expireAt: minute(1) })).toEqual([["expireAt", "is only allowed for gtd orders"]])
    for (const bad of ["tomorrow", Number.NaN, 9e15, {}])
      expect(refused({ ...buy("AAPL", 1), timeInForce: "gtd", expireAt: bad }).map(([field]) => field)).toContain("expireAt")
  })
})

describe("opg: only at the opening price of the next session", () => {
  it("placed after Monday's last bar, a market opg fills at Tuesday's open", () => {
    const engine = engineWith()
    engine.processMarketUpdate(updateAt(at(MONDAY, 0), flat(100)))
    const id = engine.submitOrder(buy("AAPL", 10, { timeInForce: "opg" }))
    engine.processMarketUpdate(updateAt(at(TUESDAY, 0), bar(103, 110, 101, 108)))
    expect(engine.getOrder(id)).toMatchObject({ status: "filled", averageFillPrice: "103" })
  })

  it("placed mid-session, it waits through the rest of the day and fills at the next day's open", () => {
    const engine = engineWith()
    engine.processMarketUpdate(updateAt(at(MONDAY, 0), flat(100)))
    const id = engine.submitOrder(buy("AAPL", 10, { timeInForce: "opg" }))
    engine.processMarketUpdate(updateAt(at(MONDAY, 1), bar(99, 100, 95, 96)))
    engine.processMarketUpdate(updateAt(at(MONDAY, 2), bar(96, 97, 94, 95)))
    expect(engine.getOrder(id).status).toBe("accepted")
    expect(engine.getFills()).toEqual([])
    engine.processMarketUpdate(updateAt(at(TUESDAY, 0), bar(98, 99, 97, 98)))
    expect(engine.getOrder(id)).toMatchObject({ status: "filled", averageFillPrice: "98" })
  })

  it("a limit opg compares the open only: when only the low reaches the limit, it is cancelled unfilled", () => {
    const engine = engineWith()
    engine.processMarketUpdate(updateAt(at(MONDAY, 0), flat(100)))
    const id = engine.submitOrder(buy("AAPL", 10, { type: "limit", limitPrice: 99, timeInForce: "opg" }))
    engine.processMarketUpdate(updateAt(at(TUESDAY, 0), bar(100, 101, 95, 96)))
    expect(engine.getOrder(id)).toMatchObject({ status: "cancelled", filledQuantity: "0", reasons: ["opg: what the opening did not fill is cancelled"] })
    const filled = engineWith()
    filled.processMarketUpdate(updateAt(at(MONDAY, 0), flat(100)))
    const id2 = filled.submitOrder(buy("AAPL", 10, { type: "limit", limitPrice: 99, timeInForce: "opg" }))
    filled.processMarketUpdate(updateAt(at(TUESDAY, 0), bar("98.5", 101, 95, 96)))
    expect(filled.getOrder(id2)).toMatchObject({ status: "filled", averageFillPrice: "98.5" })
  })

  it("when its symbol does not trade at the opening, it expires on the next update", () => {
    const engine = engineWith()
    engine.processMarketUpdate({ time: at(MONDAY, 0), bars: { AAPL: flat(100), MSFT: flat(50) } })
    const id = engine.submitOrder(buy("AAPL", 10, { timeInForce: "opg" }))
    engine.processMarketUpdate(updateAt(at(TUESDAY, 0), flat(51), "MSFT"))
    expect(engine.getOrder(id).status).toBe("submitted")
    engine.processMarketUpdate({ time: at(TUESDAY, 1), bars: { AAPL: flat(100), MSFT: flat(51) } })
    expect(engine.getOrder(id)).toMatchObject({ status: "expired", reasons: ["opg: the session opened without it"] })
    expect(engine.getFills()).toEqual([])
  })

  it("under a volume cap, what the opening does not fill is cancelled", () => {
    const engine = engineWith({ volumeParticipation: 0.5 })
    engine.processMarketUpdate(updateAt(at(MONDAY, 0), flat(100)))
    const id = engine.submitOrder(buy("AAPL", 10, { timeInForce: "opg" }))
    engine.processMarketUpdate(updateAt(at(TUESDAY, 0), bar(100, 101, 99, 100, 8)))
    expect(engine.getOrder(id)).toMatchObject({ status: "cancelled", filledQuantity: "4" })
  })

  it("before any update, the first update is the opening; without times there is no later session", () => {
    const first = engineWith()
    const id = first.submitOrder(buy("AAPL", 1, { timeInForce: "opg" }))
    first.processMarketUpdate({ AAPL: 100 })
    expect(first.getOrder(id).status).toBe("filled")
    const id2 = first.submitOrder(buy("AAPL", 1, { timeInForce: "opg" }))
    first.processMarketUpdate({ AAPL: 101 })
    expect(first.getOrder(id2).status).toBe("expired")
  })
})

describe("cls: market-on-close, at the close of the bar after it was placed", () => {
  it("fills at the close of the next bar, never at the close of the bar it was placed after", () => {
    const engine = engineWith()
    engine.processMarketUpdate(updateAt(minute(0), bar(100, 101, 99, 100)))
    const id = engine.submitOrder(buy("AAPL", 10, { timeInForce: "cls" }))
    engine.processMarketUpdate(updateAt(minute(1), bar(101, 106, 100, 105)))
    const fills = engine.getFills()
    expect(fills.map((f) => [f.price, f.updateIndex])).toEqual([["105", 2]])
    expect(engine.getOrder(id).status).toBe("filled")
  })

  it("a limit cls compares the close only, and is cancelled when the close is beyond it", () => {
    const { order, fills } = run(sell("AAPL", 10, { type: "limit", limitPrice: 104, timeInForce: "cls" }), [bar(100, 110, 99, 103)])
    expect(fills).toEqual([])
    expect(order).toMatchObject({ status: "cancelled", reasons: ["cls: what the close did not fill is cancelled"] })
  })

  it("refuses stop and stop-limit orders (one price of a bar cannot wait for a trigger), naming timeInForce", () => {
    for (const timeInForce of ["cls", "opg"] as const) {
      const request = buy("AAPL", 1, { type: "stop", stopPrice: 110, timeInForce })
      expect(() => engineWith().submitOrder(request)).toThrow(ValidationError)
      try {
        engineWith().submitOrder(request)
      } catch (e) {
        expect((e as ValidationError).issues.map((i) => i.field)).toEqual(["timeInForce"])
      }
    }
  })
})

describe("day and gtc are unchanged", () => {
  it("a day order placed on Monday's last bar works through Tuesday and expires at Wednesday's first update", () => {
    const engine = engineWith()
    engine.processMarketUpdate(updateAt(at(MONDAY, 0), flat(100)))
    const id = engine.submitOrder(buy("AAPL", 1, { type: "limit", limitPrice: 90, timeInForce: "day" }))
    engine.processMarketUpdate(updateAt(at(TUESDAY, 0), flat(100)))
    engine.processMarketUpdate(updateAt(at(TUESDAY, 5), flat(100)))
    expect(engine.getOrder(id).status).toBe("accepted")
    engine.processMarketUpdate(updateAt(at(TUESDAY + DAY, 0), flat(80)))
    expect(engine.getOrder(id).status).toBe("expired")
  })
})
