import { Result, Schema } from "effect"
import { type DecimalInput, toDecimalString } from "./decimal.ts"
import { ValidationError } from "./errors.ts"
import { MAX_CLIENT_ORDER_ID_LENGTH, type OrderId } from "./ids.ts"
import { type Instrument, instrumentIssues } from "./instrument.ts"
import { orderTypes } from "./order-types.ts"
import { parseTime, type TimeInput } from "./time.ts"
import { usualOrderRequest } from "./usual-order-request.ts"
import { decodeOrFail, PositiveDecimal, toDecimal } from "./validation.ts"

export const OrderSides = ["buy", "sell"] as const
export type OrderSide = (typeof OrderSides)[number]

export const OrderTypes = ["market", "limit", "stop", "stopLimit", "trailingStop"] as const
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
  /**
   * The caller's own id for the order, unique in the simulation: a second order with it is refused
   * (`DuplicateClientOrderIdError`), so a caller retrying after a timeout never places it twice.
   * Without one the order's own id is used.
   */
  readonly clientOrderId?: string
  /** A trailing stop's distance from the best price since it started: a price amount… */
  readonly trailAmount?: DecimalInput
  /** …or a percent of that price (5 = 5 %). Exactly one of the two. */
  readonly trailPercent?: DecimalInput
  /** The price a trailing stop starts trailing from (default: the symbol's last mark when it is submitted). */
  readonly trailReference?: DecimalInput
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
  /** The caller's id (or, when it gave none, the order's own id): unique in the simulation. */
  readonly clientOrderId: string
  readonly trailAmount: string | null
  readonly trailPercent: string | null
  /**
   * A trailing stop's best price so far (the highest for a sell, the lowest for a buy), from which
   * `stopPrice`, the stop in force, is measured. null for other orders.
   */
  readonly trailWatermark: string | null
  /** The order list it belongs to (an OCO group, an OTO or a bracket), and its part in it. */
  readonly orderList: OrderListLink | null
  /** A `gtd` order's last time (ms since the epoch); absent for every other time in force. */
  readonly expireAt?: number
}

/** Kinds of order list: one-cancels-other, one-triggers-other (an entry and one child), and brackets (an entry and two children). */
export const OrderListKinds = ["oco", "oto", "bracket"] as const
export type OrderListKind = (typeof OrderListKinds)[number]

/** An order's part in its list: a member of an OCO group; the entry of an OTO or bracket, or one of its children. */
export type OrderListRole = "member" | "entry" | "takeProfit" | "stopLoss"

export interface OrderListLink {
  readonly id: string
  readonly kind: OrderListKind
  readonly role: OrderListRole
}

/** A gtd order's spec: its `expireAt` among the fields where snapshots have always written it (before `trailWatermark`). */
export const withExpireAt = (spec: OrderSpec, expireAt: number): OrderSpec => {
  const { trailWatermark, id, submittedAfterUpdate, submittedTime, orderList, ...head } = spec
  return { ...head, expireAt, trailWatermark, id, submittedAfterUpdate, submittedTime, orderList }
}

/** The engine assigns this form of id to orders; a caller's client order id may not take it. */
const ENGINE_ORDER_ID = /^O-\d+$/

/** Whether a reference to an order is an order id (else it is a client order id: the two never share a form). */
export const isEngineOrderId = (reference: string): boolean => ENGINE_ORDER_ID.test(reference)

/** A percent strictly between 0 and 100, as a number, a numeric string or a Decimal. */
const Percent = PositiveDecimal.check(Schema.makeFilter((u) => (toDecimal(u).lessThan(100) ? undefined : "must be less than 100")))

const ClientOrderId = Schema.String.check(
  Schema.makeFilter((s) =>
    s.length === 0 || s.length > MAX_CLIENT_ORDER_ID_LENGTH
      ? `must be 1–${MAX_CLIENT_ORDER_ID_LENGTH} characters`
      : ENGINE_ORDER_ID.test(s)
        ? "must not have the form of an engine order id (O-000123): those go to orders given none"
        : undefined
  )
)


/** Times in force that trade at one price of a bar, the open or the close: not for orders that wait for a trigger. */
const ONE_PRICE_TIMES_IN_FORCE: ReadonlySet<TimeInForce> = new Set(["opg", "cls"])

