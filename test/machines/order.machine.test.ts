import { describe, expect, it } from "vitest"
import { getInitialSnapshot, transition } from "xstate"
import { finalOrderStatuses, type OrderContext, type OrderEvent, type ResumableStatus } from "../../machines/order-context.ts"
import { orderMachine } from "../../machines/order.machine.ts"
import { orderTable } from "../../machines/tables.ts"
import type { ValidReplaceRequest } from "../../src/domain/order.ts"
import { expectRefused, fill, orderContext, runOrder } from "./fixtures.ts"

const ACCEPT: OrderEvent = { type: "ACCEPT", sessionDay: 20_000 }
const TRIGGER: OrderEvent = { type: "TRIGGER" }
const CANCEL_REQUEST: OrderEvent = { type: "CANCEL_REQUEST" }
const REPLACE_CONFIRM: OrderEvent = { type: "REPLACE_CONFIRM" }
const reject = (reason = "insufficient cash"): OrderEvent => ({ type: "REJECT", code: "cash", reason })
const cancelConfirm = (reason = "cancelled by user"): OrderEvent => ({ type: "CANCEL_CONFIRM", reason })
const cancelReject = (reason = "too late to cancel"): OrderEvent => ({ type: "CANCEL_REJECT", reason })
const replaceRequest = (changes: ValidReplaceRequest): OrderEvent => ({ type: "REPLACE_REQUEST", changes })
const replaceReject = (reason = "too late to replace"): OrderEvent => ({ type: "REPLACE_REJECT", reason })
const expire = (reason = "end of day"): OrderEvent => ({ type: "EXPIRE", reason })

/** One sample of every event type, for "accepts nothing else" checks. */
const everyEvent: ReadonlyArray<OrderEvent> = [
  ACCEPT,
  reject(),
  TRIGGER,
  fill("10"),
  CANCEL_REQUEST,
  cancelConfirm(),
  cancelReject(),
  replaceRequest({ quantity: "200" }),
  REPLACE_CONFIRM,
  replaceReject(),
  expire()
]
const othersThan = (...types: ReadonlyArray<OrderEvent["type"]>) => everyEvent.filter((e) => !types.includes(e.type))

// Stop-limit so that every resumable status, triggered included, is reachable.
const stopLimit = orderContext({ type: "stopLimit", limitPrice: "10", stopPrice: "9.5" })
const stop = orderContext({ type: "stop", limitPrice: null, stopPrice: "9.5" })
const limit = orderContext()
const market = orderContext({ type: "market", limitPrice: null })

/**
 * Events that bring the stop-limit order to each status a cancel or replace can resume to. A stop
 * fills only once triggered, so its partly filled path goes through TRIGGER.
 */
const reach: Record<ResumableStatus, ReadonlyArray<OrderEvent>> = {
  submitted: [],
  accepted: [ACCEPT],
  triggered: [ACCEPT, TRIGGER],
  partiallyFilled: [ACCEPT, TRIGGER, fill("40")],
  held: [{ type: "HOLD" }]
}
const replaceable = ["accepted", "triggered", "partiallyFilled"] as const

/**
 * An order that can trade in each replaceable status, with the events that bring it there: in
 * accepted that is a limit order (an untriggered stop-limit cannot fill there), otherwise the
 * stop-limit. For the fills that race a pending cancel or replace.
 */
const trading: Record<(typeof replaceable)[number], readonly [OrderContext, ReadonlyArray<OrderEvent>]> = {
  accepted: [limit, [ACCEPT]],
  triggered: [stopLimit, reach.triggered],
  partiallyFilled: [stopLimit, reach.partiallyFilled]
}

