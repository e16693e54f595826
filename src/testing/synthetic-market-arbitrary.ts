import fc from "fast-check"
import {
  syntheticBars,
  type SyntheticMarketOptions,
  syntheticQuotes,
  syntheticTicks,
  updatesFromBars,
  updatesFromQuotes,
  updatesFromTicks
} from "../data/synthetic/index.ts"
import type { MarketUpdateInput } from "../domain/market-update.ts"
import { checkTestingOptions, wholeAtLeast } from "./testing-options.ts"

/**
 * Markets for property tests from the seeded synthetic generator: random but valid options
 * (regimes, jumps, gaps, flat stretches, correlations, tick sizes, sessions), and the first n
 * updates of the market they make. The options never shrink; the length does, and a shorter
 * market is a prefix of the longer one (the same seed and options give the same updates).
 */

const double = (min: number, max: number): fc.Arbitrary<number> => fc.double({ min, max, noNaN: true, noDefaultInfinity: true })

/**
 * A correlation matrix for n symbols: (1 − a)·U·Uᵀ + a·I with unit rows U, so symmetric, unit
 * diagonal, and positive definite (its smallest eigenvalue is at least a ≥ 0.05).
 */
const correlationArb = (n: number): fc.Arbitrary<ReadonlyArray<ReadonlyArray<number>>> =>
  fc
    .record({
      vectors: fc.array(fc.array(double(-1, 1), { minLength: 3, maxLength: 3 }), { minLength: n, maxLength: n }),
      identityWeight: double(0.05, 1)
    })
    .map(({ vectors, identityWeight: a }) => {
      const units = vectors.map((v) => {
        const norm = Math.hypot(...v)
        return norm < 1e-6 ? [1, 0, 0] : v.map((x) => x / norm)
      })
      const c = units.map(() => new Array<number>(n).fill(1))
      for (let i = 0; i < n; i++)
        for (let j = 0; j < i; j++) {
          const dot = units[i]!.reduce((sum, x, k) => sum + x * units[j]![k]!, 0)
          c[i]![j] = c[j]![i] = Math.max(-1, Math.min(1, (1 - a) * dot))
        }
      return c
    })

const sizeArb = (min: number, max: number) => fc.record({ mean: double(min, max), dispersion: double(0, 2) })

/** A session and a bar interval that fits in it. */
const scheduleArb = fc
  .record({ open: fc.integer({ min: 0, max: 1380 }), length: fc.integer({ min: 1, max: 1440 }), daily: fc.boolean(), share: double(0, 1) })
  .map(({ open, length, daily, share }) => {
    const minutes = Math.min(length, 1440 - open)
    const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`
    return {
      session: { open: hhmm(open), close: hhmm(open + minutes) },
      interval: daily ? ("1d" as const) : Math.max(1, Math.round(share * minutes))
    }
  })

/** Valid options for a synthetic market over the given symbols (default ["AAA", "BBB"]), any seed. */
export const syntheticMarketOptionsArb = (symbols: ReadonlyArray<string> = ["AAA", "BBB"]): fc.Arbitrary<SyntheticMarketOptions> =>
  fc
    .record({
      seed: fc.integer(),
      symbols: fc.tuple(...symbols.map((symbol) => fc.record({ symbol: fc.constant(symbol), price: double(0.01, 100_000), volatilityScale: double(0, 3) }))),
      correlation: fc.option(correlationArb(symbols.length), { nil: undefined }),
      regimes: fc.array(fc.record({ volatility: double(0, 1.5), drift: double(-0.5, 0.5), meanDuration: double(1, 200) }), { minLength: 1, maxLength: 3 }),
      jumps: fc.option(
        fc.record({
          intensity: double(0, 50),
          size: fc.oneof(
            fc.record({ distribution: fc.constant("normal" as const), mean: double(-0.3, 0.3), stdDev: double(0, 0.3) }),
            fc.record({ distribution: fc.constant("doubleExponential" as const), upProbability: double(0, 1), upMean: double(0.001, 0.3), downMean: double(0.001, 0.3) })
          )
        }),
        { nil: undefined }
      ),
      overnightGap: double(0, 0.1),
      flat: fc.option(fc.record({ probability: double(0, 0.3), meanLength: double(1, 20), volumeFraction: double(0, 1) }), { nil: undefined }),
      tickSize: fc.constantFrom(0.01, 0.05, 0.25, 1, 5, 0.0001, 0.000001),
      // Any minute from 2000 to 2030.
      start: fc.integer({ min: Date.UTC(2000, 0, 1) / 60_000, max: Date.UTC(2030, 0, 1) / 60_000 }).map((m) => m * 60_000),
      schedule: scheduleArb,
      intrabarSteps: fc.integer({ min: 1, max: 20 }),
      volume: sizeArb(0, 1e7),
      eventsPerMinute: double(0.01, 1000),
      tradeSize: sizeArb(1, 10_000),
      quoteSize: sizeArb(1, 10_000),
      spread: fc.record({ bps: double(0.1, 500), jitter: double(0, 2) })
    })
    .map(({ schedule, ...options }) => ({ ...options, ...schedule }))

export type SyntheticMarketShape = "bars" | "ticks" | "quotes"

export interface SyntheticMarketArbOptions {
  /** The symbols (default ["AAA", "BBB"]). */
  readonly symbols?: ReadonlyArray<string>
  /** Bars (`{ time, bars }`), ticks (`{ time, prices }`) or quotes (`{ time, quotes }`), or any of them per run (default "mixed"). */
  readonly shape?: SyntheticMarketShape | "mixed"
  /** Updates in a market (default 1 to 60). */
  readonly minLength?: number
  readonly maxLength?: number
}

/** The first `length` market updates of a synthetic market with these options, in the given shape. */
export const syntheticUpdates = (options: SyntheticMarketOptions, shape: SyntheticMarketShape, length: number): ReadonlyArray<MarketUpdateInput> => {
  switch (shape) {
    case "bars":
      return updatesFromBars(syntheticBars(options)).take(length)
    case "ticks":
      return updatesFromTicks(syntheticTicks(options)).take(length)
    case "quotes":
      return updatesFromQuotes(syntheticQuotes(options)).take(length)
  }
}

/**
 * Market updates (what `engine.processMarketUpdate` takes) from a synthetic market with random
 * valid options; every one is valid for a config with these symbols. Shrinks to shorter prefixes.
 */
export const syntheticMarketArb = (options: SyntheticMarketArbOptions = {}): fc.Arbitrary<ReadonlyArray<MarketUpdateInput>> => {
  checkTestingOptions(options, { minLength: wholeAtLeast(1), maxLength: wholeAtLeast(1) }, [["minLength", "maxLength"]])
  const shape = options.shape ?? "mixed"
  return fc
    .record({
      market: fc.noShrink(syntheticMarketOptionsArb(options.symbols)),
      shape: fc.noShrink(shape === "mixed" ? fc.constantFrom<SyntheticMarketShape>("bars", "ticks", "quotes") : fc.constant(shape)),
      length: fc.integer({ min: options.minLength ?? 1, max: options.maxLength ?? 60 })
    })
    .map(({ market, shape, length }) => syntheticUpdates(market, shape, length))
}
