import { describe, expect, it } from "vitest"
import { getInitialSnapshot, transition } from "xstate"
import {
  initialSimulationContext,
  type SimulationContext,
  type SimulationEvent,
  type SimulationStatus
} from "../../machines/simulation-context.ts"
import { simulationMachine } from "../../machines/simulation.machine.ts"
import { simulationStatusesTagged, simulationTable } from "../../machines/tables.ts"
import { expectRefusedBy } from "./fixtures.ts"

const START: SimulationEvent = { type: "START" }
const PAUSE: SimulationEvent = { type: "PAUSE" }
const STOP: SimulationEvent = { type: "STOP" }
const restart = (day: number | null): SimulationEvent => ({ type: "RESTART", day })
const RESTART = restart(2)
const NEW_TRADING_DAY: SimulationEvent = { type: "NEW_TRADING_DAY" }
const resume = (day: number | null): SimulationEvent => ({ type: "RESUME", day })
const halt = (reason: string, day: number | null): SimulationEvent => ({ type: "HALT", reason, day })
const fail = (cause: string): SimulationEvent => ({ type: "FAIL", cause })

const everyEvent: ReadonlyArray<SimulationEvent> = [START, PAUSE, resume(1), halt("daily loss", 1), NEW_TRADING_DAY, STOP, fail("boom"), RESTART]
const othersThan = (...types: ReadonlyArray<SimulationEvent["type"]>) =>
  everyEvent.filter((e) => !types.includes(e.type)).map((e) => [e.type, e] as const)

interface SimulationState {
  readonly status: SimulationStatus
  readonly context: SimulationContext
}

/** Runs legal events through XState and the compiled table, checking they agree after each. */
const run = (events: ReadonlyArray<SimulationEvent>): SimulationState => {
  let snapshot = getInitialSnapshot(simulationMachine, initialSimulationContext)
  let state: SimulationState = { status: "deployed", context: initialSimulationContext }
  for (const [i, event] of events.entries()) {
    const [next] = transition(simulationMachine, snapshot, event)
    const stepped = simulationTable.step(state.status, state.context, event)
    if (stepped === undefined) throw new Error(`event ${i} (${event.type}) refused in ${state.status}`)
    expect(stepped).toEqual({ status: next.value, context: next.context })
    snapshot = next
    state = stepped
  }
  return state
}

/** Asserts `event` is illegal after `prefix`: the table refuses it and XState does not move. */
const expectRefused = (prefix: ReadonlyArray<SimulationEvent>, event: SimulationEvent): void =>
  expectRefusedBy(simulationMachine, simulationTable, initialSimulationContext, run, prefix, event)

const reach: Record<Exclude<SimulationStatus, "stopped">, ReadonlyArray<SimulationEvent>> = {
  deployed: [],
  running: [START],
  paused: [START, PAUSE],
  halted: [START, halt("daily loss limit", 5)],
  failed: [START, fail("model threw")]
}

