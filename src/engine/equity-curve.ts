/** Equity after each update, as float64 in growable typed arrays: a million points cost 16 MB, not a million objects. */
export class EquityCurve {
  #times = new Float64Array(1024)
  #equity = new Float64Array(1024)
  #length = 0

  get length(): number {
    return this.#length
  }

  /** `time` null (an update without a time) is kept as NaN. */
  push(time: number | null, equity: number): void {
    if (this.#length === this.#equity.length) {
      const grow = (a: Float64Array) => {
        const b = new Float64Array(a.length * 2)
        b.set(a)
        return b
      }
      this.#times = grow(this.#times)
      this.#equity = grow(this.#equity)
    }
    this.#times[this.#length] = time ?? Number.NaN
    this.#equity[this.#length] = equity
    this.#length += 1
  }

  snapshot(): { readonly times: ReadonlyArray<number | null>; readonly equity: ReadonlyArray<number> } {
    const times: Array<number | null> = []
    const equity: number[] = []
    for (let i = 0; i < this.#length; i++) {
      const t = this.#times[i]!
      times.push(Number.isNaN(t) ? null : t)
      equity.push(this.#equity[i]!)
    }
    return { times, equity }
  }

  static fromSnapshot(s: ReturnType<EquityCurve["snapshot"]>): EquityCurve {
    const curve = new EquityCurve()
    for (let i = 0; i < s.equity.length; i++) curve.push(s.times[i] ?? null, s.equity[i]!)
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

  points(): ReadonlyArray<{ readonly time: number | null; readonly equity: number }> {
    const out = new Array<{ time: number | null; equity: number }>(this.#length)
    for (let i = 0; i < this.#length; i++) {
      const t = this.#times[i]!
      out[i] = { time: Number.isNaN(t) ? null : t, equity: this.#equity[i]! }
    }
    return out
  }
}
