/**
 * The risk gate: the same rules, built-in and user, at acceptance, at replace and at fill time;
 * pre-trade estimates priced by the plugged-in models; a stable rejection code beside the reason;
 * and a rule that throws leaves everything as it was.
 */
import { describe, expect, it } from "vitest"
import { approve, Decimal, reject } from "../../src/index.ts"
import type { EngineEvent, FeeModel, RiskRule } from "../../src/index.ts"
import { bar, buy, engineOn, flat, frictionless, record, sell, TUESDAY } from "./fixtures.ts"

const engineWith = engineOn(frictionless(["AAPL"]))
const at = (i: number) => TUESDAY + i * 60_000

const rejections = (events: ReadonlyArray<EngineEvent>) =>
  events.flatMap((e) => (e.type === "orderRejected" ? [{ id: e.order.id, code: e.code, reason: e.reason, viewCode: e.order.rejectionCode }] : []))

describe("the pre-trade estimate is priced by the plugged-in models", () => {
  // Half the notional as commission, with the configured rate left at 0.
  const halfFee: FeeModel = { commission: ({ notional }) => notional.times("0.5") }

  it("an order the fee model makes unaffordable is rejected at acceptance, not accepted and refused at its fill", () => {
    const engine = engineWith({ initialCapital: "1000" }, { feeModel: halfFee })
    const events = record(engine)
    // 7 × 100 = 700 of notional and 350 of commission: 1050 against 1000 of cash.
    const id = engine.submitOrder(buy("AAPL", 7))
    engine.processMarketUpdate({ time: at(0), bars: { AAPL: flat(100) } })
    expect(events.some((e) => e.type === "orderAccepted")).toBe(false)
    expect(rejections(events)).toEqual([{ id, code: "cash", reason: "cash: opening 7 AAPL needs about 1050, buying power is 1000", viewCode: "cash" }])
    expect(engine.getFills()).toEqual([])
    expect(engine.getPortfolio().cash.toString()).toBe("1000")
  })

  it("an order the fee model leaves affordable is accepted and filled", () => {
    const engine = engineWith({ initialCapital: "1000" }, { feeModel: halfFee })
    const id = engine.submitOrder(buy("AAPL", 6))
    engine.processMarketUpdate({ time: at(0), bars: { AAPL: flat(100) } })
    expect(engine.getOrder(id).status).toBe("filled")
    expect(engine.getPortfolio().cash.toString()).toBe("100") // 1000 − 600 − 300
  })
})

describe("user rules run at fill time too", () => {
  // Refuses to pay more than 105: the open (100) passes at acceptance, the stop's fill (110) does not.
  const priceCap: RiskRule = {
    name: "priceCap",
    check: (c) => (c.openingQuantity.isZero() || c.referencePrice.lessThanOrEqualTo(105) ? approve : reject(`priceCap: ${c.referencePrice} is over 105`))
  }

  it("a fill the rule refuses is rejected with the rule's code; nothing trades", () => {
    const engine = engineWith({}, { riskRules: [priceCap] })
    const events = record(engine)
    const id = engine.submitOrder(buy("AAPL", 10, { type: "stop", stopPrice: 110 }))
    engine.processMarketUpdate({ time: at(0), bars: { AAPL: bar(100, 101, 99, 100) } })
    expect(engine.getOrder(id).status).toBe("accepted")
    engine.processMarketUpdate({ time: at(1), bars: { AAPL: bar(100, 112, 99, 111) } })
    expect(rejections(events)).toEqual([{ id, code: "priceCap", reason: "priceCap: 110 is over 105", viewCode: "priceCap" }])
    expect(engine.getOrder(id).status).toBe("rejected")
    expect(engine.getFills()).toEqual([])
  })

  it("a fill that only closes a position always trades, whatever the rules say", () => {
    const engine = engineWith({}, { riskRules: [priceCap] })
    engine.submitOrder(buy("AAPL", 10))
    engine.processMarketUpdate({ time: at(0), bars: { AAPL: flat(100) } })
    const id = engine.submitOrder(sell("AAPL", 10, { type: "limit", limitPrice: 120 }))
    engine.processMarketUpdate({ time: at(1), bars: { AAPL: flat(100) } })
    engine.processMarketUpdate({ time: at(2), bars: { AAPL: bar(110, 121, 109, 120) } })
    expect(engine.getOrder(id).status).toBe("filled")
    expect(engine.positionOf("AAPL").toString()).toBe("0")
  })
})

