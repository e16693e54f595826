import { describe, expect, it } from "vitest"
import { RandomSource } from "../../../src/data/synthetic/random-source.ts"

const N = 100_000
const sample = (draw: () => number, n = N): number[] => Array.from({ length: n }, draw)
const mean = (xs: ReadonlyArray<number>): number => xs.reduce((a, b) => a + b, 0) / xs.length
const variance = (xs: ReadonlyArray<number>): number => {
  const m = mean(xs)
  return xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1)
}

// Fixed seeds and bounds many standard errors wide: these check the distributions, not luck.
describe("the draws of a random source", () => {
  it("normals have mean 0, variance 1 and normal tails", () => {
    const random = new RandomSource(1)
    const xs = sample(() => random.normal())
    expect(Math.abs(mean(xs))).toBeLessThan(0.02)
    expect(Math.abs(variance(xs) - 1)).toBeLessThan(0.03)
    // P(|Z| > 1.96) = 5 %
    expect(xs.filter((x) => Math.abs(x) > 1.96).length / N).toBeCloseTo(0.05, 2)
  })

  it("exponentials, Poisson counts, geometric lengths and log-normal noise have the means asked for", () => {
    const random = new RandomSource(2)
    expect(mean(sample(() => random.exponential(3))) / 3).toBeCloseTo(1, 1)
    expect(mean(sample(() => random.poisson(0.7)))).toBeCloseTo(0.7, 1)
    expect(random.poisson(0)).toBe(0)
    const lengths = sample(() => random.length(8))
    expect(Math.min(...lengths)).toBe(1)
    expect(mean(lengths) / 8).toBeCloseTo(1, 1)
    expect(random.length(1)).toBe(1)
    expect(mean(sample(() => random.noise(0.5)))).toBeCloseTo(1, 1)
    expect(random.noise(0)).toBe(1)
  })

  it("integers below n cover [0, n) evenly", () => {
    const random = new RandomSource(3)
    const counts = [0, 0, 0, 0, 0]
    for (let i = 0; i < N; i++) counts[random.below(5)]!++
    for (const c of counts) expect(Math.abs(c / N - 0.2)).toBeLessThan(0.01)
  })
})
