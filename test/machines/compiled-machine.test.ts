import { fc, test } from "@fast-check/vitest"
import { describe, expect, it } from "vitest"
import { type AnyStateMachine, assign, createMachine, getInitialSnapshot, setup, transition } from "xstate"
import { compileMachine } from "../../machines/compiled-machine.ts"
import {
  finalOrderStatuses,
  initialOrderContext,
  type OrderEvent,
  orderGuards,
  OrderStatuses,
  orderUpdaters
} from "../../machines/order-context.ts"
import { orderMachine } from "../../machines/order.machine.ts"
import {
  initialSimulationContext,
  type SimulationEvent,
  simulationGuards,
  SimulationStatuses,
  simulationUpdaters
} from "../../machines/simulation-context.ts"
import { simulationMachine } from "../../machines/simulation.machine.ts"
import { orderTable, simulationTable } from "../../machines/tables.ts"
import { Decimal } from "../../src/domain/decimal.ts"
import { type OrderSpec, OrderTypes } from "../../src/domain/order.ts"
import { orderTypes } from "../../src/domain/order-types.ts"
import { expectSameStep, orderSpec, type OrderState } from "./fixtures.ts"

// Round quantities as well as any in 1..150, so that fills add up to the order exactly often enough.
const quantity = fc.oneof(fc.constantFrom("10", "25", "50", "100"), fc.integer({ min: 1, max: 150 }).map(String))
// Mostly small fills, so that orders fill in several steps rather than overfill at once; "0" is illegal.
const fillQuantity = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom("1", "5", "10", "25", "50") },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 150 }).map(String) },
  { weight: 1, arbitrary: fc.constant("0") }
)
const price = fc.integer({ min: 1, max: 20_000 }).map((cents) => new Decimal(cents).dividedBy(100).toString())
const reason = fc.constantFrom("insufficient cash", "end of day", "user", "")

const anOrder: fc.Arbitrary<OrderSpec> = fc.record({ type: fc.constantFrom(...OrderTypes), side: fc.constantFrom("buy" as const, "sell" as const), quantity }).map(({ type, side, quantity }) =>
  orderSpec({
    type,
    side,
    quantity,
    limitPrice: orderTypes[type].needsLimitPrice ? "10" : null,
    stopPrice: orderTypes[type].isStop ? "9.5" : null,
    ...(orderTypes[type].trails ? { trailAmount: "0.5", trailWatermark: side === "buy" ? "9" : "10" } : {})
  })
)

const weighted = <E>(weight: number, arbitrary: fc.Arbitrary<E>) => ({ weight, arbitrary })

const anAccept = fc.option(fc.integer({ min: 19_000, max: 21_000 }), { nil: null }).map((sessionDay): OrderEvent => ({ type: "ACCEPT", sessionDay }))
const TRIGGER: OrderEvent = { type: "TRIGGER" }

// Weighted toward the events that move an order forward; the terminal ones are rare so that
// sequences get deep (pending cancels and replaces with racing fills) before they end.
const anOrderEvent: fc.Arbitrary<OrderEvent> = fc.oneof(
  weighted(12, fc.record({ quantity: fillQuantity, price, commission: price }).map((f): OrderEvent => ({ type: "FILL", ...f }))),
  weighted(6, anAccept),
  weighted(6, fc.constant(TRIGGER)),
  weighted(2, fc.constant<OrderEvent>({ type: "CANCEL_REQUEST" })),
  weighted(2, reason.map((r): OrderEvent => ({ type: "CANCEL_CONFIRM", reason: r }))),
  weighted(2, reason.map((r): OrderEvent => ({ type: "CANCEL_REJECT", reason: r }))),
  weighted(
    2,
    fc
      .record({ quantity, limitPrice: price, stopPrice: price }, { requiredKeys: [] })
      .map((changes): OrderEvent => ({ type: "REPLACE_REQUEST", changes }))
  ),
  weighted(2, fc.constant<OrderEvent>({ type: "REPLACE_CONFIRM" })),
  weighted(2, reason.map((r): OrderEvent => ({ type: "REPLACE_REJECT", reason: r }))),
  weighted(1, reason.map((r): OrderEvent => ({ type: "EXPIRE", reason: r }))),
  weighted(1, reason.map((r): OrderEvent => ({ type: "REJECT", code: "cash", reason: r }))),
  weighted(1, fc.constant<OrderEvent>({ type: "HOLD" })),
  weighted(2, fillQuantity.map((q): OrderEvent => ({ type: "ACTIVATE", quantity: q }))),
  weighted(2, fillQuantity.map((q): OrderEvent => ({ type: "REDUCE", quantity: q }))),
  weighted(3, fc.record({ stopPrice: price, watermark: price }).map((t): OrderEvent => ({ type: "TRAIL", ...t })))
)

