import type { DecimalInput } from "./decimal.ts"
import { type Instrument, instrumentIssues } from "./instrument.ts"
import { MAX_CLIENT_ORDER_ID_LENGTH } from "./ids.ts"
import type { OrderRequest } from "./order.ts"
import { orderTypes } from "./order-types.ts"
import { decimalAmountIssue } from "./validation.ts"

/**
 * A hand-written check of the usual order request (market, limit, stop or stop-limit; day, gtc,
 * ioc or fok; with or without a tag and a client order id), read from the plain data the
 * validator copied: the request itself when every rule of the order schema passes, else
 * undefined, and the schema decides and reports (it also takes every rarer form: trailing stops,
 * gtd, opg and cls). A request it passes is one the schema passes, with the same value.
 */

const USUAL_FIELDS: ReadonlySet<string> = new Set(["symbol", "side", "type", "quantity", "limitPrice", "stopPrice", "timeInForce", "tag", "clientOrderId"])
const USUAL_TYPES: ReadonlySet<string> = new Set(["market", "limit", "stop", "stopLimit"])
const USUAL_TIMES_IN_FORCE: ReadonlySet<string> = new Set(["day", "gtc", "ioc", "fok"])
const ENGINE_ORDER_ID = /^O-\d+$/

const isPrice = (u: unknown): boolean => decimalAmountIssue(u, false) === undefined

/** An optional price: absent when its type has none, present and valid when it needs one. */
const priceFits = (u: unknown, needed: boolean): boolean => (needed ? u !== undefined && isPrice(u) : u === undefined)

export const usualOrderRequest = (plain: unknown, symbols: ReadonlySet<string>, instruments: Readonly<Record<string, Instrument>>): OrderRequest | undefined => {
  if (plain === null || typeof plain !== "object" || Array.isArray(plain)) return undefined
  const o = plain as Record<string, unknown>
  for (const key in o) if (!USUAL_FIELDS.has(key) || o[key] === undefined) return undefined
  const { symbol, side, type, quantity, limitPrice, stopPrice, timeInForce, tag, clientOrderId } = o
  if (typeof symbol !== "string" || !symbols.has(symbol)) return undefined
  if (side !== "buy" && side !== "sell") return undefined
  if (typeof type !== "string" || !USUAL_TYPES.has(type)) return undefined
  const rules = orderTypes[type as OrderRequest["type"]]
  if (!isPrice(quantity) || !priceFits(limitPrice, rules.needsLimitPrice) || !priceFits(stopPrice, rules.needsStopPrice)) return undefined
  if (timeInForce !== undefined && (typeof timeInForce !== "string" || !USUAL_TIMES_IN_FORCE.has(timeInForce))) return undefined
  if (tag !== undefined && typeof tag !== "string") return undefined
  if (clientOrderId !== undefined && (typeof clientOrderId !== "string" || clientOrderId.length === 0 || clientOrderId.length > MAX_CLIENT_ORDER_ID_LENGTH || ENGINE_ORDER_ID.test(clientOrderId))) return undefined
  const request = o as unknown as OrderRequest
  const instrument = instruments[symbol]
  if (instrument !== undefined && instrumentIssues(instrument, symbol, request as { quantity: DecimalInput }).length > 0) return undefined
  return request
}