describe("order machine: submitted", () => {
  it("starts submitted with nothing filled", () => {
    const snapshot = getInitialSnapshot(orderMachine, limit)
    expect(snapshot.value).toBe("submitted")
    expect(snapshot.context).toEqual(limit)
  })

  it("ACCEPT → accepted, recording the session day", () => {
    const end = runOrder(limit, [ACCEPT])
    expect(end.status).toBe("accepted")
    expect(end.context.sessionDay).toBe(20_000)
  })

  it("ACCEPT with no session day (before any update) records null", () => {
    expect(runOrder(limit, [{ type: "ACCEPT", sessionDay: null }]).context.sessionDay).toBeNull()
  })

  it("REJECT → rejected, recording the reason", () => {
    const end = runOrder(limit, [reject("unknown symbol")])
    expect(end.status).toBe("rejected")
    expect(end.context.reasons).toEqual(["unknown symbol"])
  })

  it("CANCEL_REQUEST → pendingCancel, remembering submitted", () => {
    const end = runOrder(limit, [CANCEL_REQUEST])
    expect(end.status).toBe("pendingCancel")
    expect(end.context.resumeStatus).toBe("submitted")
  })

  it("EXPIRE → expired, recording the reason (its time in force ran out before its check: a gtd time, an opg opening missed)", () => {
    const end = runOrder(limit, [expire()])
    expect(end.status).toBe("expired")
    expect(end.context.reasons).toEqual(["end of day"])
  })

  it.each(othersThan("ACCEPT", "REJECT", "CANCEL_REQUEST", "EXPIRE").map((e) => [e.type, e] as const))(
    "refuses %s",
    (_type, event) => expectRefused(stopLimit, [], event)
  )
})

describe("order machine: trigger", () => {
  it.each(["stop", "stopLimit"] as const)("an accepted %s order triggers", (type) => {
    const end = runOrder(orderContext({ type, limitPrice: type === "stop" ? null : "10", stopPrice: "9.5" }), [ACCEPT, TRIGGER])
    expect(end.status).toBe("triggered")
    expect(end.context.triggered).toBe(true)
  })

  it.each(["market", "limit"] as const)("an accepted %s order cannot trigger", (type) => {
    expectRefused(orderContext({ type, limitPrice: type === "market" ? null : "10" }), [ACCEPT], TRIGGER)
  })

  it("a triggered stop cannot trigger again", () => {
    expectRefused(stopLimit, [ACCEPT, TRIGGER], TRIGGER)
  })

  it("the guard refuses an already-triggered stop even in accepted", () => {
    // Not reachable through events today; pins the guard's "only once" half on its own.
    expectRefused({ ...stopLimit, triggered: true }, [ACCEPT], TRIGGER)
  })

  it("a triggered order fills like an accepted limit order", () => {
    expect(runOrder(stopLimit, [ACCEPT, TRIGGER, fill("40")]).status).toBe("partiallyFilled")
    expect(runOrder(stopLimit, [ACCEPT, TRIGGER, fill("100")]).status).toBe("filled")
  })

  it.each([
    ["stop", stop],
    ["stopLimit", stopLimit]
  ] as const)("an untriggered %s order in accepted refuses FILL, partial or completing", (_type, order) => {
    expectRefused(order, [ACCEPT], fill("40"))
    expectRefused(order, [ACCEPT], fill("100"))
  })

  it.each([
    ["stop", stop],
    ["stopLimit", stopLimit]
  ] as const)("the same %s order fills once TRIGGER has come", (_type, order) => {
    const partly = runOrder(order, [ACCEPT, TRIGGER, fill("40", "9.6", "0.4")])
    expect(partly.status).toBe("partiallyFilled")
    expect(partly.context).toMatchObject({ triggered: true, filledQuantity: "40", averageFillPrice: "9.6", commission: "0.4" })
    expect(runOrder(order, [ACCEPT, TRIGGER, fill("40"), fill("60")]).status).toBe("filled")
    expect(runOrder(order, [ACCEPT, TRIGGER, fill("100")]).status).toBe("filled")
  })

  it.each(othersThan("FILL", "CANCEL_REQUEST", "REPLACE_REQUEST", "EXPIRE", "REJECT").map((e) => [e.type, e] as const))(
    "triggered refuses %s",
    (_type, event) => expectRefused(stopLimit, [ACCEPT, TRIGGER], event)
  )
})

