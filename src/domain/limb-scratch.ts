/**
 * The limbs of a Decimal being made (a sum, a product, a numeral read): one buffer for every
 * operation (they run one at a time), so that a result allocates only its own digits. Operands
 * whose aligned limbs do not fit in it have far more than 40 significant digits between them, and
 * go to decimal.js.
 */
export const SCRATCH = 64
export const scratch = new Int32Array(SCRATCH)

/** Zeroes the first `n` scratch limbs: a loop the compiler inlines, where `fill` is a call into the runtime (a few limbs each time). */
export const clearScratch = (n: number): void => {
  for (let i = 0; i < n; i++) scratch[i] = 0
}

/**
 * The scratch limbs `[from, to)` as an array of exactly their length: an array grown by push
 * reserves room for 17 elements, several times what a price or an amount needs.
 */
export const limbsOf = (from: number, to: number): number[] => {
  const r = scratch
  switch (to - from) {
    case 1:
      return [r[from]!]
    case 2:
      return [r[from]!, r[from + 1]!]
    case 3:
      return [r[from]!, r[from + 1]!, r[from + 2]!]
    case 4:
      return [r[from]!, r[from + 1]!, r[from + 2]!, r[from + 3]!]
    case 5:
      return [r[from]!, r[from + 1]!, r[from + 2]!, r[from + 3]!, r[from + 4]!]
    case 6:
      return [r[from]!, r[from + 1]!, r[from + 2]!, r[from + 3]!, r[from + 4]!, r[from + 5]!]
    default:
      return Array.from(r.subarray(from, to))
  }
}