describe("simulation machine", () => {
  it("starts deployed with an empty context", () => {
    const snapshot = getInitialSnapshot(simulationMachine, initialSimulationContext)
    expect(snapshot.value).toBe("deployed")
    expect(snapshot.context).toEqual({ haltReason: null, haltedDay: null, failureCause: null })
  })

  describe("deployed", () => {
    it("START → running", () => {
      expect(run([START]).status).toBe("running")
    })
    it.each(othersThan("START", "STOP"))("refuses %s", (_type, event) => expectRefused(reach.deployed, event))
  })

  describe("running", () => {
    it("PAUSE → paused", () => {
      expect(run([START, PAUSE]).status).toBe("paused")
    })
    it("HALT → halted, recording reason and day", () => {
      expect(run([START, halt("daily loss limit", 5)])).toEqual({
        status: "halted",
        context: { haltReason: "daily loss limit", haltedDay: 5, failureCause: null }
      })
    })
    it("FAIL → failed, recording the cause", () => {
      expect(run([START, fail("model threw")])).toEqual({
        status: "failed",
        context: { haltReason: null, haltedDay: null, failureCause: "model threw" }
      })
    })
    it.each(othersThan("PAUSE", "HALT", "STOP", "FAIL"))("refuses %s", (_type, event) => expectRefused(reach.running, event))
  })

  describe("paused", () => {
    it("RESUME → running when nothing was halted", () => {
      expect(run([START, PAUSE, resume(5)])).toEqual({ status: "running", context: initialSimulationContext })
    })
    it("refuses FAIL (the model is not called while paused), also when paused from halted", () => {
      expectRefused(reach.paused, fail("model threw"))
      expectRefused([...reach.halted, PAUSE], fail("model threw"))
    })
    it.each(othersThan("RESUME", "STOP"))("refuses %s", (_type, event) => expectRefused(reach.paused, event))
  })

  describe("halted", () => {
    const halted = reach.halted

    it("NEW_TRADING_DAY → running, clearing the halt", () => {
      expect(run([...halted, NEW_TRADING_DAY])).toEqual({ status: "running", context: initialSimulationContext })
    })
    it("PAUSE → paused, keeping the halt", () => {
      expect(run([...halted, PAUSE])).toEqual({
        status: "paused",
        context: { haltReason: "daily loss limit", haltedDay: 5, failureCause: null }
      })
    })
    it("RESUME on the halted day → back to halted, halt kept", () => {
      expect(run([...halted, PAUSE, resume(5)])).toEqual({
        status: "halted",
        context: { haltReason: "daily loss limit", haltedDay: 5, failureCause: null }
      })
    })
    it.each([6, 4, null])("RESUME on day %s → running, halt cleared", (day) => {
      expect(run([...halted, PAUSE, resume(day)])).toEqual({ status: "running", context: initialSimulationContext })
    })
    it("a halt without a day is not resumed into, even by a RESUME without a day", () => {
      expect(run([START, halt("manual", null), PAUSE, resume(null)]).status).toBe("running")
    })
    it("FAIL → failed, recording the cause", () => {
      expect(run([...halted, fail("model threw")])).toMatchObject({ status: "failed", context: { failureCause: "model threw" } })
    })
    it.each(othersThan("NEW_TRADING_DAY", "PAUSE", "STOP", "FAIL"))("refuses %s", (_type, event) => expectRefused(halted, event))
  })

  describe("failed", () => {
    it.each([2, null])("RESTART on day %s with no halt → running, clearing the cause", (day) => {
      expect(run([START, fail("model threw"), restart(day)])).toEqual({ status: "running", context: initialSimulationContext })
    })
    it("a restart on the halted day returns to halted, keeping the halt and clearing the failure", () => {
      expect(run([...reach.halted, fail("model threw"), restart(5)])).toEqual({
        status: "halted",
        context: { haltReason: "daily loss limit", haltedDay: 5, failureCause: null }
      })
    })
    it.each([6, 4, null])("a restart on day %s after a halt on day 5 → running, clearing the halt and the failure", (day) => {
      expect(run([...reach.halted, fail("model threw"), restart(day)])).toEqual({ status: "running", context: initialSimulationContext })
    })
    it("a halt without a day is not restarted into, even by a RESTART without a day", () => {
      expect(run([START, halt("manual", null), fail("model threw"), restart(null)])).toEqual({
        status: "running",
        context: initialSimulationContext
      })
    })
    it("a restart back into halted waits for the next trading day like any halt", () => {
      expect(run([...reach.halted, fail("model threw"), restart(5), NEW_TRADING_DAY])).toEqual({
        status: "running",
        context: initialSimulationContext
      })
    })
    it("can fail and restart again", () => {
      expect(run([START, fail("a"), RESTART, fail("b")]).context.failureCause).toBe("b")
    })
    it.each(othersThan("RESTART", "STOP"))("refuses %s", (_type, event) => expectRefused(reach.failed, event))
  })

  describe("stop", () => {
    it.each(Object.entries(reach))("STOP from %s → stopped", (from, prefix) => {
      const before = run(prefix)
      expect(before.status).toBe(from)
      expect(run([...prefix, STOP])).toEqual({ status: "stopped", context: before.context })
    })

    it("stopped is final in XState", () => {
      let snapshot = getInitialSnapshot(simulationMachine, initialSimulationContext)
      for (const e of [START, STOP]) snapshot = transition(simulationMachine, snapshot, e)[0]
      expect(snapshot.value).toBe("stopped")
      expect(snapshot.status).toBe("done")
    })

    it.each(everyEvent.map((e) => [e.type, e] as const))("stopped refuses %s", (type, event) => {
      expectRefused([START, STOP], event)
      expect(simulationTable.accepts("stopped", type)).toBe(false)
    })
  })
})

describe("what each status allows, read from the machine's tags", () => {
  it("market updates and new orders in running, paused and halted; trading in running and halted", () => {
    expect([...simulationStatusesTagged("takesUpdates")]).toEqual(["running", "paused", "halted"])
    expect([...simulationStatusesTagged("trades")]).toEqual(["running", "halted"])
  })

  it("agree with the XState snapshots' own hasTag", () => {
    const seen = new Set<string>()
    let s = getInitialSnapshot(simulationMachine, initialSimulationContext)
    for (const event of [START, halt("loss", 1), PAUSE, resume(2), STOP]) {
      seen.add(s.value)
      expect(s.hasTag("trades")).toBe(simulationStatusesTagged("trades").has(s.value))
      expect(s.hasTag("takesUpdates")).toBe(simulationStatusesTagged("takesUpdates").has(s.value))
      ;[s] = transition(simulationMachine, s, event)
    }
    expect(seen).toEqual(new Set(["deployed", "running", "halted", "paused"]))
  })

  it("each status's next statuses are the targets of its transitions", () => {
    expect([...simulationTable.targets("running")]).toEqual(["paused", "halted", "stopped", "failed"])
    expect([...simulationTable.targets("paused")]).toEqual(["halted", "running", "stopped"])
    expect([...simulationTable.targets("stopped")]).toEqual([])
  })
})