describe("order machine: fills", () => {
  it("a fill of exactly the quantity → filled", () => {
    const end = runOrder(limit, [ACCEPT, fill("100", "9.99", "1.25")])
    expect(end.status).toBe("filled")
    expect(end.context).toMatchObject({ filledQuantity: "100", averageFillPrice: "9.99", commission: "1.25" })
  })

  it("a fill short of the quantity → partiallyFilled", () => {
    const end = runOrder(limit, [ACCEPT, fill("40", "10", "0.4")])
    expect(end.status).toBe("partiallyFilled")
    expect(end.context).toMatchObject({ filledQuantity: "40", averageFillPrice: "10", commission: "0.4" })
  })

  it("fills 40@10 and 60@11 complete the order at an average of 10.6", () => {
    const end = runOrder(limit, [ACCEPT, fill("40", "10", "0.4"), fill("60", "11", "0.6")])
    expect(end.status).toBe("filled")
    expect(end.context).toMatchObject({ filledQuantity: "100", averageFillPrice: "10.6", commission: "1" })
  })

  it("partial fills keep a partly filled order partly filled, averaging exactly", () => {
    const afterTwo = runOrder(limit, [ACCEPT, fill("20", "10.05", "0.1"), fill("30", "10.10", "0.2")])
    expect(afterTwo.status).toBe("partiallyFilled")
    // (20 × 10.05 + 30 × 10.10) / 50; commission 0.1 + 0.2 is 0.3 exactly, not 0.30000000000000004.
    expect(afterTwo.context).toMatchObject({ filledQuantity: "50", averageFillPrice: "10.08", commission: "0.3" })
    const end = runOrder(limit, [ACCEPT, fill("20", "10.05", "0.1"), fill("30", "10.10", "0.2"), fill("50", "9.95", "0.15")])
    expect(end.status).toBe("filled")
    expect(end.context).toMatchObject({ filledQuantity: "100", averageFillPrice: "10.015", commission: "0.45" })
  })

  it("fractional quantities complete exactly (0.1 + 0.2 of 0.3)", () => {
    const end = runOrder(orderContext({ quantity: "0.3" }), [ACCEPT, fill("0.1"), fill("0.2")])
    expect(end.status).toBe("filled")
    expect(end.context.filledQuantity).toBe("0.3")
  })

  it("an overfill from accepted is refused", () => {
    expectRefused(limit, [ACCEPT], fill("101"))
  })

  it("an overfill from partiallyFilled is refused (40 filled, 61 more)", () => {
    expectRefused(limit, [ACCEPT, fill("40")], fill("61"))
  })

  it.each(["0", "-5"])("a fill of %s is refused", (quantity) => {
    expectRefused(limit, [ACCEPT], fill(quantity))
    expectRefused(limit, [ACCEPT, fill("40")], fill(quantity))
  })
})

describe("order machine: expire and reject of working orders", () => {
  it.each(replaceable)("%s → expired on EXPIRE, fills standing", (from) => {
    const before = runOrder(stopLimit, reach[from])
    const end = runOrder(stopLimit, [...reach[from], expire("end of day")])
    expect(end.status).toBe("expired")
    expect(end.context.reasons).toEqual(["end of day"])
    expect(end.context.filledQuantity).toBe(before.context.filledQuantity)
  })

  it.each(replaceable)("%s → rejected on REJECT (cash at fill)", (from) => {
    const end = runOrder(stopLimit, [...reach[from], reject("cannot pay")])
    expect(end.status).toBe("rejected")
    expect(end.context.reasons).toEqual(["cannot pay"])
  })

  it("accepted refuses ACCEPT and the confirms/rejects of requests never made", () => {
    for (const event of [ACCEPT, cancelConfirm(), cancelReject(), REPLACE_CONFIRM, replaceReject()])
      expectRefused(stopLimit, [ACCEPT], event)
  })

  it("partiallyFilled refuses ACCEPT and TRIGGER", () => {
    expectRefused(stopLimit, reach.partiallyFilled, ACCEPT)
    expectRefused(stopLimit, reach.partiallyFilled, TRIGGER)
  })
})

