/**
 * Engine scenarios, the arbitraries paperfloor's own property tests run on: a random config, a
 * random market (OHLCV bars and ticks for 1–3 symbols, with gaps, intraday steps and new days)
 * and a random stream of order commands (submit, cancel, replace) between its updates.
 *
 * A scenario is *relative* data (moves in basis points, order prices as offsets from the last
 * price, cancel/replace targets as indices into the open or all orders so far, quantities either
 * literal or sized from the account) so that every shrink of it is still a valid scenario.
 * `materializeMarket` turns it into concrete updates, exactly and deterministically; order prices,
 * sizes and targets are resolved against the engine while replaying (see ./order-commands.ts).
 */
import fc from "fast-check"
import { Decimal } from "../domain/decimal.ts"
import type { MarketUpdateInput } from "../domain/market-update.ts"
import type { OrderSide, OrderType, TimeInForce } from "../domain/order.ts"
import type { SimulationConfigInput } from "../domain/simulation-config.ts"
import { simulationConfigArb } from "./config-arbitrary.ts"

export const SYMBOLS = ["AAA", "BBB", "CCC"] as const

// ── Config ──────────────────────────────────────────────────────────────

/**
 * The advanced execution options, each sometimes: volume-participation caps (with either cash
 * policy) and an instrument (tick, lot, minimum quantity) for the first symbol.
 */
const executionOptionsArb: fc.Arbitrary<Pick<SimulationConfigInput, "volumeParticipation" | "partialFillCash" | "instruments">> = fc
  .record({
    volumeParticipation: fc.option(fc.constantFrom(0.05, 0.1, 0.29, 0.5, 1), { nil: undefined, freq: 3 }),
    partialFillCash: fc.option(fc.constantFrom("reject" as const, "resize" as const), { nil: undefined, freq: 2 }),
    instrument: fc.option(
      fc.record({
        tickSize: fc.constantFrom(undefined, "0.01", "0.05", "0.0001"),
        lotSize: fc.constantFrom(undefined, 1, 5, "0.5"),
        minQuantity: fc.constantFrom(undefined, 2, "0.5")
      }),
      { nil: undefined, freq: 3 }
    )
  })
  .map(({ volumeParticipation, partialFillCash, instrument }) => ({
    ...(volumeParticipation !== undefined ? { volumeParticipation } : {}),
    ...(partialFillCash !== undefined ? { partialFillCash } : {}),
    ...(instrument !== undefined
      ? { instruments: { AAA: Object.fromEntries(Object.entries(instrument).filter(([, v]) => v !== undefined)) } }
      : {})
  }))

/** Configs over the first 1–3 of SYMBOLS, sometimes with the advanced execution options. */
export const configArb: fc.Arbitrary<SimulationConfigInput> = fc
  .tuple(simulationConfigArb({ symbols: fc.integer({ min: 1, max: 3 }).map((n) => SYMBOLS.slice(0, n)) }), executionOptionsArb)
  .map(([config, options]) => ({ ...config, ...options }))

// ── Market ──────────────────────────────────────────────────────────────

/** How an update's prices are written: numbers with ≤ 4 decimals, 4-decimal strings, or 8-decimal strings. */
export type PriceFormat = "num4" | "str4" | "str8"

/** One symbol's move on one update, in basis points. */
export interface SymbolMove {
  /** Open relative to the previous close: mostly small, sometimes a gap. */
  readonly gapBp: number
  /** Close relative to the open. */
  readonly closeBp: number
  /** How far the high reaches above max(open, close), and the low below min(open, close). */
  readonly highBp: number
  readonly lowBp: number
  /** The bar's volume (ticks have none); absent: 1000 + the symbol's slot. Small ones make volume caps bite. */
  readonly volume?: number
}

export type TimeStep =
  | { readonly kind: "sameDay"; readonly minutes: number }
  | { readonly kind: "nextDay"; readonly days: number; readonly minute: number }
  /** No `time` field: the update belongs to the same trading day as the one before. */
  | { readonly kind: "none" }

export interface UpdateSpec {
  readonly time: TimeStep
  /** A quote's bid and ask lie `lowBp` below and `highBp` above its open (its mid is between them). */
  readonly shape: "bar" | "tick" | "bareTick" | "quote"
  readonly format: PriceFormat
  /** One slot per symbol (only the config's symbols are used); null = the symbol is not in this update. */
  readonly moves: ReadonlyArray<SymbolMove | null>
}

