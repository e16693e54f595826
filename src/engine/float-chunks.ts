/**
 * The chunks of a float column that only grows (the equity curve's): chunk c holds the values
 * from chunkStart(c) on, chunkLength(c) of them. Chunks double from 2^FIRST_BITS floats (8 KB) to
 * 2^LAST_BITS (256 KB), then stay at that: a short column is small, and appending never copies
 * what is there, where a doubling array allocates twice the column over its growth.
 *
 * Chunks are arrays of doubles on the JS heap rather than Float64Arrays: typed arrays' memory lies
 * outside the heap, and in the 1M-bar benchmark it had the collector run a full collection of the
 * whole heap for about every million values. Past 128 KB a chunk is a large object, which the
 * young generation's collector promotes where it lies: smaller chunks were copied once each, and
 * on a loaded machine every young collection then waited on its helper threads.
 */
const FIRST_BITS = 10
const LAST_BITS = 15
const DOUBLINGS = LAST_BITS - FIRST_BITS
/** How many values the doubling chunks hold together. */
const DOUBLING_VALUES = (1 << LAST_BITS) - (1 << FIRST_BITS)

export const chunkLength = (c: number): number => 1 << (FIRST_BITS + Math.min(c, DOUBLINGS))

export const chunkStart = (c: number): number => (c <= DOUBLINGS ? ((1 << c) - 1) << FIRST_BITS : DOUBLING_VALUES + ((c - DOUBLINGS) << LAST_BITS))

/** The chunk that holds value `i`. */
export const chunkIndex = (i: number): number =>
  i < DOUBLING_VALUES ? 31 - Math.clz32((i >> FIRST_BITS) + 1) : DOUBLINGS + ((i - DOUBLING_VALUES) >> LAST_BITS)

/** An array of `length` copies of `value` that holds doubles (a NaN makes it so; by a loop, as `fill` from an empty array takes many times longer). */
const filled = (length: number, value: number): number[] => {
  const array = new Array<number>(length)
  for (let i = 0; i < length; i++) array[i] = Number.NaN
  if (!Number.isNaN(value)) for (let i = 0; i < length; i++) array[i] = value
  return array
}

// The largest chunk of each filling, made once: a chunk is a slice of one, a single copy, where
// making an empty array and filling it allocates it twice (its elements change kind to doubles).
const NAN_CHUNK = filled(1 << LAST_BITS, Number.NaN)
const ZERO_CHUNK = filled(1 << LAST_BITS, 0)

/** Chunk `c` filled with NaN. */
export const newChunk = (c: number): number[] => NAN_CHUNK.slice(0, chunkLength(c))

/** Chunk `c` filled with zeros. */
export const zeroChunk = (c: number): number[] => ZERO_CHUNK.slice(0, chunkLength(c))
