import type { OrderId } from "../domain/ids.ts"
import type { OrderListKind } from "../domain/order.ts"
import { OrderEntry, type OrderEntrySnapshot } from "./order-entry.ts"

export interface OrderBookSnapshot {
  readonly orders: ReadonlyArray<OrderEntrySnapshot>
  readonly pending: ReadonlyArray<OrderId>
  readonly working: ReadonlyArray<OrderId>
}

/**
 * Orders submitted together as one list (DESIGN.md, advanced orders): an OCO group's members, or
 * an OTO's or a bracket's entry and its children (which are themselves an OCO pair). The links
 * live in each order's spec (`orderList`), so a snapshot of the orders restores them.
 */
export interface OrderList {
  readonly id: string
  readonly kind: OrderListKind
  /** The entry of an OTO or a bracket; null for an OCO group. */
  entry: OrderEntry | null
  /** An OCO group's members, or an OTO's or a bracket's children, in submission order. */
  readonly members: OrderEntry[]
}

/**
 * A simulation's orders: every one by id (and by client order id), in submission order, and the
 * open ones in time priority: `pending` (submitted, checked at the next update of their symbol),
 * `working` (accepted, matched oldest first) and `held` (children waiting for their entry).
 * Priority is kept across symbols, not per symbol, because the symbols share one account: which
 * fill sees the cash first is part of the result. The links between orders (OCO groups, OTOs and
 * brackets) are here too.
 */
export class OrderBook {
  readonly #orders = new Map<OrderId, OrderEntry>()
  readonly #byClientId = new Map<string, OrderEntry>()
  readonly #lists = new Map<string, OrderList>()
  pending: OrderEntry[] = []
  working: OrderEntry[] = []
  held: OrderEntry[] = []

  get(id: OrderId): OrderEntry | undefined {
    return this.#orders.get(id)
  }

  byClientOrderId(clientOrderId: string): OrderEntry | undefined {
    return this.#byClientId.get(clientOrderId)
  }

  /** Every order, final ones included, in submission order. */
  all(): IterableIterator<OrderEntry> {
    return this.#orders.values()
  }

  open(): ReadonlyArray<OrderEntry> {
    return [...this.pending, ...this.working, ...this.held]
  }

  /** Adds a new order: pending, or held when it is a child waiting for its entry. */
  submit(entry: OrderEntry): void {
    this.#add(entry)
    if (entry.status === "held") this.held.push(entry)
    else this.pending.push(entry)
  }

  /** A held child whose entry has ended: it is checked at the next update, like a new order. */
  activate(entry: OrderEntry): void {
    this.held = this.held.filter((e) => e !== entry)
    this.pending.push(entry)
  }

  /** Drops a final order from the open lists. */
  retire(entry: OrderEntry): void {
    this.pending = this.pending.filter((e) => e !== entry)
    this.working = this.working.filter((e) => e !== entry)
    if (this.held.length > 0) this.held = this.held.filter((e) => e !== entry)
  }

  /** Drops the open orders that became final during a pass over them. */
  retireFinal(): void {
    this.pending = this.pending.filter((e) => !e.isFinal)
    this.working = this.working.filter((e) => !e.isFinal)
  }

  snapshot(): OrderBookSnapshot {
    return {
      orders: [...this.#orders.values()].map((e) => e.snapshot()),
      pending: this.pending.map((e) => e.spec.id),
      working: this.working.map((e) => e.spec.id)
    }
  }

  static fromSnapshot(s: OrderBookSnapshot): OrderBook {
    const book = new OrderBook()
    for (const o of s.orders) {
      const entry = OrderEntry.fromSnapshot(o)
      book.#add(entry)
      if (entry.status === "held") book.held.push(entry)
    }
    book.pending = s.pending.map((id) => book.#orders.get(id)!)
    book.working = s.working.map((id) => book.#orders.get(id)!)
    return book
  }

  #add(entry: OrderEntry): void {
    const { spec } = entry
    this.#orders.set(spec.id, entry)
    // Snapshots from before client order ids have none.
    if (spec.clientOrderId !== undefined) this.#byClientId.set(spec.clientOrderId, entry)
    const link = spec.orderList
    if (link === null || link === undefined) return
    let list = this.#lists.get(link.id)
    if (list === undefined) {
      list = { id: link.id, kind: link.kind, entry: null, members: [] }
      this.#lists.set(link.id, list)
    }
    if (link.role === "entry") list.entry = entry
    else list.members.push(entry)
    entry.list = list
  }
}
