import { setup } from "xstate"
import { forXState } from "./implementations.ts"
import { type SimulationContext, type SimulationEvent, simulationImplementations, type SimulationTag } from "./simulation-context.ts"

/**
 * A simulation's lifecycle: deployed → running ⇄ paused → stopped, with halted and failed. Each
 * status's tags say what it allows: `takesUpdates` (market updates and new orders) and `trades`
 * (orders are checked and matched).
 */
export const simulationMachine = setup({
  types: {
    context: {} as SimulationContext,
    events: {} as SimulationEvent,
    input: {} as SimulationContext,
    tags: {} as SimulationTag
  },
  ...forXState(simulationImplementations)
}).createMachine({
  id: "simulation",
  initial: "deployed",
  context: ({ input }) => input,
  states: {
    deployed: {
      on: { START: "running", STOP: "stopped" }
    },
    running: {
      tags: ["takesUpdates", "trades"],
      on: {
        PAUSE: "paused",
        HALT: { target: "halted", actions: ["recordHalt"] },
        STOP: "stopped",
        FAIL: { target: "failed", actions: ["recordFailure"] }
      }
    },
    // Paused: the model is not called, so it cannot fail here. Updates still mark the portfolio; nothing trades.
    paused: {
      tags: ["takesUpdates"],
      on: {
        RESUME: [{ target: "halted", guard: "stillHaltedDay" }, { target: "running", actions: ["clearHalt"] }],
        STOP: "stopped"
      }
    },
    // Halted: a risk limit was breached. Closing orders still trade; new risk waits for the next day.
    halted: {
      tags: ["takesUpdates", "trades"],
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