describe("order machine: cancel", () => {
  describe.each(["submitted", "accepted", "triggered", "partiallyFilled"] as const)("from %s", (from) => {
    const pending = [...reach[from], CANCEL_REQUEST]

    it("CANCEL_REQUEST → pendingCancel, remembering where it came from", () => {
      const end = runOrder(stopLimit, pending)
      expect(end.status).toBe("pendingCancel")
      expect(end.context.resumeStatus).toBe(from)
    })

    it("CANCEL_CONFIRM → cancelled, recording the reason", () => {
      const end = runOrder(stopLimit, [...pending, cancelConfirm("user")])
      expect(end.status).toBe("cancelled")
      expect(end.context.resumeStatus).toBeNull()
      expect(end.context.reasons).toEqual(["user"])
    })

    it(`CANCEL_REJECT → back to ${from}, unchanged but for the reason`, () => {
      const before = runOrder(stopLimit, reach[from])
      const end = runOrder(stopLimit, [...pending, cancelReject("traded first")])
      expect(end.status).toBe(from)
      expect(end.context).toEqual({ ...before.context, reasons: ["traded first"] })
    })

    it("EXPIRE → expired, clearing the pending cancel", () => {
      const end = runOrder(stopLimit, [...pending, expire("end of day")])
      expect(end.status).toBe("expired")
      expect(end.context.resumeStatus).toBeNull()
    })

    it("refuses a second CANCEL_REQUEST, a replace, ACCEPT, TRIGGER and REJECT", () => {
      for (const event of [CANCEL_REQUEST, replaceRequest({ quantity: "50" }), REPLACE_CONFIRM, replaceReject(), ACCEPT, TRIGGER, reject()])
        expectRefused(stopLimit, pending, event)
    })
  })

  describe("fills racing a pending cancel", () => {
    it.each(replaceable)("from %s, a completing fill → filled", (from) => {
      const [order, prefix] = trading[from]
      const rest = from === "partiallyFilled" ? "60" : "100"
      const end = runOrder(order, [...prefix, CANCEL_REQUEST, fill(rest, "10")])
      expect(end.status).toBe("filled")
      expect(end.context.filledQuantity).toBe("100")
      expect(end.context.resumeStatus).toBeNull()
    })

    it.each(replaceable)("from %s, a partial fill stays pendingCancel, resuming to partiallyFilled", (from) => {
      const [order, prefix] = trading[from]
      const end = runOrder(order, [...prefix, CANCEL_REQUEST, fill("30", "10")])
      expect(end.status).toBe("pendingCancel")
      expect(end.context.resumeStatus).toBe("partiallyFilled")
      expect(end.context.filledQuantity).toBe(from === "partiallyFilled" ? "70" : "30")
    })

    it("after a partial racing fill, CANCEL_REJECT → partiallyFilled and CANCEL_CONFIRM keeps the fill", () => {
      const raced = [ACCEPT, TRIGGER, CANCEL_REQUEST, fill("30", "10")]
      expect(runOrder(stopLimit, [...raced, cancelReject()]).status).toBe("partiallyFilled")
      const cancelled = runOrder(stopLimit, [...raced, cancelConfirm()])
      expect(cancelled.status).toBe("cancelled")
      expect(cancelled.context.filledQuantity).toBe("30")
    })

    it("an overfill is refused while a cancel is pending (the rest, 60, is not)", () => {
      expectRefused(stopLimit, [...reach.partiallyFilled, CANCEL_REQUEST], fill("61"))
      expect(runOrder(stopLimit, [...reach.partiallyFilled, CANCEL_REQUEST, fill("60")]).status).toBe("filled")
      expectRefused(limit, [ACCEPT, CANCEL_REQUEST], fill("0"))
    })
  })
})

