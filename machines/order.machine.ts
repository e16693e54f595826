import { setup } from "xstate"
import { forXState } from "./implementations.ts"
import { type OrderContext, type OrderEvent, orderImplementations, type ResumableStatus } from "./order-context.ts"

const from = (status: ResumableStatus) => ({ type: "rememberResume", params: { status } }) as const
const resumesTo = (status: ResumableStatus) => ({ type: "resumesTo", params: { status } }) as const
const confirmsReplaceTo = (status: ResumableStatus) => ({ type: "confirmsReplaceTo", params: { status } }) as const

/**
 * The order lifecycle: the one table of legal (status, event) → status, read top to bottom. An
 * event a status does not list is illegal there (`IllegalOrderTransitionError`); where a status
 * lists several transitions for one event, the first whose guard holds is taken. Guards and
 * updates are named here and implemented in `order-context.ts`.
 */
export const orderMachine = setup({
  types: {
    context: {} as OrderContext,
    events: {} as OrderEvent,
    input: {} as OrderContext
  },
  ...forXState(orderImplementations)
}).createMachine({
  id: "order",
  initial: "submitted",
  context: ({ input }) => input,
  states: {
    // Submitted: validated, waiting for the next update's pre-trade checks.
    submitted: {
      on: {
        ACCEPT: { target: "accepted", actions: ["recordAcceptance"] },
        REJECT: { target: "rejected", actions: ["recordRejection"] },
        CANCEL_REQUEST: { target: "pendingCancel", actions: [from("submitted")] },
        // Its time in force ran out before it was checked (a gtd time, an opg opening missed).
        EXPIRE: { target: "expired", actions: ["recordReason"] },
        HOLD: { target: "held" },
        REDUCE: { guard: "reducesAboveFilled", actions: ["applyReduction"] }
      }
    },
    // Held: a bracket or OTO child, inactive until its entry has ended with something filled; then
    // it is checked and works like a new order from the next update.
    held: {
      on: {
        ACTIVATE: { target: "submitted", guard: "activatesSome", actions: ["recordActivation"] },
        CANCEL_REQUEST: { target: "pendingCancel", actions: [from("held")] },
        REPLACE_REQUEST: { target: "pendingReplace", actions: [from("held"), "stageChanges"] }
      }
    },
    accepted: {
      on: {
        // Only stop and stop-limit orders trigger, and only once.
        TRIGGER: { target: "triggered", guard: "isUntriggeredStop", actions: ["recordTrigger"] },
        // An overfill matches neither guard and is refused.
        FILL: [
          { target: "filled", guard: "completesOrder", actions: ["applyFill"] },
          { target: "partiallyFilled", guard: "partlyFills", actions: ["applyFill"] }
        ],
        CANCEL_REQUEST: { target: "pendingCancel", actions: [from("accepted")] },
        REPLACE_REQUEST: { target: "pendingReplace", actions: [from("accepted"), "stageChanges"] },
        EXPIRE: { target: "expired", actions: ["recordReason"] },
        // A trailing stop that has not triggered moves its stop, only ever tighter.
        TRAIL: { guard: "tightensStop", actions: ["applyTrail"] },
        // A sibling in its OCO group or bracket filled.
        REDUCE: { guard: "reducesAboveFilled", actions: ["applyReduction"] },
        // The account cannot pay for the fill at the price the market gave (e.g. a gap up): the
        // execution is refused, as a broker refuses it, rather than driving cash below zero.
        REJECT: { target: "rejected", actions: ["recordRejection"] }
      }
    },
    // Triggered: a stop's price was reached; it now fills as a market (stop) or a limit (stop-limit).
    triggered: {
      on: {
        FILL: [
          { target: "filled", guard: "completesOrder", actions: ["applyFill"] },
          { target: "partiallyFilled", guard: "partlyFills", actions: ["applyFill"] }
        ],
        CANCEL_REQUEST: { target: "pendingCancel", actions: [from("triggered")] },
        REPLACE_REQUEST: { target: "pendingReplace", actions: [from("triggered"), "stageChanges"] },
        EXPIRE: { target: "expired", actions: ["recordReason"] },
        REDUCE: { guard: "reducesAboveFilled", actions: ["applyReduction"] },
        REJECT: { target: "rejected", actions: ["recordRejection"] }
      }
    },
    partiallyFilled: {
      on: {
        FILL: [
          { target: "filled", guard: "completesOrder", actions: ["applyFill"] },
          { target: "partiallyFilled", guard: "partlyFills", actions: ["applyFill"] }
        ],
        CANCEL_REQUEST: { target: "pendingCancel", actions: [from("partiallyFilled")] },
        REPLACE_REQUEST: { target: "pendingReplace", actions: [from("partiallyFilled"), "stageChanges"] },
        // The rest of a partly filled day order lapses; its fills stand.
        EXPIRE: { target: "expired", actions: ["recordReason"] },
        REDUCE: { guard: "reducesAboveFilled", actions: ["applyReduction"] },
        // The rest is refused (cash at fill); its fills stand.
        REJECT: { target: "rejected", actions: ["recordRejection"] }
      }
    },
    // Pending cancel and pending replace remember the status they came from (`resumeStatus`).
    pendingCancel: {
      on: {
        CANCEL_CONFIRM: { target: "cancelled", actions: ["recordReason", "clearResume"] },
        // A cancel can fail (e.g. the order traded first): the order goes back to what it was.
        CANCEL_REJECT: [
          { target: "submitted", guard: resumesTo("submitted"), actions: ["recordReason", "clearResume"] },
          { target: "accepted", guard: resumesTo("accepted"), actions: ["recordReason", "clearResume"] },
          { target: "triggered", guard: resumesTo("triggered"), actions: ["recordReason", "clearResume"] },
          { target: "partiallyFilled", guard: resumesTo("partiallyFilled"), actions: ["recordReason", "clearResume"] },
          { target: "held", guard: resumesTo("held"), actions: ["recordReason", "clearResume"] }
        ],
        // A fill arriving while the cancel is pending is still a fill (a real-world race); a
        // partial one leaves the cancel pending, to resume as partially filled if it is refused.
        FILL: [
          { target: "filled", guard: "completesOrder", actions: ["applyFill", "clearResume"] },
          { guard: "partlyFills", actions: ["applyFill", from("partiallyFilled")] }
        ],
        // The session ended before the cancel was confirmed: the order lapses all the same.
        EXPIRE: { target: "expired", actions: ["recordReason", "clearResume"] }
      }
    },
    pendingReplace: {
      on: {
        // A replace may return to its status only if the new quantity stays above what has been
        // filled. The order is never replaced from submitted; the edge is there for symmetry with CANCEL_REJECT.
        REPLACE_CONFIRM: [
          { target: "submitted", guard: confirmsReplaceTo("submitted"), actions: ["applyChanges"] },
          { target: "accepted", guard: confirmsReplaceTo("accepted"), actions: ["applyChanges"] },
          { target: "triggered", guard: confirmsReplaceTo("triggered"), actions: ["applyChanges"] },
          { target: "partiallyFilled", guard: confirmsReplaceTo("partiallyFilled"), actions: ["applyChanges"] },
          { target: "held", guard: confirmsReplaceTo("held"), actions: ["applyChanges"] }
        ],
        REPLACE_REJECT: [
          { target: "submitted", guard: resumesTo("submitted"), actions: ["recordReason", "dropChanges"] },
          { target: "accepted", guard: resumesTo("accepted"), actions: ["recordReason", "dropChanges"] },
          { target: "triggered", guard: resumesTo("triggered"), actions: ["recordReason", "dropChanges"] },
          { target: "partiallyFilled", guard: resumesTo("partiallyFilled"), actions: ["recordReason", "dropChanges"] },
          { target: "held", guard: resumesTo("held"), actions: ["recordReason", "dropChanges"] }
        ],
        // A racing fill, as in pendingCancel; one that completes the order drops the staged change.
        FILL: [
          { target: "filled", guard: "completesOrder", actions: ["applyFill", "dropChanges"] },
          { guard: "partlyFills", actions: ["applyFill", from("partiallyFilled")] }
        ],
        EXPIRE: { target: "expired", actions: ["recordReason", "dropChanges"] }
      }
    },
    filled: { type: "final" },
    rejected: { type: "final" },
    cancelled: { type: "final" },
    expired: { type: "final" }
  }
})
