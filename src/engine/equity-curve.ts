import { chunkIndex, chunkStart, newChunk, zeroChunk } from "./float-chunks.ts"

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

/**
 * Points restored as they were stored, read only when first asked for: a recovered simulation
 * replays and checkpoints without ever reading the history behind it.
 */
export interface StoredPoints {
  readonly length: number
  read(): EquityCurveSnapshot
}

/** The curve's columns, contiguous. */
interface Columns {
  readonly times: Float64Array
  readonly equity: Float64Array
  readonly longValue: Float64Array
  readonly shortValue: Float64Array
}

/** A column's last chunk made of zeros, in place of the null that stood for it: the chunk. */
const keptChunk = (column: Array<number[] | null>): number[] => (column[column.length - 1] = zeroChunk(column.length - 1))

/** A column's value `i`: zero in a chunk not kept. */
const valueAt = (column: ReadonlyArray<number[] | null>, i: number): number => {
  const c = chunkIndex(i)
  return column[c]?.[i - chunkStart(c)] ?? 0
}

/** A column's first `length` values, contiguous. */
const contiguous = (column: ReadonlyArray<number[] | null>, length: number): Float64Array => {
  const out = new Float64Array(length)
  for (let c = 0; c < column.length; c++) {
    const chunk = column[c]
    if (chunk === null || chunk === undefined) continue
    const start = chunkStart(c)
    const n = Math.min(chunk.length, length - start)
    for (let i = 0; i < n; i++) out[start + i] = chunk[i]!
  }
  return out
}

/**
 * Equity after each update, as four columns of floats in chunks (`float-chunks.ts`): a million
 * points cost 16 to 32 MB, not a million objects. A chunk of long or short market values is kept
 * only once one of its values is not zero: a flat account keeps neither, a long-only one no shorts.
 */
export class EquityCurve {
  /** NaN for an update without a time. */
  readonly #times: number[][] = []
  readonly #equity: number[][] = []
  /** Null for a chunk whose values are all zero. */
  readonly #long: Array<number[] | null> = []
  readonly #short: Array<number[] | null> = []
  // The last chunk of each, where the next point goes (at #at, up to #end).
  #timeChunk: number[] = []
  #equityChunk: number[] = []
  #longChunk: number[] | null = null
  #shortChunk: number[] | null = null
  #at = 0
  #end = 0
  /** The points in the chunks. */
  #length = 0
  /** Points before those in the chunks, not read yet (`stored`). */
  #stored: ReadonlyArray<StoredPoints> = []
  #storedLength = 0
  /** The columns made contiguous for readers, until the next point. */
  #columns: Columns | null = null

  get length(): number {
    return this.#storedLength + this.#length
  }

