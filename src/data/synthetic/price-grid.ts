/** Prices live on at most this many ticks: 12 significant digits, well inside a double's exact range. */
export const MAX_TICKS = 1e12

/**
 * Prices rounded to a tick size: every price is a whole number of ticks, at least one, written as
 * the double nearest its decimal (`101.23`, never `101.22999999999999`). Rounding is monotone, so
 * rounding a path's open, high, low and close keeps the bar well formed.
 */
export class PriceGrid {
  readonly tickSize: number
  /** Decimals of the tick size (0.01 → 2). */
  readonly decimals: number

  /** The highest price a path reaches: half the grid, so an ask above it still fits. */
  readonly maxPrice: number

  /** 10^decimals, and the tick size in units of 10^-decimals (0.05 → 5). */
  readonly #scale: number
  readonly #units: number
  /** Whether ticks × units stays an exact integer up to MAX_TICKS: then one division makes a price. */
  readonly #exact: boolean

  constructor(tickSize: number, decimals: number) {
    this.tickSize = tickSize
    this.decimals = decimals
    this.maxPrice = (tickSize * MAX_TICKS) / 2
    this.#scale = 10 ** decimals
    this.#units = Math.round(tickSize * this.#scale)
    this.#exact = this.#units * MAX_TICKS <= Number.MAX_SAFE_INTEGER
  }

  /** The whole number of ticks nearest a price, within [1, MAX_TICKS]. */
  ticksOf(price: number): number {
    return Math.min(MAX_TICKS, Math.max(1, Math.round(price / this.tickSize)))
  }

  /** The price of a whole number of ticks. */
  priceOf(ticks: number): number {
    // An exact integer over a power of ten is correctly rounded: the double a decimal string of
    // the price would parse to, without making the string (this runs four times a bar).
    return this.#exact ? (ticks * this.#units) / this.#scale : this.#viaDecimal(ticks)
  }

  /** Past a double's exact integers: the decimal string made from integers, then parsed (a float product would round first). */
  #viaDecimal(ticks: number): number {
    const digits = (BigInt(ticks) * BigInt(this.#units)).toString().padStart(this.decimals + 1, "0")
    return Number(this.decimals === 0 ? digits : `${digits.slice(0, -this.decimals)}.${digits.slice(-this.decimals)}`)
  }

  round(price: number): number {
    return this.priceOf(this.ticksOf(price))
  }
}

/** The decimals of a tick size with at most `max` of them, or null when it has more (or is not a plain decimal). */
export const tickDecimals = (tickSize: number, max: number): number | null => {
  for (let d = 0; d <= max; d++) if (Number(tickSize.toFixed(d)) === tickSize) return d
  return null
}
