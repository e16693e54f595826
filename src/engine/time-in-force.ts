import type { OrderContext } from "../../machines/index.ts"
import type { TimeInForce } from "../domain/order.ts"
import type { MatchResult } from "../domain/order-types.ts"

/** Where an update is in time, as a time in force sees it. */
export interface UpdateClock {
  /** The update's trading day (days since the epoch), or null before any update carried a time. */
  readonly day: number | null
  /** ms since the epoch, or null. */
  readonly time: number | null
}

/**
 * How long an order works. The engine asks every working order's policy, at each update before
 * matching, whether it has expired (so an expired order never trades on its expiry update), and
 * after each match what becomes of the rest. A new time in force is one more entry here.
 */
export interface TimeInForcePolicy {
  /** Why the order expires at this update, or null while it still works. */
  readonly expiresOn: (order: OrderContext, update: UpdateClock) => string | null
  /** Why the rest of the order ends after it was matched on an update (the reason to cancel it), or null to keep working. */
  readonly afterMatch: (result: MatchResult) => string | null
}

const keepsWorking = (): null => null

export const timeInForcePolicies: Readonly<Record<TimeInForce, TimeInForcePolicy>> = {
  // Works through the trading day of the update it was accepted on (its session day).
  day: {
    expiresOn: (order, update) => (order.sessionDay !== null && order.sessionDay !== update.day ? "day order: its session ended" : null),
    afterMatch: keepsWorking
  },
  gtc: { expiresOn: keepsWorking, afterMatch: keepsWorking }
}
