import type { OrderId } from "../domain/ids.ts"
import { OrderEntry, type OrderEntrySnapshot } from "./order-entry.ts"

export interface OrderBookSnapshot {
  readonly orders: ReadonlyArray<OrderEntrySnapshot>
  readonly pending: ReadonlyArray<OrderId>
  readonly working: ReadonlyArray<OrderId>
}

/**
 * A simulation's orders: every one by id, in submission order, and the open ones in time
 * priority: `pending` (submitted, checked at the next update of their symbol) and `working`
 * (accepted, matched oldest first). Priority is kept across symbols, not per symbol, because
 * the symbols share one account: which fill sees the cash first is part of the result. Links
 * between orders (OCO groups, brackets) belong here.
 */
export class OrderBook {
  readonly #orders = new Map<OrderId, OrderEntry>()
  pending: OrderEntry[] = []
  working: OrderEntry[] = []

  get(id: OrderId): OrderEntry | undefined {
    return this.#orders.get(id)
  }

  /** Every order, final ones included, in submission order. */
  all(): IterableIterator<OrderEntry> {
    return this.#orders.values()
  }

  open(): ReadonlyArray<OrderEntry> {
    return [...this.pending, ...this.working]
  }

  submit(entry: OrderEntry): void {
    this.#orders.set(entry.spec.id, entry)
    this.pending.push(entry)
  }

  /** Drops a final order from the open lists. */
  retire(entry: OrderEntry): void {
    this.pending = this.pending.filter((e) => e !== entry)
    this.working = this.working.filter((e) => e !== entry)
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
    for (const o of s.orders) book.#orders.set(o.context.order.id, OrderEntry.fromSnapshot(o))
    book.pending = s.pending.map((id) => book.#orders.get(id)!)
    book.working = s.working.map((id) => book.#orders.get(id)!)
    return book
  }
}
