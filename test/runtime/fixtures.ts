/**
 * Shared fixtures for the runtime tests: a few pure models, a catalog of them, a supervisor
 * "process" over a MemoryStore that survives rebuilds, a log collector, and store readers.
 */
import { vi } from "vitest"
import { Cause, Deferred, Effect, Layer, Logger, PubSub, References } from "effect"
import type { LogLevel, Scope } from "effect"
import type { SimulationConfigInput } from "../../src/domain/simulation-config.ts"
import type { OrderRequest } from "../../src/domain/order.ts"
import type { TradingModel } from "../../src/engine/trading-model.ts"
import { TradingSimulationEngine } from "../../src/engine/trading-simulation-engine.ts"
import { MemoryStore, type MemoryStoreInstance } from "../../src/runtime/memory-store.ts"
import { ModelCatalog } from "../../src/runtime/model-catalog.ts"
import { readJournal } from "../../src/runtime/journal-record.ts"
import { decodeRecord } from "../../src/runtime/record-codec.ts"
import { SimulationInstance } from "../../src/runtime/simulation-instance.ts"
import { journalForm, type SimulationInput } from "../../src/runtime/simulation-input.ts"
import { SimulationStore } from "../../src/runtime/simulation-store.ts"
import { SimulationSupervisor, type SupervisedEvent, type SupervisorOptions } from "../../src/runtime/simulation-supervisor.ts"

// ── Config and inputs ───────────────────────────────────────────────────

export const config: SimulationConfigInput = {
  symbols: ["AAA", "BBB"],
  maxPositionSize: 1,
  dailyStopLoss: null,
  commissionRate: 0.001,
  minimumCommission: "1",
  slippageRate: 0.0005
}

export const T0 = Date.UTC(2024, 0, 2, 14, 30)
export const minute = 60_000

/** A bar update for AAA (and BBB when given) at minute `i` of the run. */
export const update = (i: number, aaa: number, bbb?: number): SimulationInput => ({
  type: "marketUpdate",
  update: {
    time: T0 + i * minute,
    bars: {
      AAA: { open: aaa, high: aaa, low: aaa, close: aaa, volume: 100 },
      ...(bbb === undefined ? {} : { BBB: { open: bbb, high: bbb, low: bbb, close: bbb, volume: 100 } })
    }
  }
})

export const start: SimulationInput = { type: "start" }
export const stop: SimulationInput = { type: "stop" }
export const submitOrder = (request: OrderRequest): SimulationInput => ({ type: "submitOrder", request })
export const cancelOrder = (orderId: string): SimulationInput => ({ type: "cancelOrder", orderId })

// ── Models (pure reducers: their state is JSON) ─────────────────────────

/** Does nothing: orders come from the inputs. */
export const idle: TradingModel<number> = { initialState: 0, onUpdate: (n) => ({ state: n + 1 }) }

/**
 * Counts updates; every `every`-th update buys `quantity` AAA at market when the close rose
 * since the last one and sells what it holds when it fell. Orders its engine may refuse at the
 * check (cash, position) are fine: those are rejections, not refusals.
 */
export const trend = (params: unknown): TradingModel<{ readonly n: number; readonly last: number | null }> => {
  const { every = 2, quantity = 3 } = (params ?? {}) as { every?: number; quantity?: number }
  return {
    initialState: { n: 0, last: null },
    onUpdate: (state, { quotes, view }) => {
      const quote = quotes.find((q) => q.symbol === "AAA")
      if (quote === undefined) return { state: { ...state, n: state.n + 1 } }
      const n = state.n + 1
      const next = { n, last: quote.close }
      if (state.last === null || n % every !== 0) return { state: next }
      if (quote.close > state.last) return { state: next, orders: [{ symbol: "AAA", side: "buy", type: "market", quantity, tag: `n${n}` }] }
      const held = view.positionOf("AAA")
      if (quote.close < state.last && held.greaterThan(0))
        return { state: next, orders: [{ symbol: "AAA", side: "sell", type: "market", quantity: held.toString(), tag: `n${n}` }] }
      return { state: next }
    }
  }
}

/** Buys `quantity` AAA at market on its first update, then nothing. */
export const buyOnce = (params: unknown): TradingModel<boolean> => {
  const { quantity = 10 } = (params ?? {}) as { quantity?: number }
  return {
    initialState: false,
    onUpdate: (bought) => (bought ? { state: true } : { state: true, orders: [{ symbol: "AAA", side: "buy", type: "market", quantity }] })
  }
}

