import fc from "fast-check"
import { finalOrderStatuses, type SimulationStatus, simulationStatusesTagged } from "../../machines/index.ts"
import { IllegalOrderTransitionError } from "../domain/errors.ts"
import type { OrderId } from "../domain/ids.ts"
import type { MarketUpdateInput, NormalizedUpdate } from "../domain/market-update.ts"
import type { SimulationConfigInput } from "../domain/simulation-config.ts"
import { tradingDayOf } from "../domain/trading-day.ts"
import { type EngineOptions, TradingSimulationEngine } from "../engine/trading-simulation-engine.ts"
import { type OrderPick, orderPickArb, type ReplaceSpec, type SubmitSpec, submitArb, quantitySpecArb } from "./engine-scenario.ts"
import { InvariantMonitor } from "./invariant-monitor.ts"
import { offsetPrice, pickOrder, replaceChanges, submitRequest } from "./order-commands.ts"

/**
 * A fast-check command model of the engine (`fc.commands` / `fc.modelRun`). The model is small:
 * how many orders and updates there have been, the status the simulation must be in, and the
 * trading day; after every command the real engine is checked against it and against every
 * invariant (`InvariantMonitor`). Add your strategy's own commands through `engineCommands`'s
 * `commands` option: implement `EngineCommand` and call `verifyEngine` at the end of `run`.
 */
export interface EngineModel {
  submitted: number
  updates: number
  status: SimulationStatus
  /** The trading day of the last update, and the one a halt happened on. */
  day: number | null
  haltedDay: number | null
}

/** The system under test: the engine, its monitor, and what the commands need to price orders and updates. */
export class EngineUnderTest {
  readonly engine: TradingSimulationEngine
  readonly monitor: InvariantMonitor
  readonly ids: OrderId[] = []
  readonly lastPrice: Map<string, number>
  time: number

  constructor(config: SimulationConfigInput, options: Omit<EngineOptions, "autoStart"> = {}, startPrice = 100, startTime = Date.UTC(2024, 0, 2, 14, 30)) {
    this.engine = new TradingSimulationEngine(config, options)
    this.monitor = new InvariantMonitor(this.engine)
    this.lastPrice = new Map(this.engine.config.symbols.map((s) => [s, startPrice]))
    this.time = startTime
  }

  readonly price = (symbol: string): number => this.lastPrice.get(symbol)!
}

export type EngineCommand = fc.Command<EngineModel, EngineUnderTest>

const TAKES_ORDERS: ReadonlySet<SimulationStatus> = simulationStatusesTagged("takesUpdates")

const fail = (message: string): never => {
  throw new Error(message)
}

/** Checks the engine against the model and every invariant; throws on the first difference. Call it at the end of your command's `run`. */
export const verifyEngine = (model: EngineModel, real: EngineUnderTest, update?: NormalizedUpdate): void => {
  const { engine } = real
  if (engine.getOrders().length !== model.submitted) fail(`${engine.getOrders().length} orders, the model expects ${model.submitted}`)
  if (engine.updateCount !== model.updates) fail(`${engine.updateCount} updates, the model expects ${model.updates}`)
  if (engine.status !== model.status) fail(`status ${engine.status}, the model expects ${model.status}`)
  const violation = real.monitor.check(update)[0]
  if (violation !== undefined) fail(`${violation.invariant}: ${violation.detail}`)
}

export class SubmitCommand implements EngineCommand {
  readonly spec: SubmitSpec
  constructor(spec: SubmitSpec) {
    this.spec = spec
  }
  check = (m: Readonly<EngineModel>) => TAKES_ORDERS.has(m.status)
  run(m: EngineModel, r: EngineUnderTest): void {
    const id = r.engine.submitOrder(submitRequest(r.engine, this.spec, r.price))
    r.ids.push(id)
    m.submitted += 1
    if (r.engine.getOrder(id).status !== "submitted") fail(`a new order is ${r.engine.getOrder(id).status}`)
    verifyEngine(m, r)
  }
  toString = () => `submit(${JSON.stringify(this.spec)})`
}

