import type { Decimal } from "../domain/decimal.ts"
import { type Quote, type QuoteField, quoteDecimal } from "../domain/market-update.ts"
import type { OrderSpec } from "../domain/order.ts"

/** What a fill model sees of a working order. */
export interface WorkingOrder {
  readonly spec: OrderSpec
  readonly triggered: boolean
  readonly remaining: Decimal
  readonly limitPrice: Decimal | null
  readonly stopPrice: Decimal | null
  /** The same prices as floats (NaN when absent), for quick comparisons. */
  readonly limitNumber: number
  readonly stopNumber: number
}

export interface MatchResult {
  /** The order's stop was reached on this update (or before). */
  readonly triggered: boolean
  /** The market price (before slippage) and quantity to fill, or null. */
  readonly fill: { readonly price: Decimal; readonly quantity: Decimal } | null
}

/** Decides, for one working order and one update of its symbol, whether it triggers and what fills. */
export interface FillModel {
  match(order: WorkingOrder, quote: Quote): MatchResult
}

const NOTHING: MatchResult = { triggered: false, fill: null }

/**
 * Compares a quote price with an order price exactly. Floats decide when they differ (rounding
 * to double is monotonic, so a strict float order is the decimal order); equal floats may hide
 * different long decimals, so those are compared as decimals.
 */
export const comparePrice = (quote: Quote, field: QuoteField, orderNumber: number, orderPrice: Decimal): number => {
  const q = quote[field]
  if (q < orderNumber) return -1
  if (q > orderNumber) return 1
  return quoteDecimal(quote, field).comparedTo(orderPrice)
}

/** A buy limit: at the open if the open is at or below it, else at the limit if the low reaches it. */
const buyLimit = (quote: Quote, limitNumber: number, limit: Decimal): Decimal | null =>
  comparePrice(quote, "open", limitNumber, limit) <= 0
    ? quoteDecimal(quote, "open")
    : comparePrice(quote, "low", limitNumber, limit) <= 0
      ? limit
      : null

const sellLimit = (quote: Quote, limitNumber: number, limit: Decimal): Decimal | null =>
  comparePrice(quote, "open", limitNumber, limit) >= 0
    ? quoteDecimal(quote, "open")
    : comparePrice(quote, "high", limitNumber, limit) >= 0
      ? limit
      : null

const limitPrice = (order: WorkingOrder, quote: Quote, limit: Decimal): Decimal | null =>
  order.spec.side === "buy" ? buyLimit(quote, order.limitNumber, limit) : sellLimit(quote, order.limitNumber, limit)

/**
 * The stop's trigger on this update: the price the market traded at when the stop was reached
 * (the open when it gapped through, else the stop), and whether it gapped. null if not reached.
 */
const stopTrigger = (order: WorkingOrder, quote: Quote, stop: Decimal): { price: Decimal; gapped: boolean } | null => {
  const buy = order.spec.side === "buy"
  const gapped = buy ? comparePrice(quote, "open", order.stopNumber, stop) >= 0 : comparePrice(quote, "open", order.stopNumber, stop) <= 0
  if (gapped) return { price: quoteDecimal(quote, "open"), gapped }
  const reached = buy ? comparePrice(quote, "high", order.stopNumber, stop) >= 0 : comparePrice(quote, "low", order.stopNumber, stop) <= 0
  return reached ? { price: stop, gapped } : null
}

/**
 * The default fill rules for bars (DESIGN.md, execution semantics); a tick is a bar whose four
 * prices are equal, so the same rules give the tick semantics. Orders fill whole.
 */
export const barFillModel: FillModel = {
  match(order, quote) {
    const quantity = order.remaining
    switch (order.spec.type) {
      case "market":
        return { triggered: false, fill: { price: quoteDecimal(quote, "open"), quantity } }
      case "limit": {
        const price = limitPrice(order, quote, order.limitPrice!)
        return price === null ? NOTHING : { triggered: false, fill: { price, quantity } }
      }
      case "stop": {
        if (order.triggered) return { triggered: true, fill: { price: quoteDecimal(quote, "open"), quantity } }
        const trigger = stopTrigger(order, quote, order.stopPrice!)
        return trigger === null ? NOTHING : { triggered: true, fill: { price: trigger.price, quantity } }
      }
      case "stopLimit": {
        const limit = order.limitPrice!
        if (order.triggered) {
          const price = limitPrice(order, quote, limit)
          return { triggered: true, fill: price === null ? null : { price, quantity } }
        }
        const trigger = stopTrigger(order, quote, order.stopPrice!)
        if (trigger === null) return NOTHING
        // Gapped through the stop: the whole bar came after the trigger, so the limit rule applies
        // to all of it. Reached inside the bar: only the trigger price is known to have traded
        // after it, so that is the one price the limit may take on this bar.
        if (trigger.gapped) {
          const price = limitPrice(order, quote, limit)
          return { triggered: true, fill: price === null ? null : { price, quantity } }
        }
        const withinLimit = order.spec.side === "buy" ? trigger.price.lessThanOrEqualTo(limit) : trigger.price.greaterThanOrEqualTo(limit)
        return { triggered: true, fill: withinLimit ? { price: trigger.price, quantity } : null }
      }
    }
  }
}