// A stop fills only once triggered, and a random cancel or terminal event often comes before a
// random ACCEPT and TRIGGER have both arrived. So most sequences open with ACCEPT, TRIGGER (refused
// by market and limit orders, which fill from accepted anyway), making fills after a trigger
// common; the rest open with ACCEPT alone (untriggered stops, whose fills are refused) or nothing.
const leadIn: fc.Arbitrary<ReadonlyArray<OrderEvent>> = fc.oneof(
  weighted(3, anAccept.map((accept) => [accept, TRIGGER])),
  weighted(1, anAccept.map((accept) => [accept])),
  weighted(1, fc.constant([])),
  // A bracket child: held, activated for some quantity, then checked and triggered.
  weighted(1, fc.tuple(anAccept, fillQuantity).map(([accept, q]) => [{ type: "HOLD" } as const, { type: "ACTIVATE", quantity: q } as const, accept, TRIGGER]))
)
// Default array sizes are small; "max" lets sequences run long enough to reach the pending states.
const orderEvents = fc
  .tuple(leadIn, fc.array(anOrderEvent, { maxLength: 60, size: "max" }))
  .map(([opening, rest]): ReadonlyArray<OrderEvent> => [...opening, ...rest])

const isStop = (order: OrderSpec) => orderTypes[order.type].isStop

const day = fc.option(fc.integer({ min: 1, max: 3 }), { nil: null })
const aSimulationEvent: fc.Arbitrary<SimulationEvent> = fc.oneof(
  weighted(3, fc.constant<SimulationEvent>({ type: "START" })),
  weighted(3, fc.constant<SimulationEvent>({ type: "PAUSE" })),
  weighted(3, day.map((d): SimulationEvent => ({ type: "RESUME", day: d }))),
  weighted(3, fc.record({ reason, day }).map((h): SimulationEvent => ({ type: "HALT", ...h }))),
  weighted(2, fc.constant<SimulationEvent>({ type: "NEW_TRADING_DAY" })),
  weighted(1, reason.map((cause): SimulationEvent => ({ type: "FAIL", cause }))),
  weighted(2, day.map((d): SimulationEvent => ({ type: "RESTART", day: d }))),
  weighted(1, fc.constant<SimulationEvent>({ type: "STOP" }))
)

const simulationEvents = fc.array(aSimulationEvent, { maxLength: 40, size: "max" })

