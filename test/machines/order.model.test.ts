import { createTestModel } from "@xstate/graph"
import { describe, expect, it } from "vitest"
import { getInitialSnapshot, transition } from "xstate"
import { initialOrderContext, type OrderEvent, OrderStatuses } from "../../machines/order-context.ts"
import { orderMachine } from "../../machines/order.machine.ts"
import { orderTable } from "../../machines/tables.ts"
import type { OrderState } from "./fixtures.ts"
import { type OrderPath, orderPaths, sampleLimitOrder, sampleOrder, sampleOrderEvents, sampleTrailingOrder } from "./order-paths.ts"

const start = initialOrderContext(sampleOrder)

// Status-only identity, or every distinct context (reasons, averages) would be a new state.
const model = createTestModel(orderMachine, {
  input: start,
  events: sampleOrderEvents,
  serializeState: (s) => JSON.stringify(s.value)
})
// Keep paths that are prefixes of others: one path ending in each status.
const modelPaths = model.getShortestPaths({ allowDuplicatePaths: true })

/**
 * Replays a path through XState and the compiled table side by side, asserting after every event
 * that it was legal and that both hold the same status and context. Returns XState's final status.
 */
const replay = (path: OrderPath): string => {
  let snapshot = getInitialSnapshot(orderMachine, initialOrderContext(path.order))
  let state: OrderState = { status: "submitted", context: snapshot.context }
  for (const [i, event] of path.events.entries()) {
    const [next] = transition(orderMachine, snapshot, event)
    expect(next, `event ${i} (${event.type}) changes the snapshot`).not.toBe(snapshot)
    const stepped = orderTable.step(state.status, state.context, event)
    if (stepped === undefined) throw new Error(`table refused event ${i} (${event.type}) in ${state.status}`)
    expect(stepped.status).toBe(next.value)
    expect(stepped.context).toEqual(next.context)
    snapshot = next
    state = stepped
  }
  return String(snapshot.value)
}

describe("order model: shortest paths by status", () => {
  it("reach every order status", () => {
    expect(new Set(modelPaths.map((p) => p.state.value))).toEqual(new Set(OrderStatuses))
  })

  // Named by their events: the graph's own descriptions show a context from some other path to the same status.
  const named = modelPaths.map((p) => [`${p.steps.slice(1).map((s) => s.event.type).join(" → ") || "(none)"} ⇒ ${String(p.state.value)}`, p] as const)

  it.each(named)("%s: the table follows XState", async (_name, path) => {
    // The table is the system under test: each event the model takes is applied to it too.
    let snapshot = getInitialSnapshot(orderMachine, start)
    let state: OrderState = { status: "submitted", context: start }
    const apply = (step: { readonly event: { readonly type: string } }) => {
      // @xstate/graph types executors by event type only; the step carries the full event.
      const event = step.event as OrderEvent
      const [next] = transition(orderMachine, snapshot, event)
      const stepped = orderTable.step(state.status, state.context, event)
      if (stepped === undefined) throw new Error(`table refused ${event.type} in ${state.status}`)
      expect(stepped).toEqual({ status: next.value, context: next.context })
      snapshot = next
      state = stepped
    }
    await path.test({
      events: Object.fromEntries(sampleOrderEvents.map((e) => [e.type, apply])),
      states: { "*": (s) => expect(state.status).toBe(s.value) }
    })
    expect(state.status).toBe(path.state.value)
  })
})

const types = (path: OrderPath) => path.events.map((e) => e.type)
/** Every FILL in the path comes after an ACCEPT (pre-trade checks passed) and, if `trigger`, a TRIGGER. */
const fillsOnlyWhenTradable = (path: OrderPath, trigger: boolean) =>
  types(path).every((type, i, all) => type !== "FILL" || (all.slice(0, i).includes("ACCEPT") && (!trigger || all.slice(0, i).includes("TRIGGER"))))

