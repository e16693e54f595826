import { describe, expect, it } from "vitest"
import { SyntheticMarketError, type SyntheticMarketOptions, syntheticBars, syntheticQuotes, syntheticTicks } from "../../../src/data/synthetic/index.ts"

const errorOf = (options: unknown): SyntheticMarketError => {
  try {
    syntheticBars(options as SyntheticMarketOptions)
  } catch (error) {
    if (error instanceof SyntheticMarketError) return error
    throw error
  }
  throw new Error("no error")
}

describe("options are checked before anything is generated", () => {
  it.each<[string, string, Record<string, unknown>, RegExp]>([
    ["a missing seed", "seed", { seed: undefined }, /safe integer/],
    ["a fractional seed", "seed", { seed: 1.5 }, /safe integer/],
    ["no symbols", "symbols", { symbols: [] }, /at least 1/],
    ["a bad symbol", "symbols[0]", { symbols: ["A B"] }, /letters, digits/],
    ["a bad symbol in an object", "symbols[0].symbol", { symbols: [{ symbol: "" }] }, /letters, digits/],
    ["a repeated symbol", "symbols[2]", { symbols: ["A", "B", "A"] }, /repeat/],
    ["a zero price", "symbols[0].price", { symbols: [{ symbol: "A", price: 0 }] }, /above 0/],
    ["a price above the grid", "symbols[0].price", { symbols: [{ symbol: "A", price: 6e9 }] }, /at most 5000000000/],
    ["an infinite price", "symbols[0].price", { symbols: [{ symbol: "A", price: Infinity }] }, /finite/],
    ["a negative volatility scale", "symbols[0].volatilityScale", { symbols: [{ symbol: "A", volatilityScale: -1 }] }, /from 0 to 10/],
    ["no regimes", "regimes", { regimes: [] }, /at least 1/],
    ["a regime without volatility", "regimes[0].volatility", { regimes: [{ drift: 0.1 }] }, /finite number from 0 to 10/],
    ["a NaN drift", "regimes[1].drift", { regimes: [{ volatility: 0.2 }, { volatility: 0.1, drift: Number.NaN }] }, /finite/],
    ["a regime shorter than an update", "regimes[0].meanDuration", { regimes: [{ volatility: 0.2, meanDuration: 0.5 }] }, /from 1/],
    ["negative jump intensity", "jumps.intensity", { jumps: { intensity: -1 } }, /from 0 to 1000/],
    ["an unknown jump distribution", "jumps.size.distribution", { jumps: { intensity: 1, size: { distribution: "cauchy" } } }, /"normal" or "doubleExponential"/],
    ["a jump stdDev below 0", "jumps.size.stdDev", { jumps: { intensity: 1, size: { distribution: "normal", mean: 0, stdDev: -0.1 } } }, /from 0/],
    ["a zero mean up-jump", "jumps.size.upMean", { jumps: { intensity: 1, size: { distribution: "doubleExponential", upProbability: 0.5, upMean: 0, downMean: 0.1 } } }, /above 0/],
    ["an up-probability above 1", "jumps.size.upProbability", { jumps: { intensity: 1, size: { distribution: "doubleExponential", upProbability: 2, upMean: 0.1, downMean: 0.1 } } }, /from 0 to 1/],
    ["a negative gap", "overnightGap", { overnightGap: -0.01 }, /from 0 to 1/],
    ["a flat probability above 1", "flat.probability", { flat: { probability: 1.5 } }, /from 0 to 1/],
    ["a flat stretch shorter than an update", "flat.meanLength", { flat: { probability: 0.1, meanLength: 0 } }, /from 1/],
    ["a zero tick", "tickSize", { tickSize: 0 }, /from 0.000001 to 1000/],
    ["a tick with too many decimals", "tickSize", { tickSize: 0.0000015 }, /at most 6 decimals/],
    ["a tick off any decimal", "tickSize", { tickSize: 1 / 3 }, /at most 6 decimals/],
    ["a start that is not a time", "start", { start: "soon" }, /ISO-8601/],
    ["an unknown interval", "interval", { interval: "1w" }, /integer from 1 to 390/],
    ["an interval longer than the session", "interval", { interval: 391 }, /integer from 1 to 390/],
    ["a session time out of range", "session.open", { session: { open: "9:30", close: "16:00" } }, /HH:MM/],
    ["a session closing before it opens", "session.close", { session: { open: "16:00", close: "09:30" } }, /after session.open/],
    ["zero intrabar steps", "intrabarSteps", { intrabarSteps: 0 }, /integer from 1/],
    ["a negative volume", "volume.mean", { volume: { mean: -1 } }, /from 0/],
    ["a wild volume dispersion", "volume.dispersion", { volume: { mean: 1, dispersion: 10 } }, /from 0 to 3/],
    ["no events", "eventsPerMinute", { eventsPerMinute: 0 }, /above 0/],
    ["a trade size below 1", "tradeSize.mean", { tradeSize: { mean: 0.5 } }, /from 1/],
    ["a quote size that is not a number", "quoteSize.mean", { quoteSize: { mean: "500" } }, /finite/],
    ["a zero spread", "spread.bps", { spread: { bps: 0 } }, /above 0/],
    ["a misspelt option", "voltility", { voltility: 0.3 }, /is not a known option \(seed, symbols,/],
    ["a misspelt regime field", "regimes[0].drfit", { regimes: [{ volatility: 0.3, drfit: 0.1 }] }, /is not a known option \(volatility, drift, meanDuration\)/],
    ["a misspelt session field", "session.opens", { session: { opens: "09:30", close: "16:00" } }, /is not a known option/],
    ["a correlation of the wrong size", "correlation", { symbols: ["A", "B"], correlation: [[1]] }, /2×2/]
  ])("%s: the error names %s", (_, field, options, rule) => {
    const error = errorOf({ seed: 1, ...options })
    expect(error._tag).toBe("SyntheticMarketError")
    expect(error.field).toBe(field)
    expect(error.rule).toMatch(rule)
    expect(error.message).toContain(`synthetic market: ${field} `)
  })

  it("options must be an object; ticks and quotes check the same options", () => {
    expect(errorOf(null)).toMatchObject({ field: "(options)", rule: "must be an object" })
    expect(() => syntheticTicks({ seed: 1, eventsPerMinute: -1 })).toThrow(SyntheticMarketError)
    expect(() => syntheticQuotes({ seed: 1, spread: { jitter: -1 } })).toThrow(/spread.jitter/)
  })

  it("takes and limits to a whole number of records", () => {
    const bars = syntheticBars({ seed: 1 })
    expect(() => bars.take(-1)).toThrow(/take\(n\) must be a whole number/)
    expect(() => bars.take(1.5)).toThrow(SyntheticMarketError)
    expect(() => bars.limit(Number.NaN)).toThrow(/limit\(n\) must be a whole number/)
    expect(bars.take(0)).toEqual([])
    expect([...bars.limit(0)]).toEqual([])
    expect([...bars.limit(25)]).toEqual(bars.take(25))
    expect(bars.limit(25).take(100)).toHaveLength(25)
  })

  it("accepts the bounds themselves, and a first price off the tick grid (it starts on the nearest tick)", () => {
    const [bar] = syntheticBars({
      seed: Number.MAX_SAFE_INTEGER,
      symbols: [{ symbol: "BRK.A", price: 123.456, volatilityScale: 0 }],
      regimes: [{ volatility: 10, drift: -10, meanDuration: 1 }],
      tickSize: 0.000001,
      session: { open: "00:00", close: "24:00" },
      interval: 1440,
      flat: { probability: 0, meanLength: 1, volumeFraction: 1 }
    }).take(1)
    // No volatility: the drift alone moves the price, down for a whole day.
    expect(bar).toMatchObject({ symbol: "BRK.A", open: 123.456, high: 123.456 })
    expect(bar!.close).toBeCloseTo(123.456 * Math.exp(-10 / 252), 5)
    expect(bar!.low).toBe(bar!.close)
  })
})
