import { Data } from "effect"
import { ValidationError, type ValidationIssue } from "../domain/errors.ts"
import fc from "fast-check"
import type { MarketUpdateInput, NormalizedUpdate } from "../domain/market-update.ts"
import type { SimulationConfigInput } from "../domain/simulation-config.ts"
import { portfolioViewOf, runModel } from "../engine/model-driver.ts"
import type { OrderView } from "../engine/order-entry.ts"
import type { TradingModel } from "../engine/trading-model.ts"
import { type EngineOptions, type EngineSnapshot, TradingSimulationEngine } from "../engine/trading-simulation-engine.ts"
import { simulationConfigArb } from "./config-arbitrary.ts"
import { InvariantMonitor } from "./invariant-monitor.ts"
import { type FutureChange, futureChangeArb, changeFuture } from "./future-change.ts"
import { marketArb } from "./market-arbitraries.ts"

/** What a strategy property sees after each update: the engine after the model ran, and what the model did. */
export interface StrategyStep<S> {
  /** The update's number, from 1. */
  readonly index: number
  readonly update: MarketUpdateInput
  /** The simulation after the update and the model's orders (read it; do not send it commands). */
  readonly engine: TradingSimulationEngine
  /** The model's state after this update. */
  readonly state: S
  /** The orders the model placed on this update. */
  readonly placed: ReadonlyArray<OrderView>
}

/** A property of a strategy over each step: false (or a throw) is a violation. */
export type StrategyProperty<S> = (step: StrategyStep<S>) => boolean | void

/** What `checkStrategy` checks; all of them by default. */
export type StrategyCheck = "invariants" | "properties" | "determinism" | "crash" | "lookAhead"

/**
 * The model under test: a `TradingModel`, or a function that makes one from the run's whole
 * market, as a backtest that hands its strategy the data set does (that is where look-ahead
 * hides). A function is called afresh for every run, and again after a simulated crash.
 */
export type ModelUnderTest<S> = TradingModel<S> | ((market: ReadonlyArray<MarketUpdateInput>) => TradingModel<S>)

export interface CheckStrategyOptions<S> {
  /** The symbols traded (default: the config's, else ["AAA", "BBB"]). */
  readonly symbols?: ReadonlyArray<string>
  /** A config or an arbitrary of them (default `simulationConfigArb`); its symbols are replaced by `symbols` when given. */
  readonly config?: SimulationConfigInput | fc.Arbitrary<SimulationConfigInput>
  /** The markets to run on (default `marketArb` over the symbols, bars or ticks). */
  readonly market?: fc.Arbitrary<ReadonlyArray<MarketUpdateInput>>
  /** Your own properties, by name, checked after every update. */
  readonly properties?: Readonly<Record<string, StrategyProperty<S>>>
  readonly checks?: ReadonlyArray<StrategyCheck>
  /** The engine's extension points (fill, slippage, fee models, risk rules). */
  readonly engineOptions?: Omit<EngineOptions, "autoStart">
  readonly numRuns?: number
  readonly seed?: number
  /** Replays a failure: the `path` a StrategyCheckError reported, with its seed. */
  readonly path?: string
}

/** One generated case: what a counterexample shows. */
export interface StrategyCase {
  readonly config: SimulationConfigInput
  readonly market: ReadonlyArray<MarketUpdateInput>
  /** The crash check stops after update crashAt mod (updates + 1), snapshots, restores and continues. */
  readonly crashAt: number
  /** The look-ahead check changes every update after lookAheadAt mod updates... */
  readonly lookAheadAt: number
  /** ...this way. */
  readonly future: FutureChange
}

/**
 * `checkStrategy` found a case that breaks a check; fast-check has shrunk it as far as it could.
 * `model`: the model threw or asked for an order the engine refused, which fails a simulation;
 * `error`: something else threw (say, a market arbitrary made an update the engine refused).
 */
export class StrategyCheckError extends Data.TaggedError("StrategyCheckError")<{
  readonly check: StrategyCheck | "model" | "error"
  readonly detail: string
  readonly counterexample: StrategyCase
  readonly seed: number
  readonly path: string
  readonly shrinks: number
}> {
  override get message(): string {
    return [
      `checkStrategy: ${this.check} violated: ${this.detail}`,
      `Counterexample (shrunk ${this.shrinks} times): ${fc.stringify(this.counterexample)}`,
      `Replay with { seed: ${this.seed}, path: ${JSON.stringify(this.path)} }`
    ].join("\n")
  }
}

class Violation extends Error {
  readonly check: StrategyCheck | "model"
  constructor(check: StrategyCheck | "model", detail: string) {
    super(detail)
    this.check = check
  }
}

const ALL_CHECKS: ReadonlyArray<StrategyCheck> = ["invariants", "properties", "determinism", "crash", "lookAhead"]