describe("order machine: replace", () => {
  it("a submitted order cannot be replaced", () => {
    expectRefused(stopLimit, [], replaceRequest({ quantity: "50" }))
  })

  describe.each(replaceable)("from %s", (from) => {
    const changes = { quantity: "120", limitPrice: "10.5", stopPrice: "9.75" }
    const pending = [...reach[from], replaceRequest(changes)]

    it("REPLACE_REQUEST → pendingReplace, staging the changes without applying them", () => {
      const before = runOrder(stopLimit, reach[from])
      const end = runOrder(stopLimit, pending)
      expect(end.status).toBe("pendingReplace")
      expect(end.context.resumeStatus).toBe(from)
      expect(end.context.pendingChanges).toEqual(changes)
      expect(end.context.order).toEqual(before.context.order)
    })

    it(`REPLACE_CONFIRM → back to ${from} with the changes applied`, () => {
      const end = runOrder(stopLimit, [...pending, REPLACE_CONFIRM])
      expect(end.status).toBe(from)
      expect(end.context.order).toMatchObject(changes)
      expect(end.context.pendingChanges).toBeNull()
      expect(end.context.resumeStatus).toBeNull()
    })

    it(`REPLACE_REJECT → back to ${from} with the changes dropped`, () => {
      const before = runOrder(stopLimit, reach[from])
      const end = runOrder(stopLimit, [...pending, replaceReject("venue refused")])
      expect(end.status).toBe(from)
      expect(end.context).toEqual({ ...before.context, reasons: ["venue refused"] })
    })

    it("EXPIRE → expired, dropping the changes", () => {
      const end = runOrder(stopLimit, [...pending, expire()])
      expect(end.status).toBe("expired")
      expect(end.context.pendingChanges).toBeNull()
      expect(end.context.order.quantity).toBe("100")
    })

    it("refuses a second REPLACE_REQUEST, a cancel, ACCEPT, TRIGGER and REJECT", () => {
      for (const event of [replaceRequest({ quantity: "90" }), CANCEL_REQUEST, cancelConfirm(), cancelReject(), ACCEPT, TRIGGER, reject()])
        expectRefused(stopLimit, pending, event)
    })
  })

  it("a confirm changing only the limit price keeps quantity and stop price", () => {
    const end = runOrder(stopLimit, [ACCEPT, replaceRequest({ limitPrice: "10.25" }), REPLACE_CONFIRM])
    expect(end.context.order).toMatchObject({ quantity: "100", limitPrice: "10.25", stopPrice: "9.5" })
  })

  it.each(["40", "30"])("a confirm to quantity %s with 40 filled is refused", (quantity) => {
    expectRefused(stopLimit, [...reach.partiallyFilled, replaceRequest({ quantity })], REPLACE_CONFIRM)
  })

  it("a confirm to just above the filled quantity resumes partly filled, and one more fill completes it", () => {
    const end = runOrder(stopLimit, [...reach.partiallyFilled, replaceRequest({ quantity: "41" }), REPLACE_CONFIRM])
    expect(end.status).toBe("partiallyFilled")
    expect(end.context.order.quantity).toBe("41")
    expect(runOrder(stopLimit, [...reach.partiallyFilled, replaceRequest({ quantity: "41" }), REPLACE_CONFIRM, fill("1")]).status).toBe("filled")
  })

  it("a fill racing the replace past the new quantity makes the confirm refused; the reject still works", () => {
    const raced = [ACCEPT, TRIGGER, replaceRequest({ quantity: "50" }), fill("60")]
    expectRefused(stopLimit, raced, REPLACE_CONFIRM)
    const end = runOrder(stopLimit, [...raced, replaceReject()])
    expect(end.status).toBe("partiallyFilled")
    expect(end.context.order.quantity).toBe("100")
  })

  describe("fills racing a pending replace", () => {
    it.each(replaceable)("from %s, a fill completing the current quantity → filled, changes dropped", (from) => {
      const [order, prefix] = trading[from]
      const rest = from === "partiallyFilled" ? "60" : "100"
      const end = runOrder(order, [...prefix, replaceRequest({ quantity: "120" }), fill(rest)])
      expect(end.status).toBe("filled")
      expect(end.context).toMatchObject({ filledQuantity: "100", pendingChanges: null, resumeStatus: null })
      expect(end.context.order.quantity).toBe("100")
    })

    it.each(replaceable)("from %s, a partial fill stays pendingReplace resuming to partiallyFilled, changes kept", (from) => {
      const [order, prefix] = trading[from]
      const end = runOrder(order, [...prefix, replaceRequest({ quantity: "120" }), fill("30")])
      expect(end.status).toBe("pendingReplace")
      expect(end.context.resumeStatus).toBe("partiallyFilled")
      expect(end.context.pendingChanges).toEqual({ quantity: "120" })
      const confirmed = runOrder(order, [...prefix, replaceRequest({ quantity: "120" }), fill("30"), REPLACE_CONFIRM])
      expect(confirmed.status).toBe("partiallyFilled")
      expect(confirmed.context.order.quantity).toBe("120")
    })

    it("a fill of the new (larger) quantity is an overfill until the replace is confirmed", () => {
      const pending = [ACCEPT, TRIGGER, replaceRequest({ quantity: "120" })]
      expectRefused(stopLimit, pending, fill("120"))
      expect(runOrder(stopLimit, [...pending, REPLACE_CONFIRM, fill("120")]).status).toBe("filled")
    })
  })
})

