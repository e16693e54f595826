import { type OrderId, orderIdFromSeq } from "../domain/ids.ts"
import { ValidationError } from "../domain/errors.ts"
import { isEngineOrderId, type OrderListKind } from "../domain/order.ts"
import { type EndedOrder, endedOrder, endedSnapshot, endedView } from "./ended-order.ts"
import { EndedOrderLog } from "./history/ended-order-log.ts"
import { OrderEntry, type OrderEntrySnapshot, type OrderView, type WorkingOrderWatch } from "./order-entry.ts"
import { timeInForcePolicies } from "./time-in-force.ts"
import { WorkingOrderIndex } from "./working-order-index.ts"
import { WorkingTotals } from "./working-totals.ts"

export interface OrderBookSnapshot {
  readonly orders: ReadonlyArray<OrderEntrySnapshot>
  readonly pending: ReadonlyArray<OrderId>
  readonly working: ReadonlyArray<OrderId>
}

/** The number in an order id of the engine's form (O-000123), or 0 for any other string. */
const sequenceOf = (id: string): number => {
  if (id.length < 3 || id.charCodeAt(0) !== 79 || id.charCodeAt(1) !== 45) return 0
  let n = 0
  for (let i = 2; i < id.length; i++) {
    const digit = id.charCodeAt(i) - 48
    if (digit < 0 || digit > 9) return 0
    n = n * 10 + digit
  }
  return n
}

/** An order of the book: its entry while it is open (and an ended one restored from a snapshot), its record once it has ended here. */
export type BookedOrder = OrderEntry | EndedOrder

export const viewOf = (o: BookedOrder): OrderView => (o instanceof OrderEntry ? o.view() : endedView(o))
export const snapshotOf = (o: BookedOrder): OrderEntrySnapshot => (o instanceof OrderEntry ? o.snapshot() : endedSnapshot(o))
export const isEnded = (o: BookedOrder): boolean => !(o instanceof OrderEntry) || o.isFinal

/** How many ended orders the working lists may hold beyond their live ones before they are swept. */
const SWEEP_SLACK = 16

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
 *
 * So that nothing per update or per order grows with the book, the working orders also sit in an
 * index by symbol and price (./working-order-index.ts), those whose time in force can expire in a
 * list of their own, and their open quantities and holds on buying power in running totals
 * (./working-totals.ts); each working order tells the book when it changes (`WorkingOrderWatch`).
 * An order that ends leaves the working lists lazily: they are swept once the ended outnumber the rest.
 */
export class OrderBook implements WorkingOrderWatch {
  /**
   * Every order in submission order: its entry, or once it has ended here, its row in `ended`.
   * The engine numbers its orders 1, 2, 3…, so the nth is the order with the nth id: found by its
   * place, without a map of ids that every new order grows (and, past a few hundred thousand
   * orders, copies whole). An order that is not at its number's place (a snapshot whose orders
   * were not numbered so) is found through `#misplaced`, which, like `#byClientId`, holds places.
   * No two orders have one id: a restore refuses a snapshot that has or would make such a pair.
   */
  readonly #orders: Array<OrderEntry | number> = []
  readonly #misplaced = new Map<OrderId, number>()
  readonly #byClientId = new Map<string, number>()
  /** The orders that ended here, in the order they ended, in columns: a long run's history costs the collector nothing. */
  readonly ended = new EndedOrderLog()
  readonly #lists = new Map<string, OrderList>()
  pending: OrderEntry[] = []
  held: OrderEntry[] = []
  readonly totals = new WorkingTotals()
  readonly index = new WorkingOrderIndex()
  #working: OrderEntry[] = []
  #live = 0
  /** The working orders whose time in force can expire, oldest first (final ones swept lazily). */
  #expiring: OrderEntry[] = []
  #expiringEnded = 0
  #workingSeq = 0

  get(id: OrderId): BookedOrder | undefined {
    const at = this.#placeOf(id)
    return at < 0 ? undefined : this.#orderAt(at)
  }

  byClientOrderId(clientOrderId: string): BookedOrder | undefined {
    // An order given no client order id goes by its own id: found among the orders (a caller's id never has that form).
    if (!isEngineOrderId(clientOrderId)) {
      const at = this.#byClientId.get(clientOrderId)
      return at === undefined ? undefined : this.#orderAt(at)
    }
    const order = this.get(clientOrderId as OrderId)
    return order?.context.order.clientOrderId === clientOrderId ? order : undefined
  }

  /** Every order, final ones included, in submission order (one that ended here written back from its row). */
  *all(): IterableIterator<BookedOrder> {
    for (let at = 0; at < this.#orders.length; at++) yield this.#orderAt(at)
  }

  /** An order has ended: its record joins `ended` and its row takes the entry's place (the lists that still hold the entry drop it as they are swept). */
  recordEnded(entry: OrderEntry): void {
    const row = this.ended.length
    this.ended.add(endedOrder(entry.status, entry.context, entry.endedTime, entry.closedQuantity), !entry.restored)
    const seq = sequenceOf(entry.spec.id)
    // Out of its number's place only in a book restored from a hand-made snapshot.
    const at = this.#orders[seq - 1] === entry ? seq - 1 : this.#orders.indexOf(entry)
    if (at >= 0) this.#orders[at] = row
  }

  /** Where the order of this id is in `#orders`, or −1. */
  #placeOf(id: OrderId): number {
    const at = sequenceOf(id) - 1
    if (at >= 0 && at < this.#orders.length && this.#idAt(at) === id) return at
    return this.#misplaced.get(id) ?? -1
  }

  #idAt(at: number): OrderId {
    const slot = this.#orders[at]!
    return typeof slot === "number" ? this.ended.idAt(slot) : slot.spec.id
  }

