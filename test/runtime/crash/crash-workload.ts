// The deterministic workload of the crash tests, shared by the child that gets killed and the
// parent that checks it: a model that trades often, its catalog, a config, and the inputs.
import { crc32 } from "node:zlib"
import type { OrderRequest } from "../../../src/domain/order.ts"
import type { ModelOutput, TradingModel } from "../../../src/engine/trading-model.ts"
import type { ModelSpec } from "../../../src/runtime/model-catalog.ts"
import { journalForm, type SimulationInput } from "../../../src/runtime/simulation-input.ts"
import { SimulationInstance } from "../../../src/runtime/simulation-instance.ts"

/** mulberry32: small, fast and seedable; every random choice of the crash tests comes from one. */
export const prng = (seed: number) => {
  let a = seed >>> 0
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    next,
    /** An integer in [0, n). */
    int: (n: number): number => Math.floor(next() * n),
    /** An integer in [lo, hi]. */
    between: (lo: number, hi: number): number => lo + Math.floor(next() * (hi - lo + 1)),
    chance: (p: number): boolean => next() < p
  }
}
export type Prng = ReturnType<typeof prng>

/**
 * Seeds derived from one seed (per round, per child run). Each part is added between two
 * non-linear mixing steps (murmur3's finaliser), so (seed, part) pairs do not collide the way a
 * plain xor would (777 ^ 3 = 778 ^ 0).
 */
export const deriveSeed = (seed: number, ...parts: ReadonlyArray<number>): number => {
  const mix = (x: number): number => {
    x = Math.imul(x ^ (x >>> 16), 0x85ebca6b)
    x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35)
    return (x ^ (x >>> 16)) >>> 0
  }
  let h = mix(seed >>> 0)
  for (const p of parts) h = mix((h + (p >>> 0) + 0x9e3779b9) >>> 0)
  return h
}

export const SIMULATION_ID = "crash-sim"
export const SYMBOLS = ["AAPL", "MSFT", "NVDA"] as const
export const config = { initialCapital: 100_000, symbols: [...SYMBOLS], dailyStopLoss: 0.02, updateFrequency: "1min" as const }

// ── The model ──────────────────────────────────────────────────────────────────────────────────

interface MoverParams {
  readonly window: number
  readonly quantity: number
}

interface MoverState {
  /** Market updates the model has seen. */
  readonly seen: number
  /** The last `window` closes per symbol. */
  readonly closes: Readonly<Record<string, ReadonlyArray<number>>>
}

const cents = (x: number): number => Math.round(x * 100) / 100

/**
 * A moving-average mover that trades every few updates: enters with a market order when the
 * close is above its short average and it is flat, exits with a limit just above the close when
 * it falls below, and now and then leaves a day limit under the market (to be filled, cancelled
 * or expired at the session's end). A pure reducer over JSON state, as recovery needs.
 */
export const moverModel = (params: MoverParams): TradingModel<MoverState> => ({
  initialState: { seen: 0, closes: {} },
  onUpdate(state, { quotes, view }): ModelOutput<MoverState> {
    const closes: Record<string, ReadonlyArray<number>> = { ...state.closes }
    const orders: OrderRequest[] = []
    const open = view.openOrders()
    for (const quote of quotes) {
      const history = [...(closes[quote.symbol] ?? []), quote.close].slice(-params.window)
      closes[quote.symbol] = history
      if (history.length < params.window) continue
      const average = history.reduce((a, b) => a + b, 0) / history.length
      const position = view.positionOf(quote.symbol)
      const mine = open.filter((o) => o.symbol === quote.symbol && o.tag !== null && o.tag.startsWith("model"))
      if (position.isZero() && quote.close > average && !mine.some((o) => o.side === "buy" && o.type === "market"))
        orders.push({ symbol: quote.symbol, side: "buy", type: "market", quantity: params.quantity + (state.seen % 3) * 5, tag: "model-entry" })
      else if (position.greaterThan(0) && quote.close < average && !mine.some((o) => o.side === "sell"))
        orders.push({ symbol: quote.symbol, side: "sell", type: "limit", quantity: position.toString(), limitPrice: cents(quote.close * 1.001), tag: "model-exit" })
      if ((state.seen + quote.symbol.length) % 7 === 0 && mine.length < 3)
        orders.push({ symbol: quote.symbol, side: "buy", type: "limit", quantity: params.quantity, limitPrice: cents(quote.close * 0.998), timeInForce: "day", tag: "model-dip" })
    }
    return { state: { seen: state.seen + 1, closes }, orders }
  }
})

export const modelSpec: ModelSpec = { kind: "crash-mover", params: { window: 5, quantity: 10 } }
export const modelFactories = { "crash-mover": (params: unknown) => moverModel(params as MoverParams) as TradingModel }

// ── The inputs ─────────────────────────────────────────────────────────────────────────────────

export interface Workload {
  readonly seed: number
  readonly inputs: ReadonlyArray<SimulationInput>
  readonly inputAt: (i: number) => SimulationInput
  /** updatesBefore[k]: market updates among the first k inputs (a cross-check of a recovered prefix). */
  readonly updatesBefore: Int32Array
  /** A checksum of all inputs: child and parent must have generated the same ones. */
  readonly fingerprint: string
}

const UPDATES_PER_DAY = 50
const DAY_MS = 86_400_000
const FIRST_SESSION = Date.UTC(2026, 0, 5, 14, 30)

