import { Result, Schema } from "effect"
import { type DecimalInput, toDecimalString } from "./decimal.ts"
import { ValidationError } from "./errors.ts"
import type { OrderId } from "./ids.ts"
import { orderTypes } from "./order-types.ts"
import { decodeOrFail, PositiveDecimal } from "./validation.ts"

export const OrderSides = ["buy", "sell"] as const
export type OrderSide = (typeof OrderSides)[number]

export const OrderTypes = ["market", "limit", "stop", "stopLimit"] as const
export type OrderType = (typeof OrderTypes)[number]

export const TimesInForce = ["day", "gtc"] as const
export type TimeInForce = (typeof TimesInForce)[number]

/** What a caller submits. Prices and quantity as numbers, numeric strings or Decimals. */
export interface OrderRequest {
  readonly symbol: string
  readonly side: OrderSide
  readonly type: OrderType
  readonly quantity: DecimalInput
  readonly limitPrice?: DecimalInput
  readonly stopPrice?: DecimalInput
  readonly timeInForce?: TimeInForce
  /** A free label of the caller's, kept on the order (e.g. the signal that made it). */
  readonly tag?: string
}

/**
 * An accepted order request in its stored form: decimals as canonical strings, so that it can
 * live in an XState context and a persisted snapshot unchanged.
 */
export interface OrderSpec {
  readonly id: OrderId
  readonly symbol: string
  readonly side: OrderSide
  readonly type: OrderType
  readonly quantity: string
  readonly limitPrice: string | null
  readonly stopPrice: string | null
  readonly timeInForce: TimeInForce
  readonly tag: string | null
  /** How many market updates the engine had processed when the order was submitted. */
  readonly submittedAfterUpdate: number
  /** Time of the last update before submission (ms since epoch), null before any update. */
  readonly submittedTime: number | null
}

const orderRequestSchema = (symbols: ReadonlySet<string>) =>
  Schema.Struct({
    symbol: Schema.String.check(
      Schema.makeFilter((s) => (symbols.has(s) ? undefined : `must be one of the configured symbols (${[...symbols].join(", ")})`))
    ),
    side: Schema.Literals(OrderSides),
    type: Schema.Literals(OrderTypes),
    quantity: PositiveDecimal,
    limitPrice: Schema.optional(PositiveDecimal),
    stopPrice: Schema.optional(PositiveDecimal),
    timeInForce: Schema.optional(Schema.Literals(TimesInForce)),
    tag: Schema.optional(Schema.String)
  }).check(
    Schema.makeFilter((o) => {
      const issues: Array<Schema.FilterIssue> = []
      const priceRule = (field: "limitPrice" | "stopPrice", needed: boolean) => {
        const given = o[field] !== undefined
        if (needed && !given) issues.push({ path: [field], issue: `is required for ${o.type} orders` })
        if (!needed && given) issues.push({ path: [field], issue: `is not allowed for ${o.type} orders` })
      }
      priceRule("limitPrice", orderTypes[o.type].needsLimitPrice)
      priceRule("stopPrice", orderTypes[o.type].needsStopPrice)
      return issues
    })
  )

/** Validated, normalised order fields (everything of an OrderSpec the engine does not assign). */
export type ValidOrderRequest = Omit<OrderSpec, "id" | "submittedAfterUpdate" | "submittedTime">

type OrderRequestValidator = (input: unknown) => Result.Result<ValidOrderRequest, ValidationError>

// Simulations with the same symbols share one validator: building a schema costs far more than using it.
const validators = new Map<string, OrderRequestValidator>()

/** A validator for the order requests of one simulation (its symbols are part of the rules). */
export const makeOrderRequestValidator = (symbols: ReadonlyArray<string>): OrderRequestValidator => {
  const key = symbols.join("\u0000")
  const known = validators.get(key)
  if (known !== undefined) return known
  const validator = buildOrderRequestValidator(symbols)
  if (validators.size >= 1024) validators.clear()
  validators.set(key, validator)
  return validator
}

const buildOrderRequestValidator = (symbols: ReadonlyArray<string>): OrderRequestValidator => {
  const decode = decodeOrFail(orderRequestSchema(new Set(symbols)), "order")
  return (input: unknown): Result.Result<ValidOrderRequest, ValidationError> =>
    Result.map(decode(input), (o) => ({
      symbol: o.symbol,
      side: o.side,
      type: o.type,
      quantity: toDecimalString(o.quantity),
      limitPrice: o.limitPrice === undefined ? null : toDecimalString(o.limitPrice),
      stopPrice: o.stopPrice === undefined ? null : toDecimalString(o.stopPrice),
      // Market orders default to day, the rest to good-till-cancelled (DESIGN: time in force).
      timeInForce: o.timeInForce ?? (o.type === "market" ? "day" : "gtc"),
      tag: o.tag ?? null
    }))
}

/** The fields of a working order that a replace request may change. */
export interface ReplaceRequest {
  readonly quantity?: DecimalInput
  readonly limitPrice?: DecimalInput
  readonly stopPrice?: DecimalInput
}

const replaceRequestSchema = Schema.Struct({
  quantity: Schema.optional(PositiveDecimal),
  limitPrice: Schema.optional(PositiveDecimal),
  stopPrice: Schema.optional(PositiveDecimal)
})

export interface ValidReplaceRequest {
  readonly quantity?: string
  readonly limitPrice?: string
  readonly stopPrice?: string
}

const decodeReplace = decodeOrFail(replaceRequestSchema, "replace")

/** A replace request for an order of `type`: it may only change the prices that type has. */
export const validateReplaceRequest = (input: unknown, type: OrderType): Result.Result<ValidReplaceRequest, ValidationError> =>
  Result.flatMap(decodeReplace(input), (r) => {
    const rules = orderTypes[type]
    const misplaced = [
      ...(r.limitPrice !== undefined && !rules.needsLimitPrice ? [{ field: "limitPrice", rule: `is not allowed for ${type} orders`, value: toDecimalString(r.limitPrice) }] : []),
      ...(r.stopPrice !== undefined && !rules.needsStopPrice ? [{ field: "stopPrice", rule: `is not allowed for ${type} orders`, value: toDecimalString(r.stopPrice) }] : [])
    ]
    if (misplaced.length > 0) return Result.fail(new ValidationError({ subject: "replace", issues: misplaced }))
    return Result.succeed({
      ...(r.quantity !== undefined ? { quantity: toDecimalString(r.quantity) } : {}),
      ...(r.limitPrice !== undefined ? { limitPrice: toDecimalString(r.limitPrice) } : {}),
      ...(r.stopPrice !== undefined ? { stopPrice: toDecimalString(r.stopPrice) } : {})
    })
  })
