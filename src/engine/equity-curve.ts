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

// A point is four floats side by side (time, equity, long, short), in chunks of 1 << CHUNK_BITS points.
const FIELDS = 4
const CHUNK_BITS = 10
const MASK = (1 << CHUNK_BITS) - 1

/** A chunk filled with NaN, so that it holds doubles from the start; by a loop, as `fill` takes many times longer from an empty array. */
const newChunk = (): number[] => {
  const chunk = new Array<number>(FIELDS << CHUNK_BITS)
  for (let i = 0; i < chunk.length; i++) chunk[i] = Number.NaN
  return chunk
}

/**
 * Equity after each update, as floats in fixed-size chunks: a million points cost 32 MB, not a
 * million objects, and growing never copies what is already there. The chunks are arrays of
 * doubles on the JS heap rather than Float64Arrays: typed arrays' memory lies outside the heap,
 * and in the 1M-bar benchmark it had the collector run a full collection of the whole heap for
 * about every run.
 */
export class EquityCurve {
  readonly #chunks: number[][] = []
  #chunk: number[] = []
  /** Where the next point goes in the last chunk, and where that chunk ends. */
  #at = 0
  #end = 0
  #length = 0
  /** The columns made contiguous for readers, until the next point. */
  #columns: Columns | null = null

  get length(): number {
    return this.#length
  }

  /** `time` null (an update without a time) is kept as NaN. */
  push(time: number | null, valuation: Valuation): void {
    if (this.#at === this.#end) this.#grow()
    const chunk = this.#chunk
    const at = this.#at
    chunk[at] = time ?? Number.NaN
    chunk[at + 1] = valuation.equity
    chunk[at + 2] = valuation.longValue
    chunk[at + 3] = valuation.shortValue
    this.#at = at + FIELDS
    this.#length += 1
    if (this.#columns !== null) this.#columns = null
  }

  #grow(): void {
    this.#chunk = newChunk()
    this.#chunks.push(this.#chunk)
    this.#at = 0
    this.#end = this.#chunk.length
  }

  /** One field of point `i`. */
  #field(i: number, field: number): number {
    return this.#chunks[i >> CHUNK_BITS]![(i & MASK) * FIELDS + field]!
  }

  /** The points from the `from`th on (a checkpoint holds only the new ones). */
  snapshot(from = 0): EquityCurveSnapshot {
    const n = Math.max(0, this.#length - from)
    const times = new Array<number | null>(n)
    const equity = new Array<number>(n)
    const longValue = new Array<number>(n)
    const shortValue = new Array<number>(n)
    for (let k = 0; k < n; k++) {
      const t = this.#field(from + k, 0)
      times[k] = Number.isNaN(t) ? null : t
      equity[k] = this.#field(from + k, 1)
      longValue[k] = this.#field(from + k, 2)
      shortValue[k] = this.#field(from + k, 3)
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
    return this.#length === 0 ? undefined : this.#chunk[this.#at - FIELDS + 1]
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
    if (this.#columns !== null) return this.#columns
    const n = this.#length
    const columns = { times: new Float64Array(n), equity: new Float64Array(n), longValue: new Float64Array(n), shortValue: new Float64Array(n) }
    for (let i = 0; i < n; i++) {
      columns.times[i] = this.#field(i, 0)
      columns.equity[i] = this.#field(i, 1)
      columns.longValue[i] = this.#field(i, 2)
      columns.shortValue[i] = this.#field(i, 3)
    }
    this.#columns = columns
    return columns
  }

  points(): ReadonlyArray<EquityPoint> {
    const out = new Array<EquityPoint>(this.#length)
    for (let i = 0; i < this.#length; i++) {
      const t = this.#field(i, 0)
      out[i] = { time: Number.isNaN(t) ? null : t, equity: this.#field(i, 1), longValue: this.#field(i, 2), shortValue: this.#field(i, 3) }
    }
    return out
  }
}