const gapBp = fc.oneof(
  { weight: 10, arbitrary: fc.integer({ min: -30, max: 30 }) },
  { weight: 3, arbitrary: fc.integer({ min: -400, max: 400 }) },
  // Gaps: the next open far from the previous close.
  { weight: 1, arbitrary: fc.integer({ min: -3000, max: 3000 }) }
)

export const symbolMoveArb: fc.Arbitrary<SymbolMove> = fc
  .record({
    gapBp,
    closeBp: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: -150, max: 150 }) }, { weight: 1, arbitrary: fc.integer({ min: -1000, max: 1000 }) }),
    highBp: fc.integer({ min: 0, max: 300 }),
    lowBp: fc.integer({ min: 0, max: 300 }),
    volume: fc.option(fc.integer({ min: 0, max: 400 }), { nil: undefined, freq: 3 })
  })
  .map(({ volume, ...move }) => (volume === undefined ? move : { ...move, volume }))

export const timeStepArb: fc.Arbitrary<TimeStep> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant("sameDay" as const), minutes: fc.integer({ min: 1, max: 90 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("nextDay" as const), days: fc.integer({ min: 1, max: 3 }), minute: fc.integer({ min: 0, max: 60 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: "none" as const }) }
)

export const updateSpecArb: fc.Arbitrary<UpdateSpec> = fc.record({
  time: timeStepArb,
  shape: fc.oneof(
    { weight: 6, arbitrary: fc.constant("bar" as const) },
    { weight: 2, arbitrary: fc.constant("tick" as const) },
    { weight: 1, arbitrary: fc.constant("bareTick" as const) },
    { weight: 1, arbitrary: fc.constant("quote" as const) }
  ),
  format: fc.constantFrom<PriceFormat>("num4", "str4", "str8"),
  moves: fc.tuple(
    fc.option(symbolMoveArb, { freq: 8, nil: null }),
    fc.option(symbolMoveArb, { freq: 4, nil: null }),
    fc.option(symbolMoveArb, { freq: 4, nil: null })
  )
})

// ── Orders ──────────────────────────────────────────────────────────────

/** 1–500 whole units as a number or string, or a fractional quantity as a string ("0.5", "12.25"). */
export const quantityArb: fc.Arbitrary<number | string> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 500 }) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 60 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 500 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom("0.5", "0.25", "1.5", "2.75", "0.001") },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 50_000 }).map((c) => `${Math.floor(c / 100)}.${String(c % 100).padStart(2, "0")}`).filter((s) => s !== "0.00") }
)

/**
 * An order's quantity: a literal (1–500, or fractional), or sized at replay from the account, as
 * strategies do: a multiple of the current position (close it, reverse it) or a fraction of
 * equity at the last price (what makes cash and position limits bite, at the check and at the fill).
 */
export type QuantitySpec =
  | { readonly kind: "literal"; readonly value: number | string }
  | { readonly kind: "position"; readonly factor: 0.5 | 1 | 2 }
  | { readonly kind: "equity"; readonly percent: number }
  /** A percentage of what the position-size limit allows at the last price: passes the check, then meets the market. */
  | { readonly kind: "cap"; readonly percent: number }

export const quantitySpecArb: fc.Arbitrary<QuantitySpec> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("literal" as const), value: quantityArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("position" as const), factor: fc.constantFrom<0.5 | 1 | 2>(1, 2, 0.5) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("equity" as const), percent: fc.integer({ min: 5, max: 130 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("cap" as const), percent: fc.integer({ min: 98, max: 100 }) }) }
)

/** An order price as an offset from the last price, in basis points: near it, on either side. */
const priceOffsetBp = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: -200, max: 200 }) }, { weight: 1, arbitrary: fc.integer({ min: -1500, max: 1500 }) })

export interface SubmitSpec {
  readonly kind: "submit"
  readonly symbol: number
  readonly side: OrderSide
  readonly type: OrderType
  readonly quantity: QuantitySpec
  /** limit = last × (1 + limitBp/1e4) for limits; for stop-limits, stop × (1 + limitBp/1e4). */
  readonly limitBp: number
  /** stop = last × (1 + stopBp/1e4); when `stopBeyondMarket`, |stopBp| on the side a stop is meant for (buy above, sell below). */
  readonly stopBp: number
  readonly stopBeyondMarket: boolean
  readonly timeInForce: TimeInForce | undefined
  readonly priceAsString: boolean
  /** For gtd: expireAt is this many minutes after the last update's time (negative: already past). */
  readonly expireAfterMinutes?: number
}