const TimeInputSchema = Schema.Union([Schema.Number, Schema.String, Schema.declare((u): u is Date => u instanceof Date)]).check(
  Schema.makeFilter((t) => (Number.isFinite(parseTime(t)) ? undefined : "must be ms since the epoch, an ISO-8601 string or a Date"))
)

/** The order request schema of a simulation's symbols and instruments: the rules, and the report of what breaks them. */
export const orderRequestSchema = (symbols: ReadonlySet<string>, instruments: Readonly<Record<string, Instrument>>) =>
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
    clientOrderId: Schema.optional(ClientOrderId),
    trailAmount: Schema.optional(PositiveDecimal),
    trailPercent: Schema.optional(Percent),
    trailReference: Schema.optional(PositiveDecimal),
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
      const trails = orderTypes[o.type].trails
      const distances = (["trailAmount", "trailPercent"] as const).filter((f) => o[f] !== undefined)
      if (trails && distances.length === 0) issues.push({ path: ["trailAmount"], issue: `or trailPercent is required for ${o.type} orders` })
      if (trails && distances.length === 2) issues.push({ path: ["trailPercent"], issue: "is not allowed beside trailAmount: give exactly one" })
      if (!trails) for (const f of [...distances, ...(o.trailReference !== undefined ? (["trailReference"] as const) : [])]) issues.push({ path: [f], issue: `is not allowed for ${o.type} orders` })
      if (trails && o.side === "sell" && o.trailAmount !== undefined && o.trailReference !== undefined && toDecimal(o.trailAmount).greaterThanOrEqualTo(toDecimal(o.trailReference)))
        issues.push({ path: ["trailAmount"], issue: "must be below trailReference for a sell (its stop would be at or below zero)" })
      if (o.timeInForce === "gtd" && o.expireAt === undefined) issues.push({ path: ["expireAt"], issue: "is required for gtd orders" })
      if (o.timeInForce !== "gtd" && o.expireAt !== undefined) issues.push({ path: ["expireAt"], issue: "is only allowed for gtd orders" })
      if (o.timeInForce !== undefined && ONE_PRICE_TIMES_IN_FORCE.has(o.timeInForce) && orderTypes[o.type].isStop)
        issues.push({ path: ["timeInForce"], issue: `${o.timeInForce} is not allowed for ${o.type} orders (it trades at one price of a bar, which cannot wait for a trigger)` })
      for (const i of instrumentIssues(instruments[o.symbol], o.symbol, o)) issues.push({ path: [i.field], issue: i.rule })
      return issues
    })
  )

/** Validated, normalised order fields (everything of an OrderSpec the engine does not assign), and a trailing stop's reference if given. */
export type ValidOrderRequest = Omit<OrderSpec, "id" | "submittedAfterUpdate" | "submittedTime" | "clientOrderId" | "trailWatermark" | "orderList"> & {
  readonly clientOrderId: string | null
  readonly trailReference: string | null
}

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
  const symbolSet = new Set(symbols)
  const decode = decodeOrFail(orderRequestSchema(symbolSet, instruments), "order", (plain) => usualOrderRequest(plain, symbolSet, instruments))
  return (input: unknown): Result.Result<ValidOrderRequest, ValidationError> => {
    const decoded = decode(input)
    // Unwrapped by hand rather than by Result.map, whose dual form allocates on every order.
    return Result.isFailure(decoded) ? Result.fail(decoded.failure) : Result.succeed(validOrderRequest(decoded.success))
  }
}

/** A decoded order request in its stored form: decimals as canonical strings, and the defaults filled in. */
const validOrderRequest = (o: Schema.Schema.Type<ReturnType<typeof orderRequestSchema>>): ValidOrderRequest => ({
  symbol: o.symbol,
  side: o.side,
  type: o.type,
  quantity: toDecimalString(o.quantity),
  limitPrice: o.limitPrice === undefined ? null : toDecimalString(o.limitPrice),
  stopPrice: o.stopPrice === undefined ? null : toDecimalString(o.stopPrice),
  // Market orders default to day, the rest to good-till-cancelled (DESIGN: time in force).
  timeInForce: o.timeInForce ?? (o.type === "market" ? "day" : "gtc"),
  tag: o.tag ?? null,
  clientOrderId: o.clientOrderId ?? null,
  trailAmount: o.trailAmount === undefined ? null : toDecimalString(o.trailAmount),
  trailPercent: o.trailPercent === undefined ? null : toDecimalString(o.trailPercent),
  trailReference: o.trailReference === undefined ? null : toDecimalString(o.trailReference),
  // Always a key (undefined when absent): one literal, with no spread, is one allocation of a known shape.
  expireAt: o.expireAt === undefined ? undefined : parseTime(o.expireAt)
})

