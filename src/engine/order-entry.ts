import { finalOrderStatuses, initialOrderContext, type OrderContext, type OrderEvent, type OrderStatus, orderTable } from "../../machines/index.ts"
import { Decimal, ZERO } from "../domain/decimal.ts"
import { IllegalOrderTransitionError } from "../domain/errors.ts"
import type { OrderSpec } from "../domain/order.ts"
import type { WorkingOrder } from "./fill-model.ts"

/** An order as callers see it: the machine's status and context, decimals as strings. */
export interface OrderView extends OrderSpec {
  readonly status: OrderStatus
  readonly filledQuantity: string
  readonly averageFillPrice: string | null
  readonly commission: string
  readonly triggered: boolean
  readonly reasons: ReadonlyArray<string>
}

/**
 * One order inside the engine: its machine state (status + context), moved only by the order
 * machine's compiled table, plus decimals and floats cached from the context for matching.
 */
export class OrderEntry implements WorkingOrder {
  status: OrderStatus = "submitted"
  context: OrderContext
  remaining!: Decimal
  limitPrice!: Decimal | null
  stopPrice!: Decimal | null
  limitNumber!: number
  stopNumber!: number
  /** Largest |position| its fills may reach, fixed at the pre-trade check. */
  positionLimit: Decimal | null = null
  /** Buying power its opening part held back at the check, for the whole quantity. */
  reservation: Decimal = ZERO

  constructor(spec: OrderSpec) {
    this.context = initialOrderContext(spec)
    this.#cache()
  }

  get spec(): OrderSpec {
    return this.context.order
  }
  get triggered(): boolean {
    return this.context.triggered
  }
  get isFinal(): boolean {
    return finalOrderStatuses.has(this.status)
  }

  /** Applies an event through the order machine; an event the status has no transition for is an error, and nothing changes. */
  send(event: OrderEvent): IllegalOrderTransitionError | undefined {
    const next = orderTable.step(this.status, this.context, event)
    if (next === undefined) return new IllegalOrderTransitionError({ orderId: this.spec.id, status: this.status, event: event.type })
    const orderChanged = next.context.order !== this.context.order || next.context.filledQuantity !== this.context.filledQuantity
    this.status = next.status
    this.context = next.context
    if (orderChanged) this.#cache()
    return undefined
  }

  /** The share of the reservation its unfilled part still holds. */
  heldBack(): Decimal {
    return this.reservation.isZero() ? ZERO : this.reservation.times(this.remaining).dividedBy(this.spec.quantity)
  }

  view(): OrderView {
    const c = this.context
    return {
      ...c.order,
      status: this.status,
      filledQuantity: c.filledQuantity,
      averageFillPrice: c.averageFillPrice,
      commission: c.commission,
      triggered: c.triggered,
      reasons: c.reasons
    }
  }

  #cache(): void {
    const order = this.context.order
    this.remaining = new Decimal(order.quantity).minus(this.context.filledQuantity)
    this.limitPrice = order.limitPrice === null ? null : new Decimal(order.limitPrice)
    this.stopPrice = order.stopPrice === null ? null : new Decimal(order.stopPrice)
    this.limitNumber = order.limitPrice === null ? Number.NaN : Number(order.limitPrice)
    this.stopNumber = order.stopPrice === null ? Number.NaN : Number(order.stopPrice)
  }
}
