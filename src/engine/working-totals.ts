import { type Decimal, ZERO } from "../domain/decimal.ts"
import { compare, exactLess, exactPlus, less, subtract } from "../domain/decimal-arithmetic.ts"
import type { OrderSide } from "../domain/order.ts"
import type { OrderList } from "./order-book.ts"
import type { OrderEntry } from "./order-entry.ts"

/** The largest of some amounts, and how many have it: most changes keep it without looking at the others. */
interface Largest {
  value: Decimal
  count: number
}

/**
 * What one fill group (an OCO group's members, or a bracket's children: see `OrderEntry.fillGroup`)
 * counts in the totals. At most one member fills what they share (or, reduced by each other's
 * fills, together no more than one), so the group counts what its largest member can take: per
 * side and symbol the largest remaining, and the largest hold on buying power.
 */
interface GroupTotals {
  /** Its working members, as they were counted. */
  readonly members: Set<OrderEntry>
  readonly open: Record<OrderSide, Map<string, Largest>>
  /** The largest whole reservation among them (holds that are shares are counted apart), or null for none. */
  held: Largest | null
}

/** `largest` with `value` among its amounts (a new one for none). */
const joined = (largest: Largest | null | undefined, value: Decimal): Largest => {
  if (largest === null || largest === undefined) return { value, count: 1 }
  const c = compare(value, largest.value)
  if (c > 0) return { value, count: 1 }
  if (c === 0) largest.count += 1
  return largest
}

/** A whole reservation a working order holds back (not a share of one), or null. */
const wholeHold = (entry: OrderEntry): Decimal | null => (entry.reservation.isZero() || entry.holdsShare ? null : entry.reservation)

/** The largest share of its reservation any working member of `group` holds back (ZERO for none): what the group holds back. */
export const largestHeldBack = (group: OrderList): Decimal => {
  let largest = ZERO
  for (const m of group.members) {
    if (m.watch === null || m.reservation.isZero()) continue
    const held = m.heldBack()
    if (compare(held, largest) > 0) largest = held
  }
  return largest
}

/**
 * Running sums over the working orders, kept as orders start working, change and end, so that a
 * pre-trade check reads them instead of walking the book: each symbol's open quantity per side,
 * and the buying power the orders hold back. A fill group counts once, by its largest member
 * (GroupTotals), kept per group so that a change costs the same whatever the book holds. The sums
 * never round, so they equal the sums a restored engine takes of the orders still working,
 * whatever came and went before, except for holds that are shares of a reservation (a quotient,
 * after a partial fill): those are only counted, and while there are any the caller sums the
 * holds in order as before.
 */
export class WorkingTotals {
  readonly #open: Record<OrderSide, Map<string, Decimal>> = { buy: new Map(), sell: new Map() }
  readonly #groups = new Map<OrderList, GroupTotals>()
  #held: Decimal = ZERO
  #shares = 0

  add(entry: OrderEntry): void {
    const { side, symbol } = entry.spec
    if (entry.holdsShare) this.#shares += 1
    const list = entry.fillGroup
    if (list === null) {
      this.#addOpen(side, symbol, entry.remaining)
      const hold = wholeHold(entry)
      if (hold !== null) this.#held = exactPlus(this.#held, hold)
      return
    }
    let group = this.#groups.get(list)
    if (group === undefined) {
      group = { members: new Set(), open: { buy: new Map(), sell: new Map() }, held: null }
      this.#groups.set(list, group)
    }
    group.members.add(entry)
    const bySymbol = group.open[side]
    const open = bySymbol.get(symbol)
    const openAfter = joined(open, entry.remaining)
    if (openAfter !== open) {
      bySymbol.set(symbol, openAfter)
      this.#addOpen(side, symbol, openAfter.value)
      if (open !== undefined) this.#lessOpen(side, symbol, open.value)
    }
    const hold = wholeHold(entry)
    if (hold === null) return
    const held = group.held
    const heldAfter = joined(held, hold)
    if (heldAfter !== held) {
      group.held = heldAfter
      this.#held = exactPlus(this.#held, heldAfter.value)
      if (held !== null) this.#held = exactLess(this.#held, held.value)
    }
  }

  subtract(entry: OrderEntry): void {
    const { side, symbol } = entry.spec
    if (entry.holdsShare) this.#shares -= 1
    const list = entry.fillGroup
    if (list === null) {
      this.#lessOpen(side, symbol, entry.remaining)
      const hold = wholeHold(entry)
      if (hold !== null) this.#held = exactLess(this.#held, hold)
      return
    }
    const group = this.#groups.get(list)!
    group.members.delete(entry)
    if (group.members.size === 0) this.#groups.delete(list)
    const bySymbol = group.open[side]
    const open = bySymbol.get(symbol)!
    // Only the last member at the largest moves the group's figure: then the next largest is looked for.
    if (compare(entry.remaining, open.value) === 0 && --open.count === 0) {
      let next: Largest | undefined
      for (const m of group.members) if (m.spec.side === side && m.spec.symbol === symbol) next = joined(next, m.remaining)
      if (next === undefined) bySymbol.delete(symbol)
      else {
        bySymbol.set(symbol, next)
        this.#addOpen(side, symbol, next.value)
      }
      this.#lessOpen(side, symbol, open.value)
    }
    const hold = wholeHold(entry)
    const held = group.held
    if (hold === null || held === null || compare(hold, held.value) !== 0 || --held.count > 0) return
    let next: Largest | null = null
    for (const m of group.members) {
      const h = wholeHold(m)
      if (h !== null) next = joined(next, h)
    }
    group.held = next
    if (next !== null) this.#held = exactPlus(this.#held, next.value)
    this.#held = exactLess(this.#held, held.value)
  }

  /** What the working orders of `symbol` on `side` have still to fill. */
  openQuantity(symbol: string, side: OrderSide): Decimal {
    return this.#open[side].get(symbol) ?? ZERO
  }

  /** What the working orders but `entry` and its fill group have still to fill on its symbol and side. */
  openQuantityBeside(entry: OrderEntry): Decimal {
    const { side, symbol } = entry.spec
    const open = this.openQuantity(symbol, side)
    const list = entry.fillGroup
    if (list === null) return entry.watch === null ? open : subtract(open, entry.remaining)
    const own = this.#groups.get(list)?.open[side].get(symbol)
    return own === undefined ? open : subtract(open, own.value)
  }

  /** What the working orders hold back of buying power, or null while some hold is a share (sum those in order). */
  get held(): Decimal | null {
    return this.#shares === 0 ? this.#held : null
  }

  /** `held` but what `entry` and its fill group hold back. */
  heldBeside(entry: OrderEntry): Decimal | null {
    if (this.#shares !== 0) return null
    const list = entry.fillGroup
    if (list === null) return entry.watch === null || entry.reservation.isZero() ? this.#held : less(this.#held, entry.reservation)
    const own = this.#groups.get(list)?.held
    return own === null || own === undefined ? this.#held : less(this.#held, own.value)
  }

  #addOpen(side: OrderSide, symbol: string, quantity: Decimal): void {
    const open = this.#open[side]
    open.set(symbol, exactPlus(open.get(symbol) ?? ZERO, quantity))
  }

  #lessOpen(side: OrderSide, symbol: string, quantity: Decimal): void {
    if (!quantity.isZero()) this.#open[side].set(symbol, exactLess(this.#open[side].get(symbol)!, quantity))
  }
}