interface RunResult {
  readonly engine: TradingSimulationEngine
  readonly state: unknown
}

/** A run's outcome as bytes: the engine's snapshot and the model's state. */
const bytes = (r: RunResult): string => JSON.stringify({ engine: r.engine.snapshot(), model: r.state })

const orderSpecs = (engine: TradingSimulationEngine, upTo: number): string =>
  JSON.stringify(
    engine
      .getOrders()
      .filter((o) => o.submittedAfterUpdate <= upTo)
      .map(({ id, symbol, side, type, quantity, limitPrice, stopPrice, timeInForce, tag, submittedAfterUpdate }) => ({ id, symbol, side, type, quantity, limitPrice, stopPrice, timeInForce, tag, submittedAfterUpdate }))
  )

/**
 * Runs a strategy over generated markets and checks, for each:
 * - invariants: every engine invariant (`InvariantMonitor`) after every update;
 * - properties: your own predicates after every update;
 * - determinism: two runs give the same bytes (engine snapshot and model state);
 * - crash: stopping after a random update, snapshotting (through JSON), restoring with
 *   `TradingSimulationEngine.fromSnapshot` and continuing gives the bytes of an uninterrupted run;
 * - lookAhead: changing the market after update t never changes the orders the model placed at or before t, as they stand after t.
 * The model runs exactly as a deployed simulation runs it (its orders and target weights).
 * On failure it throws a StrategyCheckError with fast-check's shrunk counterexample, seed and path.
 */
export const checkStrategy = <S>(model: ModelUnderTest<S>, options: CheckStrategyOptions<S> = {}): void => {
  const refused = optionIssues(options)
  if (refused.length > 0) throw new ValidationError({ subject: "testingOptions", issues: refused })
  const fixedConfig = options.config instanceof fc.Arbitrary ? undefined : options.config
  const symbols = options.symbols ?? fixedConfig?.symbols ?? ["AAA", "BBB"]
  const configs = options.config instanceof fc.Arbitrary ? options.config : options.config !== undefined ? fc.constant(options.config) : simulationConfigArb({ symbols })
  const checks = new Set(options.checks ?? ALL_CHECKS)
  const properties = Object.entries(options.properties ?? {})
  const engineOptions = options.engineOptions ?? {}
  const make = (market: ReadonlyArray<MarketUpdateInput>): TradingModel<S> => (typeof model === "function" ? model(market) : model)

  /** Feeds updates [from, to) to an engine and its model; watches every step when asked. */
  const drive = (engine: TradingSimulationEngine, m: TradingModel<S>, state: S, market: ReadonlyArray<MarketUpdateInput>, from: number, to: number, watch: boolean): RunResult => {
    const view = portfolioViewOf(engine)
    const monitor = watch && checks.has("invariants") ? new InvariantMonitor(engine) : null
    for (let i = from; i < to; i++) {
      const update = market[i]!
      const before = engine.getOrders().length
      const normalized: NormalizedUpdate = engine.processMarketUpdate(update)
      state = runModel(engine, m, state, view, normalized)
      if (engine.status === "failed") throw new Violation("model", `the simulation failed on update ${i + 1}: ${engine.statusReason}`)
      const violation = monitor?.check(normalized)[0]
      if (violation !== undefined) throw new Violation("invariants", `${violation.invariant} after update ${i + 1}: ${violation.detail}`)
      if (!watch || !checks.has("properties")) continue
      const step: StrategyStep<S> = { index: i + 1, update, engine, state, placed: engine.getOrders().slice(before) }
      for (const [name, property] of properties) {
        let holds: boolean | void
        try {
          holds = property(step)
        } catch (e) {
          throw new Violation("properties", `${name} threw after update ${i + 1}: ${e instanceof Error ? e.message : String(e)}`)
        }
        if (holds === false) throw new Violation("properties", `${name} is false after update ${i + 1}`)
      }
    }
    return { engine, state }
  }

  const fresh = (c: StrategyCase, market: ReadonlyArray<MarketUpdateInput>, watch: boolean): RunResult => {
    const m = make(market)
    return drive(new TradingSimulationEngine(c.config, engineOptions), m, m.initialState, market, 0, market.length, watch)
  }

  /** A run of the first `t` updates of `market` (the case's market, or one changed after t). */
  const upTo = (c: StrategyCase, market: ReadonlyArray<MarketUpdateInput>, t: number): RunResult => {
    const m = make(market)
    return drive(new TradingSimulationEngine(c.config, engineOptions), m, m.initialState, market, 0, t, false)
  }

  const property = (c: StrategyCase): void => {
    const n = c.market.length
    const base = fresh(c, c.market, true)
    const baseBytes = bytes(base)
    if (checks.has("determinism")) {
      const again = bytes(fresh(c, c.market, false))
      if (again !== baseBytes) throw new Violation("determinism", `a second run on the same inputs gave different bytes: ${firstDifference(baseBytes, again)}`)
    }
    if (checks.has("crash")) {
      const k = c.crashAt % (n + 1)
      const m = make(c.market)
      const stopped = drive(new TradingSimulationEngine(c.config, engineOptions), m, m.initialState, c.market, 0, k, false)
      const saved = JSON.parse(JSON.stringify({ engine: stopped.engine.snapshot(), model: stopped.state })) as { engine: EngineSnapshot; model: S }
      const restored = drive(TradingSimulationEngine.fromSnapshot(saved.engine, engineOptions), make(c.market), saved.model, c.market, k, n, false)
      const resumed = bytes(restored)
      if (resumed !== baseBytes) throw new Violation("crash", `restored after update ${k} of ${n}, the run ended differently: ${firstDifference(baseBytes, resumed)}`)
    }
    if (checks.has("lookAhead") && n > 1) {
      const t = c.lookAheadAt % n
      const changed = changeFuture(c.market, t, c.future)
      // Both runs stop after update t: what the model did up to then, as it stood then (a later re-quote, or a bracket's
      // children sized by later fills, is not look-ahead). The first t updates are the same in both; only a model made
      // from the whole market can tell them apart.
      const mine = orderSpecs(upTo(c, c.market, t).engine, t)
      let theirs: string
      try {
        theirs = orderSpecs(upTo(c, changed, t).engine, t)
      } catch (e) {
        if (!(e instanceof Violation)) throw e
        throw new Violation("lookAhead", `with the market changed after update ${t} (${describeChange(c.future)}), the run failed where the real market's did not: ${e.message}`)
      }
      if (mine !== theirs) throw new Violation("lookAhead", `changing the market after update ${t} changed the orders placed up to it: ${firstDifference(mine, theirs)}`)
    }
  }

  const caseOf = (config: fc.Arbitrary<SimulationConfigInput>, market: fc.Arbitrary<ReadonlyArray<MarketUpdateInput>>): fc.Arbitrary<StrategyCase> =>
    fc.record({ config, market, crashAt: fc.nat({ max: 1000 }), lookAheadAt: fc.nat({ max: 1000 }), future: futureChangeArb })
  // An arbitrary of configs with no `symbols` option keeps each config's own symbols, and the market follows them.
  const cases: fc.Arbitrary<StrategyCase> =
    options.config instanceof fc.Arbitrary && options.symbols === undefined
      ? options.config.chain((config) => {
          const own = config.symbols ?? symbols
          return caseOf(fc.constant({ ...config, symbols: own }), options.market ?? marketArb({ symbols: own, shape: "mixed" }))
        })
      : caseOf(
          configs.map((c) => ({ ...c, symbols })),
          options.market ?? marketArb({ symbols, shape: "mixed" })
        )
  const details = fc.check(fc.property(cases, property), {
    ...(options.numRuns !== undefined ? { numRuns: options.numRuns } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.path !== undefined ? { path: options.path } : {})
  })
  if (!details.failed || details.counterexample === null) return
  const error = details.errorInstance
  throw new StrategyCheckError({
    check: error instanceof Violation ? error.check : "error",
    detail: error instanceof Violation ? error.message : error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    counterexample: details.counterexample[0],
    seed: details.seed,
    path: details.counterexamplePath ?? "",
    shrinks: details.numShrinks
  })
}