/** Throws on every update. */
export const alwaysThrows: TradingModel<number> = {
  initialState: 0,
  onUpdate: () => {
    throw new Error("boom")
  }
}

/**
 * Throws on the update whose AAA close is `price`, and only that one: still a pure function of
 * its input, so a replay fails exactly where the live run failed.
 */
export const throwsAt = (params: unknown): TradingModel<number> => {
  const { price } = params as { price: number }
  return {
    initialState: 0,
    onUpdate: (n, { quotes }) => {
      if (quotes.some((q) => q.symbol === "AAA" && q.close === price)) throw new Error(`no trading at ${price}`)
      return { state: n + 1 }
    }
  }
}

/**
 * Breaks the runtime rather than a model: while installed, every engine throws a TypeError (a
 * defect, not a refused input) on an update whose AAA close is `price`. A model's output is read
 * defensively (a misbehaving one fails with a typed cause), so a defect can only come from inside.
 * Returns the function that uninstalls it.
 */
export const breakEnginesAt = (price: number): (() => void) => {
  const processMarketUpdate = TradingSimulationEngine.prototype.processMarketUpdate
  const spy = vi.spyOn(TradingSimulationEngine.prototype, "processMarketUpdate").mockImplementation(function (this: TradingSimulationEngine, update) {
    if ((update as { readonly bars?: { readonly AAA?: { readonly close?: unknown } } }).bars?.AAA?.close === price) throw new TypeError("a defect")
    return processMarketUpdate.call(this, update)
  })
  return () => spy.mockRestore()
}

/** Returns a state its snapshots could not hold (a bigint): a malformed output, the model's failure. */
export const bigintState: TradingModel<unknown> = { initialState: 0, onUpdate: () => ({ state: { n: 10n } }) }

export const catalogLayer = ModelCatalog.layer({
  idle: () => idle,
  bigintState: () => bigintState,
  trend,
  buyOnce,
  alwaysThrows: () => alwaysThrows,
  throwsAt,
})

// ── Supervisor "processes" over one MemoryStore ─────────────────────────

export type Supervisor = SimulationSupervisor["Service"]

/** The supervisor layer over this store: every build is a new process over the same data. */
export const supervisorLayer = (memory: MemoryStoreInstance, options: SupervisorOptions = {}) =>
  SimulationSupervisor.layer(options).pipe(Layer.provide(Layer.merge(memory.layer, catalogLayer)))

/** Runs `body` in one process over `memory`: the supervisor is built (recovering what is stored) and torn down after. */
export const inProcess = <A, E>(
  memory: MemoryStoreInstance,
  options: SupervisorOptions,
  body: (supervisor: Supervisor) => Effect.Effect<A, E, Scope.Scope>
) =>
  Effect.scoped(
    Effect.gen(function* () {
      return yield* body(yield* SimulationSupervisor)
    })
  ).pipe(Effect.provide(supervisorLayer(memory, options)))

export const freshStore = (): MemoryStoreInstance => MemoryStore.make()

/** Everything raw in the store. */
export const storeEntries = (memory: MemoryStoreInstance) => memory.control.entries()

/** The journaled inputs of a simulation still in the store, in order, with their sequence numbers. */
export const journalOf = (memory: MemoryStoreInstance, id: string): ReadonlyArray<{ readonly seq: number; readonly input: SimulationInput }> =>
  memory.control
    .entries()
    .filter(([key]) => key.startsWith(`journal:${id}:`))
    .flatMap(([key, value]) => {
      const record = readJournal(decodeRecord(key, value))
      if (!("inputs" in record)) throw new Error(`journal record ${key} is unreadable: ${JSON.stringify(record)}`)
      return record.inputs.map((input, i) => ({ seq: record.seq + i, input }))
    })

/** The keys of a simulation's snapshots, oldest first. */
export const snapshotKeysOf = (memory: MemoryStoreInstance, id: string): ReadonlyArray<string> =>
  memory.control
    .entries()
    .map(([key]) => key)
    .filter((key) => key.startsWith(`snapshot:${id}:`))

/** The keys of a simulation's journal records, in order. */
export const journalKeysOf = (memory: MemoryStoreInstance, id: string): ReadonlyArray<string> =>
  memory.control
    .entries()
    .map(([key]) => key)
    .filter((key) => key.startsWith(`journal:${id}:`))

// ── Reference runs ──────────────────────────────────────────────────────

