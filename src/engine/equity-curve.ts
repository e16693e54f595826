import { FloatColumn } from "./float-column.ts"

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

/** The curve's columns, contiguous. */
interface Columns {
  readonly times: Float64Array
  readonly equity: Float64Array
  readonly longValue: Float64Array
  readonly shortValue: Float64Array
}

/** `value` onto a column kept only once some value is not zero (long-only accounts never hold a short, a flat one holds neither): the column, made when it must be. */
const pushUnlessZero = (column: FloatColumn | null, value: number, length: number): FloatColumn | null => {
  if (column !== null) column.push(value)
  else if (!Object.is(value, 0)) {
    column = FloatColumn.zeros(length)
    column.push(value)
  }
  return column
}

/** A column's values, contiguous; zeros for one not kept. */
const contiguous = (column: FloatColumn | null, length: number): Float64Array => (column === null ? new Float64Array(length) : column.toFloat64Array())

/**
 * Equity after each update, as columns of floats: a million points cost 16 to 32 MB, not a million
 * objects, and the long and short market value are kept only once they are not zero.
 */
export class EquityCurve {
  /** NaN for an update without a time. */
  readonly #times = new FloatColumn()
  readonly #equity = new FloatColumn()
  #long: FloatColumn | null = null
  #short: FloatColumn | null = null
  /** The columns made contiguous for readers, until the next point. */
  #columns: Columns | null = null

  get length(): number {
    return this.#equity.length
  }

  /** `time` null (an update without a time) is kept as NaN. */
  push(time: number | null, valuation: Valuation): void {
    const n = this.#equity.length
    this.#times.push(time ?? Number.NaN)
    this.#equity.push(valuation.equity)
    this.#long = pushUnlessZero(this.#long, valuation.longValue, n)
    this.#short = pushUnlessZero(this.#short, valuation.shortValue, n)
    if (this.#columns !== null) this.#columns = null
  }

  /** The points from the `from`th on (a checkpoint holds only the new ones). */
  snapshot(from = 0): EquityCurveSnapshot {
    const n = Math.max(0, this.length - from)
    const times = new Array<number | null>(n)
    const equity = new Array<number>(n)
    const longValue = new Array<number>(n)
    const shortValue = new Array<number>(n)
    for (let k = 0; k < n; k++) {
      const t = this.#times.at(from + k)
      times[k] = Number.isNaN(t) ? null : t
      equity[k] = this.#equity.at(from + k)
      longValue[k] = this.#long?.at(from + k) ?? 0
      shortValue[k] = this.#short?.at(from + k) ?? 0
    }
    return { times, equity, longValue, shortValue }
  }

  static fromSnapshot(s: EquityCurveSnapshot): EquityCurve {
    const curve = new EquityCurve()
    for (let i = 0; i < s.equity.length; i++)
      curve.push(s.times[i] ?? null, { equity: s.equity[i]!, longValue: s.longValue[i]!, shortValue: s.shortValue[i]! })
    return curve
  }

  /** The last equity pushed, if any. */
  last(): number | undefined {
    return this.#equity.length === 0 ? undefined : this.#equity.last()
  }

  /** The equity values, contiguous (made once after each change, then shared). */
  values(): Float64Array {
    return this.#contiguous().equity
  }

  /** The other columns, contiguous: times (NaN for an update without one), long and short market value. */
  columns(): { readonly times: Float64Array; readonly longValue: Float64Array; readonly shortValue: Float64Array } {
    return this.#contiguous()
  }

  #contiguous(): Columns {
    const n = this.length
    this.#columns ??= {
      times: this.#times.toFloat64Array(),
      equity: this.#equity.toFloat64Array(),
      longValue: contiguous(this.#long, n),
      shortValue: contiguous(this.#short, n)
    }
    return this.#columns
  }

  points(): ReadonlyArray<EquityPoint> {
    const out = new Array<EquityPoint>(this.length)
    for (let i = 0; i < out.length; i++) {
      const t = this.#times.at(i)
      out[i] = { time: Number.isNaN(t) ? null : t, equity: this.#equity.at(i), longValue: this.#long?.at(i) ?? 0, shortValue: this.#short?.at(i) ?? 0 }
    }
    return out
  }
}
