/** One point of the equity curve: equity and the long and short market value behind it, floats at the update's marks. */
export interface EquityPoint {
  /** ms since the epoch; null for an update without a time. */
  readonly time: number | null
  readonly equity: number
  /** Σ market value of long positions (≥ 0). */
  readonly longValue: number
  /** Σ |market value| of short positions (≥ 0). */
  readonly shortValue: number
}

/** What the ledger values at each update: equity and the market value on each side. */
export interface Valuation {
  readonly equity: number
  readonly longValue: number
  readonly shortValue: number
}

export interface EquityCurveSnapshot {
  readonly times: ReadonlyArray<number | null>
  readonly equity: ReadonlyArray<number>
  readonly longValue: ReadonlyArray<number>
  readonly shortValue: ReadonlyArray<number>
}

const grow = (a: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> => {
  const b = new Float64Array(a.length * 2)
  b.set(a)
  return b
}

/** Equity after each update, as float64 in growable typed arrays: a million points cost 32 MB, not a million objects. */
export class EquityCurve {
  #times = new Float64Array(1024)
  #equity = new Float64Array(1024)
  #long = new Float64Array(1024)
  #short = new Float64Array(1024)
  #length = 0

  get length(): number {
    return this.#length
  }

  /** `time` null (an update without a time) is kept as NaN. */
  push(time: number | null, valuation: Valuation): void {
    if (this.#length === this.#equity.length) {
      this.#times = grow(this.#times)
      this.#equity = grow(this.#equity)
      this.#long = grow(this.#long)
      this.#short = grow(this.#short)
    }
    this.#times[this.#length] = time ?? Number.NaN
    this.#equity[this.#length] = valuation.equity
    this.#long[this.#length] = valuation.longValue
    this.#short[this.#length] = valuation.shortValue
    this.#length += 1
  }

  /** The points from the `from`th on (a checkpoint holds only the new ones). */
  snapshot(from = 0): EquityCurveSnapshot {
    const n = this.#length
    return {
      times: Array.from(this.#times.subarray(from, n), (t) => (Number.isNaN(t) ? null : t)),
      equity: Array.from(this.#equity.subarray(from, n)),
      longValue: Array.from(this.#long.subarray(from, n)),
      shortValue: Array.from(this.#short.subarray(from, n))
    }
  }

  static fromSnapshot(s: EquityCurveSnapshot): EquityCurve {
    const curve = new EquityCurve()
    for (let i = 0; i < s.equity.length; i++)
      curve.push(s.times[i] ?? null, { equity: s.equity[i]!, longValue: s.longValue[i]!, shortValue: s.shortValue[i]! })
    return curve
  }

  /** The last equity pushed, if any. */
  last(): number | undefined {
    return this.#length === 0 ? undefined : this.#equity[this.#length - 1]
  }

  /** The equity values, without copying. */
  values(): Float64Array {
    return this.#equity.subarray(0, this.#length)
  }

  /** The other columns, without copying: times (NaN for an update without one), long and short market value. */
  columns(): { readonly times: Float64Array; readonly longValue: Float64Array; readonly shortValue: Float64Array } {
    const n = this.#length
    return { times: this.#times.subarray(0, n), longValue: this.#long.subarray(0, n), shortValue: this.#short.subarray(0, n) }
  }

  points(): ReadonlyArray<EquityPoint> {
    const out = new Array<EquityPoint>(this.#length)
    for (let i = 0; i < this.#length; i++) {
      const t = this.#times[i]!
      out[i] = { time: Number.isNaN(t) ? null : t, equity: this.#equity[i]!, longValue: this.#long[i]!, shortValue: this.#short[i]! }
    }
    return out
  }
}
