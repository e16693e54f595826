import fc from "fast-check"
import type { MarketUpdateInput } from "../domain/market-update.ts"
import { checkTestingOptions, positive, someSymbols, wholeAtLeast } from "./testing-options.ts"

/**
 * Markets for property tests: price paths made of regimes, turned into well-formed OHLCV bars or
 * ticks for one or more symbols. A path is relative data (moves in basis points), so every shrink
 * of it is still a valid market: fewer segments, shorter segments, smaller moves.
 */

/** A generated OHLCV bar: numbers with at most 4 decimals, within [0.01, 1 000 000]. */
export interface GeneratedBar {
  readonly open: number
  readonly high: number
  readonly low: number
  readonly close: number
  readonly volume: number
}

/** How a stretch of a price path moves. */
export type PriceRegime = "trend" | "volatile" | "flat" | "gap" | "crash"

/** One stretch of a path: its regime, a drift per step, and per step a random move and a wick size (−100…100). */
export interface PathSegment {
  readonly regime: PriceRegime
  /** Basis points per step: a trend's drift, a gap's jump at its first step, a crash's fall per step. */
  readonly driftBp: number
  readonly steps: ReadonlyArray<readonly [move: number, wick: number]>
}

/** One step of a path: the open relative to the previous close, and the close and wicks relative to the open, in basis points. */
interface Move {
  readonly openBp: number
  readonly closeBp: number
  readonly wickBp: number
}

const shock = fc.integer({ min: -100, max: 100 })

export const pathSegmentArb: fc.Arbitrary<PathSegment> = fc.record({
  regime: fc.oneof(
    { weight: 4, arbitrary: fc.constant<PriceRegime>("trend") },
    { weight: 3, arbitrary: fc.constant<PriceRegime>("volatile") },
    { weight: 2, arbitrary: fc.constant<PriceRegime>("flat") },
    { weight: 1, arbitrary: fc.constant<PriceRegime>("gap") },
    { weight: 1, arbitrary: fc.constant<PriceRegime>("crash") }
  ),
  driftBp: fc.integer({ min: -100, max: 100 }),
  steps: fc.array(fc.tuple(shock, shock), { minLength: 1, maxLength: 15 })
})

const moveOf = (segment: PathSegment, step: readonly [number, number], first: boolean): Move => {
  const [move, wick] = step
  const wickBp = Math.abs(wick) // up to 1 %
  switch (segment.regime) {
    case "trend":
      return { openBp: 0, closeBp: segment.driftBp + move / 2, wickBp }
    case "volatile":
      return { openBp: move / 4, closeBp: move * 4, wickBp: wickBp * 3 }
    case "flat":
      return { openBp: 0, closeBp: 0, wickBp: 0 }
    case "gap":
      // The whole jump between the previous close and this open: 5–35 %, either way.
      return { openBp: first ? Math.sign(segment.driftBp || 1) * (500 + Math.abs(segment.driftBp) * 30) : 0, closeBp: move / 2, wickBp }
    case "crash":
      // 2–12 % down per step, opening lower still.
      return { openBp: -Math.abs(move), closeBp: -(200 + Math.abs(segment.driftBp) * 10), wickBp: wickBp * 2 }
  }
}

const MIN_PRICE = 0.01
const MAX_PRICE = 1_000_000
/** Rounds to 4 decimals within [MIN_PRICE, MAX_PRICE]: the shortest string of the number has at most 4 decimals. */
const price = (x: number): number => Math.min(MAX_PRICE, Math.max(MIN_PRICE, Math.round(x * 10_000) / 10_000))
const applyBp = (x: number, bp: number): number => price(x * (1 + bp / 10_000))

/** Bars along a path of segments from a start price: open, high ≥ max(open, close), low ≤ min(open, close), all positive and finite. */
export const barsAlong = (start: number, segments: ReadonlyArray<PathSegment>): ReadonlyArray<GeneratedBar> => {
  const bars: GeneratedBar[] = []
  let close = price(start)
  for (const segment of segments)
    segment.steps.forEach((step, i) => {
      const m = moveOf(segment, step, i === 0)
      const open = applyBp(close, m.openBp)
      close = applyBp(open, m.closeBp)
      const high = Math.max(open, close, applyBp(Math.max(open, close), m.wickBp))
      const low = Math.min(open, close, applyBp(Math.min(open, close), -m.wickBp))
      bars.push({ open, high, low, close, volume: 1000 + Math.abs(step[0]) * 10 })
    })
  return bars
}

