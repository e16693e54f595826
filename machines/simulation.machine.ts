import { assign, setup } from "xstate"
import {
  type SimulationContext,
  type SimulationEvent,
  simulationGuards,
  simulationUpdaters
} from "./simulation-context.ts"

type Args = { readonly context: SimulationContext; readonly event: SimulationEvent }

/** A simulation's lifecycle: deployed → running ⇄ paused → stopped, with halted and failed. */
export const simulationMachine = setup({
  types: {
    context: {} as SimulationContext,
    events: {} as SimulationEvent,
    input: {} as SimulationContext
  },
  guards: {
    stillHaltedDay: ({ context, event }: Args) => simulationGuards.stillHaltedDay(context, event, undefined)
  },
  actions: {
    recordHalt: assign(({ context, event }: Args) => simulationUpdaters.recordHalt(context, event, undefined)),
    clearHalt: assign(({ context, event }: Args) => simulationUpdaters.clearHalt(context, event, undefined)),
    recordFailure: assign(({ context, event }: Args) => simulationUpdaters.recordFailure(context, event, undefined)),
    clearFailure: assign(({ context, event }: Args) => simulationUpdaters.clearFailure(context, event, undefined))
  }
}).createMachine({
  id: "simulation",
  initial: "deployed",
  context: ({ input }) => input,
  states: {
    deployed: {
      on: { START: "running", STOP: "stopped" }
    },
    running: {
      on: {
        PAUSE: "paused",
        HALT: { target: "halted", actions: ["recordHalt"] },
        STOP: "stopped",
        FAIL: { target: "failed", actions: ["recordFailure"] }
      }
    },
    // Paused: the model is not called, so it cannot fail here.
    paused: {
      on: {
        RESUME: [{ target: "halted", guard: "stillHaltedDay" }, { target: "running", actions: ["clearHalt"] }],
        STOP: "stopped"
      }
    },
    // Halted: a risk limit was breached. Closing orders still trade; new risk waits for the next day.
    halted: {
      on: {
        NEW_TRADING_DAY: { target: "running", actions: ["clearHalt"] },
        // Pausing keeps the halt's day, so a resume on the same day lands back in halted.
        PAUSE: "paused",
        STOP: "stopped",
        FAIL: { target: "failed", actions: ["recordFailure"] }
      }
    },
    // Failed: the model threw. The supervisor decides: restart on its schedule, or stop for good.
    failed: {
      on: {
        // A restart must not lift a halt: on the halt's own day it goes back to halted.
        RESTART: [
          { target: "halted", guard: "stillHaltedDay", actions: ["clearFailure"] },
          { target: "running", actions: ["clearFailure", "clearHalt"] }
        ],
        STOP: "stopped"
      }
    },
    stopped: { type: "final" }
  }
})
