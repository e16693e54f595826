import { isDecimal } from "../domain/decimal.ts"
import { ExecutionModelError } from "../domain/errors.ts"
import { formatThrown, formatValue } from "../domain/format-value.ts"
import type { FeeModel } from "./fee-model.ts"
import type { FillModel, MatchResult, WorkingOrder } from "./fill-model.ts"
import type { SlippageModel } from "./slippage-model.ts"

/**
 * The caller's fill, slippage and fee models behind a check of each call: what one throws, or a
 * return that is not a price, a quantity or a commission, becomes an ExecutionModelError naming
 * the model, the order and the rule, which the engine turns into that order's refusal inside an
 * update. The built-in models are not wrapped: they cannot return such values.
 */

type ModelName = ExecutionModelError["model"]

/** The rule a returned value breaks, or null. */
type Rule = (value: unknown) => string | null

const decimalRule =
  (what: string, allowsZero: boolean): Rule =>
  (value) => {
    if (!isDecimal(value)) return `${what} must be a Decimal`
    if (!value.isFinite()) return `${what} must be finite`
    return allowsZero ? (value.isNegative() && !value.isZero() ? `${what} must be at least 0` : null) : value.isPositive() && !value.isZero() ? null : `${what} must be above 0`
  }

const commissionRule = decimalRule("a commission", true)
const priceRule = decimalRule("a price", false)
const fillPriceRule = decimalRule("fill.price", false)
const fillQuantityRule = decimalRule("fill.quantity", false)

const matchRule: Rule = (value) => {
  if (typeof value !== "object" || value === null) return "a match must be an object { triggered, fill }"
  const { triggered, fill } = value as { triggered?: unknown; fill?: unknown }
  if (typeof triggered !== "boolean") return "triggered must be true or false"
  if (fill === null) return null
  if (typeof fill !== "object" || fill === undefined) return "fill must be null or { price, quantity }"
  const { price, quantity } = fill as { price?: unknown; quantity?: unknown }
  return fillPriceRule(price) ?? fillQuantityRule(quantity)
}

/** Calls `f` for `order`; its throw or a return that breaks `rule` is an ExecutionModelError. */
const checked = <T>(model: ModelName, order: WorkingOrder, rule: Rule, f: () => T): T => {
  let value: T
  try {
    value = f()
  } catch (thrown) {
    throw new ExecutionModelError({ model, orderId: order.spec.id, problem: `threw (${formatThrown(thrown)})`, cause: thrown })
  }
  // A return that cannot even be read (a throwing getter) is a return that breaks the rule.
  let broken: string | null
  try {
    broken = rule(value)
  } catch {
    broken = "its value cannot be read"
  }
  if (broken !== null) throw new ExecutionModelError({ model, orderId: order.spec.id, problem: `returned ${formatValue(value)}: ${broken}`, cause: value })
  return value
}

export const checkedFillModel = (model: FillModel): FillModel => ({
  match: (order, quote) => checked<MatchResult>("fillModel", order, matchRule, () => model.match(order, quote))
})

export const checkedSlippageModel = (model: SlippageModel): SlippageModel => ({
  adjust: (price, order, quote) => checked("slippageModel", order, priceRule, () => model.adjust(price, order, quote))
})

export const checkedFeeModel = (model: FeeModel): FeeModel => ({
  commission: (fill, order, chargedSoFar) => checked("feeModel", order, commissionRule, () => model.commission(fill, order, chargedSoFar))
})