/** The options a check cannot run with, each named with its rule. */
const optionIssues = <S>(options: CheckStrategyOptions<S>): ValidationIssue[] => {
  const issues: ValidationIssue[] = []
  const { numRuns, checks } = options
  // fast-check counts runs up to numRuns exactly: 2.5 would never end, and 0 or NaN would check nothing.
  if (numRuns !== undefined && !(Number.isSafeInteger(numRuns) && numRuns >= 1)) issues.push({ field: "numRuns", rule: "must be a whole number of at least 1", value: numRuns })
  if (checks !== undefined) {
    if (!Array.isArray(checks)) issues.push({ field: "checks", rule: `must be a list of ${ALL_CHECKS.join(", ")}`, value: checks })
    else checks.forEach((check, i) => {
      if (!ALL_CHECKS.includes(check)) issues.push({ field: `checks[${i}]`, rule: `must be one of ${ALL_CHECKS.join(", ")}`, value: check })
    })
  }
  return issues
}

/** A future change, as a failure's detail says it. */
const describeChange = (change: FutureChange): string => (change.kind === "scale" ? `every later price scaled by ${change.percent}%` : "every later price mirrored about the last close")

/** Where two byte strings part, with a little context. */
const firstDifference = (a: string, b: string): string => {
  let i = 0
  while (i < a.length && a[i] === b[i]) i++
  const from = Math.max(0, i - 60)
  return `…${a.slice(from, i + 60)}… became …${b.slice(from, i + 60)}…`
}