describe("a rule that throws leaves everything as it was", () => {
  const failure = new Error("the rule's own data source is down")
  // Throws for any quantity over 50: the first order passes, its replace to 80 throws.
  const flaky: RiskRule = {
    name: "flaky",
    check: (c) => {
      if (c.quantity.greaterThan(50)) throw failure
      return approve
    }
  }

  it("replaceOrder throws the rule's error, the order keeps its status and terms, and stop() still cancels it", () => {
    const engine = engineWith({}, { riskRules: [flaky] })
    const id = engine.submitOrder(buy("AAPL", 10, { type: "limit", limitPrice: 90 }))
    engine.processMarketUpdate({ time: at(0), bars: { AAPL: flat(100) } })
    const before = engine.getOrder(id)
    const events = record(engine)
    expect(() => engine.replaceOrder(id, { quantity: 80 })).toThrow(failure)
    expect(engine.getOrder(id)).toEqual(before)
    expect(events).toEqual([])
    // The order still takes a replace and a cancel: it was not left pending.
    expect(engine.replaceOrder(id, { quantity: 20 })).toEqual({ replaced: true })
    engine.stop()
    expect(engine.getOrder(id).status).toBe("cancelled")
  })
})

describe("rejections carry the rule's name as a stable code", () => {
  it("each built-in rule, at acceptance and at fill time", () => {
    const engine = engineWith({ initialCapital: "10000", maxPositionSize: 0.5 })
    const events = record(engine)
    const shorted = engine.submitOrder(sell("AAPL", 1))
    const tooBig = engine.submitOrder(buy("AAPL", 60))
    engine.processMarketUpdate({ time: at(0), bars: { AAPL: flat(100) } })
    // Accepted at the open of 100 (4,000 of 10,000), then a gap makes the fill cost 12,000:
    // within the position cap (valued at the acceptance's price), over the cash.
    const gapped = engine.submitOrder(buy("AAPL", 40, { type: "stop", stopPrice: 101 }))
    engine.processMarketUpdate({ time: at(1), bars: { AAPL: flat(100) } })
    engine.processMarketUpdate({ time: at(2), bars: { AAPL: flat(300) } })
    expect(rejections(events).map((r) => [r.id, r.code, r.viewCode])).toEqual([
      [shorted, "shorting", "shorting"],
      [tooBig, "maxPositionSize", "maxPositionSize"],
      [gapped, "cash", "cash"]
    ])
    for (const r of rejections(events)) expect(r.reason.startsWith(`${r.code}: `)).toBe(true)
  })

  it("an order never rejected has no code", () => {
    const engine = engineWith()
    const id = engine.submitOrder(buy("AAPL", 1))
    engine.processMarketUpdate({ time: at(0), bars: { AAPL: flat(100) } })
    expect(engine.getOrder(id).rejectionCode).toBeNull()
  })

  it("a refused replace says which rule refused it", () => {
    // 100 at 100 is the whole equity, allowed; its 1% commission is more than the cash.
    const engine = engineWith({ initialCapital: "10000", commissionRate: 0.01 })
    const id = engine.submitOrder(buy("AAPL", 10, { type: "limit", limitPrice: 90 }))
    engine.processMarketUpdate({ time: at(0), bars: { AAPL: flat(100) } })
    expect(engine.replaceOrder(id, { quantity: 100 })).toEqual({ replaced: false, code: "cash", reason: expect.stringMatching(/^cash: /) })
    expect(engine.getOrder(id).rejectionCode).toBeNull()
    expect(new Decimal(engine.getOrder(id).quantity).toNumber()).toBe(10)
  })
})
