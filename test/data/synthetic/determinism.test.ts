import { createHash } from "node:crypto"
import { describe, expect, it } from "vitest"
import { type SyntheticMarketOptions, syntheticBars, syntheticCsv, syntheticCsvLines, syntheticQuotes, syntheticTicks } from "../../../src/data/synthetic/index.ts"

/** Every feature on, so every draw is in the bytes. */
const everything = (seed: number): SyntheticMarketOptions => ({
  seed,
  symbols: ["AAA", { symbol: "BBB", price: 42.5, volatilityScale: 1.5 }, { symbol: "CCC", price: 7 }],
  correlation: [
    [1, 0.6, -0.2],
    [0.6, 1, 0.1],
    [-0.2, 0.1, 1]
  ],
  regimes: [
    { volatility: 0.2, drift: 0.05, meanDuration: 20 },
    { volatility: 0.6, drift: -0.2, meanDuration: 5 }
  ],
  jumps: { intensity: 30, size: { distribution: "doubleExponential", upProbability: 0.4, upMean: 0.03, downMean: 0.05 } },
  overnightGap: 0.01,
  flat: { probability: 0.05, meanLength: 4, volumeFraction: 0.1 },
  interval: 30,
  eventsPerMinute: 2
})

const generators = { bars: syntheticBars, ticks: syntheticTicks, quotes: syntheticQuotes }
const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex")

describe("the same seed gives the same bytes", () => {
  it.each(Object.entries(generators))("%s: the same seed, the same CSV; another seed, another CSV", (_, generate) => {
    const csv = syntheticCsv(generate(everything(7)).take(2_000))
    expect(syntheticCsv(generate(everything(7)).take(2_000))).toBe(csv)
    expect(syntheticCsv(generate(everything(8)).take(2_000))).not.toBe(csv)
    expect(csv.split("\n")).toHaveLength(2_002)
  })

  it.each(Object.entries(generators))("%s: iterating a series again replays it, and a shorter take is a prefix of a longer one", (_, generate) => {
    const series = generate(everything(11))
    const long = series.take(500)
    expect(series.take(500)).toEqual(long)
    expect(series.take(137)).toEqual(long.slice(0, 137))
    expect([...syntheticCsvLines(series.take(10))].join("")).toBe(syntheticCsv(long.slice(0, 10)))
  })

  it("options that only shape quotes leave bars alone: bars draw nothing for them", () => {
    const bars = syntheticCsv(syntheticBars(everything(3)).take(300))
    expect(syntheticCsv(syntheticBars({ ...everything(3), spread: { bps: 50 }, quoteSize: { mean: 3 }, eventsPerMinute: 99 }).take(300))).toBe(bars)
  })

  // Pins the generator: a change to any draw, its order or its formatting shows here. If a change
  // is meant, the series of every seed changes with it; say so in the changelog.
  it("gives these bytes for seed 20240102", () => {
    const bars = syntheticCsv(syntheticBars(everything(20240102)).take(6))
    expect(bars).toBe(
      [
        "time,symbol,open,high,low,close,volume",
        "2024-01-02T14:30:00.000Z,AAA,100,100.2,99.81,100.2,98344",
        "2024-01-02T14:30:00.000Z,BBB,42.5,42.5,42.2,42.31,41840",
        "2024-01-02T14:30:00.000Z,CCC,7,7.01,6.98,6.98,59169",
        "2024-01-02T15:00:00.000Z,AAA,100.2,100.52,100.16,100.35,34905",
        "2024-01-02T15:00:00.000Z,BBB,42.31,42.5,42.2,42.2,71500",
        "2024-01-02T15:00:00.000Z,CCC,6.98,6.99,6.95,6.95,65113",
        ""
      ].join("\n")
    )
    expect(sha256(syntheticCsv(syntheticBars(everything(20240102)).take(3_000)))).toBe("1cb3f9611e220d231292b06ea0de55be1babcf36a819d14feaabbf0756713671")
    expect(sha256(syntheticCsv(syntheticTicks(everything(20240102)).take(3_000)))).toBe("b42d2280831502b9e232d2e24cdb0865a47c5776ae9c87f0c3c7be080281ae2c")
    expect(sha256(syntheticCsv(syntheticQuotes(everything(20240102)).take(3_000)))).toBe("63cc80f7c9b32a8147152ac9140df56657e1fb8ea2646fcefc492167cb77d102")
  })
})
