/**
 * The per-type record is the one place an order type's facts live: validation, replace
 * validation, the order machine's guards and the default fill model all read it.
 */
import { Result } from "effect"
import { describe, expect, it } from "vitest"
import { initialOrderContext } from "../../machines/order-context.ts"
import { orderTable } from "../../machines/tables.ts"
import { Decimal } from "../../src/domain/decimal.ts"
import { orderIdFromSeq } from "../../src/domain/ids.ts"
import { quoteDecimal, type Quote } from "../../src/domain/market-update.ts"
import { makeOrderRequestValidator, type OrderSpec, OrderTypes, validateReplaceRequest } from "../../src/domain/order.ts"
import { orderTypes, type WorkingOrder } from "../../src/domain/order-types.ts"
import { barFillModel } from "../../src/engine/fill-model.ts"

const validate = makeOrderRequestValidator(["ACME"])
const prices = (type: (typeof OrderTypes)[number]) => ({
  ...(orderTypes[type].needsLimitPrice ? { limitPrice: "10" } : {}),
  ...(orderTypes[type].needsStopPrice ? { stopPrice: "11" } : {}),
  ...(orderTypes[type].trails ? { trailAmount: "1" } : {})
})
const spec = (type: (typeof OrderTypes)[number]): OrderSpec => ({
  id: orderIdFromSeq(1),
  symbol: "ACME",
  side: "buy",
  type,
  quantity: "5",
  // A stop-limit's limit above its stop, so that it fills where the stop is reached.
  limitPrice: orderTypes[type].needsLimitPrice ? (orderTypes[type].needsStopPrice ? "12" : "10") : null,
  // A trailing stop's stop in force is its stopPrice too, set by the engine from its distance.
  stopPrice: orderTypes[type].isStop ? "11" : null,
  timeInForce: "gtc",
  tag: null,
  submittedAfterUpdate: 0,
  submittedTime: null,
  clientOrderId: "c-1",
  trailAmount: orderTypes[type].trails ? "1" : null,
  trailPercent: null,
  trailWatermark: orderTypes[type].trails ? "10" : null,
  orderList: null
})

describe.each(OrderTypes)("%s orders", (type) => {
  const rules = orderTypes[type]

  it("validation asks for exactly the prices the record names", () => {
    expect(Result.isSuccess(validate({ symbol: "ACME", side: "buy", type, quantity: 5, ...prices(type) }))).toBe(true)
    const withBoth = validate({ symbol: "ACME", side: "buy", type, quantity: 5, limitPrice: "10", stopPrice: "11" })
    const issues = Result.isFailure(withBoth) ? withBoth.failure.issues.map((i) => i.field) : []
    expect(issues).toEqual([...(rules.needsLimitPrice ? [] : ["limitPrice"]), ...(rules.needsStopPrice ? [] : ["stopPrice"]), ...(rules.trails ? ["trailAmount"] : [])])
    const replaceIssues = Result.isFailure(validateReplaceRequest({ limitPrice: 9, stopPrice: 12 }, spec(type)))
    expect(replaceIssues).toBe(!rules.needsLimitPrice || !rules.needsStopPrice)
  })

  it("the order machine triggers it, and lets it fill untriggered, as the record says", () => {
    const accepted = { status: "accepted" as const, context: initialOrderContext(spec(type)) }
    expect(orderTable.step(accepted.status, accepted.context, { type: "TRIGGER" }) !== undefined).toBe(rules.isStop)
    expect(orderTable.step(accepted.status, accepted.context, { type: "FILL", quantity: "5", price: "10", commission: "0" }) !== undefined).toBe(!rules.isStop)
  })

  it("the default fill model is the record's rule", () => {
    const s = spec(type)
    const order: WorkingOrder = {
      spec: s,
      triggered: false,
      remaining: new Decimal(5),
      limitPrice: s.limitPrice === null ? null : new Decimal(s.limitPrice),
      stopPrice: s.stopPrice === null ? null : new Decimal(s.stopPrice),
      limitNumber: s.limitPrice === null ? Number.NaN : Number(s.limitPrice),
      stopNumber: s.stopPrice === null ? Number.NaN : Number(s.stopPrice)
    }
    // Opens at 9.5 and trades up to 12: every type matches this bar.
    const quote: Quote = { symbol: "ACME", open: 9.5, high: 12, low: 9, close: 11, source: { open: "9.5", high: "12", low: "9", close: "11" } }
    const result = barFillModel.match(order, quote)
    expect(result).toEqual(rules.match(order, quote))
    expect(result.triggered).toBe(rules.isStop)
    expect(result.fill?.quantity.toString()).toBe("5")
    if (type === "market" || type === "limit") expect(result.fill?.price).toEqual(quoteDecimal(quote, "open"))
  })
})
