import fc from "fast-check"
import { describe, expect, it } from "vitest"
import type { OrderView } from "../../src/engine/order-entry.ts"
import { alpacaField, readOrderRequest, readReplaceRequest } from "../../src/server/alpaca-order-request.ts"
import { BrokerApiError } from "../../src/server/broker-error.ts"

const base = { symbol: "AAPL", qty: "10", side: "sell", type: "limit", time_in_force: "gtc" }

describe("readOrderRequest", () => {
  it("reads an OCO as Alpaca's exit pair: the limit (with the client order id) and the stop-loss, one side and quantity", () => {
    const read = readOrderRequest({ ...base, order_class: "oco", client_order_id: "exit", take_profit: { limit_price: "110" }, stop_loss: { stop_price: "95", limit_price: "94" } })
    expect(read).toEqual({
      kind: "list",
      orderClass: "oco",
      request: {
        kind: "oco",
        orders: [
          { symbol: "AAPL", side: "sell", quantity: "10", timeInForce: "gtc", type: "limit", limitPrice: "110", clientOrderId: "exit" },
          { symbol: "AAPL", side: "sell", quantity: "10", timeInForce: "gtc", type: "stopLimit", stopPrice: "95", limitPrice: "94" }
        ]
      }
    })
  })

  it("reads a bracket's legs with the entry's time in force, a stop-loss without a limit as a stop", () => {
    const read = readOrderRequest({ ...base, side: "buy", limit_price: 100, order_class: "bracket", take_profit: { limit_price: 110 }, stop_loss: { stop_price: 95 } })
    expect(read).toEqual({
      kind: "list",
      orderClass: "bracket",
      request: {
        kind: "bracket",
        entry: { symbol: "AAPL", side: "buy", type: "limit", quantity: "10", timeInForce: "gtc", limitPrice: "100" },
        takeProfit: { type: "limit", limitPrice: "110", timeInForce: "gtc" },
        stopLoss: { type: "stop", stopPrice: "95", timeInForce: "gtc" }
      }
    })
  })

  it("names every problem of a request at once, in Alpaca's field names", () => {
    const read = readOrderRequest({ symbol: 7, qty: "x", side: "hold", type: "limit", order_class: "oto", take_profit: [], extended_hours: true, position_intent: "buy_to_open" })
    expect(read).toBeInstanceOf(BrokerApiError)
    const message = (read as BrokerApiError).message
    for (const part of [
      "position_intent is not a field",
      "symbol must be a non-empty string",
      "side must be one of buy, sell",
      "time_in_force is required",
      "qty must be a decimal number",
      "extended_hours must be false",
      "take_profit must be an object"
    ])
      expect(message).toContain(part)
    expect((read as BrokerApiError).status).toBe(422)
  })
})

describe("alpacaField", () => {
  it("names the engine's fields as the Alpaca request does", () => {
    expect(["quantity", "limitPrice", "entry.stopPrice", "takeProfit.limitPrice", "stopLoss.trailAmount", "orders.0.limitPrice", "orders.1.stopPrice", "(input)"].map(alpacaField)).toEqual([
      "qty",
      "limit_price",
      "stop_price",
      "take_profit.limit_price",
      "stop_loss.trail_price",
      "limit_price",
      "stop_loss.stop_price",
      "(input)"
    ])
  })
})

describe("readReplaceRequest", () => {
  const order = { type: "trailingStop", trailPercent: "5", trailAmount: null, timeInForce: "gtc", clientOrderId: "t" } as unknown as OrderView
  it("reads trail as the distance of the kind the order has", () => {
    expect(readReplaceRequest({ trail: "3", qty: 4 }, order)).toEqual({ quantity: "4", trailPercent: "3" })
  })
  it("refuses a change it cannot make, and a replace that changes nothing", () => {
    expect((readReplaceRequest({ time_in_force: "day" }, order) as BrokerApiError).message).toContain("time_in_force cannot be changed")
    expect((readReplaceRequest({}, order) as BrokerApiError).message).toContain("a replace must change something")
  })
})