/**
 * Which order a cancel or replace targets: the `pick`-th (mod their number) of the orders still
 * open, or of all orders so far (final ones included, to exercise the typed refusals).
 */
export interface OrderPick {
  readonly among: "open" | "all"
  readonly pick: number
}

export interface CancelSpec {
  readonly kind: "cancel"
  readonly target: OrderPick
}

export interface ReplaceSpec {
  readonly kind: "replace"
  readonly target: OrderPick
  readonly quantity: QuantitySpec | null
  readonly limitBp: number | null
  readonly stopBp: number | null
}

/**
 * An order list around a submit spec's symbol, side and quantity: an OCO pair (a limit on the
 * favourable side of the market and a stop, or trailing stop, beyond it), or an OTO or bracket
 * whose entry is the spec's order and whose children close it (a take profit `limitBp` beyond the
 * last price, a stop-loss `stopBp` behind it: a stop, a stop-limit or a trailing stop).
 */
export interface ListSpec {
  readonly kind: "submitList"
  readonly list: "oco" | "oto" | "bracket"
  readonly entry: SubmitSpec
  readonly limitBp: number
  readonly stopBp: number
  readonly stopType: "stop" | "stopLimit" | "trailingStop"
  /** For an OTO: which child it has. */
  readonly otoChild: "takeProfit" | "stopLoss"
}

export type CommandSpec = SubmitSpec | CancelSpec | ReplaceSpec | ListSpec

export const submitArb: fc.Arbitrary<SubmitSpec> = fc.record({
  kind: fc.constant("submit" as const),
  symbol: fc.nat({ max: 2 }),
  side: fc.constantFrom<OrderSide>("buy", "sell"),
  type: fc.oneof(
    { weight: 3, arbitrary: fc.constant<OrderType>("market") },
    { weight: 3, arbitrary: fc.constant<OrderType>("limit") },
    { weight: 2, arbitrary: fc.constant<OrderType>("stop") },
    { weight: 2, arbitrary: fc.constant<OrderType>("stopLimit") },
    { weight: 1, arbitrary: fc.constant<OrderType>("trailingStop") }
  ),
  quantity: quantitySpecArb,
  limitBp: priceOffsetBp,
  stopBp: priceOffsetBp,
  stopBeyondMarket: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  timeInForce: fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom<TimeInForce | undefined>(undefined, "day", "gtc") },
    { weight: 2, arbitrary: fc.constantFrom<TimeInForce>("ioc", "fok", "gtd", "opg", "cls") }
  ),
  priceAsString: fc.boolean(),
  expireAfterMinutes: fc.oneof(fc.integer({ min: -5, max: 120 }), fc.integer({ min: 120, max: 5000 }))
})

export const orderPickArb: fc.Arbitrary<OrderPick> = fc.record({
  among: fc.oneof({ weight: 3, arbitrary: fc.constant("open" as const) }, { weight: 1, arbitrary: fc.constant("all" as const) }),
  pick: fc.nat({ max: 1000 })
})

export const listArb: fc.Arbitrary<ListSpec> = fc.record({
  kind: fc.constant("submitList" as const),
  list: fc.constantFrom<ListSpec["list"]>("oco", "oto", "bracket"),
  entry: submitArb,
  limitBp: fc.integer({ min: 1, max: 800 }),
  stopBp: fc.integer({ min: 1, max: 800 }),
  stopType: fc.constantFrom<ListSpec["stopType"]>("stop", "stopLimit", "trailingStop"),
  otoChild: fc.constantFrom<ListSpec["otoChild"]>("takeProfit", "stopLoss")
})

export const commandArb: fc.Arbitrary<CommandSpec> = fc.oneof(
  { weight: 6, arbitrary: submitArb },
  { weight: 2, arbitrary: listArb },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("cancel" as const), target: orderPickArb }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("replace" as const),
      target: orderPickArb,
      quantity: fc.option(quantitySpecArb, { nil: null }),
      limitBp: fc.option(priceOffsetBp, { nil: null }),
      stopBp: fc.option(priceOffsetBp, { nil: null })
    })
  }
)