  /** `time` null (an update without a time) is kept as NaN. */
  // Short, its rare branches apart: the per-update code takes it in whole (or boxes every float it passes).
  push(time: number | null, valuation: Valuation): void {
    if (this.#at === this.#end) this.#grow()
    const at = this.#at++
    this.#timeChunk[at] = time ?? Number.NaN
    this.#equityChunk[at] = valuation.equity
    const long = valuation.longValue
    const short = valuation.shortValue
    // A side's chunk is kept from its first value that is not zero (a negative zero too: 1 / -0 < 0).
    if (this.#longChunk !== null) this.#longChunk[at] = long
    else if (long !== 0 || 1 / long < 0) this.#keepLong(at, long)
    if (this.#shortChunk !== null) this.#shortChunk[at] = short
    else if (short !== 0 || 1 / short < 0) this.#keepShort(at, short)
    this.#length += 1
    this.#columns = null
  }

  #keepLong(at: number, value: number): void {
    ;(this.#longChunk = keptChunk(this.#long))[at] = value
  }

  #keepShort(at: number, value: number): void {
    ;(this.#shortChunk = keptChunk(this.#short))[at] = value
  }

  #grow(): void {
    const c = this.#times.length
    this.#timeChunk = newChunk(c)
    this.#equityChunk = newChunk(c)
    this.#times.push(this.#timeChunk)
    this.#equity.push(this.#equityChunk)
    this.#longChunk = null
    this.#shortChunk = null
    this.#long.push(null)
    this.#short.push(null)
    this.#at = 0
    this.#end = this.#timeChunk.length
  }

  /** The points from the `from`th on (a checkpoint holds only the new ones). */
  snapshot(from = 0): EquityCurveSnapshot {
    if (from < this.#storedLength) this.#readStored()
    return this.#snapshotOfChunks(from - this.#storedLength)
  }

  #snapshotOfChunks(from: number): EquityCurveSnapshot {
    const n = Math.max(0, this.#length - from)
    const times = new Array<number | null>(n)
    const equity = new Array<number>(n)
    const longValue = new Array<number>(n)
    const shortValue = new Array<number>(n)
    for (let k = 0; k < n; k++) {
      const t = valueAt(this.#times, from + k)
      times[k] = Number.isNaN(t) ? null : t
      equity[k] = valueAt(this.#equity, from + k)
      longValue[k] = valueAt(this.#long, from + k)
      shortValue[k] = valueAt(this.#short, from + k)
    }
    return { times, equity, longValue, shortValue }
  }

  static fromSnapshot(s: EquityCurveSnapshot): EquityCurve {
    const curve = new EquityCurve()
    curve.#pushAll(s)
    return curve
  }

  /** A curve whose first points are stored ones, read when first needed. */
  static stored(parts: ReadonlyArray<StoredPoints>): EquityCurve {
    const curve = new EquityCurve()
    curve.#stored = parts
    for (const part of parts) curve.#storedLength += part.length
    return curve
  }

  /** The stored points read into the chunks, before the points pushed since (the chunks then hold what an eager restore would have). */
  #readStored(): void {
    const since = this.#snapshotOfChunks(0)
    const stored = this.#stored
    this.#stored = []
    this.#storedLength = 0
    this.#times.length = 0
    this.#equity.length = 0
    this.#long.length = 0
    this.#short.length = 0
    this.#at = this.#end = this.#length = 0
    for (const part of stored) this.#pushAll(part.read())
    this.#pushAll(since)
  }

  #pushAll(s: EquityCurveSnapshot): void {
    for (let i = 0; i < s.equity.length; i++) this.push(s.times[i] ?? null, { equity: s.equity[i]!, longValue: s.longValue[i]!, shortValue: s.shortValue[i]! })
  }

  /** The last equity pushed, if any. */
  last(): number | undefined {
    if (this.#length === 0 && this.#storedLength > 0) this.#readStored()
    return this.#length === 0 ? undefined : this.#equityChunk[this.#at - 1]!
  }

  /**
   * The last equity pushed written into `slots[at]`, which keeps what it holds when there is none:
   * the day start of every update of daily bars reads it so, where a float returned from a call
   * the compiler does not inline is boxed (a new object on every update that holds a position).
   */
  copyLastInto(slots: Float64Array, at: number): void {
    if (this.#length === 0 && this.#storedLength > 0) this.#readStored()
    if (this.#length > 0) slots[at] = this.#equityChunk[this.#at - 1]!
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
    if (this.#storedLength > 0) this.#readStored()
    const n = this.#length
    this.#columns ??= {
      times: contiguous(this.#times, n),
      equity: contiguous(this.#equity, n),
      longValue: contiguous(this.#long, n),
      shortValue: contiguous(this.#short, n)
    }
    return this.#columns
  }

  points(): ReadonlyArray<EquityPoint> {
    const { times, equity, longValue, shortValue } = this.#contiguous()
    const out = new Array<EquityPoint>(this.length)
    for (let i = 0; i < out.length; i++) {
      const t = times[i]!
      out[i] = { time: Number.isNaN(t) ? null : t, equity: equity[i]!, longValue: longValue[i]!, shortValue: shortValue[i]! }
    }
    return out
  }
}