export class CancelCommand implements EngineCommand {
  readonly target: OrderPick
  constructor(target: OrderPick) {
    this.target = target
  }
  check = () => true
  run(m: EngineModel, r: EngineUnderTest): void {
    const id = pickOrder(r.engine, this.target, r.ids)
    if (id === undefined) return
    const before = r.engine.getOrder(id)
    try {
      r.engine.cancelOrder(id)
      if (r.engine.getOrder(id).status !== "cancelled") fail(`cancelled ${id} is ${r.engine.getOrder(id).status}`)
    } catch (e) {
      if (!(e instanceof IllegalOrderTransitionError)) throw e
      // Only a final order refuses a cancel, and nothing changes.
      if (!finalOrderStatuses.has(before.status) || JSON.stringify(r.engine.getOrder(id)) !== JSON.stringify(before)) fail(`cancel of ${before.status} ${id} refused`)
    }
    verifyEngine(m, r)
  }
  toString = () => `cancel(${JSON.stringify(this.target)})`
}

export class ReplaceCommand implements EngineCommand {
  readonly spec: ReplaceSpec
  constructor(spec: ReplaceSpec) {
    this.spec = spec
  }
  check = () => true
  run(m: EngineModel, r: EngineUnderTest): void {
    const id = pickOrder(r.engine, this.spec.target, r.ids)
    if (id === undefined) return
    const before = r.engine.getOrder(id)
    try {
      r.engine.replaceOrder(id, replaceChanges(r.engine, before, this.spec, r.price(before.symbol)))
    } catch (e) {
      if (!(e instanceof IllegalOrderTransitionError)) throw e
      // Only working orders can be replaced: final ones, and submitted ones not yet checked, refuse.
      if (!finalOrderStatuses.has(before.status) && before.status !== "submitted") fail(`replace of ${before.status} ${id} refused`)
    }
    verifyEngine(m, r)
  }
  toString = () => `replace(${JSON.stringify(this.spec)})`
}

/** A bar for some symbols: close `closeBp` from the last price, wicks beyond; a later minute, or the next day. */
export interface BarMoveSpec {
  readonly nextDay: boolean
  readonly moves: ReadonlyArray<{ readonly closeBp: number; readonly wickBp: number } | null>
}

/**
 * Sends a market update to the engine and moves the model with it: one more update, the day it
 * belongs to, and the status (paused stays paused and fills nothing; a trading simulation may
 * halt on its daily stop-loss, and a new day ends a halt). Your own commands send updates through
 * it, then run your model on what it returns (`runModel`) and end with `verifyEngine`.
 */
export const processUpdate = (m: EngineModel, r: EngineUnderTest, input: MarketUpdateInput): NormalizedUpdate => {
  const fillsBefore = r.engine.historyMarks().fills
  const update = r.engine.processMarketUpdate(input)
  m.updates += 1
  if (update.time !== null) m.day = tradingDayOf(update.time)
  if (m.status === "paused") {
    if (r.engine.historyMarks().fills !== fillsBefore) fail("a paused simulation filled an order")
    return update
  }
  if (m.status === "halted" && m.haltedDay === m.day && r.engine.status !== "halted") fail(`a halt ended within its day ${m.day}`)
  if (r.engine.status !== "running" && r.engine.status !== "halted") fail(`an update left the simulation ${r.engine.status}`)
  if (r.engine.status === "halted") m.haltedDay = m.day
  m.status = r.engine.status
  return update
}

export class MarketUpdateCommand implements EngineCommand {
  readonly spec: BarMoveSpec
  constructor(spec: BarMoveSpec) {
    this.spec = spec
  }
  check = (m: Readonly<EngineModel>) => TAKES_ORDERS.has(m.status)
  run(m: EngineModel, r: EngineUnderTest): void {
    const symbols = r.engine.config.symbols
    r.time = this.spec.nextDay ? (tradingDayOf(r.time) + 1) * 86_400_000 + 14.5 * 3_600_000 : r.time + 60_000
    const bars: Record<string, { open: number; high: number; low: number; close: number }> = {}
    symbols.forEach((symbol, i) => {
      const move = this.spec.moves[i % this.spec.moves.length] ?? (i === 0 ? { closeBp: 0, wickBp: 0 } : null)
      if (move === null) return
      const open = r.price(symbol)
      const close = Number(offsetPrice(open, move.closeBp, false))
      const high = Math.max(open, close, Number(offsetPrice(Math.max(open, close), move.wickBp, false)))
      const low = Math.min(open, close, Number(offsetPrice(Math.min(open, close), -move.wickBp, false)))
      bars[symbol] = { open, high, low, close }
      r.lastPrice.set(symbol, close)
    })
    verifyEngine(m, r, processUpdate(m, r, { time: r.time, bars }))
  }
  toString = () => `update(${JSON.stringify(this.spec)})`
}