  #orderAt(at: number): BookedOrder {
    const slot = this.#orders[at]!
    return typeof slot === "number" ? this.ended.at(slot) : slot
  }

  open(): ReadonlyArray<OrderEntry> {
    return [...this.pending, ...this.working, ...this.held]
  }

  /** The working orders, oldest first. */
  get working(): ReadonlyArray<OrderEntry> {
    if (this.#working.length > this.#live) this.#working = this.#working.filter((e) => !e.isFinal)
    return this.#working
  }

  get hasWorking(): boolean {
    return this.#live > 0
  }

  /** The working orders whose time in force can expire, oldest first; some may have ended (skip those). */
  get expiring(): ReadonlyArray<OrderEntry> {
    return this.#expiring
  }

  /** Whether a working order can still expire: the ended ones stay in `expiring` until a sweep, and every update asks. */
  get hasExpiring(): boolean {
    return this.#expiring.length > this.#expiringEnded
  }

  /** An accepted order starts working: last in time priority, in the index and the totals. */
  accept(entry: OrderEntry): void {
    this.#workingSeq += 1
    entry.workingSeq = this.#workingSeq
    entry.watch = this
    this.#working.push(entry)
    this.#live += 1
    if (timeInForcePolicies[entry.spec.timeInForce].expires) this.#expiring.push(entry)
    this.totals.add(entry)
    this.index.place(entry)
  }

  leave(entry: OrderEntry): void {
    this.totals.subtract(entry)
  }

  join(entry: OrderEntry): void {
    if (entry.isFinal) return this.#ended(entry)
    this.totals.add(entry)
    this.index.place(entry)
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

  /** Drops a final order from the open lists (from the working ones lazily). */
  retire(entry: OrderEntry): void {
    if (this.pending.length > 0) this.pending = this.pending.filter((e) => e !== entry)
    if (this.held.length > 0) this.held = this.held.filter((e) => e !== entry)
  }

  /** Drops the pending orders that became final during a pass over them (working ones go lazily). */
  retireFinal(): void {
    if (this.pending.length > 0) this.pending = this.pending.filter((e) => !e.isFinal)
  }

  snapshot(): OrderBookSnapshot {
    return {
      orders: [...this.all()].map(snapshotOf),
      pending: this.pending.map((e) => e.spec.id),
      working: this.working.map((e) => e.spec.id)
    }
  }

  /** `orderSeq`: the number of the engine's last order (it numbers the next after it). */
  static fromSnapshot(s: OrderBookSnapshot & { readonly orderSeq: number }): OrderBook {
    const book = new OrderBook()
    for (let i = 0; i < s.orders.length; i++) {
      const entry = OrderEntry.fromSnapshot(s.orders[i]!)
      book.#refuseSharedId(entry.spec.id, i, s.orderSeq)
      book.#add(entry)
      if (entry.status === "held") book.held.push(entry)
    }
    book.pending = s.pending.map((id, i) => book.#named(id, `pending[${i}]`))
    s.working.forEach((id, i) => book.accept(book.#named(id, `working[${i}]`)))
    return book
  }

  /**
   * Refuses a restored order whose id an earlier one of the snapshot has, or that the engine would
   * give its next orders (numbered past `orderSeq`): two orders of one id would be one to every
   * lookup, snapshot and checkpoint, and each would lose the other differently.
   */
  #refuseSharedId(id: OrderId, i: number, orderSeq: number): void {
    if (this.#placeOf(id) >= 0) throw new ValidationError({ subject: "snapshot", issues: [{ field: `orders[${i}].context.order.id`, rule: "must not be the id of an earlier order", value: id }] })
    const seq = sequenceOf(id)
    if (seq > orderSeq && orderIdFromSeq(seq) === id)
      throw new ValidationError({ subject: "snapshot", issues: [{ field: "orderSeq", rule: `must be at least ${seq}, the number of orders[${i}] (${id}): the engine numbers its next order after it`, value: orderSeq }] })
  }

  /** The order a snapshot's list names; one it does not have is refused naming the place. */
  #named(id: OrderId, field: string): OrderEntry {
    const entry = this.get(id)
    // A book restored from a snapshot holds entries only.
    if (!(entry instanceof OrderEntry)) throw new ValidationError({ subject: "snapshot", issues: [{ field, rule: "must name an order of the snapshot", value: id }] })
    return entry
  }

  /** A working order ended: out of the totals (already) and the index; the lists drop it once enough have ended. */
  #ended(entry: OrderEntry): void {
    this.index.remove(entry)
    this.#live -= 1
    // Swept once the ended outnumber the rest (and a few more): each sweep costs what the ended since the last one cost
    // to place, and a book of one order at a time does not make two new arrays per order.
    if (this.#working.length > 2 * this.#live + SWEEP_SLACK) this.#working = this.#working.filter((e) => !e.isFinal)
    if (!timeInForcePolicies[entry.spec.timeInForce].expires) return
    this.#expiringEnded += 1
    if (2 * this.#expiringEnded > this.#expiring.length + SWEEP_SLACK) {
      this.#expiring = this.#expiring.filter((e) => !e.isFinal)
      this.#expiringEnded = 0
    }
  }

  #add(entry: OrderEntry): void {
    const { spec } = entry
    const at = this.#orders.length
    if (sequenceOf(spec.id) !== at + 1) this.#misplaced.set(spec.id, at)
    this.#orders.push(entry)
    // Snapshots from before client order ids have none; an order given none has its own id, found through #orders.
    if (spec.clientOrderId !== undefined && spec.clientOrderId !== spec.id) this.#byClientId.set(spec.clientOrderId, at)
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
