import type { Quote } from "../domain/market-update.ts"
import { quoteForSide } from "../domain/market-update.ts"
import type { OrderEntry } from "./order-entry.ts"
import { timeInForcePolicies } from "./time-in-force.ts"

/**
 * Working orders sorted by the price at which a bar can first reach them, so that an update
 * matches only the orders its range can fill (with the default fill rules) and a deep book of
 * resting orders costs a bar nothing. Keys are floats: rounding to double is monotonic, so every
 * order the exact rule could fill is among those the float range selects; the rule itself then
 * decides exactly. Entries are dropped lazily: a final order, or one that moved, is skipped where
 * it lies and swept out once the stale outnumber the live.
 */

/** How many stale places a list may hold beyond its live ones before it is swept: a list of one order at a time is not emptied (and its room given back) at every order. */
const SWEEP_SLACK = 16

/** Orders in ascending key order; those with `key ≤ threshold` are the candidates. */
class Ladder {
  readonly keys: number[] = []
  readonly entries: OrderEntry[] = []
  readonly versions: number[] = []
  stale = 0

  insert(key: number, entry: OrderEntry, version: number): void {
    let low = 0
    let high = this.keys.length
    while (low < high) {
      const middle = (low + high) >>> 1
      if (this.keys[middle]! <= key) low = middle + 1
      else high = middle
    }
    if (low === this.keys.length) {
      this.keys.push(key)
      this.entries.push(entry)
      this.versions.push(version)
    } else {
      this.keys.splice(low, 0, key)
      this.entries.splice(low, 0, entry)
      this.versions.splice(low, 0, version)
    }
  }

  /** Writes the candidates into `out` from place `n` on; returns the place after them. */
  collect(threshold: number, out: OrderEntry[], n: number): number {
    const { keys, entries, versions } = this
    for (let i = 0; i < keys.length && keys[i]! <= threshold; i++) {
      const entry = entries[i]!
      if (entry.indexVersion === versions[i] && !entry.isFinal) out[n++] = entry
    }
    return n
  }

  abandon(): void {
    if (++this.stale * 2 <= this.keys.length + SWEEP_SLACK) return
    // Swept in place: a pass over the index copies what it takes (see `collect`).
    const { keys, entries, versions } = this
    let n = 0
    for (let i = 0; i < keys.length; i++) {
      const entry = entries[i]!
      if (entry.indexVersion !== versions[i] || entry.isFinal) continue
      keys[n] = keys[i]!
      entries[n] = entry
      versions[n] = versions[i]!
      n += 1
    }
    keys.length = n
    entries.length = n
    versions.length = n
    this.stale = 0
  }
}

/** Orders matched on every update of their symbol: whatever the range cannot rule out. */
class Always {
  readonly entries: OrderEntry[] = []
  readonly versions: number[] = []
  stale = 0

  insert(entry: OrderEntry, version: number): void {
    this.entries.push(entry)
    this.versions.push(version)
  }

  /** Writes the live orders into `out` from place `n` on; returns the place after them. */
  collect(out: OrderEntry[], n: number): number {
    const { entries, versions } = this
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!
      if (entry.indexVersion === versions[i] && !entry.isFinal) out[n++] = entry
    }
    return n
  }

  abandon(): void {
    if (++this.stale * 2 <= this.entries.length + SWEEP_SLACK) return
    const { entries, versions } = this
    let n = 0
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!
      if (entry.indexVersion !== versions[i] || entry.isFinal) continue
      entries[n] = entry
      versions[n] = versions[i]!
      n += 1
    }
    entries.length = n
    versions.length = n
    this.stale = 0
  }
}

/**
 * One symbol's working orders. A buy limit and a sell stop are reached when the price comes down
 * to them (keyed by minus their price, against minus the bar's lowest price); a sell limit and a
 * buy stop when it rises to them (keyed by their price, against the bar's highest).
 */
class SymbolOrders {
  readonly always = new Always()
  readonly buyFalling = new Ladder()
  readonly buyRising = new Ladder()
  readonly sellFalling = new Ladder()
  readonly sellRising = new Ladder()
}