/** An uninterrupted run of the inputs, straight on an instance, as the supervisor applies them (journal form). */
export const referenceRun = (model: TradingModel, inputs: ReadonlyArray<SimulationInput>, simulationConfig: SimulationConfigInput = config) => {
  const instance = SimulationInstance.create(simulationConfig, model)
  const results = inputs.map((input) => instance.apply(journalForm(input).input))
  return { instance, results }
}

/** What must be equal between two runs: the serialised snapshot, fills and metrics (copied: the engine's are live). */
export const fingerprint = (instance: SimulationInstance) => ({
  snapshot: JSON.stringify(instance.snapshot()),
  fills: structuredClone([...instance.engine.getFills()]),
  metrics: structuredClone(instance.engine.getPerformanceMetrics()),
  trades: JSON.parse(JSON.stringify(instance.engine.getTrades())) as unknown
})

/** Reads a simulation's fingerprint between batches. */
export const fingerprintOf = (supervisor: Supervisor, id: string) => supervisor.inspect(id, fingerprint)

export const statusOf = (supervisor: Supervisor, id: string) => supervisor.inspect(id, (instance) => instance.engine.status)

// ── Events ──────────────────────────────────────────────────────────────

/** Subscribes to the supervisor's events (in the current scope): `next(n)` waits for the next n. */
export const subscribeEvents = (supervisor: Supervisor) =>
  Effect.gen(function* () {
    const subscription = yield* PubSub.subscribe(supervisor.events)
    const next = (n: number) =>
      Effect.gen(function* () {
        const out: SupervisedEvent[] = []
        while (out.length < n) out.push(yield* PubSub.take(subscription))
        return out
      })
    /** Takes events until one matches, returning all taken (bounded). */
    const until = (match: (e: SupervisedEvent) => boolean, max = 1_000) =>
      Effect.gen(function* () {
        const out: SupervisedEvent[] = []
        for (let i = 0; i < max; i++) {
          const e = yield* PubSub.take(subscription)
          out.push(e)
          if (match(e)) return out
        }
        return yield* Effect.die(new Error(`no matching event in ${max}`))
      })
    return { next, until }
  })

// ── Logs ────────────────────────────────────────────────────────────────

export interface LogLine {
  readonly level: LogLevel.LogLevel
  readonly message: string
  readonly cause: string
  readonly annotations: Readonly<Record<string, unknown>>
}

const render = (message: unknown): string =>
  Array.isArray(message)
    ? message.map(render).join(" ")
    : typeof message === "string"
      ? message
      : Cause.isCause(message)
        ? Cause.pretty(message)
        : message instanceof Error
          ? message.message
          : String(message)

/**
 * A logger that keeps every line (replacing the default one, so tests stay quiet), and a way to
 * wait for a line: `waitFor(pred)` resolves once a matching line was logged.
 */
export const makeLogCapture = () => {
  const lines: LogLine[] = []
  const waiters: Array<{ readonly match: (line: LogLine) => boolean; readonly done: Deferred.Deferred<LogLine> }> = []
  const logger = Logger.make((options) => {
    const line: LogLine = {
      level: options.logLevel,
      message: render(options.message),
      cause: Cause.hasFails(options.cause) || Cause.hasDies(options.cause) ? Cause.pretty(options.cause) : "",
      annotations: options.fiber.getRef(References.CurrentLogAnnotations)
    }
    lines.push(line)
    for (const w of waiters) if (w.match(line)) Deferred.doneUnsafe(w.done, Effect.succeed(line))
  })
  const waitFor = (match: (line: LogLine) => boolean) =>
    Effect.gen(function* () {
      const found = lines.find(match)
      if (found !== undefined) return found
      const done = yield* Deferred.make<LogLine>()
      waiters.push({ match, done })
      return yield* Deferred.await(done)
    })
  return { lines, layer: Logger.layer([logger]), waitFor }
}

/**
 * A memory store whose writes wait for `gate` (a slow disk: commits queue behind the first into one
 * group), counting each batch's operations in `writes`.
 */
export const countingGatedStore = (memory: MemoryStoreInstance, gate: Deferred.Deferred<void>) => {
  const writes: number[] = []
  const store = SimulationStore.of({
    ...memory.store,
    write: (batch, marks) =>
      Deferred.await(gate).pipe(Effect.andThen(Effect.suspend(() => {
        writes.push(batch.length)
        return memory.store.write(batch, marks)
      })))
  })
  return { store, writes }
}