describe("order machine: final statuses accept no event", () => {
  const finals = {
    filled: [ACCEPT, TRIGGER, fill("100")],
    rejected: [reject()],
    cancelled: [CANCEL_REQUEST, cancelConfirm()],
    expired: [ACCEPT, expire()]
  } as const

  it("covers every final status", () => {
    expect(new Set(Object.keys(finals))).toEqual(finalOrderStatuses)
  })

  describe.each(Object.entries(finals))("%s", (status, prefix) => {
    it("is final in XState", () => {
      let snapshot = getInitialSnapshot(orderMachine, stopLimit)
      for (const e of prefix) snapshot = transition(orderMachine, snapshot, e)[0]
      expect(snapshot.value).toBe(status)
      expect(snapshot.status).toBe("done")
    })

    it.each(everyEvent.map((e) => [e.type, e] as const))("refuses %s", (type, event) => {
      expectRefused(stopLimit, prefix, event)
      expect(orderTable.accepts(runOrder(stopLimit, prefix).status, type)).toBe(false)
    })
  })
})

describe("order machine: only checked, triggered orders trade", () => {
  it.each([
    ["limit", limit],
    ["market", market]
  ] as const)("a %s order never accepted cannot be filled while its cancel is pending", (_type, order) => {
    expectRefused(order, [CANCEL_REQUEST], fill("40"))
    expectRefused(order, [CANCEL_REQUEST], fill("100"))
    // Refused, not lost: once the cancel fails and the order is accepted, the same fill goes through.
    expect(runOrder(order, [CANCEL_REQUEST, cancelReject(), ACCEPT, fill("40")]).status).toBe("partiallyFilled")
  })

  it.each([
    ["limit", limit],
    ["market", market]
  ] as const)("a %s order fills straight from accepted, with no TRIGGER", (_type, order) => {
    const end = runOrder(order, [ACCEPT, fill("100")])
    expect(end.status).toBe("filled")
    expect(end.context.triggered).toBe(false)
  })

  describe.each([
    ["stop", stop],
    ["stopLimit", stopLimit]
  ] as const)("an untriggered %s order", (_type, order) => {
    it("refuses a racing fill while a cancel from accepted is pending, and still cancels", () => {
      expectRefused(order, [ACCEPT, CANCEL_REQUEST], fill("30"))
      expectRefused(order, [ACCEPT, CANCEL_REQUEST], fill("100"))
      expect(runOrder(order, [ACCEPT, CANCEL_REQUEST, cancelConfirm()]).status).toBe("cancelled")
    })

    it("refuses a racing fill while a replace from accepted is pending, and still replaces", () => {
      expectRefused(order, [ACCEPT, replaceRequest({ quantity: "120" })], fill("30"))
      expectRefused(order, [ACCEPT, replaceRequest({ quantity: "120" })], fill("100"))
      expect(runOrder(order, [ACCEPT, replaceRequest({ quantity: "120" }), REPLACE_CONFIRM]).status).toBe("accepted")
    })

    it("fills after the cancel is refused and the order triggers", () => {
      const back = [ACCEPT, CANCEL_REQUEST, cancelReject()]
      expectRefused(order, back, fill("30"))
      const end = runOrder(order, [...back, TRIGGER, fill("30")])
      expect(end.status).toBe("partiallyFilled")
      expect(end.context.filledQuantity).toBe("30")
    })

    it("fills after a confirmed replace once it triggers, up to the new quantity", () => {
      const replaced = [ACCEPT, replaceRequest({ quantity: "120" }), REPLACE_CONFIRM]
      expectRefused(order, replaced, fill("120"))
      expect(runOrder(order, [...replaced, TRIGGER, fill("120")]).status).toBe("filled")
    })

    it("fills in a cancel or replace pending after TRIGGER", () => {
      expect(runOrder(order, [ACCEPT, TRIGGER, CANCEL_REQUEST, fill("100")]).status).toBe("filled")
      expect(runOrder(order, [ACCEPT, TRIGGER, replaceRequest({ quantity: "120" }), fill("30")]).status).toBe("pendingReplace")
    })
  })
})
