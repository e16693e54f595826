import { Result, Schema } from "effect"
import { type DecimalInput, toDecimalString } from "./decimal.ts"
import { ValidationError } from "./errors.ts"
import type { OrderId } from "./ids.ts"
import { type Instrument, instrumentIssues } from "./instrument.ts"
import { orderTypes } from "./order-types.ts"
import { parseTime, type TimeInput } from "./time.ts"
import { decodeOrFail, PositiveDecimal } from "./validation.ts"

export const OrderSides = ["buy", "sell"] as const
export type OrderSide = (typeof OrderSides)[number]

export const OrderTypes = ["market", "limit", "stop", "stopLimit"] as const
export type OrderType = (typeof OrderTypes)[number]

export const TimesInForce = ["day", "gtc", "ioc", "fok", "gtd", "opg", "cls"] as const
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
  /** For `gtd` only (and required there): the last time the order works, as ms since the epoch, an ISO-8601 string or a Date. */
  readonly expireAt?: TimeInput
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
  /** A `gtd` order's last time (ms since the epoch); absent for every other time in force. */
  readonly expireAt?: number
}

/** Times in force that trade at one price of a bar, the open or the close: not for orders that wait for a trigger. */
const ONE_PRICE_TIMES_IN_FORCE: ReadonlySet<TimeInForce> = new Set(["opg", "cls"])

const TimeInputSchema = Schema.Union([Schema.Number, Schema.String, Schema.declare((u): u is Date => u instanceof Date)]).check(
  Schema.makeFilter((t) => (Number.isFinite(parseTime(t)) ? undefined : "must be ms since the epoch, an ISO-8601 string or a Date"))
)

const orderRequestSchema = (symbols: ReadonlySet<string>, instruments: Readonly<Record<string, Instrument>>) =>
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
    tag: Schema.optional(Schema.String),
    expireAt: Schema.optional(TimeInputSchema)
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
      if (o.timeInForce === "gtd" && o.expireAt === undefined) issues.push({ path: ["expireAt"], issue: "is required for gtd orders" })
      if (o.timeInForce !== "gtd" && o.expireAt !== undefined) issues.push({ path: ["expireAt"], issue: "is only allowed for gtd orders" })
      if (o.timeInForce !== undefined && ONE_PRICE_TIMES_IN_FORCE.has(o.timeInForce) && orderTypes[o.type].isStop)
        issues.push({ path: ["timeInForce"], issue: `${o.timeInForce} is not allowed for ${o.type} orders (it trades at one price of a bar, which cannot wait for a trigger)` })
      for (const i of instrumentIssues(instruments[o.symbol], o.symbol, o)) issues.push({ path: [i.field], issue: i.rule })
      return issues
    })
  )

/** Validated, normalised order fields (everything of an OrderSpec the engine does not assign). */
export type ValidOrderRequest = Omit<OrderSpec, "id" | "submittedAfterUpdate" | "submittedTime">

type OrderRequestValidator = (input: unknown) => Result.Result<ValidOrderRequest, ValidationError>

// Simulations with the same symbols and instruments share one validator: building a schema costs far more than using it.
const validators = new Map<string, OrderRequestValidator>()

const NO_INSTRUMENTS: Readonly<Record<string, Instrument>> = {}

/** A validator for the order requests of one simulation (its symbols and instruments are part of the rules). */
export const makeOrderRequestValidator = (symbols: ReadonlyArray<string>, instruments: Readonly<Record<string, Instrument>> = NO_INSTRUMENTS): OrderRequestValidator => {
  const key = instruments === NO_INSTRUMENTS ? symbols.join("\u0000") : `${symbols.join("\u0000")}\u0001${JSON.stringify(instruments)}`
  const known = validators.get(key)
  if (known !== undefined) return known
  const validator = buildOrderRequestValidator(symbols, instruments)
  if (validators.size >= 1024) validators.clear()
  validators.set(key, validator)
  return validator
}

const buildOrderRequestValidator = (symbols: ReadonlyArray<string>, instruments: Readonly<Record<string, Instrument>>): OrderRequestValidator => {
  const decode = decodeOrFail(orderRequestSchema(new Set(symbols), instruments), "order")
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
      tag: o.tag ?? null,
      ...(o.expireAt !== undefined ? { expireAt: parseTime(o.expireAt) } : {})
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

/** A replace request for an order of `type`: it may only change the prices that type has, on its instrument's tick and lot. */
export const validateReplaceRequest = (
  input: unknown,
  type: OrderType,
  instrument?: { readonly symbol: string; readonly instrument: Instrument | undefined }
): Result.Result<ValidReplaceRequest, ValidationError> =>
  Result.flatMap(decodeReplace(input), (r) => {
    const rules = orderTypes[type]
    const misplaced = [
      ...(r.limitPrice !== undefined && !rules.needsLimitPrice ? [{ field: "limitPrice", rule: `is not allowed for ${type} orders`, value: toDecimalString(r.limitPrice) }] : []),
      ...(r.stopPrice !== undefined && !rules.needsStopPrice ? [{ field: "stopPrice", rule: `is not allowed for ${type} orders`, value: toDecimalString(r.stopPrice) }] : []),
      ...(instrument === undefined ? [] : instrumentIssues(instrument.instrument, instrument.symbol, r).map((i) => ({ ...i, value: toDecimalString(r[i.field]!) })))
    ]
    if (misplaced.length > 0) return Result.fail(new ValidationError({ subject: "replace", issues: misplaced }))
    return Result.succeed({
      ...(r.quantity !== undefined ? { quantity: toDecimalString(r.quantity) } : {}),
      ...(r.limitPrice !== undefined ? { limitPrice: toDecimalString(r.limitPrice) } : {}),
      ...(r.stopPrice !== undefined ? { stopPrice: toDecimalString(r.stopPrice) } : {})
    })
  })
