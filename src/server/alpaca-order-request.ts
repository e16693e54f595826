/**
 * Alpaca's order requests (`POST /v2/orders`, `PATCH /v2/orders/{id}`) read into the engine's
 * order requests and order lists. Alpaca's names stay in every message: the engine's own field
 * names are mapped back (`limitPrice` → `limit_price`, `stopLoss.stopPrice` → `stop_loss.stop_price`).
 */
import { Decimal, type DecimalInput } from "../domain/decimal.ts"
import type { ValidationIssue } from "../domain/errors.ts"
import type { OrderRequest, OrderType, ReplaceRequest, TimeInForce } from "../domain/order.ts"
import type { ChildOrderRequest, OrderListRequest } from "../domain/order-list.ts"
import type { OrderView } from "../engine/order-entry.ts"
import { unprocessable, type BrokerApiError } from "./broker-error.ts"

const TYPES: Readonly<Record<string, OrderType>> = { market: "market", limit: "limit", stop: "stop", stop_limit: "stopLimit", trailing_stop: "trailingStop" }
export const ALPACA_TYPES: Readonly<Record<OrderType, string>> = { market: "market", limit: "limit", stop: "stop", stopLimit: "stop_limit", trailingStop: "trailing_stop" }
const TIMES_IN_FORCE: ReadonlyArray<TimeInForce> = ["day", "gtc", "opg", "cls", "ioc", "fok"]
const CLASSES = ["simple", "bracket", "oco", "oto"] as const
type OrderClass = (typeof CLASSES)[number]

const ORDER_FIELDS = new Set([
  "symbol", "qty", "notional", "side", "type", "time_in_force", "limit_price", "stop_price", "trail_price", "trail_percent",
  "extended_hours", "client_order_id", "order_class", "take_profit", "stop_loss"
])
const REPLACE_FIELDS = new Set(["qty", "time_in_force", "limit_price", "stop_price", "trail", "client_order_id"])

/** The engine's field names in Alpaca's words. */
const ENGINE_TO_ALPACA: Readonly<Record<string, string>> = {
  quantity: "qty", limitPrice: "limit_price", stopPrice: "stop_price", trailAmount: "trail_price", trailPercent: "trail_percent",
  timeInForce: "time_in_force", clientOrderId: "client_order_id", takeProfit: "take_profit", stopLoss: "stop_loss"
}

/** An engine issue's field as the Alpaca request names it (an OCO's members are its take-profit and its stop-loss). */
export const alpacaField = (field: string): string => {
  const parts = field.split(".")
  const out: string[] = []
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!
    if (part === "entry") continue
    if (part === "orders") {
      const member = parts[++i]
      if (member === "1") out.push("stop_loss")
      continue
    }
    out.push(ENGINE_TO_ALPACA[part] ?? part)
  }
  return out.join(".") || "(request)"
}

export const issuesMessage = (issues: ReadonlyArray<ValidationIssue>): string => issues.map((i) => `${alpacaField(i.field)} ${i.rule}`).join("; ")

const isRecord = (u: unknown): u is Record<string, unknown> => u !== null && typeof u === "object" && !Array.isArray(u)

