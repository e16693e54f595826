/**
 * The hand-written check of the usual order request (src/domain/usual-order-request.ts) is a
 * shortcut of the order schema, never a second set of rules: every request it passes, the schema
 * passes with the same value, over requests mixing valid and invalid fields of every kind.
 */
import { fc, test } from "@fast-check/vitest"
import { Exit, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { Decimal } from "../../src/domain/decimal.ts"
import type { Instrument } from "../../src/domain/instrument.ts"
import { orderRequestSchema } from "../../src/domain/order.ts"
import { usualOrderRequest } from "../../src/domain/usual-order-request.ts"

const symbols = new Set(["AAA", "BBB"])
const instruments: Readonly<Record<string, Instrument>> = { BBB: { tickSize: "0.05", lotSize: "10", minQuantity: "20" } }
const decode = Schema.decodeUnknownExit(orderRequestSchema(symbols, instruments))

const amount = fc.oneof(
  fc.constantFrom(1, 0.05, 10, 20, 25, 100.5, 0, -1, 1e15, 2e15, Number.NaN, Number.POSITIVE_INFINITY),
  fc.constantFrom("1", "0.05", "20", "1e2", " 1", "abc", "", "-3"),
  fc.constantFrom(new Decimal(10), new Decimal(0), new Decimal(Number.NaN), new Decimal("0.07")),
  fc.constantFrom(null, true, {}, [])
)
const field = <T>(values: fc.Arbitrary<T>) => fc.option(values, { nil: undefined, freq: 2 })

const requestArb = fc.record(
  {
    symbol: fc.constantFrom("AAA", "BBB", "CCC", 1),
    side: fc.constantFrom("buy", "sell", "hold"),
    type: fc.constantFrom("market", "limit", "stop", "stopLimit", "trailingStop", "other"),
    quantity: amount,
    limitPrice: field(amount),
    stopPrice: field(amount),
    timeInForce: field(fc.constantFrom("day", "gtc", "ioc", "fok", "gtd", "opg", "cls", "never")),
    tag: field(fc.constantFrom("signal", 3)),
    clientOrderId: field(fc.constantFrom("mine-1", "", "O-000001", "x".repeat(129), 7)),
    trailAmount: field(amount),
    expireAt: field(fc.constantFrom(0, "2024-01-02T00:00:00Z")),
    extra: field(fc.constant(1))
  },
  { requiredKeys: ["symbol", "side", "type", "quantity"] }
)

describe("the usual order request", () => {
  test.prop([requestArb], { numRuns: 2000 })("whatever it passes, the schema passes with the same value", (request) => {
    const passed = usualOrderRequest(request, symbols, instruments)
    if (passed === undefined) return
    const exit = decode(request, { onExcessProperty: "error" })
    expect(Exit.isSuccess(exit)).toBe(true)
    if (Exit.isSuccess(exit)) expect(exit.value).toEqual(passed)
  })

  it("passes the usual requests (the check is not vacuous)", () => {
    expect(usualOrderRequest({ symbol: "AAA", side: "buy", type: "market", quantity: 100 }, symbols, instruments)).toBeDefined()
    expect(usualOrderRequest({ symbol: "AAA", side: "sell", type: "stopLimit", quantity: new Decimal(3), limitPrice: "9.5", stopPrice: 10, timeInForce: "day", tag: "t", clientOrderId: "c-1" }, symbols, instruments)).toBeDefined()
    expect(usualOrderRequest({ symbol: "BBB", side: "buy", type: "limit", quantity: 20, limitPrice: 1.05 }, symbols, instruments)).toBeDefined()
    // Off the instrument's lot: left to the schema, which reports it.
    expect(usualOrderRequest({ symbol: "BBB", side: "buy", type: "limit", quantity: 25, limitPrice: 1.05 }, symbols, instruments)).toBeUndefined()
  })
})
