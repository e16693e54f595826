// Chunks of 4,096 floats (32 KB).
const CHUNK_BITS = 12
const CHUNK = 1 << CHUNK_BITS
const MASK = CHUNK - 1

/** A chunk filled with NaN, so that it holds doubles from the start; by a loop, as `fill` takes many times longer from an empty array. */
const newChunk = (): number[] => {
  const chunk = new Array<number>(CHUNK)
  for (let i = 0; i < CHUNK; i++) chunk[i] = Number.NaN
  return chunk
}

/**
 * A column of floats that only grows, in fixed-size chunks: appending never copies what is there
 * (a doubling array allocates twice the column over its growth). The chunks are arrays of doubles
 * on the JS heap rather than Float64Arrays: typed arrays' memory lies outside the heap, and in the
 * 1M-bar benchmark it had the collector run a full collection of the whole heap for about every
 * million values.
 */
export class FloatColumn {
  readonly #chunks: number[][] = []
  #chunk: number[] = []
  #length = 0

  /** `length` zeros. */
  static zeros(length: number): FloatColumn {
    const column = new FloatColumn()
    for (let i = 0; i < length; i++) column.push(0)
    return column
  }

  get length(): number {
    return this.#length
  }

  push(value: number): void {
    const at = this.#length & MASK
    if (at === 0) this.#grow()
    this.#chunk[at] = value
    this.#length += 1
  }

  #grow(): void {
    this.#chunk = newChunk()
    this.#chunks.push(this.#chunk)
  }

  /** The `i`th value (0 ≤ i < length). */
  at(i: number): number {
    return this.#chunks[i >> CHUNK_BITS]![i & MASK]!
  }

  /** The last value; the caller knows there is one. */
  last(): number {
    return this.#chunk[(this.#length - 1) & MASK]!
  }

  /** The values, contiguous. */
  toFloat64Array(): Float64Array {
    const out = new Float64Array(this.#length)
    for (let c = 0; c < this.#chunks.length; c++) {
      const chunk = this.#chunks[c]!
      const base = c << CHUNK_BITS
      const n = Math.min(CHUNK, this.#length - base)
      for (let i = 0; i < n; i++) out[base + i] = chunk[i]!
    }
    return out
  }
}
