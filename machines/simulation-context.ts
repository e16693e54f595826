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

type Params = Readonly<Record<string, unknown>> | undefined

export const simulationGuards = {
  /** Resuming or restarting on the day trading was halted returns to halted, not to running. */
  stillHaltedDay: (context: SimulationContext, event: SimulationEvent, _params: Params) =>
    (event.type === "RESUME" || event.type === "RESTART") && context.haltedDay !== null && context.haltedDay === event.day
}

export const simulationUpdaters = {
  recordHalt: (context: SimulationContext, event: SimulationEvent, _params: Params): SimulationContext =>
    event.type === "HALT" ? { ...context, haltReason: event.reason, haltedDay: event.day } : context,
  clearHalt: (context: SimulationContext, _event: SimulationEvent, _params: Params): SimulationContext => ({
    ...context,
    haltReason: null,
    haltedDay: null
  }),
  recordFailure: (context: SimulationContext, event: SimulationEvent, _params: Params): SimulationContext =>
    event.type === "FAIL" ? { ...context, failureCause: event.cause } : context,
  clearFailure: (context: SimulationContext, _event: SimulationEvent, _params: Params): SimulationContext => ({
    ...context,
    failureCause: null
  })
}
