import { type Decimal, ZERO } from "../domain/decimal.ts"
import { exactLess, exactPlus } from "../domain/decimal-arithmetic.ts"
import type { OrderSide } from "../domain/order.ts"
import type { OrderEntry } from "./order-entry.ts"

/**
 * Running sums over the working orders, kept as orders start working, change and end, so that a
 * pre-trade check reads them instead of walking the book: each symbol's open quantity per side,
 * and the buying power the orders hold back. The sums never round, so they equal the sums a
 * restored engine takes of the orders still working, whatever came and went before, except
 * for holds that are shares of a reservation (a quotient, after a partial fill): those are only
 * counted, and while there are any the caller sums the holds in order as before.
 */
export class WorkingTotals {
  readonly #open: Record<OrderSide, Map<string, Decimal>> = { buy: new Map(), sell: new Map() }
  #held: Decimal = ZERO
  #shares = 0

  add(entry: OrderEntry): void {
    const open = this.#open[entry.spec.side]
    const { symbol } = entry.spec
    open.set(symbol, exactPlus(open.get(symbol) ?? ZERO, entry.remaining))
    if (entry.reservation.isZero()) return
    if (entry.holdsShare) this.#shares += 1
    else this.#held = exactPlus(this.#held, entry.reservation)
  }

  subtract(entry: OrderEntry): void {
    const open = this.#open[entry.spec.side]
    const { symbol } = entry.spec
    if (!entry.remaining.isZero()) open.set(symbol, exactLess(open.get(symbol)!, entry.remaining))
    if (entry.reservation.isZero()) return
    if (entry.holdsShare) this.#shares -= 1
    else this.#held = exactLess(this.#held, entry.reservation)
  }

  /** What the working orders of `symbol` on `side` have still to fill. */
  openQuantity(symbol: string, side: OrderSide): Decimal {
    return this.#open[side].get(symbol) ?? ZERO
  }

  /** What the working orders hold back of buying power, or null while some hold is a share (sum those in order). */
  get held(): Decimal | null {
    return this.#shares === 0 ? this.#held : null
  }
}