export interface PricePathOptions {
  /** The price before the first step (default 100; for `marketArb`, each symbol's own from 1 to 2000). */
  readonly start?: number
  /** Regime segments (1–15 steps each); default 1 to 4. */
  readonly minSegments?: number
  readonly maxSegments?: number
}

const segmentsArb = (options: PricePathOptions) => {
  checkTestingOptions(options, { start: positive, minSegments: wholeAtLeast(1), maxSegments: wholeAtLeast(1) }, [["minSegments", "maxSegments"]])
  return fc.array(pathSegmentArb, { minLength: options.minSegments ?? 1, maxLength: options.maxSegments ?? 4 })
}

/** Closing prices along regimes: trends, volatile stretches, flat stretches, gaps and crashes. Positive, finite, at most 4 decimals. */
export const pricePathArb = (options: PricePathOptions = {}): fc.Arbitrary<ReadonlyArray<number>> =>
  segmentsArb(options).map((segments) => barsAlong(options.start ?? 100, segments).map((b) => b.close))

/** A single well-formed OHLCV bar around a price (default 1–1000). */
export const ohlcvBarArb = (options: { readonly start?: number } = {}): fc.Arbitrary<GeneratedBar> => {
  checkTestingOptions(options, { start: positive })
  return fc
    .record({ start: options.start === undefined ? fc.integer({ min: 1, max: 1000 }) : fc.constant(options.start), segment: pathSegmentArb })
    .map(({ start, segment }) => barsAlong(start, [{ ...segment, steps: segment.steps.slice(0, 1) }])[0]!)
}

export interface MarketOptions extends PricePathOptions {
  /** The symbols; each gets its own path (default ["AAA", "BBB"]). A symbol whose path has ended is absent from later updates. */
  readonly symbols?: ReadonlyArray<string>
  /** Bars (`{ time, bars }`), ticks (`{ time, prices }`: the close), or either per run (default bars). */
  readonly shape?: "bars" | "ticks" | "mixed"
  /** ms since the epoch of the first update (default 2024-01-02 14:30 UTC). */
  readonly startTime?: number
  /** Updates per trading day, one minute apart; each day starts a new UTC date (default 5). */
  readonly updatesPerDay?: number
}

const MS_PER_DAY = 86_400_000
const MS_PER_MINUTE = 60_000

/**
 * Market updates for the given symbols, in time order, each carrying at least one symbol: what
 * `engine.processMarketUpdate` takes. Every one of them is valid for a config with these symbols.
 */
export const marketArb = (options: MarketOptions = {}): fc.Arbitrary<ReadonlyArray<MarketUpdateInput>> => {
  checkTestingOptions(options, { symbols: someSymbols, updatesPerDay: wholeAtLeast(1) })
  const symbols = options.symbols ?? ["AAA", "BBB"]
  const startTime = options.startTime ?? Date.UTC(2024, 0, 2, 14, 30)
  const perDay = options.updatesPerDay ?? 5
  const shape = options.shape ?? "bars"
  const shapes = shape === "mixed" ? fc.constantFrom<"bars" | "ticks">("bars", "ticks") : fc.constant(shape)
  return fc
    .record({
      shape: shapes,
      paths: fc.tuple(...symbols.map(() => fc.record({ start: options.start === undefined ? fc.integer({ min: 1, max: 2000 }) : fc.constant(options.start), segments: segmentsArb(options) })))
    })
    .map(({ shape, paths }) => {
      const bars = paths.map((p) => barsAlong(p.start, p.segments))
      const length = Math.max(...bars.map((b) => b.length))
      return Array.from({ length }, (_, i): MarketUpdateInput => {
        const time = startTime + Math.floor(i / perDay) * MS_PER_DAY + (i % perDay) * MS_PER_MINUTE
        const present = symbols.flatMap((symbol, s) => (bars[s]![i] === undefined ? [] : [[symbol, bars[s]![i]!] as const]))
        return shape === "bars"
          ? { time, bars: Object.fromEntries(present) }
          : { time, prices: Object.fromEntries(present.map(([symbol, bar]) => [symbol, bar.close])) }
      })
    })
}

/** Tick streams (`{ time, prices }`): `marketArb` with ticks (bid/ask quote streams come from `syntheticMarketArb`). */
export const tickStreamArb = (options: Omit<MarketOptions, "shape"> = {}): fc.Arbitrary<ReadonlyArray<MarketUpdateInput>> =>
  marketArb({ ...options, shape: "ticks" })