/** Where an order waits: a ladder and its key, or null for the orders matched on every update. */
const placeOf = (orders: SymbolOrders, entry: OrderEntry): { ladder: Ladder; key: number } | null => {
  const { spec } = entry
  // A trailing stop moves, an ioc, fok, opg or cls order ends or waits by its match, and an order
  // list's members may be matched together along the bar's path: all are matched every update.
  if (entry.trails || !timeInForcePolicies[spec.timeInForce].keepsWorkingUnfilled || (entry.list !== null && entry !== entry.list.entry)) return null
  const buy = spec.side === "buy"
  if (spec.type === "limit" || (spec.type === "stopLimit" && entry.triggered))
    return buy ? { ladder: orders.buyFalling, key: -entry.limitNumber } : { ladder: orders.sellRising, key: entry.limitNumber }
  if ((spec.type === "stop" || spec.type === "stopLimit") && !entry.triggered)
    return buy ? { ladder: orders.buyRising, key: entry.stopNumber } : { ladder: orders.sellFalling, key: -entry.stopNumber }
  return null
}

export class WorkingOrderIndex {
  readonly #bySymbol = new Map<string, SymbolOrders>()

  /** Places a working order (again, after it changed); a place it had before becomes stale. */
  place(entry: OrderEntry): void {
    let orders = this.#bySymbol.get(entry.spec.symbol)
    if (orders === undefined) {
      orders = new SymbolOrders()
      this.#bySymbol.set(entry.spec.symbol, orders)
    }
    const place = placeOf(orders, entry)
    const where = place === null ? orders.always : place.ladder
    // Unmoved: it keeps its place.
    if (entry.indexedIn === where && (place === null || entry.indexKey === place.key)) return
    this.remove(entry)
    entry.indexVersion += 1
    entry.indexedIn = where
    if (place === null) orders.always.insert(entry, entry.indexVersion)
    else {
      entry.indexKey = place.key
      place.ladder.insert(place.key, entry, entry.indexVersion)
    }
  }

  /** Drops an order that ended (or moves): its place becomes stale. */
  remove(entry: OrderEntry): void {
    const where = entry.indexedIn as Ladder | Always | null
    if (where === null) return
    entry.indexedIn = null
    entry.indexVersion += 1
    where.abandon()
  }

  /**
   * The working orders this update may touch, in time priority: for each of its symbols, those
   * matched every update and those whose price the bar's range reaches (on a quote, the side each
   * trades against). The list is the index's own, valid until the next call: one made per update
   * was an allocation on every update with an order working.
   */
  candidates(quotes: ReadonlyArray<Quote>): ReadonlyArray<OrderEntry> {
    const out = this.#candidates
    let n = 0
    for (let i = 0; i < quotes.length; i++) {
      const quote = quotes[i]!
      const orders = this.#bySymbol.get(quote.symbol)
      if (orders === undefined) continue
      n = orders.always.collect(out, n)
      const ask = quoteForSide(quote, "buy")
      const bid = quoteForSide(quote, "sell")
      n = orders.buyFalling.collect(-Math.min(ask.open, ask.low), out, n)
      n = orders.buyRising.collect(Math.max(ask.open, ask.high), out, n)
      n = orders.sellFalling.collect(-Math.min(bid.open, bid.low), out, n)
      n = orders.sellRising.collect(Math.max(bid.open, bid.high), out, n)
    }
    if (n === 0) return NO_CANDIDATES
    // Shortened in place (a length of zero would give its room back, to be allocated again at the next order).
    if (out.length !== n) out.length = n
    if (n > 1) out.sort(byWorkingSeq)
    return out
  }

  readonly #candidates: OrderEntry[] = []
}

const NO_CANDIDATES: ReadonlyArray<OrderEntry> = Object.freeze([])
const byWorkingSeq = (a: OrderEntry, b: OrderEntry): number => a.workingSeq - b.workingSeq
