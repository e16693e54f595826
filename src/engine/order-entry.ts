import { finalOrderStatuses, initialOrderContext, type OrderContext, type OrderEvent, type OrderStatus, orderTable } from "../../machines/index.ts"
import { Decimal, decimalOf, ZERO } from "../domain/decimal.ts"
import { compare, divide, multiply, subtract } from "../domain/decimal-arithmetic.ts"
import { IllegalOrderTransitionError } from "../domain/errors.ts"
import type { OrderSpec } from "../domain/order.ts"
import { orderTypes, type WorkingOrder } from "../domain/order-types.ts"
import { orderSnapshot, orderView } from "./ended-order.ts"
import type { OrderList } from "./order-book.ts"

/** An order as callers see it: the machine's status and context, decimals as strings. */
export interface OrderView extends OrderSpec {
  readonly status: OrderStatus
  readonly filledQuantity: string
  readonly averageFillPrice: string | null
  readonly commission: string
  readonly triggered: boolean
  readonly reasons: ReadonlyArray<string>
  /** The stable code of the rule that rejected the order (e.g. `cash`), once it is rejected; its reason is the last of `reasons`. */
  readonly rejectionCode: string | null
  /** When it reached its final status (filled, cancelled, expired, rejected): the simulation's time then; null while it is open. */
  readonly endedTime: number | null
}

/** An order inside the engine as plain data: its machine state plus what its pre-trade check fixed. */
export interface OrderEntrySnapshot {
  readonly status: OrderStatus
  readonly context: OrderContext
  readonly positionCap: { readonly referencePrice: string; readonly maxValue: string } | null
  readonly reservation: string
  readonly reservedFor: string
  /** Only once it has ended (and a time was known): snapshots of open orders keep their form. */
  readonly endedTime?: number
  /**
   * A bracket's or OTO's entry only, once a fill of it closed a position: how much of what it
   * filled did (see `OrderEntry.closedQuantity`). Absent means none, as in snapshots written before it.
   */
  readonly closedQuantity?: string
}

/** What keeps running figures over the working orders (the order book): told before and after a working order changes. */
export interface WorkingOrderWatch {
  /** The order is about to change (or end): its figures leave the running totals. */
  leave(entry: OrderEntry): void
  /** The order changed: if it still works, its figures join the totals again and it is re-indexed; if it ended, it leaves the index. */
  join(entry: OrderEntry): void
}

/**
 * One order inside the engine: its machine state (status + context), moved only by the order
 * machine's compiled table, plus decimals and floats cached from the context for matching.
 */
export class OrderEntry implements WorkingOrder {
  #status: OrderStatus = "submitted"
  /** Whether the status is final: asked for every open order on every pass, so kept rather than looked up. */
  #final = false
  context: OrderContext
  remaining!: Decimal
  limitPrice!: Decimal | null
  stopPrice!: Decimal | null
  limitNumber!: number
  stopNumber!: number
  /** What its fills' position may be worth, valued at the reference price of its pre-trade check. */
  positionCap: { readonly referencePrice: Decimal; readonly maxValue: Decimal } | null = null
  /** Buying power its opening part held back at the check, for `reservedFor` of its quantity. */
  reservation: Decimal = ZERO
  reservedFor: Decimal = ZERO
  /** The order list it belongs to (set by the order book), or null. */
  list: OrderList | null = null
  /**
   * The update during (or after) which a held child was activated: it is checked from the next
   * one. Not in snapshots: a snapshot is taken between updates, when it no longer matters.
   */
  activatedOn = -1
  /** A trailing stop: the engine moves its stop after each update it is matched on. */
  readonly trails: boolean
  /** Set by the order book while the order works; null otherwise. */
  watch: WorkingOrderWatch | null = null
  /** Its place in the working list's time priority (set by the order book when it starts working). */
  workingSeq = 0
  /** Where the working-order index holds it (opaque to all but the index), under which key, and which of its places is current. */
  indexedIn: object | null = null
  indexKey = 0
  indexVersion = 0
  /** The simulation's time when it reached its final status (see OrderView.endedTime). */
  endedTime: number | null = null
  /**
   * A bracket's or OTO's entry: how much of what it filled closed a position rather than opened
   * one. Its children protect only the rest, the position it built (DESIGN.md, advanced orders).
   */
  closedQuantity: Decimal = ZERO
  /** Made from a snapshot rather than placed here: its spec and context may hold their keys in another order (a snapshot made by hand). */
  restored = false

  constructor(spec: OrderSpec) {
    this.context = initialOrderContext(spec)
    this.trails = orderTypes[spec.type].trails
    this.#cache()
  }

  snapshot(): OrderEntrySnapshot {
    return orderSnapshot(this.status, this.context, this.positionCap, this.reservation, this.reservedFor, this.endedTime, this.closedQuantity)
  }

  static fromSnapshot(s: OrderEntrySnapshot): OrderEntry {
    const entry = new OrderEntry(s.context.order)
    entry.restored = true
    entry.status = s.status
    // An open order's context is its own copy: its spec is frozen (see #cache), and the caller's snapshot stays theirs.
    entry.context = finalOrderStatuses.has(s.status) ? s.context : structuredClone(s.context)
    if (entry.isFinal) entry.#release()
    else entry.#cache()
    entry.positionCap = s.positionCap === null ? null : { referencePrice: decimalOf(s.positionCap.referencePrice), maxValue: decimalOf(s.positionCap.maxValue) }
    entry.reservation = decimalOf(s.reservation)
    entry.reservedFor = decimalOf(s.reservedFor)
    entry.endedTime = s.endedTime ?? null
    if (s.closedQuantity !== undefined) entry.closedQuantity = decimalOf(s.closedQuantity)
    return entry
  }