describe("compiled order table", () => {
  test.prop([anOrder, orderEvents])("steps exactly as XState does", (order, events) => {
    const start = initialOrderContext(order)
    let snapshot = getInitialSnapshot(orderMachine, start)
    let state: OrderState = { status: "submitted", context: start }
    for (const event of events) {
      const [next] = transition(orderMachine, snapshot, event)
      const stepped = orderTable.step(state.status, state.context, event)
      expectSameStep(snapshot, next, stepped, event)
      if (stepped !== undefined) {
        expect(orderTable.accepts(state.status, event.type)).toBe(true)
        if (event.type === "FILL") {
          // Only an order past its pre-trade checks, and a stop only once triggered, fills.
          expect(state.context.resumeStatus).not.toBe("submitted")
          if (isStop(order)) expect(state.context.triggered).toBe(true)
        }
        state = stepped
      }
      expect(next.status === "done").toBe(finalOrderStatuses.has(state.status))
      snapshot = next
    }
  })

  it("the generated sequences reach every status and the racing fills (the property is not vacuous)", () => {
    const reached = new Set<string>(["submitted"])
    let stops = 0
    let stopsFilled = 0
    for (const [order, events] of fc.sample(fc.tuple(anOrder, orderEvents), { numRuns: 200, seed: 7 })) {
      let snapshot = getInitialSnapshot(orderMachine, initialOrderContext(order))
      let filled = false
      for (const event of events) {
        const [next] = transition(orderMachine, snapshot, event)
        reached.add(String(next.value))
        if (event.type === "FILL") {
          const kind = isStop(order) ? "stop" : "limit or market"
          if (next !== snapshot) {
            reached.add(`FILL of a ${kind} in ${snapshot.value}`)
            filled = true
          } else if (isStop(order) && orderTable.step(snapshot.value, { ...snapshot.context, triggered: true }, event) !== undefined) {
            // Refused only for want of a trigger: the same fill would go through on a triggered stop.
            reached.add(`FILL refused to an untriggered stop in ${snapshot.value}`)
          }
        }
        snapshot = next
      }
      if (isStop(order)) {
        stops += 1
        if (filled) stopsFilled += 1
      }
    }
    expect(reached).toEqual(
      new Set([
        ...OrderStatuses,
        ...["accepted", "partiallyFilled", "pendingCancel", "pendingReplace"].map((s) => `FILL of a limit or market in ${s}`),
        ...["triggered", "partiallyFilled", "pendingCancel", "pendingReplace"].map((s) => `FILL of a stop in ${s}`),
        ...["accepted", "pendingCancel", "pendingReplace"].map((s) => `FILL refused to an untriggered stop in ${s}`)
      ])
    )
    // Fills after a trigger are common, not a rare corner.
    expect(stopsFilled / stops).toBeGreaterThan(0.35)
  })

  it("accepts exactly the event types each state has transitions for", () => {
    for (const status of OrderStatuses) {
      const own = orderMachine.states[status]?.ownEvents ?? []
      for (const type of ["ACCEPT", "REJECT", "TRIGGER", "FILL", "CANCEL_REQUEST", "CANCEL_CONFIRM", "CANCEL_REJECT", "REPLACE_REQUEST", "REPLACE_CONFIRM", "REPLACE_REJECT", "EXPIRE", "HOLD", "ACTIVATE", "TRAIL", "REDUCE"] as const)
        expect(orderTable.accepts(status, type), `${status} ${type}`).toBe(own.includes(type))
    }
  })
})

describe("compiled simulation table", () => {
  test.prop([simulationEvents])("steps exactly as XState does", (events) => {
    let snapshot = getInitialSnapshot(simulationMachine, initialSimulationContext)
    let state = { status: snapshot.value, context: snapshot.context }
    for (const event of events) {
      const [next] = transition(simulationMachine, snapshot, event)
      const stepped = simulationTable.step(state.status, state.context, event)
      // The model is not called while paused, so it cannot fail there.
      if (state.status === "paused" && event.type === "FAIL") expect(stepped).toBeUndefined()
      expectSameStep(snapshot, next, stepped, event)
      if (stepped !== undefined) {
        if (event.type === "RESTART") {
          // A restart keeps a halt on its own day only; either way the failure is gone.
          const sameDay = state.context.haltedDay !== null && state.context.haltedDay === event.day
          expect(stepped.status).toBe(sameDay ? "halted" : "running")
          expect(stepped.context).toEqual(sameDay ? { ...state.context, failureCause: null } : initialSimulationContext)
        }
        state = stepped
      }
      expect(next.status === "done").toBe(state.status === "stopped")
      snapshot = next
    }
  })

  it("the generated sequences reach every status and both ways out of failed and paused", () => {
    const reached = new Set<string>(["deployed"])
    for (const events of fc.sample(simulationEvents, { numRuns: 200, seed: 7 })) {
      let snapshot = getInitialSnapshot(simulationMachine, initialSimulationContext)
      for (const event of events) {
        const [next] = transition(simulationMachine, snapshot, event)
        reached.add(next.value)
        if (next !== snapshot) reached.add(`${snapshot.value} → ${next.value} on ${event.type}`)
        snapshot = next
      }
    }
    for (const status of SimulationStatuses) expect(reached).toContain(status)
    for (const step of ["failed → halted on RESTART", "failed → running on RESTART", "paused → halted on RESUME", "paused → running on RESUME"])
      expect(reached).toContain(step)
  })
})