// ── Scenarios ───────────────────────────────────────────────────────────

export interface Step {
  /** Commands sent before the update. */
  readonly commands: ReadonlyArray<CommandSpec>
  readonly update: UpdateSpec
}

/**
 * A symbol's starting price: absolute (in 1e-4 units), or the initial capital divided by a
 * number, so that 1–500 units of it are a sizeable part of the account whatever its capital
 * (that is what makes cash and position-size limits bite, at the check and at the fill).
 */
export type PriceSeed = { readonly kind: "absolute"; readonly units: number } | { readonly kind: "perCapital"; readonly divisor: number }

export interface Scenario {
  readonly config: SimulationConfigInput
  /**
   * null: the default bar fill model (orders fill whole). A quantity: a fill model that wraps the
   * default one and fills at most that much per update, so orders spend updates partly filled
   * (where cancel, replace, expiry and refusals at the fill meet them).
   */
  readonly fillChunk: number | string | null
  readonly basePrices: readonly [PriceSeed, PriceSeed, PriceSeed]
  readonly steps: ReadonlyArray<Step>
}

const priceSeedArb: fc.Arbitrary<PriceSeed> = fc.oneof(
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("absolute" as const), units: fc.oneof(fc.integer({ min: 1, max: 300 }).map((p) => p * 10_000), fc.integer({ min: 100, max: 3_000_000 })) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("perCapital" as const), divisor: fc.oneof(fc.integer({ min: 2, max: 50 }), fc.integer({ min: 50, max: 2000 })) }) }
)

/** A symbol slot's starting price in 1e-4 units, within [0.01, 100000]. */
export const startUnits = (scenario: Scenario, slot: number): number => {
  const seed = scenario.basePrices[slot]!
  const units = seed.kind === "absolute" ? seed.units : Math.round((Number(scenario.config.initialCapital ?? 100_000) / seed.divisor) * 10_000)
  return Math.min(1e9, Math.max(100, units))
}

export const stepArb: fc.Arbitrary<Step> = fc.record({
  commands: fc.array(commandArb, { maxLength: 3 }),
  update: updateSpecArb
})

export const scenarioArb = (maxSteps = 40): fc.Arbitrary<Scenario> =>
  fc.record({
    config: configArb,
    fillChunk: fc.oneof(
      { weight: 3, arbitrary: fc.constant(null) },
      { weight: 1, arbitrary: fc.oneof(fc.integer({ min: 1, max: 100 }), fc.constantFrom("0.5", "2.5", "12.75")) }
    ),
    basePrices: fc.tuple(priceSeedArb, priceSeedArb, priceSeedArb),
    steps: fc.array(stepArb, { minLength: 1, maxLength: maxSteps, size: "max" })
  })

// ── Materialising a market ──────────────────────────────────────────────

/** One symbol's exact prices in an update, as decimal strings. */
export interface ExactQuote {
  readonly open: string
  readonly high: string
  readonly low: string
  readonly close: string
}

export interface MaterializedUpdate {
  readonly input: MarketUpdateInput
  /** The update's time as the engine will see it (the previous one when the update has none). */
  readonly time: number | null
  /** UTC trading day (days since the epoch), the previous update's when it has no time. */
  readonly day: number | null
  readonly quotes: ReadonlyMap<string, ExactQuote>
}

export const BASE_TIME = Date.UTC(2024, 0, 2, 14, 30)
const MS_PER_MINUTE = 60_000
const MS_PER_DAY = 86_400_000
// Prices are integers of 1e-8: exact, and ordered as integers whatever their format.
const UNIT = 1e8
const MIN_UNITS = 1_000_000 // 0.01
const MAX_UNITS = 1e13 // 100000

const unitsToString = (u: number, decimals: 4 | 8): string => {
  const int = Math.floor(u / UNIT)
  const frac = String(u - int * UNIT).padStart(8, "0")
  return `${int}.${decimals === 4 ? frac.slice(0, 4) : frac}`
}

/** Applies basis points to a price in units and rounds to the format's grid. */
const move = (u: number, bp: number, grid: number): number => {
  const raw = Math.round((u * (1 + bp / 10_000)) / grid) * grid
  return Math.min(MAX_UNITS, Math.max(MIN_UNITS, raw))
}