/** Reads fields one by one, gathering every problem, each naming its field. */
class Reader {
  readonly problems: string[] = []
  readonly #body: Record<string, unknown>
  readonly #prefix: string
  constructor(body: Record<string, unknown>, prefix = "") {
    this.#body = body
    this.#prefix = prefix
  }
  unknownFields(allowed: ReadonlySet<string>) {
    for (const key of Object.keys(this.#body)) if (!allowed.has(key)) this.problems.push(`${this.#prefix}${key} is not a field Alpaca's order request takes (or not one paperfloor supports)`)
  }
  string(field: string): string | undefined {
    const v = this.#body[field]
    if (v === undefined || v === null) return undefined
    if (typeof v !== "string" || v.length === 0) {
      this.problems.push(`${this.#prefix}${field} must be a non-empty string (got ${JSON.stringify(v)})`)
      return undefined
    }
    return v
  }
  choice<T extends string>(field: string, choices: ReadonlyArray<T>): T | undefined {
    const v = this.string(field)
    if (v === undefined) return undefined
    if (!(choices as ReadonlyArray<string>).includes(v)) {
      this.problems.push(`${this.#prefix}${field} must be one of ${choices.join(", ")} (got ${JSON.stringify(v)})`)
      return undefined
    }
    return v as T
  }
  /** A decimal as Alpaca sends it: a numeric string (or a number); its range is the engine's to check. */
  decimal(field: string): string | undefined {
    const v = this.#body[field]
    if (v === undefined || v === null) return undefined
    const text = typeof v === "number" && Number.isFinite(v) ? String(v) : typeof v === "string" ? v.trim() : undefined
    if (text === undefined || !/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) {
      this.problems.push(`${this.#prefix}${field} must be a decimal number (got ${JSON.stringify(v)})`)
      return undefined
    }
    return text
  }
  /** A decimal of at most nine places: Alpaca's fractional shares (and a notional's dollars). */
  fraction(field: string): string | undefined {
    const text = this.decimal(field)
    if (text !== undefined && new Decimal(text).decimalPlaces() > 9) {
      this.problems.push(`${this.#prefix}${field} must be in at most nine decimals (got ${JSON.stringify(this.#body[field])})`)
      return undefined
    }
    return text
  }
  object(field: string): Record<string, unknown> | undefined {
    const v = this.#body[field]
    if (v === undefined || v === null) return undefined
    if (!isRecord(v)) {
      this.problems.push(`${this.#prefix}${field} must be an object (got ${JSON.stringify(v)})`)
      return undefined
    }
    return v
  }
  require<T>(field: string, value: T | undefined, why = "is required"): void {
    if (value === undefined && !this.problems.some((p) => p.startsWith(`${this.#prefix}${field} `))) this.problems.push(`${this.#prefix}${field} ${why}`)
  }
  refuse(field: string, rule: string) {
    this.problems.push(`${this.#prefix}${field} ${rule}`)
  }
  done(): BrokerApiError | undefined {
    return this.problems.length > 0 ? unprocessable(this.problems.join("; ")) : undefined
  }
}

/** What POST /v2/orders asks for, in the engine's terms; `notional` is resolved to a quantity by the caller (it needs a price). */
export type OrderSubmission =
  | { readonly kind: "order"; readonly request: OrderRequest; readonly notional: string | null }
  | { readonly kind: "list"; readonly orderClass: Exclude<OrderClass, "simple">; readonly request: OrderListRequest }

const childOf = (leg: Record<string, unknown>, prefix: string, role: "takeProfit" | "stopLoss", timeInForce: TimeInForce, problems: string[]): ChildOrderRequest => {
  const r = new Reader(leg, prefix)
  r.unknownFields(new Set(role === "takeProfit" ? ["limit_price"] : ["stop_price", "limit_price"]))
  const limitPrice = r.decimal("limit_price")
  if (role === "takeProfit") {
    r.require("limit_price", limitPrice)
    problems.push(...r.problems)
    return { type: "limit", limitPrice: limitPrice ?? "0", timeInForce }
  }
  const stopPrice = r.decimal("stop_price")
  r.require("stop_price", stopPrice)
  problems.push(...r.problems)
  return { type: limitPrice === undefined ? "stop" : "stopLimit", stopPrice: stopPrice ?? "0", ...(limitPrice !== undefined ? { limitPrice } : {}), timeInForce }
}

/**
 * Alpaca's order of an exit pair's prices: closing a long (selling), the take-profit is above the
 * stop-loss (and a bracket's limit entry between them); closing a short, below. Otherwise the
 * take-profit would fill at once, or the stop-loss would sit on the wrong side.
 */
const exitPricesProblem = (
  orderClass: OrderClass,
  side: "buy" | "sell",
  entryLimit: string | undefined,
  takeProfit: ChildOrderRequest | undefined,
  stopLoss: ChildOrderRequest | undefined
): BrokerApiError | undefined => {
  if (takeProfit === undefined || stopLoss === undefined || (orderClass !== "bracket" && orderClass !== "oco")) return undefined
  const exitSide = orderClass === "oco" ? side : side === "buy" ? "sell" : "buy"
  const above = (a: DecimalInput, b: DecimalInput) => (exitSide === "sell" ? new Decimal(a).greaterThan(b) : new Decimal(a).lessThan(b))
  const word = exitSide === "sell" ? "above" : "below"
  const take = takeProfit.limitPrice!
  const stop = stopLoss.stopPrice!
  // A price that is no price at all is the engine's to name (`must be greater than 0`).
  if ([take, stop, entryLimit ?? 1].some((price) => !new Decimal(price).greaterThan(0))) return undefined
  if (!above(take, stop)) return unprocessable(`take_profit.limit_price must be ${word} stop_loss.stop_price (${stop}) for a ${side} ${orderClass} order (got ${take})`)
  if (orderClass === "bracket" && entryLimit !== undefined && !(above(take, entryLimit) && above(entryLimit, stop)))
    return unprocessable(`limit_price must be between stop_loss.stop_price (${stop}) and take_profit.limit_price (${take}) for a ${side} bracket order (got ${entryLimit})`)
  return undefined
}

/** Reads an Alpaca order request; every problem of the request is named at once. */
export const readOrderRequest = (body: unknown): OrderSubmission | BrokerApiError => {
  if (!isRecord(body)) return unprocessable("the request body must be a JSON object")
  const r = new Reader(body)
  r.unknownFields(ORDER_FIELDS)
  const symbol = r.string("symbol")
  r.require("symbol", symbol)
  const side = r.choice("side", ["buy", "sell"] as const)
  r.require("side", side)
  const typeName = r.choice("type", Object.keys(TYPES))
  r.require("type", typeName)
  const timeInForce = r.choice("time_in_force", TIMES_IN_FORCE)
  r.require("time_in_force", timeInForce)
  const qty = r.fraction("qty")
  const notional = r.fraction("notional")
  if (qty !== undefined && notional !== undefined) r.refuse("notional", "cannot be given together with qty")
  if (qty === undefined && notional === undefined) r.require("qty", undefined, "or notional is required")
  const limitPrice = r.decimal("limit_price")
  const stopPrice = r.decimal("stop_price")
  const trailPrice = r.decimal("trail_price")
  const trailPercent = r.decimal("trail_percent")
  const clientOrderId = r.string("client_order_id")
  if (body["extended_hours"] !== undefined && body["extended_hours"] !== false && body["extended_hours"] !== null)
    r.refuse("extended_hours", "must be false: paperfloor trades the regular session of the account's calendar")
  const orderClass = r.choice("order_class", CLASSES) ?? "simple"
  const takeProfit = r.object("take_profit")
  const stopLoss = r.object("stop_loss")
  const type = typeName === undefined ? undefined : TYPES[typeName]
  if (notional !== undefined && type !== "market") r.refuse("notional", "is only for market orders")
  if (notional !== undefined && orderClass !== "simple") r.refuse("notional", "is only for simple orders")
  if (orderClass === "simple" || orderClass === "oco") {
    if (takeProfit !== undefined && orderClass === "simple") r.refuse("take_profit", "is only for bracket, oco and oto orders")
    if (stopLoss !== undefined && orderClass === "simple") r.refuse("stop_loss", "is only for bracket, oco and oto orders")
  }
  if (orderClass === "bracket") {
    r.require("take_profit", takeProfit, "is required for bracket orders")
    r.require("stop_loss", stopLoss, "is required for bracket orders")
  }
  if (orderClass === "oco") {
    if (type !== undefined && type !== "limit") r.refuse("type", "must be limit for oco orders (the take-profit; the stop-loss is stop_loss)")
    if (limitPrice !== undefined && limitPrice !== String(takeProfit?.["limit_price"])) r.refuse("limit_price", "of an oco order is its take_profit.limit_price: give that only")
    for (const [field, value] of [["stop_price", stopPrice], ["trail_price", trailPrice], ["trail_percent", trailPercent]] as const)
      if (value !== undefined) r.refuse(field, "is not for oco orders: the stop-loss is stop_loss")
    r.require("take_profit", takeProfit, "is required for oco orders")
    r.require("stop_loss", stopLoss, "is required for oco orders")
  }
  if (orderClass === "oto" && (takeProfit === undefined) === (stopLoss === undefined)) r.refuse("take_profit", "or stop_loss, exactly one, is required for oto orders")
  // As Alpaca's: an order list's legs live beyond one moment (ioc, fok, opg and cls would end them at once).
  if (orderClass !== "simple" && timeInForce !== undefined && timeInForce !== "day" && timeInForce !== "gtc")
    r.refuse("time_in_force", `must be day or gtc for ${orderClass} orders (got ${JSON.stringify(timeInForce)})`)
  const problems = r.problems
  const tif = timeInForce ?? "day"
  const tp = takeProfit === undefined ? undefined : childOf(takeProfit, "take_profit.", "takeProfit", tif, problems)
  const sl = stopLoss === undefined ? undefined : childOf(stopLoss, "stop_loss.", "stopLoss", tif, problems)
  const refused = r.done() ?? exitPricesProblem(orderClass, side!, type === "limit" ? limitPrice : undefined, tp, sl)
  if (refused !== undefined) return refused
  const request: OrderRequest = {
    symbol: symbol!,
    side: side!,
    type: type!,
    quantity: qty ?? "0",
    timeInForce: tif,
    ...(limitPrice !== undefined ? { limitPrice } : {}),
    ...(stopPrice !== undefined ? { stopPrice } : {}),
    ...(trailPrice !== undefined ? { trailAmount: trailPrice } : {}),
    ...(trailPercent !== undefined ? { trailPercent } : {}),
    ...(clientOrderId !== undefined ? { clientOrderId } : {})
  }
  switch (orderClass) {
    case "simple":
      return { kind: "order", request, notional: notional ?? null }
    case "bracket":
      return { kind: "list", orderClass, request: { kind: "bracket", entry: request, takeProfit: tp!, stopLoss: sl! } }
    case "oto":
      return { kind: "list", orderClass, request: { kind: "oto", entry: request, ...(tp !== undefined ? { takeProfit: tp } : { stopLoss: sl! }) } }
    case "oco": {
      // Alpaca's OCO is an exit pair: the limit (its take-profit) and the stop-loss, one side, one quantity.
      const shared = { symbol: request.symbol, side: request.side, quantity: request.quantity, timeInForce: tif }
      const limit: OrderRequest = { ...shared, type: "limit", limitPrice: tp!.limitPrice!, ...(clientOrderId !== undefined ? { clientOrderId } : {}) }
      const stop: OrderRequest = { ...shared, type: sl!.type!, stopPrice: sl!.stopPrice!, ...(sl!.limitPrice !== undefined ? { limitPrice: sl!.limitPrice } : {}) }
      return { kind: "list", orderClass, request: { kind: "oco", orders: [limit, stop] } }
    }
  }
}

/** A market order's quantity for a dollar amount at the last price, down to Alpaca's nine decimals. */
export const quantityForNotional = (notional: string, price: Decimal): string => new Decimal(notional).dividedBy(price).toDecimalPlaces(9, Decimal.ROUND_DOWN).toString()

/** Reads PATCH /v2/orders/{id} against the order it changes: `trail` is a distance of the kind the order has. */
export const readReplaceRequest = (body: unknown, order: OrderView): ReplaceRequest | BrokerApiError => {
  if (!isRecord(body)) return unprocessable("the request body must be a JSON object")
  const r = new Reader(body)
  r.unknownFields(REPLACE_FIELDS)
  const qty = r.fraction("qty")
  const limitPrice = r.decimal("limit_price")
  const stopPrice = r.decimal("stop_price")
  const trail = r.decimal("trail")
  const timeInForce = r.string("time_in_force")
  if (timeInForce !== undefined && timeInForce !== order.timeInForce) r.refuse("time_in_force", `cannot be changed by a replace in paperfloor (the order's is ${order.timeInForce})`)
  const clientOrderId = r.string("client_order_id")
  if (clientOrderId !== undefined && clientOrderId !== order.clientOrderId) r.refuse("client_order_id", "cannot be changed by a replace in paperfloor (the order keeps its id)")
  if (trail !== undefined && order.type !== "trailingStop") r.refuse("trail", "is only for trailing_stop orders")
  if ([qty, limitPrice, stopPrice, trail].every((v) => v === undefined) && r.problems.length === 0) r.refuse("qty", "or limit_price, stop_price or trail is required: a replace must change something")
  const refused = r.done()
  if (refused !== undefined) return refused
  const distance = order.trailPercent !== null ? "trailPercent" : "trailAmount"
  return {
    ...(qty !== undefined ? { quantity: qty } : {}),
    ...(limitPrice !== undefined ? { limitPrice } : {}),
    ...(stopPrice !== undefined ? { stopPrice } : {}),
    ...(trail !== undefined ? { [distance]: trail } : {})
  }
}