  get status(): OrderStatus {
    return this.#status
  }
  set status(status: OrderStatus) {
    this.#status = status
    this.#final = finalOrderStatuses.has(status)
  }

  get spec(): OrderSpec {
    return this.context.order
  }
  get triggered(): boolean {
    return this.context.triggered
  }
  get isFinal(): boolean {
    return this.#final
  }
  /** What its fills opened: the position a bracket's or OTO's entry built, which its children protect. */
  get openedQuantity(): Decimal {
    const filled = decimalOf(this.context.filledQuantity)
    return this.closedQuantity.isZero() ? filled : subtract(filled, this.closedQuantity)
  }

  /** Applies an event through the order machine; an event the status has no transition for is an error, and nothing changes. */
  send(event: OrderEvent): IllegalOrderTransitionError | undefined {
    const next = orderTable.step(this.status, this.context, event)
    if (next === undefined) return new IllegalOrderTransitionError({ orderId: this.spec.id, status: this.status, event: event.type })
    const orderChanged = next.context.order !== this.context.order
    const fillChanged = next.context.filledQuantity !== this.context.filledQuantity
    const watch = this.watch
    // Only what moves a working order's figures or its place in the index is reported.
    const moves = watch !== null && (orderChanged || fillChanged || next.context.triggered !== this.context.triggered || finalOrderStatuses.has(next.status))
    if (moves) watch.leave(this)
    this.status = next.status
    this.context = next.context
    if (this.isFinal) this.#release()
    else if (orderChanged) this.#cache()
    else if (fillChanged && event.type === "FILL") this.remaining = subtract(this.remaining, decimalOf(event.quantity))
    if (moves) {
      // An order that ended leaves the book's working figures for good.
      if (this.isFinal) this.watch = null
      watch.join(this)
    }
    return undefined
  }

  /** The error `send(event)` would return, without sending it: for checks that must run before the order moves. */
  refuses(event: OrderEvent): IllegalOrderTransitionError | undefined {
    return orderTable.step(this.status, this.context, event) === undefined
      ? new IllegalOrderTransitionError({ orderId: this.spec.id, status: this.status, event: event.type })
      : undefined
  }

  /**
   * The orders of which at most one fills the quantity they share (reduced by each other's fills,
   * together no more than it), that it is one of: its OCO group, or its bracket's (or OTO's)
   * children; null for any other order, a list's entry included. The checks count such a group
   * once, by what its largest member can take, and a member's own check leaves the group out.
   */
  get fillGroup(): OrderList | null {
    return this.list !== null && this.spec.orderList?.role !== "entry" ? this.list : null
  }

  /** Fixes what its pre-trade check allowed: the position value its fills may reach, and the buying power it holds back for `reservedFor` of its quantity. */
  commit(positionCap: { readonly referencePrice: Decimal; readonly maxValue: Decimal }, reservation: Decimal, reservedFor: Decimal): void {
    const watch = this.watch
    watch?.leave(this)
    this.positionCap = positionCap
    this.reservation = reservation
    this.reservedFor = reservedFor
    watch?.join(this)
  }

  /** Whether its hold on buying power is a share of its reservation (a quotient) rather than the reservation itself. */
  get holdsShare(): boolean {
    return !this.reservation.isZero() && compare(this.remaining, this.reservedFor) !== 0
  }

  /** The share of the reservation its unfilled part still holds. */
  heldBack(): Decimal {
    if (this.reservation.isZero() || compare(this.remaining, this.reservedFor) === 0) return this.reservation
    return divide(multiply(this.reservation, this.remaining), this.reservedFor)
  }

  /** The order as callers see it: a copy, down to its list link and reasons, so that changing it changes nothing here. */
  view(): OrderView {
    return orderView(this.status, this.context, this.endedTime)
  }

  /** A final order never trades again: its caches go, so a long history costs the garbage collector little. */
  #release(): void {
    this.remaining = ZERO
    this.limitPrice = null
    this.stopPrice = null
    this.positionCap = null
    this.reservation = ZERO
    this.reservedFor = ZERO
  }

  #cache(): void {
    const order = this.context.order
    // Frozen: risk rules and fill, slippage and fee models are handed it, and none may change the order.
    Object.freeze(order)
    if (order.orderList !== null && order.orderList !== undefined) Object.freeze(order.orderList)
    this.remaining = this.context.filledQuantity === "0" ? decimalOf(order.quantity) : subtract(decimalOf(order.quantity), decimalOf(this.context.filledQuantity))
    this.limitPrice = order.limitPrice === null ? null : decimalOf(order.limitPrice)
    this.stopPrice = order.stopPrice === null ? null : decimalOf(order.stopPrice)
    this.limitNumber = order.limitPrice === null ? Number.NaN : Number(order.limitPrice)
    this.stopNumber = order.stopPrice === null ? Number.NaN : Number(order.stopPrice)
  }
}
