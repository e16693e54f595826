import type { Decimal } from "./decimal.ts"
import { type Quote, type QuoteField, quoteDecimal } from "./market-update.ts"
import type { OrderSpec, OrderType } from "./order.ts"

/** What a fill rule sees of a working order. */
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

/**
 * Everything that differs between order types, in one place: validation reads which prices a
 * type needs, the order machine reads whether it must trigger before it trades, and the default
 * fill model matches it with its rule. A new type is one more entry here.
 */
export interface OrderTypeRules {
  readonly needsLimitPrice: boolean
  readonly needsStopPrice: boolean
  /** It works only once its stop price is reached (the order machine's `triggered`). */
  readonly isStop: boolean
  /** Its fill rule for one update of its symbol (DESIGN.md, execution semantics: bar fills). */
  readonly match: (order: WorkingOrder, quote: Quote) => MatchResult
  /** Its stop trails the market by `trailAmount` or `trailPercent` (see ./trailing-stop.ts); the stop in force is its `stopPrice`. */
  readonly trails: boolean
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

/** A stop: at the open once triggered (or when the bar gapped through it), else at the stop. */
const stopMatch = (order: WorkingOrder, quote: Quote): MatchResult => {
  if (order.triggered) return { triggered: true, fill: { price: quoteDecimal(quote, "open"), quantity: order.remaining } }
  const trigger = stopTrigger(order, quote, order.stopPrice!)
  return trigger === null ? NOTHING : { triggered: true, fill: { price: trigger.price, quantity: order.remaining } }
}

/** Each order type's facts and bar fill rule. A tick is a bar whose four prices are equal, so the same rules give the tick semantics. */
export const orderTypes: Readonly<Record<OrderType, OrderTypeRules>> = {
  market: {
    needsLimitPrice: false,
    needsStopPrice: false,
    isStop: false,
    match: (order, quote) => ({ triggered: false, fill: { price: quoteDecimal(quote, "open"), quantity: order.remaining } }),
    trails: false
  },
  limit: {
    needsLimitPrice: true,
    needsStopPrice: false,
    isStop: false,
    match: (order, quote) => {
      const price = limitPrice(order, quote, order.limitPrice!)
      return price === null ? NOTHING : { triggered: false, fill: { price, quantity: order.remaining } }
    },
    trails: false
  },
  stop: {
    needsLimitPrice: false,
    needsStopPrice: true,
    isStop: true,
    match: (order, quote) => stopMatch(order, quote),
    trails: false
  },
  stopLimit: {
    needsLimitPrice: true,
    needsStopPrice: true,
    isStop: true,
    match: (order, quote) => {
      const quantity = order.remaining
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
    },
    trails: false
  },
  // A stop whose price the engine moves after each update (the caller gives a distance, not a stop).
  trailingStop: {
    needsLimitPrice: false,
    needsStopPrice: false,
    isStop: true,
    match: (order, quote) => stopMatch(order, quote),
    trails: true
  }
}
