/**
 * Shared pieces of the engine tests: a frictionless config, an engine factory over it, bars,
 * times, market orders and an event recorder.
 */
import { TradingSimulationEngine, ValidationError } from "../../src/index.ts"
import type { BarInput, EngineEvent, EngineOptions, OrderRequest, PriceInput, SimulationConfigInput } from "../../src/index.ts"

/**
 * 100 000 of capital, no costs, positions up to the whole equity and no daily stop-loss, so that
 * a test switches on only what it is about. `extra` sets anything else (e.g. shorting).
 */
export const frictionless = (symbols: ReadonlyArray<string>, extra: SimulationConfigInput = {}): SimulationConfigInput => ({
  initialCapital: "100000",
  commissionRate: 0,
  slippageRate: 0,
  maxPositionSize: 1,
  dailyStopLoss: null,
  ...extra,
  symbols
})

/** An engine on `base`, with a test's own overrides. */
export const engineOn =
  (base: SimulationConfigInput) =>
  (config: SimulationConfigInput = {}, options: EngineOptions = {}): TradingSimulationEngine =>
    new TradingSimulationEngine({ ...base, ...config }, options)

/** A bar; the volume only when given. */
export const bar = (open: PriceInput, high: PriceInput, low: PriceInput, close: PriceInput, volume?: number): BarInput =>
  volume === undefined ? { open, high, low, close } : { open, high, low, close, volume }
/** A bar that trades at one price. */
export const flat = (p: PriceInput, volume?: number): BarInput => bar(p, p, p, p, volume)

export const DAY = 86_400_000
/** Monday 2024-01-01, 15:00 UTC, inside the session. */
export const MONDAY = Date.UTC(2024, 0, 1, 15, 0)
export const TUESDAY = MONDAY + DAY
/** `minutes` after `day`. */
export const at = (day: number, minutes: number): number => day + minutes * 60_000

/** Market orders in `symbol`; `extra` overrides any field (type, prices, time in force…). */
export const ordersIn = (symbol: string) => ({
  buy: (quantity: number | string, extra: Partial<OrderRequest> = {}): OrderRequest => ({ symbol, side: "buy", type: "market", quantity, ...extra }),
  sell: (quantity: number | string, extra: Partial<OrderRequest> = {}): OrderRequest => ({ symbol, side: "sell", type: "market", quantity, ...extra })
})
export const buy = (symbol: string, quantity: number | string, extra: Partial<OrderRequest> = {}): OrderRequest => ordersIn(symbol).buy(quantity, extra)
export const sell = (symbol: string, quantity: number | string, extra: Partial<OrderRequest> = {}): OrderRequest => ordersIn(symbol).sell(quantity, extra)

/** Records the events the engine delivers, in order: every one, or those `keep` accepts. */
export const record = (engine: TradingSimulationEngine, keep: (event: EngineEvent) => boolean = () => true): EngineEvent[] => {
  const events: EngineEvent[] = []
  engine.onEvent((event) => {
    if (keep(event)) events.push(event)
  })
  return events
}

/** The issues of the ValidationError `f` throws, as `field rule`; fails if it throws anything else or nothing. */
export const issuesOf = (f: () => unknown): string[] => {
  try {
    f()
  } catch (e) {
    if (e instanceof ValidationError) return e.issues.map((i) => `${i.field} ${i.rule}`)
    throw e
  }
  throw new Error("expected a ValidationError")
}

/** What `f` throws, or undefined when it returns. */
export const thrown = (f: () => unknown): unknown => {
  try {
    f()
  } catch (e) {
    return e
  }
  return undefined
}
