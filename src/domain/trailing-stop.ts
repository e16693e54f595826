import { Decimal } from "./decimal.ts"
import { type Quote, quoteDecimal } from "./market-update.ts"
import type { OrderSpec } from "./order.ts"

/** Which price a trailing stop trails: the bar's extreme in its favour (high for a sell, low for a buy), or its close (as backtrader). */
export const TrailBys = ["extremes", "close"] as const
export type TrailBy = (typeof TrailBys)[number]

type Trail = Pick<OrderSpec, "side" | "trailAmount" | "trailPercent">

/** The stop a trailing stop holds when its best price is `watermark`: below it for a sell, above it for a buy, by the amount or the percent. */
export const trailingStopPrice = (order: Trail, watermark: Decimal): Decimal => {
  const sell = order.side === "sell"
  if (order.trailAmount !== null) return sell ? watermark.minus(order.trailAmount) : watermark.plus(order.trailAmount)
  const percent = new Decimal(order.trailPercent!)
  return watermark.times(sell ? percent.negated().plus(100) : percent.plus(100)).dividedBy(100)
}

/**
 * Where a working trailing stop moves after an update it was matched on: a new watermark and the
 * stop measured from it, or null when the price did not go beyond its watermark (so the stop
 * cannot tighten). A stop never loosens: the watermark only ever moves in the order's favour.
 */
export const trailAfter = (
  order: Trail & Pick<OrderSpec, "trailWatermark">,
  quote: Quote,
  trailBy: TrailBy
): { readonly stopPrice: string; readonly watermark: string } | null => {
  const sell = order.side === "sell"
  const price = quoteDecimal(quote, trailBy === "close" ? "close" : sell ? "high" : "low")
  const watermark = new Decimal(order.trailWatermark!)
  if (sell ? !price.greaterThan(watermark) : !price.lessThan(watermark)) return null
  return { stopPrice: trailingStopPrice(order, price).toString(), watermark: price.toString() }
}
