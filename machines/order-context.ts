import { Decimal, decimalOf, decimalString, isAboveZero } from "../src/domain/decimal.ts"
import { add, compare, divide, multiply } from "../src/domain/decimal-arithmetic.ts"
import type { OrderSpec, ValidReplaceRequest } from "../src/domain/order.ts"
import { orderTypes } from "../src/domain/order-types.ts"
import type { Guard, MachineImplementations, Updater } from "./implementations.ts"

/** Every status an order can be in. The last four are final. */
export const OrderStatuses = [
  "submitted",
  "accepted",
  "triggered",
  "partiallyFilled",
  "pendingCancel",
  "pendingReplace",
  "held",
  "filled",
  "rejected",
  "cancelled",
  "expired"
] as const
export type OrderStatus = (typeof OrderStatuses)[number]

export const finalOrderStatuses: ReadonlySet<OrderStatus> = new Set(["filled", "rejected", "cancelled", "expired"])

/** The statuses a pending cancel or replace returns to when it is refused or done. */
export type ResumableStatus = "submitted" | "accepted" | "triggered" | "partiallyFilled" | "held"

/** The order machine's context: plain JSON (decimals as strings), so a persisted snapshot restores it exactly. */
export interface OrderContext {
  readonly order: OrderSpec
  readonly filledQuantity: string
  readonly averageFillPrice: string | null
  readonly commission: string
  readonly triggered: boolean
  /** Trading day (days since the epoch) of the session the order first works in; a `day` order expires after it. */
  readonly sessionDay: number | null
  readonly reasons: ReadonlyArray<string>
  /**
   * The stable code of the rule that rejected the order (e.g. `cash`), beside its reason. Set by
   * REJECT only, and absent until then, so that the snapshots of orders never rejected keep their form.
   */
  readonly rejectionCode?: string
  readonly resumeStatus: ResumableStatus | null
  readonly pendingChanges: ValidReplaceRequest | null
}

export type OrderEvent =
  | { readonly type: "ACCEPT"; readonly sessionDay: number | null }
  | { readonly type: "REJECT"; readonly code: string; readonly reason: string }
  | { readonly type: "TRIGGER" }
  | { readonly type: "FILL"; readonly quantity: string; readonly price: string; readonly commission: string }
  | { readonly type: "CANCEL_REQUEST" }
  | { readonly type: "CANCEL_CONFIRM"; readonly reason: string }
  | { readonly type: "CANCEL_REJECT"; readonly reason: string }
  | { readonly type: "REPLACE_REQUEST"; readonly changes: ValidReplaceRequest }
  | { readonly type: "REPLACE_CONFIRM" }
  | { readonly type: "REPLACE_REJECT"; readonly reason: string }
  | { readonly type: "EXPIRE"; readonly reason: string }
  /** A bracket or OTO child waits, inactive, for its entry. */
  | { readonly type: "HOLD" }
  /** Its entry has ended having filled `quantity`: the child protects that much, from the next update. */
  | { readonly type: "ACTIVATE"; readonly quantity: string }
  /** A trailing stop's best price moved to `watermark`, and its stop with it. */
  | { readonly type: "TRAIL"; readonly stopPrice: string; readonly watermark: string }
  /** A sibling in its list filled: the order's quantity shrinks to `quantity`. */
  | { readonly type: "REDUCE"; readonly quantity: string }

export type OrderEventType = OrderEvent["type"]

const NO_REASONS: ReadonlyArray<string> = Object.freeze([])

export const initialOrderContext = (order: OrderSpec): OrderContext => ({
  order,
  filledQuantity: "0",
  averageFillPrice: null,
  commission: "0",
  triggered: false,
  sessionDay: null,
  reasons: NO_REASONS,
  resumeStatus: null,
  pendingChanges: null
})

/** The canonical string of a + b for two canonical decimal strings. */
const sumString = (a: string, b: string): string => decimalString(add(decimalOf(a), decimalOf(b)))

/** How the fill compares with what is left of the order (−1 less, 0 all of it, 1 more); null if it is not a positive fill. */
const fillAgainstRest = (context: OrderContext, event: OrderEvent): number | null => {
  if (event.type !== "FILL") return null
  // Decimal strings here are canonical, so equal strings are equal amounts: the usual whole first fill needs no parsing.
  if (context.filledQuantity === "0" && event.quantity === context.order.quantity) return 0
  const quantity = decimalOf(event.quantity)
  if (!isAboveZero(quantity)) return null
  const after = context.filledQuantity === "0" ? quantity : add(quantity, decimalOf(context.filledQuantity))
  return compare(after, decimalOf(context.order.quantity))
}
const isStop = (context: OrderContext) => orderTypes[context.order.type].isStop

/**
 * An order can trade once it has passed its pre-trade checks (a cancel pending since `submitted`
 * has not), and a stop only once it has triggered.
 */
const canTrade = (context: OrderContext): boolean =>
  context.resumeStatus !== "submitted" && context.resumeStatus !== "held" && (context.triggered || !isStop(context))

/**
 * The order machine's guards: pure functions of (context, event, params), shared by the XState
 * definition and the compiled table the engine runs.
 */
