import type { OrderContext, OrderStatus } from "../../machines/index.ts"
import { type Decimal, ZERO } from "../domain/decimal.ts"
import type { OrderEntrySnapshot, OrderView } from "./order-entry.ts"

/**
 * An order that has ended, as the history keeps it: its final status and machine context, when it
 * ended, and what a list's entry closed. Nothing of it changes again, so the OrderEntry that worked
 * it is dropped: a long history keeps four fields an order instead of the entry's working caches,
 * and, made as one object literal, V8 allocates these straight into the old generation once it has
 * seen that they all live on, so no young collection copies them.
 */
export interface EndedOrder {
  readonly status: OrderStatus
  readonly context: OrderContext
  readonly endedTime: number | null
  /** See `OrderEntry.closedQuantity`: zero for every order but a bracket's or OTO's entry that closed a position. */
  readonly closedQuantity: Decimal
}

export const endedOrder = (status: OrderStatus, context: OrderContext, endedTime: number | null, closedQuantity: Decimal): EndedOrder => ({
  status,
  context,
  endedTime,
  closedQuantity
})

/** An order as callers see it: a copy, down to its list link and reasons, so that changing it changes nothing here. */
export const orderView = (status: OrderStatus, c: OrderContext, endedTime: number | null): OrderView => {
  const link = c.order.orderList
  return {
    ...c.order,
    ...(link === null || link === undefined ? {} : { orderList: { ...link } }),
    status,
    filledQuantity: c.filledQuantity,
    averageFillPrice: c.averageFillPrice,
    commission: c.commission,
    triggered: c.triggered,
    reasons: [...c.reasons],
    rejectionCode: c.rejectionCode ?? null,
    endedTime
  }
}

/** What an order's snapshot holds, open or ended (an ended order holds nothing back and has no position cap). */
export const orderSnapshot = (
  status: OrderStatus,
  context: OrderContext,
  positionCap: { readonly referencePrice: Decimal; readonly maxValue: Decimal } | null,
  reservation: Decimal,
  reservedFor: Decimal,
  endedTime: number | null,
  closedQuantity: Decimal
): OrderEntrySnapshot => ({
  status,
  // A copy: the live context is the machine's, and a caller changing the snapshot must not change the order.
  context: structuredClone(context),
  positionCap: positionCap === null ? null : { referencePrice: positionCap.referencePrice.toString(), maxValue: positionCap.maxValue.toString() },
  reservation: reservation.toString(),
  reservedFor: reservedFor.toString(),
  ...(endedTime === null ? {} : { endedTime }),
  // Only an entry that closed something has it: every other order's snapshot keeps its form.
  ...(closedQuantity.isZero() ? {} : { closedQuantity: closedQuantity.toString() })
})

export const endedView = (o: EndedOrder): OrderView => orderView(o.status, o.context, o.endedTime)

export const endedSnapshot = (o: EndedOrder): OrderEntrySnapshot => orderSnapshot(o.status, o.context, null, ZERO, ZERO, o.endedTime, o.closedQuantity)
