import type { Guard, MachineImplementations, Updater } from "./implementations.ts"

export const SimulationStatuses = ["deployed", "running", "paused", "halted", "stopped", "failed"] as const
export type SimulationStatus = (typeof SimulationStatuses)[number]

export interface SimulationContext {
  /** Why trading is halted (e.g. the daily stop-loss), while it is. */
  readonly haltReason: string | null
  /** The trading day the halt belongs to: resuming a pause on that day returns to halted. */
  readonly haltedDay: number | null
  /** What made the simulation fail (the model's error), once it has. */
  readonly failureCause: string | null
}

export type SimulationEvent =
  | { readonly type: "START" }
  | { readonly type: "PAUSE" }
  | { readonly type: "RESUME"; readonly day: number | null }
  | { readonly type: "HALT"; readonly reason: string; readonly day: number | null }
  | { readonly type: "NEW_TRADING_DAY" }
  | { readonly type: "STOP" }
  | { readonly type: "FAIL"; readonly cause: string }
  | { readonly type: "RESTART"; readonly day: number | null }

export type SimulationEventType = SimulationEvent["type"]

export const initialSimulationContext: SimulationContext = { haltReason: null, haltedDay: null, failureCause: null }

/** What a simulation status allows, as tags on the machine's states: the engine and the deployer read them from there. */
export const SimulationTags = ["takesUpdates", "trades"] as const
export type SimulationTag = (typeof SimulationTags)[number]

export const simulationGuards = {
  /** Resuming or restarting on the day trading was halted returns to halted, not to running. */
  stillHaltedDay: (context, event) =>
    (event.type === "RESUME" || event.type === "RESTART") && context.haltedDay !== null && context.haltedDay === event.day
} satisfies Record<string, Guard<SimulationContext, SimulationEvent>>

export const simulationUpdaters = {
  recordHalt: (context, event) => (event.type === "HALT" ? { ...context, haltReason: event.reason, haltedDay: event.day } : context),
  clearHalt: (context) => ({ ...context, haltReason: null, haltedDay: null }),
  recordFailure: (context, event) => (event.type === "FAIL" ? { ...context, failureCause: event.cause } : context),
  clearFailure: (context) => ({ ...context, failureCause: null })
} satisfies Record<string, Updater<SimulationContext, SimulationEvent>>

/** The simulation machine's implementations, bound once for the XState definition and the compiled table. */
export const simulationImplementations: MachineImplementations<
  SimulationContext,
  SimulationEvent,
  keyof typeof simulationGuards,
  keyof typeof simulationUpdaters
> = { guards: simulationGuards, updaters: simulationUpdaters }
