import { Xoshiro128StarStar } from "./xoshiro128-star-star.ts"

/**
 * The draws a synthetic market needs, all from one seeded xoshiro128** stream. The order of the
 * calls is the whole of the generator's determinism: the same seed and the same sequence of calls
 * give the same numbers.
 */
export class RandomSource {
  readonly #bits: Xoshiro128StarStar
  /** The second normal of the last polar pair, not yet handed out. */
  #spare: number | null = null

  constructor(seed: number) {
    this.#bits = Xoshiro128StarStar.fromSeed(seed)
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.#bits.nextDouble()
  }

  /** Uniform in (0, 1]: safe under a logarithm. */
  #positiveUniform(): number {
    return 1 - this.#bits.nextDouble()
  }

  /** An integer uniform in [0, n), for n ≥ 1. */
  below(n: number): number {
    return Math.floor(this.uniform() * n)
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.uniform() < p
  }

  /** A standard normal: Marsaglia's polar form of Box–Muller, which needs no sine or cosine. */
  normal(): number {
    const spare = this.#spare
    if (spare !== null) {
      this.#spare = null
      return spare
    }
    for (;;) {
      const u = 2 * this.uniform() - 1
      const v = 2 * this.uniform() - 1
      const s = u * u + v * v
      if (s > 0 && s < 1) {
        const f = Math.sqrt((-2 * Math.log(s)) / s)
        this.#spare = v * f
        return u * f
      }
    }
  }

  /** An exponential with the given mean. */
  exponential(mean: number): number {
    return -Math.log(this.#positiveUniform()) * mean
  }

  /** A Poisson count with the given mean, by Knuth's multiplication (means here are small: arrivals within one step). */
  poisson(mean: number): number {
    if (mean <= 0) return 0
    const limit = Math.exp(-mean)
    let count = 0
    let product = this.#positiveUniform()
    while (product > limit) {
      count++
      product *= this.#positiveUniform()
    }
    return count
  }

  /** A geometric length ≥ 1 with the given mean (≥ 1): how long a stretch lasts when each step ends it with probability 1 / mean. */
  length(mean: number): number {
    if (mean <= 1) return 1
    return 1 + Math.floor(Math.log(this.#positiveUniform()) / Math.log(1 - 1 / mean))
  }

  /** A log-normal factor with mean 1 whose logarithm has standard deviation `dispersion`. */
  noise(dispersion: number): number {
    return dispersion === 0 ? 1 : Math.exp(dispersion * this.normal() - (dispersion * dispersion) / 2)
  }
}
