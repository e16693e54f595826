import fc from "fast-check"
import { orderTypes } from "../domain/order-types.ts"
import { type OrderRequest, type OrderSide, OrderSides, OrderTypes, TimesInForce, type TimeInForce } from "../domain/order.ts"
import { type CommandSpec, commandArb, quantityArb } from "./engine-scenario.ts"
import { offsetPrice } from "./order-commands.ts"
import { checkTestingOptions, positive, someSymbols, wholeAtLeast } from "./testing-options.ts"

export interface OrderRequestOptions {
  /** The symbols to order (default ["AAA", "BBB"]). */
  readonly symbols?: ReadonlyArray<string>
  /** The price limit and stop prices are set around (default 100): within ±15 %, mostly ±2 %. */
  readonly price?: number
}

const offsetBp = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: -200, max: 200 }) }, { weight: 1, arbitrary: fc.integer({ min: -1500, max: 1500 }) })

/**
 * Valid order requests over every order type (market, limit, stop, stop-limit, trailing stop) and
 * time in force the engine supports (or the default): prices where each type needs them, as
 * numbers or decimal strings; quantities whole or fractional; gtd orders with an `expireAt` (a day
 * after 2024-01-02); opg and cls on market and limit orders only (a stop asking for one gets gtc). The engine accepts every one of them
 * (its risk rules may still reject it at the next update, as they would a strategy's).
 */
export const orderRequestArb = (options: OrderRequestOptions = {}): fc.Arbitrary<OrderRequest> => {
  checkTestingOptions(options, { symbols: someSymbols, price: positive })
  const base = options.price ?? 100
  return fc
    .record({
      symbol: fc.constantFrom(...(options.symbols ?? ["AAA", "BBB"])),
      side: fc.constantFrom<OrderSide>(...OrderSides),
      type: fc.constantFrom(...OrderTypes),
      quantity: quantityArb,
      limitBp: offsetBp,
      stopBp: offsetBp,
      timeInForce: fc.option(fc.constantFrom<TimeInForce>(...TimesInForce), { nil: undefined }),
      asString: fc.boolean()
    })
    .map(({ symbol, side, type, quantity, limitBp, stopBp, timeInForce, asString }): OrderRequest => {
      const stop = offsetPrice(base, stopBp, asString)
      const tif = (timeInForce === "opg" || timeInForce === "cls") && orderTypes[type].isStop ? "gtc" : timeInForce
      return {
        symbol,
        side,
        type,
        quantity,
        ...(tif === undefined ? {} : { timeInForce: tif }),
        ...(tif === "gtd" ? { expireAt: "2024-01-03T21:00:00Z" } : {}),
        ...(type === "limit" || type === "stopLimit" ? { limitPrice: offsetPrice(type === "stopLimit" ? Number(stop) : base, limitBp, asString) } : {}),
        ...(type === "stop" || type === "stopLimit" ? { stopPrice: stop } : {}),
        // A trailing stop trails from the base price, by a percent (|stopBp| / 100, at least 0.01).
        ...(type === "trailingStop" ? { trailPercent: Math.max(1, Math.abs(stopBp)) / 100, trailReference: base } : {})
      }
    })
}

/**
 * Streams of order commands (submit, cancel, replace) in relative form: prices as offsets from the
 * last price, targets as indices into the open or all orders so far, quantities literal or sized
 * from the account. Resolve each against an engine with `submitRequest`, `pickOrder` and
 * `replaceChanges`; every shrink of a stream is still a valid stream.
 */
export const orderStreamArb = (options: { readonly maxLength?: number } = {}): fc.Arbitrary<ReadonlyArray<CommandSpec>> => {
  checkTestingOptions(options, { maxLength: wholeAtLeast(0) })
  return fc.array(commandArb, { maxLength: options.maxLength ?? 20 })
}