/** The fields of a working order that a replace request may change. */
export interface ReplaceRequest {
  readonly quantity?: DecimalInput
  readonly limitPrice?: DecimalInput
  readonly stopPrice?: DecimalInput
  /** A trailing stop's new distance, of the kind it has: its stop is measured again from its watermark. */
  readonly trailAmount?: DecimalInput
  readonly trailPercent?: DecimalInput
}

const replaceRequestSchema = Schema.Struct({
  quantity: Schema.optional(PositiveDecimal),
  limitPrice: Schema.optional(PositiveDecimal),
  stopPrice: Schema.optional(PositiveDecimal),
  trailAmount: Schema.optional(PositiveDecimal),
  trailPercent: Schema.optional(Percent)
})

export interface ValidReplaceRequest {
  readonly quantity?: string
  readonly limitPrice?: string
  readonly stopPrice?: string
  readonly trailAmount?: string
  readonly trailPercent?: string
}

const decodeReplace = decodeOrFail(replaceRequestSchema, "replace")

/**
 * A replace request for `order`: it may only change the prices its type has, a trailing stop's
 * distance only of the kind it has, and not the quantity of an order whose quantity its list sets
 * (an OCO member shares its group's; a bracket child protects what the entry filled), on its instrument's tick and lot.
 */
export const validateReplaceRequest = (
  input: unknown,
  order: Pick<OrderSpec, "type" | "trailAmount" | "trailPercent" | "orderList">,
  instrument?: { readonly symbol: string; readonly instrument: Instrument | undefined }
): Result.Result<ValidReplaceRequest, ValidationError> =>
  Result.flatMap(decodeReplace(input), (r) => {
    const { type } = order
    const rules = orderTypes[type]
    const misplaced = (field: keyof ValidReplaceRequest, allowed: boolean, rule = `is not allowed for ${type} orders`) =>
      r[field] !== undefined && !allowed ? [{ field, rule, value: toDecimalString(r[field]) }] : []
    const linked = (order.orderList ?? null) !== null && order.orderList!.role !== "entry"
    const issues = [
      ...misplaced("limitPrice", rules.needsLimitPrice),
      ...misplaced("stopPrice", rules.needsStopPrice),
      // (Orders restored from snapshots older than trailing stops have no distance fields at all.)
      ...misplaced("trailAmount", rules.trails && (order.trailAmount ?? null) !== null, rules.trails ? "is not allowed for a trailing stop by percent" : undefined),
      ...misplaced("trailPercent", rules.trails && (order.trailPercent ?? null) !== null, rules.trails ? "is not allowed for a trailing stop by amount" : undefined),
      ...misplaced("quantity", !linked, `is set by the order's ${order.orderList?.kind} list for its ${order.orderList?.role} and cannot be replaced`),
      ...(instrument === undefined ? [] : instrumentIssues(instrument.instrument, instrument.symbol, r).map((i) => ({ ...i, value: toDecimalString(r[i.field]!) })))
    ]
    if (issues.length > 0) return Result.fail(new ValidationError({ subject: "replace", issues }))
    return Result.succeed({
      ...(r.quantity !== undefined ? { quantity: toDecimalString(r.quantity) } : {}),
      ...(r.limitPrice !== undefined ? { limitPrice: toDecimalString(r.limitPrice) } : {}),
      ...(r.stopPrice !== undefined ? { stopPrice: toDecimalString(r.stopPrice) } : {}),
      ...(r.trailAmount !== undefined ? { trailAmount: toDecimalString(r.trailAmount) } : {}),
      ...(r.trailPercent !== undefined ? { trailPercent: toDecimalString(r.trailPercent) } : {})
    })
  })