describe("order model: the exported paths", () => {
  const byStatus = orderPaths("statuses")
  const byControlState = orderPaths("controlStates")
  const limitByStatus = orderPaths("statuses", sampleLimitOrder)
  const limitByControlState = orderPaths("controlStates", sampleLimitOrder)

  it("by status: one per status, the same as the test model's", () => {
    expect(byStatus.map((p) => p.finalStatus).sort()).toEqual([...OrderStatuses].sort())
    expect(new Set(byStatus.map((p) => JSON.stringify(p.events)))).toEqual(
      new Set(modelPaths.map((p) => JSON.stringify(p.steps.slice(1).map((s) => s.event))))
    )
  })

  it("by status: the stop-limit reaches partiallyFilled and filled only through TRIGGER", () => {
    const to = (status: string) => byStatus.find((p) => p.finalStatus === status)
    expect(to("partiallyFilled")?.events.map((e) => e.type)).toEqual(["ACCEPT", "TRIGGER", "FILL"])
    expect(to("filled")?.events.map((e) => e.type)).toEqual(["ACCEPT", "TRIGGER", "FILL"])
  })

  it("by status: an order expires straight from submitted (its time in force ran out before its check)", () => {
    expect(byStatus.find((p) => p.finalStatus === "expired")?.events.map((e) => e.type)).toEqual(["EXPIRE"])
    expect(byControlState.some((p) => p.finalStatus === "expired" && p.events.some((e) => e.type === "ACCEPT"))).toBe(true)
  })

  it("by status, for the limit order: every status but triggered, filling straight from accepted", () => {
    expect(limitByStatus.map((p) => p.finalStatus).sort()).toEqual(OrderStatuses.filter((s) => s !== "triggered").sort())
    expect(limitByStatus.find((p) => p.finalStatus === "filled")?.events.map((e) => e.type)).toEqual(["ACCEPT", "FILL"])
  })

  it("by control state: many more, still reaching every status", () => {
    // The counts pin the sample events' coverage; a change to the machine may legitimately move them.
    expect(byControlState.length).toBeGreaterThan(90)
    expect(limitByControlState.length).toBeGreaterThan(70)
    expect(new Set(byControlState.map((p) => p.finalStatus))).toEqual(new Set(OrderStatuses))
    expect(new Set(limitByControlState.map((p) => p.finalStatus))).toEqual(new Set(OrderStatuses.filter((s) => s !== "triggered")))
    // Partly filled orders reach a pending cancel, and a confirmed replace resumes partly filled.
    // (A racing fill ends no shortest path: each state it leads to is reached sooner by filling first.)
    for (const paths of [byControlState, limitByControlState]) {
      expect(paths.some((p) => p.finalStatus === "pendingCancel" && p.events.some((e) => e.type === "FILL"))).toBe(true)
      expect(paths.some((p) => p.events.at(-1)?.type === "REPLACE_CONFIRM" && p.finalStatus === "partiallyFilled")).toBe(true)
    }
  })

  it("by control state: fills come only after the pre-trade checks and, for the stop-limit, after TRIGGER", () => {
    // The paths hold only legal events, so a fill before ACCEPT or (stop-limit) before TRIGGER would show here.
    expect(byControlState.filter((p) => !fillsOnlyWhenTradable(p, true)).map((p) => p.description)).toEqual([])
    expect(limitByControlState.filter((p) => !fillsOnlyWhenTradable(p, false)).map((p) => p.description)).toEqual([])
    // Not vacuous: both orders fill on many paths, and only the limit order fills straight after ACCEPT.
    expect(byControlState.filter((p) => types(p).includes("FILL")).length).toBeGreaterThan(30)
    expect(limitByControlState.filter((p) => types(p).includes("FILL")).length).toBeGreaterThan(30)
    const fillsRightAfterAccept = (p: OrderPath) => types(p).some((type, i, all) => type === "FILL" && all[i - 1] === "ACCEPT")
    expect(byControlState.some(fillsRightAfterAccept)).toBe(false)
    expect(limitByControlState.some(fillsRightAfterAccept)).toBe(true)
  })

  it("the new events: HOLD reaches held for every order; ACTIVATE, REDUCE and (for a trailing stop) TRAIL move on from it", () => {
    const trailing = orderPaths("controlStates", sampleTrailingOrder)
    for (const paths of [byStatus, limitByStatus, orderPaths("statuses", sampleTrailingOrder)]) expect(paths.find((p) => p.finalStatus === "held")?.events.map((e) => e.type)).toEqual(["HOLD"])
    // A held child is activated, checked and trades like a new order; a sibling's fill reduces a working order.
    expect(byControlState.some((p) => types(p).join() === "HOLD,ACTIVATE,ACCEPT,TRIGGER,FILL")).toBe(true)
    expect(limitByControlState.some((p) => types(p).includes("REDUCE") && p.finalStatus === "accepted")).toBe(true)
    // A trailing stop's TRAIL tightens it once accepted; the looser one (10.2 on a buy at 10) is never taken.
    const trails = trailing.filter((p) => types(p).includes("TRAIL"))
    expect(trails.length).toBeGreaterThan(5)
    expect(trails.every((p) => p.events.every((e) => e.type !== "TRAIL" || e.stopPrice === "9.8"))).toBe(true)
    expect(trails.every((p) => types(p).indexOf("ACCEPT") < types(p).indexOf("TRAIL"))).toBe(true)
    expect(byControlState.some((p) => types(p).includes("TRAIL"))).toBe(false)
  })

  it.each([...byStatus, ...byControlState, ...limitByStatus, ...limitByControlState, ...orderPaths("controlStates", sampleTrailingOrder)].map((p) => [`${p.order.type}: ${p.description}`, p] as const))(
    "%s: XState and the table agree at every step",
    (_description, path) => {
      expect(replay(path)).toBe(path.finalStatus)
    }
  )
})
