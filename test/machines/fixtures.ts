import { expect } from "vitest"
import { getInitialSnapshot, transition } from "xstate"
import { initialOrderContext, type OrderContext, type OrderEvent, type OrderStatus } from "../../machines/order-context.ts"
import { orderMachine } from "../../machines/order.machine.ts"
import { orderTable } from "../../machines/tables.ts"
import { orderIdFromSeq } from "../../src/domain/ids.ts"
import type { OrderSpec } from "../../src/domain/order.ts"

/** A valid limit buy of 100 at 10 unless overridden. */
export const orderSpec = (overrides: Partial<OrderSpec> = {}): OrderSpec => ({
  id: orderIdFromSeq(1),
  symbol: "ACME",
  side: "buy",
  type: "limit",
  quantity: "100",
  limitPrice: "10",
  stopPrice: null,
  timeInForce: "day",
  tag: null,
  submittedAfterUpdate: 0,
  submittedTime: null,
  ...overrides
})

export const orderContext = (overrides: Partial<OrderSpec> = {}): OrderContext => initialOrderContext(orderSpec(overrides))

export const fill = (quantity: string, price = "10", commission = "0"): OrderEvent => ({ type: "FILL", quantity, price, commission })

export interface OrderState {
  readonly status: OrderStatus
  readonly context: OrderContext
}

/**
 * Runs events that must all be legal through both XState and the compiled table, checking after
 * each that the two agree, and returns where they end up.
 */
export const runOrder = (start: OrderContext, events: ReadonlyArray<OrderEvent>): OrderState => {
  let snapshot = getInitialSnapshot(orderMachine, start)
  let state: OrderState = { status: "submitted", context: start }
  for (const [i, event] of events.entries()) {
    const [next] = transition(orderMachine, snapshot, event)
    const stepped = orderTable.step(state.status, state.context, event)
    expect(stepped, `event ${i} (${event.type}) must be legal in ${state.status}`).toBeDefined()
    if (stepped === undefined) throw new Error("unreachable")
    expect(stepped.status).toBe(next.value)
    expect(stepped.context).toEqual(next.context)
    snapshot = next
    state = stepped
  }
  return state
}

/**
 * Asserts that `event` is illegal once `prefix` has run: the table refuses it and XState leaves the
 * snapshot exactly as it was (an unguarded refusal in XState is silent, hence both checks).
 */
export const expectRefused = (start: OrderContext, prefix: ReadonlyArray<OrderEvent>, event: OrderEvent): void => {
  const before = runOrder(start, prefix)
  expect(orderTable.step(before.status, before.context, event), `${event.type} in ${before.status}`).toBeUndefined()
  let snapshot = getInitialSnapshot(orderMachine, start)
  for (const e of prefix) snapshot = transition(orderMachine, snapshot, e)[0]
  const [after] = transition(orderMachine, snapshot, event)
  expect(after.value).toBe(before.status)
  expect(after.context).toEqual(before.context)
}
