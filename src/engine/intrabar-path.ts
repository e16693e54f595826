import type { Decimal } from "../domain/decimal.ts"
import type { Quote } from "../domain/market-update.ts"

/** The end of a bar's path, its close: three legs from the open. */
const PATH_END = 3

/**
 * How far along a bar's assumed path (`intrabarPath: "adaptive"`) a price is first reached: open,
 * then the extreme nearer the open (the high on a tie), then the other extreme, then the close.
 * 0 is the open; each leg adds 1, with the fraction of the leg covered before the price. For
 * ordering the levels of one bar only (floats are enough: a tie keeps time priority). A price the
 * bar never reaches is past the end (3).
 */
export const pathPosition = (quote: Quote, price: Decimal): number => {
  const p = price.toNumber()
  const { open, high, low, close } = quote
  const highFirst = high - open <= open - low
  const path = highFirst ? [open, high, low, close] : [open, low, high, close]
  for (let leg = 0; leg < 3; leg++) {
    const from = path[leg]!
    const to = path[leg + 1]!
    if (p >= Math.min(from, to) && p <= Math.max(from, to)) return leg + (from === to ? 0 : Math.abs(p - from) / Math.abs(to - from))
  }
  return PATH_END
}

/**
 * Where an order fills on an update: at a price, where the path of the prices it trades against
 * first reaches it (the bar's, or, on a bid/ask quote, its side's, a tick: every fill there is at
 * the open), or at the close, the path's end whatever its price.
 */
export type PathFill = { readonly on: Quote; readonly price: Decimal } | "close"

/**
 * Orders in the order the path reaches where each would fill (`fillAt`, null when it would not
 * fill on this update, which puts it last). The sort is stable: equal positions (two fills at
 * the open) and the orders that do not fill keep their time priority.
 */
export const inPathOrder = <T>(orders: ReadonlyArray<T>, fillAt: (order: T) => PathFill | null): ReadonlyArray<T> =>
  orders
    .map((order) => {
      const fill = fillAt(order)
      return { order, at: fill === null ? Number.POSITIVE_INFINITY : fill === "close" ? PATH_END : pathPosition(fill.on, fill.price) }
    })
    .sort((a, b) => a.at - b.at)
    .map((r) => r.order)