export class PauseCommand implements EngineCommand {
  check = (m: Readonly<EngineModel>) => m.status === "running" || m.status === "halted"
  run(m: EngineModel, r: EngineUnderTest): void {
    r.engine.pause()
    m.status = "paused"
    verifyEngine(m, r)
  }
  toString = () => "pause"
}

export class ResumeCommand implements EngineCommand {
  check = (m: Readonly<EngineModel>) => m.status === "paused"
  run(m: EngineModel, r: EngineUnderTest): void {
    r.engine.resume()
    // Resuming within the day of a halt returns to the halt.
    m.status = m.haltedDay !== null && m.haltedDay === m.day ? "halted" : "running"
    if (m.status === "running") m.haltedDay = null
    verifyEngine(m, r)
  }
  toString = () => "resume"
}

export class StopCommand implements EngineCommand {
  check = (m: Readonly<EngineModel>) => m.status !== "stopped"
  run(m: EngineModel, r: EngineUnderTest): void {
    r.engine.stop()
    m.status = "stopped"
    if (r.engine.getOpenOrders().length > 0) fail("orders still open after stop")
    verifyEngine(m, r)
  }
  toString = () => "stop"
}

const bp = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: -200, max: 200 }) }, { weight: 1, arbitrary: fc.integer({ min: -1500, max: 1500 }) })

export const barMoveArb: fc.Arbitrary<BarMoveSpec> = fc.record({
  nextDay: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  moves: fc.array(fc.option(fc.record({ closeBp: bp, wickBp: fc.integer({ min: 0, max: 300 }) }), { freq: 4, nil: null }), { minLength: 1, maxLength: 3 })
})

export interface EngineCommandsOptions {
  /** Your own commands, beside the built-in ones. */
  readonly commands?: ReadonlyArray<fc.Arbitrary<EngineCommand>>
  readonly maxCommands?: number
}

/** One built-in command, weighted as a market run goes: mostly updates and submits; a stop ends the run, so it is rare. */
const builtInCommand: fc.Arbitrary<EngineCommand> = fc.oneof(
  { weight: 20, arbitrary: submitArb.map((s): EngineCommand => new SubmitCommand(s)) },
  { weight: 25, arbitrary: barMoveArb.map((s): EngineCommand => new MarketUpdateCommand(s)) },
  { weight: 6, arbitrary: orderPickArb.map((t): EngineCommand => new CancelCommand(t)) },
  {
    weight: 6,
    arbitrary: fc
      .record({ target: orderPickArb, quantity: fc.option(quantitySpecArb, { nil: null }), limitBp: fc.option(bp, { nil: null }), stopBp: fc.option(bp, { nil: null }) })
      .map((s): EngineCommand => new ReplaceCommand({ kind: "replace", ...s }))
  },
  { weight: 3, arbitrary: fc.constant<EngineCommand>(new PauseCommand()) },
  { weight: 3, arbitrary: fc.constant<EngineCommand>(new ResumeCommand()) },
  { weight: 1, arbitrary: fc.constant<EngineCommand>(new StopCommand()) }
)

/** Sequences of engine commands: submit, cancel, replace, market update, pause, resume, stop, and yours (each of yours as likely as a built-in one). */
export const engineCommands = (options: EngineCommandsOptions = {}): fc.Arbitrary<Iterable<EngineCommand>> => {
  const own = options.commands ?? []
  return fc.commands([...Array.from({ length: Math.max(1, own.length) }, () => builtInCommand), ...own], { maxCommands: options.maxCommands ?? 40, size: "max" })
}

/** Runs commands against a new engine with this config, checking the model after each; returns the engine under test as they left it. */
export const runEngineCommands = (config: SimulationConfigInput, commands: Iterable<EngineCommand>, options: Omit<EngineOptions, "autoStart"> = {}): EngineUnderTest => {
  const real = new EngineUnderTest(config, options)
  fc.modelRun(() => ({ model: { submitted: 0, updates: 0, status: real.engine.status, day: null, haltedDay: null }, real }), commands)
  return real
}