export const orderGuards = {
  /** The fill takes the filled quantity exactly to the order's quantity. */
  completesOrder: (context, event) => canTrade(context) && fillAgainstRest(context, event) === 0,
  /** The fill leaves some of the order open; an overfill matches neither guard and is refused. */
  partlyFills: (context, event) => canTrade(context) && fillAgainstRest(context, event) === -1,
  /** Only stop and stop-limit orders trigger, and only once. */
  isUntriggeredStop: (context) => isStop(context) && !context.triggered,
  resumesTo: (context, _event, params) => context.resumeStatus === params?.["status"],
  /** A replace may return to its status only if the new quantity stays above what has been filled. */
  confirmsReplaceTo: (context, _event, params) =>
    context.resumeStatus === params?.["status"] &&
    (context.pendingChanges?.quantity === undefined || new Decimal(context.pendingChanges.quantity).greaterThan(context.filledQuantity)),
  /** A trailing stop's stop only ever tightens: up for a sell, down for a buy. */
  tightensStop: (context, event) =>
    event.type === "TRAIL" &&
    orderTypes[context.order.type].trails &&
    (context.order.side === "sell" ? new Decimal(event.stopPrice).greaterThan(context.order.stopPrice!) : new Decimal(event.stopPrice).lessThan(context.order.stopPrice!)),
  /** A reduction leaves some of the order to fill, and takes none of what is left away for nothing: it shrinks the quantity and stays above what has filled. */
  reducesAboveFilled: (context, event) =>
    event.type === "REDUCE" && new Decimal(event.quantity).lessThan(context.order.quantity) && new Decimal(event.quantity).greaterThan(context.filledQuantity),
  /** An activation protects a positive quantity. */
  activatesSome: (_context, event) => event.type === "ACTIVATE" && new Decimal(event.quantity).greaterThan(0)
} satisfies Record<string, Guard<OrderContext, OrderEvent>>

/** The order machine's context updates, shared like the guards. */
export const orderUpdaters = {
  recordAcceptance: (context, event) => (event.type === "ACCEPT" ? { ...context, sessionDay: event.sessionDay } : context),
  recordReason: (context, event) => ("reason" in event ? { ...context, reasons: [...context.reasons, event.reason] } : context),
  recordRejection: (context, event) => (event.type === "REJECT" ? { ...context, reasons: [...context.reasons, event.reason], rejectionCode: event.code } : context),
  recordTrigger: (context) => ({ ...context, triggered: true }),
  // Later fills read and write the running figures with the project's own reader, arithmetic and
  // writer (decimal.js's results, digit for digit, at a fraction of its constructor's cost).
  applyFill: (context, event) => {
    if (event.type !== "FILL") return context
    // The first fill sets the figures outright (the usual case: most orders fill in one go).
    if (context.filledQuantity === "0")
      return {
        ...context,
        filledQuantity: event.quantity,
        averageFillPrice: event.price,
        commission: context.commission === "0" ? event.commission : sumString(context.commission, event.commission)
      }
    const filled = decimalOf(context.filledQuantity)
    const quantity = decimalOf(event.quantity)
    const total = add(filled, quantity)
    const average =
      context.averageFillPrice === null
        ? decimalString(decimalOf(event.price))
        : decimalString(divide(add(multiply(filled, decimalOf(context.averageFillPrice)), multiply(quantity, decimalOf(event.price))), total))
    return {
      ...context,
      filledQuantity: decimalString(total),
      averageFillPrice: average,
      commission: sumString(context.commission, event.commission)
    }
  },
  rememberResume: (context, _event, params) => ({ ...context, resumeStatus: params?.["status"] as ResumableStatus }),
  clearResume: (context) => ({ ...context, resumeStatus: null }),
  stageChanges: (context, event) => (event.type === "REPLACE_REQUEST" ? { ...context, pendingChanges: event.changes } : context),
  applyChanges: (context) => ({
    ...context,
    order: {
      ...context.order,
      ...(context.pendingChanges?.quantity !== undefined ? { quantity: context.pendingChanges.quantity } : {}),
      ...(context.pendingChanges?.limitPrice !== undefined ? { limitPrice: context.pendingChanges.limitPrice } : {}),
      ...(context.pendingChanges?.stopPrice !== undefined ? { stopPrice: context.pendingChanges.stopPrice } : {}),
      ...(context.pendingChanges?.trailAmount !== undefined ? { trailAmount: context.pendingChanges.trailAmount } : {}),
      ...(context.pendingChanges?.trailPercent !== undefined ? { trailPercent: context.pendingChanges.trailPercent } : {})
    },
    pendingChanges: null,
    resumeStatus: null
  }),
  dropChanges: (context) => ({ ...context, pendingChanges: null, resumeStatus: null }),
  recordActivation: (context, event) => (event.type === "ACTIVATE" ? { ...context, order: { ...context.order, quantity: event.quantity } } : context),
  applyTrail: (context, event) =>
    event.type === "TRAIL" ? { ...context, order: { ...context.order, stopPrice: event.stopPrice, trailWatermark: event.watermark } } : context,
  applyReduction: (context, event) => (event.type === "REDUCE" ? { ...context, order: { ...context.order, quantity: event.quantity } } : context)
} satisfies Record<string, Updater<OrderContext, OrderEvent>>

export type OrderGuardName = keyof typeof orderGuards
export type OrderUpdaterName = keyof typeof orderUpdaters

/** The order machine's implementations, bound once for the XState definition and the compiled table. */
export const orderImplementations: MachineImplementations<OrderContext, OrderEvent, OrderGuardName, OrderUpdaterName> = {
  guards: orderGuards,
  updaters: orderUpdaters
}
