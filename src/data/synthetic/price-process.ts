import type { RandomSource } from "./random-source.ts"
import type { SyntheticMarketModel } from "./synthetic-market-options.ts"

/**
 * The market's hidden state: every symbol's log price (not yet on the tick grid), the current
 * regime and the symbols in a flat stretch. Generators drive it update by update: `beginUpdate`,
 * an overnight `gap` when a session opens, then one or more `step`s.
 */
export class PriceProcess {
  readonly #model: SyntheticMarketModel
  readonly #random: RandomSource
  readonly #n: number
  readonly #minLog: number
  readonly #maxLog: number
  /** Independent normals, then the correlated ones made from them. */
  readonly #independent: Float64Array
  readonly #correlated: Float64Array
  /** Updates of its flat stretch a symbol still has after the current one. */
  readonly #flatLeft: Int32Array
  readonly logPrices: Float64Array
  /** Whether each symbol is in a flat stretch during the current update. */
  readonly flat: Uint8Array
  regime = 0

  constructor(model: SyntheticMarketModel, random: RandomSource) {
    this.#model = model
    this.#random = random
    this.#n = model.symbols.length
    this.#minLog = Math.log(model.grid.tickSize)
    this.#maxLog = Math.log(model.grid.maxPrice)
    this.#independent = new Float64Array(this.#n)
    this.#correlated = new Float64Array(this.#n)
    this.#flatLeft = new Int32Array(this.#n)
    this.logPrices = Float64Array.from(model.startPrices, Math.log)
    this.flat = new Uint8Array(this.#n)
  }

  /** Moves to the next update: the regime may switch, flat stretches may start or run on. */
  beginUpdate(): void {
    const { regimes, flat } = this.#model
    const random = this.#random
    if (regimes.length > 1 && random.chance(regimes[this.regime]!.switchProbability)) {
      // Any other regime, each as likely.
      const next = random.below(regimes.length - 1)
      this.regime = next >= this.regime ? next + 1 : next
    }
    if (flat === null) return
    for (let i = 0; i < this.#n; i++) {
      if (this.#flatLeft[i]! > 0) {
        this.#flatLeft[i]!--
        this.flat[i] = 1
      } else if (random.chance(flat.probability)) {
        this.#flatLeft[i] = random.length(flat.meanLength) - 1
        this.flat[i] = 1
      } else this.flat[i] = 0
    }
  }

  /** A session's opening gap for every moving symbol, correlated like returns. */
  gap(): void {
    const size = this.#model.overnightGap
    if (size === 0) return
    const z = this.#correlatedNormals()
    for (let i = 0; i < this.#n; i++) if (this.flat[i] === 0) this.#move(i, size * z[i]!)
  }

  /** `years` of trading time: drift, correlated diffusion and jumps for every moving symbol. */
  step(years: number): void {
    const { regimes, volatilityScales, jumps } = this.#model
    const { volatility, drift } = regimes[this.regime]!
    const z = this.#correlatedNormals()
    const root = Math.sqrt(years)
    for (let i = 0; i < this.#n; i++) {
      if (this.flat[i] === 1) continue
      const sigma = volatility * volatilityScales[i]!
      let move = (drift - (sigma * sigma) / 2) * years + sigma * root * z[i]!
      if (jumps !== null) for (let k = this.#random.poisson(jumps.intensity * years); k > 0; k--) move += this.#jumpSize()
      this.#move(i, move)
    }
  }

  /** The volatility of the current regime relative to the first one's (1 when the first is 0). */
  get volatilityRatio(): number {
    const first = this.#model.regimes[0]!.volatility
    return first === 0 ? 1 : this.#model.regimes[this.regime]!.volatility / first
  }

  // Bounded to the tick grid's range: a price never reaches 0 or runs off to infinity.
  #move(i: number, by: number): void {
    this.logPrices[i] = Math.min(this.#maxLog, Math.max(this.#minLog, this.logPrices[i]! + by))
  }

  #correlatedNormals(): Float64Array {
    const e = this.#independent
    const z = this.#correlated
    const l = this.#model.cholesky
    for (let i = 0; i < this.#n; i++) e[i] = this.#random.normal()
    for (let i = 0; i < this.#n; i++) {
      const row = l[i]!
      let sum = 0
      for (let k = 0; k <= i; k++) sum += row[k]! * e[k]!
      z[i] = sum
    }
    return z
  }

  #jumpSize(): number {
    const size = this.#model.jumps!.size
    const random = this.#random
    if (size.distribution === "normal") return size.mean + size.stdDev * random.normal()
    return random.chance(size.upProbability) ? random.exponential(size.upMean) : -random.exponential(size.downMean)
  }
}
