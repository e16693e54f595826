import { expect } from "vitest"
import { type AnyStateMachine, getInitialSnapshot, transition } from "xstate"
import type { CompiledMachine, Step } from "../../machines/compiled-machine.ts"
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
  clientOrderId: "O-000001",
  trailAmount: null,
  trailPercent: null,
  trailWatermark: null,
  orderList: null,
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
 * Asserts that `event` is illegal where `prefix` leads from `start`: the table refuses it and XState
 * leaves the snapshot exactly as it was (an unguarded refusal in XState is silent, hence both
 * checks). `run` replays legal events through both, checking they agree on the way.
 */
export const expectRefusedBy = <S extends string, C, E extends { readonly type: string }>(
  machine: AnyStateMachine,
  table: CompiledMachine<S, C, E>,
  start: C,
  run: (events: ReadonlyArray<E>) => { readonly status: S; readonly context: C },
  prefix: ReadonlyArray<E>,
  event: E
): void => {
  const before = run(prefix)
  expect(table.step(before.status, before.context, event), `${event.type} in ${before.status}`).toBeUndefined()
  let snapshot = getInitialSnapshot(machine, start)
  for (const e of prefix) snapshot = transition(machine, snapshot, e)[0]
  const [after] = transition(machine, snapshot, event)
  expect(after.value).toBe(before.status)
  expect(after.context).toEqual(before.context)
}

/** `expectRefusedBy` for the order machine. */
export const expectRefused = (start: OrderContext, prefix: ReadonlyArray<OrderEvent>, event: OrderEvent): void =>
  expectRefusedBy(orderMachine, orderTable, start, (events) => runOrder(start, events), prefix, event)

/**
 * Checks one step of the table against XState's, for any event, legal or not: where the table
 * refuses it XState must not move (and must say it cannot take it); where the table steps it must
 * land where XState does.
 */
export const expectSameStep = <S extends string, C, E>(
  snapshot: { readonly value: unknown; readonly context: unknown; can(event: E): boolean },
  next: { readonly value: unknown; readonly context: unknown },
  stepped: Step<S, C>,
  event: E
): void => {
  if (stepped === undefined) {
    expect(next.value).toBe(snapshot.value)
    expect(next.context).toEqual(snapshot.context)
    expect(snapshot.can(event)).toBe(false)
  } else {
    expect(stepped.status).toBe(next.value)
    expect(stepped.context).toEqual(next.context)
  }
}
