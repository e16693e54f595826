// Chunks double in size from 2^FIRST_BITS floats (8 KB) to 2^LAST_BITS (256 KB), then stay at that.
const FIRST_BITS = 10
const LAST_BITS = 15
const DOUBLINGS = LAST_BITS - FIRST_BITS
/** How many floats the doubling chunks hold together; past them every chunk is 2^LAST_BITS. */
const DOUBLING_FLOATS = (1 << LAST_BITS) - (1 << FIRST_BITS)
const LAST_MASK = (1 << LAST_BITS) - 1

/** Chunk `c` (from 0), filled with NaN so that it holds doubles from the start; by a loop, as `fill` takes many times longer from an empty array. */
const newChunk = (c: number): number[] => {
  const chunk = new Array<number>(1 << (FIRST_BITS + Math.min(c, DOUBLINGS)))
  for (let i = 0; i < chunk.length; i++) chunk[i] = Number.NaN
  return chunk
}

/**
 * A column of floats that only grows, in chunks: appending never copies what is there (a doubling
 * array allocates twice the column over its growth). The chunks are arrays of doubles on the JS
 * heap rather than Float64Arrays: typed arrays' memory lies outside the heap, and in the 1M-bar
 * benchmark it had the collector run a full collection of the whole heap for about every million
 * values. A small column costs 8 KB; a long one grows by chunks of 256 KB, past the size up to
 * which the young generation's collector copies a surviving object: a larger one is promoted where
 * it lies, so a long column costs the collections nothing (smaller chunks were copied once each,
 * which on a loaded machine made every young collection wait on its helper threads).
 */
export class FloatColumn {
  readonly #chunks: number[][] = []
  #chunk: number[] = []
  /** Where the next value goes in the last chunk, and its length. */
  #at = 0
  #end = 0
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
    if (this.#at === this.#end) this.#grow()
    this.#chunk[this.#at] = value
    this.#at += 1
    this.#length += 1
  }

  #grow(): void {
    this.#chunk = newChunk(this.#chunks.length)
    this.#chunks.push(this.#chunk)
    this.#at = 0
    this.#end = this.#chunk.length
  }

  /** The `i`th value (0 ≤ i < length). */
  at(i: number): number {
    if (i < DOUBLING_FLOATS) {
      // Chunk c starts at 2^FIRST_BITS × (2^c − 1).
      const c = 31 - Math.clz32((i >> FIRST_BITS) + 1)
      return this.#chunks[c]![i - (((1 << c) - 1) << FIRST_BITS)]!
    }
    const j = i - DOUBLING_FLOATS
    return this.#chunks[DOUBLINGS + (j >> LAST_BITS)]![j & LAST_MASK]!
  }

  /** The last value; the caller knows there is one. */
  last(): number {
    return this.#chunk[this.#at - 1]!
  }

  /** The values, contiguous. */
  toFloat64Array(): Float64Array {
    const out = new Float64Array(this.#length)
    let base = 0
    for (const chunk of this.#chunks) {
      const n = Math.min(chunk.length, this.#length - base)
      for (let i = 0; i < n; i++) out[base + i] = chunk[i]!
      base += n
    }
    return out
  }
}