describe("compileMachine refuses what it cannot run", () => {
  const compile = (machine: AnyStateMachine, guards = {}, updaters = {}) => () => compileMachine(machine, { guards, updaters })

  it("a machine with nested states", () => {
    const nested = setup({}).createMachine({ initial: "a", states: { a: { initial: "x", states: { x: {} } } } })
    expect(compile(nested)).toThrow(TypeError)
    expect(compile(nested)).toThrow(/a has children/)
  })

  it("a named guard with no implementation", () => {
    expect(compile(orderMachine, {}, orderUpdaters)).toThrow(TypeError)
    expect(compile(orderMachine, {}, orderUpdaters)).toThrow(/no guard implementation/)
  })

  it("a named action with no implementation", () => {
    expect(compile(orderMachine, orderGuards, {})).toThrow(TypeError)
    expect(compile(orderMachine, orderGuards, {})).toThrow(/no updater implementation/)
    const { recordTrigger: _dropped, ...allButOne } = orderUpdaters
    expect(compile(orderMachine, orderGuards, allButOne)).toThrow(/recordTrigger/)
  })

  it("an inline guard or action, which has no name to look up", () => {
    const inlineGuard = setup({}).createMachine({ initial: "a", states: { a: { on: { GO: { target: "b", guard: () => true } } }, b: {} } })
    expect(compile(inlineGuard)).toThrow(/must be by name/)
    const inlineAction = setup({}).createMachine({
      context: { n: 0 },
      initial: "a",
      states: { a: { on: { GO: { target: "b", actions: assign({ n: 1 }) } } }, b: {} }
    })
    expect(compile(inlineAction)).toThrow(/must be by name/)
  })

  describe("a state with anything but event transitions, which the table would silently skip", () => {
    // Every name has an implementation, so the only thing wrong with each machine is its feature.
    const withNames = setup({ actions: { note: () => {} }, actors: { child: createMachine({}) } })
    const updaters = { note: (context: unknown) => context }

    it("the same machine with event transitions only compiles", () => {
      const plain = withNames.createMachine({ initial: "a", states: { a: { on: { GO: { target: "b", actions: ["note"] } } }, b: {} } })
      expect(compile(plain, {}, updaters)).not.toThrow()
    })

    it.each([
      ["entry actions", withNames.createMachine({ initial: "a", states: { a: { entry: ["note"], on: { GO: "b" } }, b: {} } })],
      ["exit actions", withNames.createMachine({ initial: "a", states: { a: { exit: ["note"], on: { GO: "b" } }, b: {} } })],
      ["an always transition", withNames.createMachine({ initial: "a", states: { a: { always: { target: "b" }, on: { GO: "b" } }, b: {} } })],
      ["a delayed (after) transition", withNames.createMachine({ initial: "a", states: { a: { after: { 1000: { target: "b" } }, on: { GO: "b" } }, b: {} } })],
      ["an invoked actor", withNames.createMachine({ initial: "a", states: { a: { invoke: { src: "child" }, on: { GO: "b" } }, b: {} } })]
    ] as const)("%s", (_what, machine) => {
      expect(compile(machine, {}, updaters)).toThrow(TypeError)
      expect(compile(machine, {}, updaters)).toThrow(/event transitions only; a has/)
    })
  })

  it("compiles a flat machine whose names all have implementations", () => {
    expect(compile(orderMachine, orderGuards, orderUpdaters)).not.toThrow()
    expect(compile(simulationMachine, simulationGuards, simulationUpdaters)).not.toThrow()
  })
})
