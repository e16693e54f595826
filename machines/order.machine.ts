import { assign, setup } from "xstate"
import {
  type OrderContext,
  type OrderEvent,
  orderGuards,
  orderUpdaters,
  type ResumableStatus
} from "./order-context.ts"

type Params = Readonly<Record<string, unknown>> | undefined
type Args = { readonly context: OrderContext; readonly event: OrderEvent }

/** A fill arriving while a cancel or replace is pending: still a fill (a real-world race). */
const raceFill = [
  { target: "filled", guard: "completesOrder", actions: ["applyFill", "clearResume"] },
  {
    guard: "partlyFills",
    actions: ["applyFill", { type: "rememberResume", params: { status: "partiallyFilled" } }]
  }
] as const

const fills = [
  { target: "filled", guard: "completesOrder", actions: ["applyFill"] },
  { target: "partiallyFilled", guard: "partlyFills", actions: ["applyFill"] }
] as const

const requestCancel = (from: ResumableStatus) => ({
  target: "pendingCancel",
  actions: [{ type: "rememberResume", params: { status: from } }]
}) as const

const requestReplace = (from: Exclude<ResumableStatus, "submitted">) => ({
  target: "pendingReplace",
  actions: [{ type: "rememberResume", params: { status: from } }, "stageChanges"]
}) as const

const resume = (guard: "resumesTo" | "confirmsReplaceTo", actions: ReadonlyArray<"recordReason" | "clearResume" | "applyChanges" | "dropChanges">) =>
  (["submitted", "accepted", "triggered", "partiallyFilled"] as const).map((status) => ({
    target: status,
    guard: { type: guard, params: { status } },
    actions: [...actions]
  }))

/** The order lifecycle: the one table of legal (status, event) → status. */
export const orderMachine = setup({
  types: {
    context: {} as OrderContext,
    events: {} as OrderEvent,
    input: {} as OrderContext
  },
  guards: {
    completesOrder: ({ context, event }: Args) => orderGuards.completesOrder(context, event),
    partlyFills: ({ context, event }: Args) => orderGuards.partlyFills(context, event),
    isUntriggeredStop: ({ context }: Args) => orderGuards.isUntriggeredStop(context),
    resumesTo: ({ context, event }: Args, params: Params) => orderGuards.resumesTo(context, event, params),
    confirmsReplaceTo: ({ context, event }: Args, params: Params) => orderGuards.confirmsReplaceTo(context, event, params)
  },
  actions: {
    recordAcceptance: assign(({ context, event }: Args) => orderUpdaters.recordAcceptance(context, event)),
    recordReason: assign(({ context, event }: Args) => orderUpdaters.recordReason(context, event)),
    recordTrigger: assign(({ context }: Args) => orderUpdaters.recordTrigger(context)),
    applyFill: assign(({ context, event }: Args) => orderUpdaters.applyFill(context, event)),
    rememberResume: assign(({ context, event }: Args, params: Params) => orderUpdaters.rememberResume(context, event, params)),
    clearResume: assign(({ context }: Args) => orderUpdaters.clearResume(context)),
    stageChanges: assign(({ context, event }: Args) => orderUpdaters.stageChanges(context, event)),
    applyChanges: assign(({ context }: Args) => orderUpdaters.applyChanges(context)),
    dropChanges: assign(({ context }: Args) => orderUpdaters.dropChanges(context))
  }
}).createMachine({
  id: "order",
  initial: "submitted",
  context: ({ input }) => input,
  states: {
    // Submitted: validated, waiting for the next update's pre-trade checks.
    submitted: {
      on: {
        ACCEPT: { target: "accepted", actions: ["recordAcceptance"] },
        REJECT: { target: "rejected", actions: ["recordReason"] },
        CANCEL_REQUEST: requestCancel("submitted")
      }
    },
    accepted: {
      on: {
        TRIGGER: { target: "triggered", guard: "isUntriggeredStop", actions: ["recordTrigger"] },
        FILL: fills,
        CANCEL_REQUEST: requestCancel("accepted"),
        REPLACE_REQUEST: requestReplace("accepted"),
        EXPIRE: { target: "expired", actions: ["recordReason"] },
        // The account cannot pay for the fill at the price the market gave (e.g. a gap up): the
        // execution is refused, as a broker refuses it, rather than driving cash below zero.
        REJECT: { target: "rejected", actions: ["recordReason"] }
      }
    },
    // Triggered: a stop's price was reached; it now fills as a market (stop) or a limit (stop-limit).
    triggered: {
      on: {
        FILL: fills,
        CANCEL_REQUEST: requestCancel("triggered"),
        REPLACE_REQUEST: requestReplace("triggered"),
        EXPIRE: { target: "expired", actions: ["recordReason"] },
        REJECT: { target: "rejected", actions: ["recordReason"] }
      }
    },
    partiallyFilled: {
      on: {
        FILL: fills,
        CANCEL_REQUEST: requestCancel("partiallyFilled"),
        REPLACE_REQUEST: requestReplace("partiallyFilled"),
        // The rest of a partly filled day order lapses; its fills stand.
        EXPIRE: { target: "expired", actions: ["recordReason"] },
        // The rest is refused (cash at fill); its fills stand.
        REJECT: { target: "rejected", actions: ["recordReason"] }
      }
    },
    pendingCancel: {
      on: {
        CANCEL_CONFIRM: { target: "cancelled", actions: ["recordReason", "clearResume"] },
        // A cancel can fail (e.g. the order traded first): the order goes back to what it was.
        CANCEL_REJECT: resume("resumesTo", ["recordReason", "clearResume"]),
        FILL: raceFill,
        // The session ended before the cancel was confirmed: the order lapses all the same.
        EXPIRE: { target: "expired", actions: ["recordReason", "clearResume"] }
      }
    },
    pendingReplace: {
      on: {
        REPLACE_CONFIRM: resume("confirmsReplaceTo", ["applyChanges"]),
        REPLACE_REJECT: resume("resumesTo", ["recordReason", "dropChanges"]),
        FILL: [
          { target: "filled", guard: "completesOrder", actions: ["applyFill", "dropChanges"] },
          raceFill[1]
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
