import { Decimal, isDecimal, isDecimalString } from "../domain/decimal.ts"
import { ExecutionModelError } from "../domain/errors.ts"
import { formatThrown, formatValue } from "../domain/format-value.ts"
import type { FeeModel } from "./fee-model.ts"
import type { FillModel, MatchResult, WorkingOrder } from "./fill-model.ts"
import type { SlippageModel } from "./slippage-model.ts"

/**
 * The caller's fill, slippage and fee models behind a check of each call: what one throws, or a
 * return that is not a price, a quantity or a commission, becomes an ExecutionModelError naming
 * the model, the order and the rule, which the engine turns into that order's refusal inside an
 * update. What passes is re-made as the engine's own values, read once, and the model is shown a
 * frozen copy of the order. The built-in models are not wrapped: they cannot return such values.
 */

type ModelName = ExecutionModelError["model"]

/** What a model returned, taken as the engine's own value, or the rule it breaks (a string). */
type Taking<T> = (value: unknown) => T | string

/**
 * A Decimal of the engine's own (40 significant digits, plain notation), made from what a model
 * returned: decimal.js's (any clone: its settings would write `1e+2` in the records) or one that
 * reads as a decimal; a finite value that `allowsZero` or is above 0.
 */
const takeDecimal =
  (what: string, allowsZero: boolean): Taking<Decimal> =>
  (value) => {
    let own: Decimal
    if (value instanceof Decimal) own = new Decimal(value)
    else if (isDecimal(value) && typeof value.toString === "function") {
      // From another copy of decimal.js: taken by what it writes, if that is a decimal.
      const text = String(value)
      if (!isDecimalString(text)) return `${what} must be a Decimal`
      own = new Decimal(text)
    } else return `${what} must be a Decimal`
    if (!own.isFinite()) return `${what} must be finite`
    if (own.isZero() ? !allowsZero : own.isNegative()) return `${what} must be ${allowsZero ? "at least 0" : "above 0"}`
    return own.precision() > Decimal.precision ? own.toSignificantDigits(Decimal.precision) : own
  }

const takeCommission = takeDecimal("a commission", true)
const takePrice = takeDecimal("a price", false)
const takeFillPrice = takeDecimal("fill.price", false)
const takeFillQuantity = takeDecimal("fill.quantity", false)

/** A match read once, field by field, into a result of the engine's own: nothing the model keeps can change it after. */
const takeMatch: Taking<MatchResult> = (value) => {
  if (typeof value !== "object" || value === null) return "a match must be an object { triggered, fill }"
  const { triggered, fill } = value as { triggered?: unknown; fill?: unknown }
  if (typeof triggered !== "boolean") return "triggered must be true or false"
  if (fill === null) return { triggered, fill: null }
  if (typeof fill !== "object" || fill === undefined) return "fill must be null or { price, quantity }"
  const { price, quantity } = fill as { price?: unknown; quantity?: unknown }
  const ownPrice = takeFillPrice(price)
  if (typeof ownPrice === "string") return ownPrice
  const ownQuantity = takeFillQuantity(quantity)
  if (typeof ownQuantity === "string") return ownQuantity
  return { triggered, fill: { price: ownPrice, quantity: ownQuantity } }
}

/**
 * What a model of the caller's is shown of an order: a frozen copy, so that a model that writes
 * to it changes nothing the engine reads (the engine hands its built-in models the order itself).
 */
const shownOrder = (order: WorkingOrder): WorkingOrder =>
  Object.freeze({
    spec: order.spec,
    triggered: order.triggered,
    remaining: order.remaining,
    limitPrice: order.limitPrice,
    stopPrice: order.stopPrice,
    limitNumber: order.limitNumber,
    stopNumber: order.stopNumber
  })

/** Calls `f` with the order as a model is shown it; its throw, or a return `take` refuses, is an ExecutionModelError. */
const checked = <T>(model: ModelName, order: WorkingOrder, take: Taking<T>, f: (shown: WorkingOrder) => unknown): T => {
  let value: unknown
  try {
    value = f(shownOrder(order))
  } catch (thrown) {
    throw new ExecutionModelError({ model, orderId: order.spec.id, problem: `threw (${formatThrown(thrown)})`, cause: thrown })
  }
  // A return that cannot even be read (a throwing getter) is refused like any other.
  let taken: T | string
  try {
    taken = take(value)
  } catch {
    taken = "its value cannot be read"
  }
  if (typeof taken === "string") throw new ExecutionModelError({ model, orderId: order.spec.id, problem: `returned ${formatValue(value)}: ${taken}`, cause: value })
  return taken
}

export const checkedFillModel = (model: FillModel): FillModel => ({
  match: (order, quote) => checked("fillModel", order, takeMatch, (shown) => model.match(shown, quote))
})

export const checkedSlippageModel = (model: SlippageModel): SlippageModel => ({
  adjust: (price, order, quote) => checked("slippageModel", order, takePrice, (shown) => model.adjust(price, shown, quote))
})

export const checkedFeeModel = (model: FeeModel): FeeModel => ({
  commission: (fill, order, chargedSoFar) => checked("feeModel", order, takeCommission, (shown) => model.commission(fill, shown, chargedSoFar))
})
