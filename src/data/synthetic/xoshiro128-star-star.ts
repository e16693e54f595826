/**
 * xoshiro128** 1.1 (Blackman and Vigna): a small, fast, well-tested 32-bit generator whose every
 * operation is exact in JavaScript (32-bit integer arithmetic), so a seed gives the same numbers
 * on every engine. Seeded through SplitMix64, as its authors recommend.
 */
export class Xoshiro128StarStar {
  #s0: number
  #s1: number
  #s2: number
  #s3: number

  /** From a raw state of four 32-bit words, not all zero (the reference implementation's `s`). */
  constructor(state: readonly [number, number, number, number]) {
    ;[this.#s0, this.#s1, this.#s2, this.#s3] = state.map((w) => w >>> 0) as [number, number, number, number]
    // The all-zero state is the generator's one fixed point: it would return 0 forever.
    if ((this.#s0 | this.#s1 | this.#s2 | this.#s3) === 0) this.#s0 = 0x9e3779b9
  }

  /** From any safe integer: two SplitMix64 outputs make the four words of the state. */
  static fromSeed(seed: number): Xoshiro128StarStar {
    const mix = splitMix64(BigInt(seed))
    const a = mix()
    const b = mix()
    const low = (x: bigint): number => Number(x & 0xffffffffn)
    const high = (x: bigint): number => Number(x >> 32n)
    return new Xoshiro128StarStar([low(a), high(a), low(b), high(b)])
  }

  /** The next 32-bit output, as an unsigned integer. */
  nextUint32(): number {
    const s1 = this.#s1
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0
    const t = s1 << 9
    this.#s2 ^= this.#s0
    this.#s3 ^= s1
    this.#s1 ^= this.#s2
    this.#s0 ^= this.#s3
    this.#s2 ^= t
    this.#s3 = rotl(this.#s3, 11)
    return result
  }

  /** A double in [0, 1) with 53 random bits, from two outputs. */
  nextDouble(): number {
    const high = this.nextUint32() >>> 5 // 27 bits
    const low = this.nextUint32() >>> 6 // 26 bits
    return (high * 67_108_864 + low) / 9_007_199_254_740_992
  }
}

const rotl = (x: number, k: number): number => (x << k) | (x >>> (32 - k))

const MASK64 = 0xffff_ffff_ffff_ffffn

/** SplitMix64 (Steele, Lea and Flood): successive 64-bit outputs from a 64-bit seed (a negative seed wraps). */
export const splitMix64 = (seed: bigint): (() => bigint) => {
  let state = BigInt.asUintN(64, seed)
  return () => {
    state = (state + 0x9e37_79b9_7f4a_7c15n) & MASK64
    let z = state
    z = ((z ^ (z >> 30n)) * 0xbf58_476d_1ce4_e5b9n) & MASK64
    z = ((z ^ (z >> 27n)) * 0x94d0_49bb_1331_11ebn) & MASK64
    return z ^ (z >> 31n)
  }
}