describe("any request body", () => {
  // Alpaca's fields with values of every kind, plus strangers: the reader answers, never throws.
  const value = fc.oneof(fc.string(), fc.constantFrom("1", "0", "-1", "1e3", "abc", "market", "limit", "stop_limit", "trailing_stop", "buy", "sell", "day", "gtc", "oco", "bracket", "oto"), fc.double(), fc.boolean(), fc.constant(null), fc.object())
  const fields = fc.constantFrom("symbol", "qty", "notional", "side", "type", "time_in_force", "limit_price", "stop_price", "trail_price", "trail_percent", "client_order_id", "order_class", "take_profit", "stop_loss", "extended_hours", "other")
  const body = fc.oneof(fc.dictionary(fields, fc.oneof(value, fc.dictionary(fc.constantFrom("limit_price", "stop_price", "x"), value))), fc.anything())

  it("is read into an order or a list, or refused with a 422 naming a field; it never throws", () => {
    fc.assert(
      fc.property(body, (input) => {
        const read = readOrderRequest(input)
        if (read instanceof BrokerApiError) {
          expect(read.status).toBe(422)
          expect(read.message.length).toBeGreaterThan(0)
        } else {
          expect(["order", "list"]).toContain(read.kind)
        }
      })
    )
  })
})

describe("order lists as Alpaca takes them", () => {
  const refusal = (body: Record<string, unknown>) => {
    const read = readOrderRequest(body)
    return read instanceof BrokerApiError ? [read.status, read.message] : "accepted"
  }
  const legs = { take_profit: { limit_price: "110" }, stop_loss: { stop_price: "95" } }

  it("refuses a bracket, oco or oto whose time in force is not day or gtc (its legs would end at once)", () => {
    for (const order_class of ["bracket", "oco", "oto"])
      for (const time_in_force of ["ioc", "fok", "opg", "cls"]) {
        const body = { ...base, side: order_class === "oco" ? "sell" : "buy", time_in_force, limit_price: "100", order_class, ...(order_class === "oto" ? { take_profit: legs.take_profit } : legs) }
        if (order_class === "oco") delete (body as Record<string, unknown>)["limit_price"]
        expect([order_class, time_in_force, refusal(body)]).toEqual([order_class, time_in_force, [422, expect.stringMatching(new RegExp(`^time_in_force must be day or gtc for ${order_class} orders`))]])
      }
  })

  it("refuses exit prices on the wrong sides: a take-profit not beyond the stop-loss, a bracket's limit entry outside them", () => {
    expect(refusal({ ...base, side: "buy", limit_price: "100", order_class: "bracket", take_profit: { limit_price: "90" }, stop_loss: { stop_price: "95" } })).toEqual([
      422,
      expect.stringMatching(/^take_profit.limit_price must be above stop_loss.stop_price/)
    ])
    expect(refusal({ ...base, side: "sell", limit_price: "100", order_class: "bracket", ...legs })).toEqual([422, expect.stringMatching(/^take_profit.limit_price must be below/)])
    expect(refusal({ ...base, side: "buy", limit_price: "120", order_class: "bracket", ...legs })).toEqual([422, expect.stringMatching(/^limit_price must be between/)])
    expect(refusal({ ...base, side: "buy", order_class: "oco", ...legs })).toEqual([422, expect.stringMatching(/^take_profit.limit_price must be below/)])
    // The right sides are taken: a long's exits (sell) above and below, a short's the other way round.
    expect(refusal({ ...base, side: "buy", limit_price: "100", order_class: "bracket", ...legs })).toBe("accepted")
    expect(refusal({ ...base, side: "buy", type: "market", order_class: "bracket", ...legs })).toBe("accepted")
    expect(refusal({ ...base, side: "sell", order_class: "oco", ...legs })).toBe("accepted")
    expect(refusal({ ...base, side: "sell", limit_price: "100", order_class: "bracket", take_profit: { limit_price: "90" }, stop_loss: { stop_price: "105" } })).toBe("accepted")
  })
})