/**
 * `inputs` inputs for `seed`: start, then market updates (bars, some ticks, 1–3 symbols, 50 a
 * day across days) mixed with direct submitOrder, cancelOrder and replaceOrder, then stop.
 *
 * Cancels and replaces need ids of orders open at that point, and ids depend on everything the
 * model did before, so the list is made by driving a reference instance along: still a pure
 * function of (inputs, seed). Every input is one the simulation accepts (checked here), which is
 * what lets the journal's sequence number double as "how many inputs are durable".
 */
export const buildWorkload = (inputs: number, seed: number): Workload => {
  if (inputs < 2) throw new Error("a workload needs at least start and stop")
  const rng = prng(seed)
  const reference = SimulationInstance.create(config, moverModel(modelSpec.params as MoverParams))
  const list: SimulationInput[] = []
  const updatesBefore = new Int32Array(inputs + 1)
  const prices: Record<string, number> = { AAPL: 190, MSFT: 410, NVDA: 120 }
  let update = 0

  const marketUpdate = (): SimulationInput => {
    const time = FIRST_SESSION + Math.floor(update / UPDATES_PER_DAY) * DAY_MS + (update % UPDATES_PER_DAY) * 60_000
    update += 1
    const symbols = rng.chance(0.8) ? SYMBOLS : SYMBOLS.filter(() => rng.chance(0.6))
    const chosen = symbols.length > 0 ? symbols : [SYMBOLS[rng.int(SYMBOLS.length)]!]
    if (rng.chance(0.1)) {
      const ticks: Record<string, number> = {}
      for (const s of chosen) ticks[s] = prices[s] = cents(prices[s]! * (1 + (rng.next() - 0.5) * 0.01))
      return { type: "marketUpdate", update: { time, prices: ticks } }
    }
    const bars: Record<string, { open: number; high: number; low: number; close: number; volume: number }> = {}
    for (const s of chosen) {
      // Integer cents keep high ≥ open, close ≥ low exact after rounding.
      const open = Math.round(prices[s]! * (1 + (rng.next() - 0.5) * 0.004) * 100)
      const close = Math.round(open * (1 + (rng.next() - 0.49) * 0.012))
      const high = Math.max(open, close) + rng.int(Math.ceil(open * 0.003))
      const low = Math.max(1, Math.min(open, close) - rng.int(Math.ceil(open * 0.003)))
      prices[s] = close / 100
      bars[s] = { open: open / 100, high: high / 100, low: low / 100, close: close / 100, volume: 1000 + rng.int(9000) }
    }
    return { type: "marketUpdate", update: { time, bars } }
  }

  const directOrder = (): SimulationInput => {
    const symbol = SYMBOLS[rng.int(SYMBOLS.length)]!
    const side = rng.chance(0.5) ? "buy" : "sell"
    const price = prices[symbol]!
    const quantity = rng.between(1, 10)
    const kind = rng.int(3)
    const request: OrderRequest =
      kind === 0
        ? { symbol, side, type: "market", quantity, tag: "direct" }
        : kind === 1
          ? { symbol, side, type: "limit", quantity, limitPrice: cents(price * (side === "buy" ? 0.997 : 1.003)), timeInForce: rng.chance(0.5) ? "day" : "gtc", tag: "direct" }
          : { symbol, side, type: "stop", quantity, stopPrice: cents(price * (side === "buy" ? 1.004 : 0.996)), tag: "direct" }
    return { type: "submitOrder", request }
  }

  const next = (i: number): SimulationInput => {
    if (i === 0) return { type: "start" }
    if (i === inputs - 1) return { type: "stop" }
    const roll = rng.next()
    if (roll < 0.8) return marketUpdate()
    if (roll < 0.9) return directOrder()
    const open = reference.engine.getOpenOrders()
    if (roll < 0.96 && open.length > 0) return { type: "cancelOrder", orderId: open[rng.int(open.length)]!.id }
    const replaceable = open.filter((o) => o.type === "limit" && o.status !== "submitted")
    if (replaceable.length > 0) {
      const order = replaceable[rng.int(replaceable.length)]!
      return { type: "replaceOrder", orderId: order.id, changes: { limitPrice: cents(Number(order.limitPrice) * (1 + (rng.next() - 0.5) * 0.004)) } }
    }
    return marketUpdate()
  }

  for (let i = 0; i < inputs; i++) {
    // Stored in journal form: the exact JSON the runtime journals and applies.
    const input = journalForm(next(i)).input
    const result = reference.apply(input)
    if (!result.ok) throw new Error(`workload input ${i} (${JSON.stringify(input)}) was refused: ${result.error.message}`)
    if (reference.engine.status === "failed") throw new Error(`workload input ${i}: the model failed: ${reference.engine.statusReason}`)
    reference.drainEvents()
    list.push(input)
    updatesBefore[i + 1] = updatesBefore[i]! + (input.type === "marketUpdate" ? 1 : 0)
  }

  return {
    seed,
    inputs: list,
    inputAt: (i) => list[i]!,
    updatesBefore,
    fingerprint: crc32(JSON.stringify(list)).toString(16).padStart(8, "0")
  }
}

/** The uninterrupted run: a fresh instance fed the workload's inputs in order. */
export const uninterruptedRun = (workload: Workload): SimulationInstance => {
  const instance = SimulationInstance.create(config, moverModel(modelSpec.params as MoverParams))
  for (const input of workload.inputs) {
    const result = instance.apply(input)
    if (!result.ok) throw new Error(`uninterrupted run refused ${JSON.stringify(input)}: ${result.error.message}`)
    instance.drainEvents()
  }
  return instance
}
