import { getShortestPaths } from "@xstate/graph"
import type { SnapshotFrom } from "xstate"
import { initialOrderContext, type OrderEvent, type OrderStatus, OrderStatuses } from "../../machines/order-context.ts"
import { orderMachine } from "../../machines/order.machine.ts"
import type { OrderSpec } from "../../src/domain/order.ts"
import { orderSpec } from "./fixtures.ts"

/**
 * A stop-limit buy of 100, so that TRIGGER is reachable as well as every other transition. It fills
 * only once triggered.
 */
export const sampleOrder: OrderSpec = orderSpec({ type: "stopLimit", quantity: "100", limitPrice: "10", stopPrice: "9.5" })

/**
 * A limit buy of 100: it never triggers, and fills straight from accepted (and in a cancel or
 * replace pending from accepted), which the stop-limit cannot.
 */
export const sampleLimitOrder: OrderSpec = orderSpec({ type: "limit", quantity: "100", limitPrice: "10" })

/** A buy trailing stop of 100, 0.5 above its watermark of 9.5: TRAIL moves it, only ever down. */
export const sampleTrailingOrder: OrderSpec = orderSpec({ type: "trailingStop", quantity: "100", limitPrice: null, stopPrice: "10", trailAmount: "0.5", trailWatermark: "9.5" })

/**
 * The concrete events a traversal tries in every state. Fills of 40, 60 and 100 on a quantity of
 * 100 give partial, completing and over-fills; the two replaces give a confirm that is allowed and
 * (once 40 are filled) one that is refused.
 */
export const sampleOrderEvents: ReadonlyArray<OrderEvent> = [
  { type: "ACCEPT", sessionDay: 20_000 },
  { type: "REJECT", code: "cash", reason: "insufficient cash" },
  { type: "TRIGGER" },
  { type: "FILL", quantity: "40", price: "10", commission: "0.4" },
  { type: "FILL", quantity: "60", price: "11", commission: "0.6" },
  { type: "FILL", quantity: "100", price: "9.9", commission: "1" },
  { type: "CANCEL_REQUEST" },
  { type: "CANCEL_CONFIRM", reason: "cancelled by user" },
  { type: "CANCEL_REJECT", reason: "too late to cancel" },
  { type: "REPLACE_REQUEST", changes: { quantity: "120", limitPrice: "10.5" } },
  { type: "REPLACE_REQUEST", changes: { quantity: "30" } },
  { type: "REPLACE_CONFIRM" },
  { type: "REPLACE_REJECT", reason: "too late to replace" },
  { type: "EXPIRE", reason: "end of day" },
  { type: "HOLD" },
  { type: "ACTIVATE", quantity: "100" },
  { type: "ACTIVATE", quantity: "60" },
  { type: "REDUCE", quantity: "70" },
  // Tighter and looser than a buy trailing stop's stop of 10 (only trailing stops take TRAIL).
  { type: "TRAIL", stopPrice: "9.8", watermark: "9.3" },
  { type: "TRAIL", stopPrice: "10.2", watermark: "9.7" }
]

export interface OrderPath {
  readonly description: string
  readonly order: OrderSpec
  /** Every event is legal where it is sent. */
  readonly events: ReadonlyArray<OrderEvent>
  readonly finalStatus: OrderStatus
}

type OrderSnapshot = SnapshotFrom<typeof orderMachine>

/**
 * How traversal tells states apart:
 * - "statuses": by status alone, giving one shortest path to each status the order can reach (all
 *   ten for `sampleOrder`; all but triggered for `sampleLimitOrder`);
 * - "controlStates": by status plus every context field a guard reads that can change (resume
 *   status, triggered, filled quantity, staged changes, order quantity; the order type cannot),
 *   giving one path to each such combination (95 for `sampleOrder`, 74 for `sampleLimitOrder`,
 *   with the sample events). Reasons, prices and commission are left out: they never change which
 *   transition is taken, and keeping them would make the state space infinite.
 */
export type OrderPathCoverage = "statuses" | "controlStates"

const serializers: Record<OrderPathCoverage, (s: OrderSnapshot) => string> = {
  statuses: (s) => JSON.stringify(s.value),
  controlStates: (s) =>
    JSON.stringify([s.value, s.context.resumeStatus, s.context.triggered, s.context.filledQuantity, s.context.pendingChanges, s.context.order.quantity, s.context.order.stopPrice])
}

const isOrderStatus = (value: unknown): value is OrderStatus => (OrderStatuses as ReadonlyArray<unknown>).includes(value)

const describeEvent = (e: OrderEvent): string => (e.type === "FILL" ? `FILL ${e.quantity}` : e.type === "REPLACE_REQUEST" ? `REPLACE_REQUEST ${JSON.stringify(e.changes)}` : e.type)

/**
 * Shortest paths over the order machine from a new order, as plain event lists with the status
 * XState ends in. For replaying the same scenarios through other runners (the compiled table, the
 * engine). The events are meant for a quantity of 100, as `sampleOrder` and `sampleLimitOrder` have.
 */
export const orderPaths = (coverage: OrderPathCoverage = "statuses", order: OrderSpec = sampleOrder): ReadonlyArray<OrderPath> =>
  getShortestPaths(orderMachine, {
    input: initialOrderContext(order),
    events: sampleOrderEvents,
    serializeState: serializers[coverage]
  }).map((path) => {
    // The first step is XState's init; each later step holds the event that led to its state.
    const events = path.steps.slice(1).map((step) => step.event)
    const finalStatus = path.state.value
    if (!isOrderStatus(finalStatus)) throw new TypeError(`not an order status: ${JSON.stringify(finalStatus)}`)
    return { description: `${events.map(describeEvent).join(" → ") || "(none)"} ⇒ ${finalStatus}`, order, events, finalStatus }
  })