const nextTime = (previous: number | null, step: TimeStep): number | null => {
  const from = previous ?? BASE_TIME
  switch (step.kind) {
    case "none":
      return previous
    case "sameDay":
      return from + step.minutes * MS_PER_MINUTE
    case "nextDay": {
      const day = Math.floor(from / MS_PER_DAY) + step.days
      return day * MS_PER_DAY + 14.5 * 60 * MS_PER_MINUTE + step.minute * MS_PER_MINUTE
    }
  }
}

/** Turns a scenario's relative market into concrete, valid updates. Pure and deterministic. */
export const materializeMarket = (scenario: Scenario): ReadonlyArray<MaterializedUpdate> => {
  const symbols = (scenario.config.symbols ?? SYMBOLS) as ReadonlyArray<string>
  const closes = [0, 1, 2].map((slot) => startUnits(scenario, slot) * 10_000) // 1e-4 → 1e-8 units
  let time: number | null = null
  const out: MaterializedUpdate[] = []
  for (const step of scenario.steps) {
    const spec = step.update
    time = nextTime(time, spec.time)
    const grid = spec.format === "str8" ? 1 : 10_000
    const decimals = spec.format === "str8" ? 8 : 4
    const quotes = new Map<string, ExactQuote>()
    const present: Array<SymbolMove | null> = symbols.map((_, i) => spec.moves[i] ?? null)
    // Every update carries at least one symbol: when the slots say none, the first one, unmoved.
    if (!present.some((m) => m !== null)) present[0] = { gapBp: 0, closeBp: 0, highBp: 0, lowBp: 0 }
    const write = (u: number): string | number => {
      const s = unitsToString(u, decimals)
      return spec.format === "num4" ? Number(s) : s
    }
    const bars: Record<string, { open: string | number; high: string | number; low: string | number; close: string | number; volume: number }> = {}
    const prices: Record<string, string | number> = {}
    const bidAsk: Record<string, { bid: string | number; ask: string | number }> = {}
    present.forEach((m, i) => {
      if (m === null) return
      const symbol = symbols[i]!
      const open = move(closes[i]!, m.gapBp, grid)
      if (spec.shape === "bar") {
        const close = move(open, m.closeBp, grid)
        const high = Math.max(open, close, move(Math.max(open, close), m.highBp, grid))
        const low = Math.min(open, close, move(Math.min(open, close), -m.lowBp, grid))
        bars[symbol] = { open: write(open), high: write(high), low: write(low), close: write(close), volume: m.volume ?? 1000 + i }
        quotes.set(symbol, { open: unitsToString(open, decimals), high: unitsToString(high, decimals), low: unitsToString(low, decimals), close: unitsToString(close, decimals) })
        closes[i] = close
      } else if (spec.shape === "quote") {
        const bid = Math.min(open, move(open, -m.lowBp, grid))
        const ask = Math.max(open, move(open, m.highBp, grid))
        bidAsk[symbol] = { bid: write(bid), ask: write(ask) }
        // Marked at the mid, which may need one more decimal than the grid.
        const mid = new Decimal(unitsToString(bid, decimals)).plus(unitsToString(ask, decimals)).dividedBy(2).toString()
        quotes.set(symbol, { open: mid, high: unitsToString(ask, decimals), low: unitsToString(bid, decimals), close: mid })
        closes[i] = (bid + ask) / 2
      } else {
        prices[symbol] = write(open)
        const s = unitsToString(open, decimals)
        quotes.set(symbol, { open: s, high: s, low: s, close: s })
        closes[i] = open
      }
    })
    const t = spec.time.kind === "none" ? null : time
    const input: MarketUpdateInput =
      spec.shape === "bar"
        ? t !== null ? { time: t, bars } : { bars }
        : spec.shape === "quote"
          ? t !== null ? { time: t, quotes: bidAsk } : { quotes: bidAsk }
        : spec.shape === "tick"
          ? t !== null ? { time: t, prices } : { prices }
          : t !== null ? { time: t, ...prices } : { ...prices }
    out.push({ input, time, day: time === null ? null : Math.floor(time / MS_PER_DAY), quotes })
  }
  return out
}

/** The starting price of a symbol slot as a number (what orders before its first update are priced from). */
export const basePrice = (scenario: Scenario, slot: number): number => startUnits(scenario, slot) / 10_000
