/**
 * An order's path through the order machine, from the engine's events: each event says where the
 * order ended up, and which of the machine's events took it there. Some events stand for two
 * transitions the engine makes at once (a cancel passes through `pendingCancel`, a replace through
 * `pendingReplace`, a bracket's child is held as it is placed), so they give two steps.
 */
import type { OrderStatus } from "../../../machines/index.ts"
import type { EngineEvent } from "../../engine/engine-events.ts"

export interface PathStep {
  readonly state: OrderStatus
  /** The machine's event that entered the state; `PLACE` for the order's first state. */
  readonly event: string
}

/** The machine events behind each engine event that ends in the order's (then) status. */
const LAST_STEP: Partial<Record<EngineEvent["type"], string>> = {
  orderAccepted: "ACCEPT",
  orderRejected: "REJECT",
  orderTriggered: "TRIGGER",
  orderPartiallyFilled: "FILL",
  orderFilled: "FILL",
  orderExpired: "EXPIRE",
  orderActivated: "ACTIVATE",
  orderReduced: "REDUCE"
}

/** The steps an engine event adds to its order's path; none for an event about no order. */
export const pathStepsOf = (event: EngineEvent): ReadonlyArray<PathStep> => {
  if (!("order" in event)) return []
  const status = event.order.status
  switch (event.type) {
    case "orderSubmitted":
      return status === "held" ? [{ state: "submitted", event: "PLACE" }, { state: "held", event: "HOLD" }] : [{ state: status, event: "PLACE" }]
    case "orderCancelled":
      return [{ state: "pendingCancel", event: "CANCEL_REQUEST" }, { state: status, event: "CANCEL_CONFIRM" }]
    case "orderReplaced":
      return [{ state: "pendingReplace", event: "REPLACE_REQUEST" }, { state: status, event: "REPLACE_CONFIRM" }]
    case "orderReplaceRejected":
      return [{ state: "pendingReplace", event: "REPLACE_REQUEST" }, { state: status, event: "REPLACE_REJECT" }]
    default:
      return [{ state: status, event: LAST_STEP[event.type] ?? event.type }]
  }
}
