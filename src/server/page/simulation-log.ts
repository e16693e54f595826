/**
 * What the live page remembers of each simulation's engine events, as they are published (once
 * durable): its event log, and each order's path through the order machine. The engine keeps
 * neither, so they start when the server opens the store; an order placed before that has its
 * path from the state it was found in then (`SEEN`). Both are bounded: the last LOG_LIMIT events and the paths of the last
 * PATH_LIMIT orders of each simulation.
 */
import type { EngineEvent } from "../../engine/engine-events.ts"
import type { SupervisedEvent } from "../../runtime/simulation-supervisor.ts"
import { type PathStep, pathStepsOf } from "./order-path.ts"

export const LOG_LIMIT = 500
export const PATH_LIMIT = 5000

export interface LogEntry {
  /** 1, 2, … per simulation, since the server started. */
  readonly seq: number
  /** When the server saw it (its clock), ISO-8601. */
  readonly at: string
  readonly type: EngineEvent["type"]
  readonly orderId: string | null
  readonly text: string
}

interface SimulationMemory {
  seq: number
  readonly entries: LogEntry[]
  readonly paths: Map<string, PathStep[]>
}

const describe = (event: EngineEvent): string => {
  if (event.type === "simulationStatusChanged") return `simulation ${event.from} → ${event.to}${event.reason === null ? "" : `: ${event.reason}`}`
  const { order } = event
  const what = `order ${order.id} ${order.side} ${order.quantity} ${order.symbol} ${order.type}`
  const fill = "fill" in event ? `: ${event.fill.quantity} at ${event.fill.price}` : ""
  const why = "reason" in event ? `: ${event.reason}` : ""
  return `${what} ${event.type.replace(/^order/, "").toLowerCase()}${fill}${why} (${order.status})`
}

export class SimulationLog {
  readonly #simulations = new Map<string, SimulationMemory>()
  readonly #now: () => Date

  constructor(now: () => Date) {
    this.#now = now
  }

  #memory(simulationId: string): SimulationMemory {
    let memory = this.#simulations.get(simulationId)
    if (memory === undefined) this.#simulations.set(simulationId, (memory = { seq: 0, entries: [], paths: new Map() }))
    return memory
  }

  record({ simulationId, event }: SupervisedEvent): void {
    const memory = this.#memory(simulationId)
    memory.seq += 1
    memory.entries.push({ seq: memory.seq, at: this.#now().toISOString(), type: event.type, orderId: "order" in event ? event.order.id : null, text: describe(event) })
    if (memory.entries.length > LOG_LIMIT) memory.entries.splice(0, memory.entries.length - LOG_LIMIT)
    const steps = pathStepsOf(event)
    if (steps.length === 0 || !("order" in event)) return
    const path = memory.paths.get(event.order.id)
    if (path !== undefined) path.push(...steps)
    else {
      memory.paths.set(event.order.id, [...steps])
      // A Map iterates in insertion order: the first key is the oldest order.
      if (memory.paths.size > PATH_LIMIT) memory.paths.delete(memory.paths.keys().next().value!)
    }
  }

  /** An order found in `state` before any event of it was seen (the server started after it was placed): its path starts there. */
  seen(simulationId: string, orderId: string, state: PathStep["state"]): void {
    const memory = this.#memory(simulationId)
    if (!memory.paths.has(orderId)) memory.paths.set(orderId, [{ state, event: "SEEN" }])
  }

  /** Events recorded for the simulation so far: it changes with every event. */
  seq(simulationId: string): number {
    return this.#simulations.get(simulationId)?.seq ?? 0
  }

  /** The last `limit` events, newest last. */
  entries(simulationId: string, limit = LOG_LIMIT): ReadonlyArray<LogEntry> {
    return this.#simulations.get(simulationId)?.entries.slice(-limit) ?? []
  }

  /** The order's steps seen so far (empty for an order the server has seen no event of). */
  path(simulationId: string, orderId: string): ReadonlyArray<PathStep> {
    return this.#simulations.get(simulationId)?.paths.get(orderId) ?? []
  }
}
