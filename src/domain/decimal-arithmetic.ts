import { Decimal, decimalFromParts, digitsIn, LOG_BASE, ownDigits, trailingZeros, ZERO } from "./decimal.ts"
import { clearScratch, limbsOf, SCRATCH, scratch } from "./limb-scratch.ts"

/**
 * `a.plus(b)`, `a.minus(b)`, `a.times(b)`, `a.abs()` and `a.comparedTo(b)` for the project's Decimals, computed
 * on decimal.js's own representation without its overhead: decimal.js copies its argument, runs
 * its constructor (about a tenth of a microsecond) and checks rounding on every operation, and the
 * engine makes dozens per order. The digits are decimal.js's base-1e7 limbs (`d`), aligned on the
 * decimal point, with the exponent of the first digit (`e`) and the sign (`s`); the sum, difference
 * or product is computed exactly on them, in doubles that never pass 2^53, and made into a Decimal
 * of the same limbs, exponent, sign and keys as decimal.js's result (the representation is
 * canonical: no leading or trailing zero limbs). A result of more than the 40 significant digits
 * the Decimal keeps, which decimal.js would round, and an operand that is not finite take
 * decimal.js's own operation.
 */

const BASE = 1e7

interface Parts {
  readonly s: number
  readonly e: number
  readonly d: number[] | null
}

const partsOf = (x: Decimal): Parts => x as unknown as Parts

/** The base-1e7 exponent of the first limb. */
const limbExponent = (e: number): number => Math.floor(e / LOG_BASE)

/**
 * The Decimal of `sign` × the scratch limbs `[from, to)`, whose first has base-1e7 exponent `top`,
 * with leading and trailing zero limbs dropped; undefined when it has more significant digits than
 * the Decimal keeps (decimal.js would round it).
 */
const fromScratch = (sign: number, from: number, to: number, top: number): Decimal | undefined => {
  while (from < to && scratch[from] === 0) {
    from += 1
    top -= 1
  }
  while (to > from && scratch[to - 1] === 0) to -= 1
  const first = scratch[from]!
  const firstDigits = digitsIn(first)
  if (firstDigits + LOG_BASE * (to - from - 1) - trailingZeros(scratch[to - 1]!) > Decimal.precision) return undefined
  return decimalFromParts(sign, top * LOG_BASE + firstDigits - 1, limbsOf(from, to))
}

/** |a| compared with |b|, both ordinary: −1, 0 or 1. */
const compareMagnitudes = (a: Parts, b: Parts): number => {
  const ea = limbExponent(a.e)
  const eb = limbExponent(b.e)
  if (ea !== eb) return ea > eb ? 1 : -1
  const ad = a.d!
  const bd = b.d!
  const n = Math.max(ad.length, bd.length)
  for (let i = 0; i < n; i++) {
    const x = ad[i] ?? 0
    const y = bd[i] ?? 0
    if (x !== y) return x > y ? 1 : -1
  }
  return 0
}

/** Σ or Δ of two ordinary magnitudes (for Δ, |a| > |b|) with the result's sign; undefined where decimal.js must do it. */
const combine = (a: Parts, b: Parts, subtract: boolean, sign: number): Decimal | undefined => {
  const ad = a.d!
  const bd = b.d!
  const ea = limbExponent(a.e)
  const eb = limbExponent(b.e)
  // One spare limb in front for a carry.
  const top = Math.max(ea, eb) + 1
  const bottom = Math.min(ea - ad.length + 1, eb - bd.length + 1)
  const n = top - bottom + 1
  if (n > SCRATCH) return undefined
  const r = scratch
  clearScratch(n)
  for (let i = 0; i < ad.length; i++) r[top - ea + i] = ad[i]!
  const offset = top - eb
  if (subtract) {
    let borrow = 0
    for (let k = n - 1; k >= 0; k--) {
      const i = k - offset
      let t = r[k]! - (i >= 0 && i < bd.length ? bd[i]! : 0) - borrow
      borrow = t < 0 ? 1 : 0
      if (t < 0) t += BASE
      r[k] = t
      if (i <= 0 && borrow === 0) break
    }
  } else {
    let carry = 0
    for (let k = n - 1; k >= 0; k--) {
      const i = k - offset
      let t = r[k]! + (i >= 0 && i < bd.length ? bd[i]! : 0) + carry
      carry = t >= BASE ? 1 : 0
      if (carry === 1) t -= BASE
      r[k] = t
      if (i <= 0 && carry === 0) break
    }
  }
  // (Never zero: equal magnitudes do not get here.)
  return fromScratch(sign, 0, n, top)
}

/**
 * A copy of `x` with the sign `sign`, as decimal.js returns an operand (a sum with zero, an
 * absolute value): undefined when it has more significant digits than the Decimal keeps (decimal.js
 * would round the copy).
 */
const copy = (x: Parts, sign: number): Decimal | undefined => {
  const d = x.d!
  if (d.length > 1 && digitsIn(d[0]!) + LOG_BASE * (d.length - 1) - trailingZeros(d[d.length - 1]!) > Decimal.precision) return undefined
  return decimalFromParts(sign, x.e, d.slice())
}

/** A zero of the sign decimal.js gives x + (−x) and 0 − 0 under banker's rounding: the shared one (a Decimal never changes), as a closed position is one every round trip. */
const positiveZero = (): Decimal => ZERO

/**
 * The short path: operands of at most two limbs each (a price, a quantity, cash to the cent…) are
 * integers M × 1e7^bottom that doubles hold exactly (M < 1e14). Where the operands span at most two
 * limbs together, their sum or difference is below 2e14; where a product's computed value is below
 * 1e15, so is the exact one (rounding keeps order, and 1e15 is a double), so it is exact too. The
 * result's limbs are cut from that integer, without the scratch buffer; anything else takes it.
 */
const SHORT_LIMIT = 1e15

/** The integer a value of one or two limbs makes of its digits. */
const shortDigits = (d: ReadonlyArray<number>): number => (d.length === 1 ? d[0]! : d[0]! * BASE + d[1]!)

/**
 * The Decimal of `sign` × m × 1e7^bottom for an integer 0 < m < 1e15: its limbs without leading or
 * trailing zero limbs. m / 1e7 < 2^27 is within 1e-7 of an integer only when it is one, far more
 * than its rounding error, so the floors are exact.
 */
const fromShort = (sign: number, m: number, bottom: number): Decimal => {
  const upper = Math.floor(m / BASE)
  const last = (m - upper * BASE) | 0
  const first = Math.floor(upper / BASE) | 0
  const middle = (upper - first * BASE) | 0
  if (first !== 0) {
    const d = last !== 0 ? [first, middle, last] : middle !== 0 ? [first, middle] : [first]
    return decimalFromParts(sign, (bottom + 2) * LOG_BASE + digitsIn(first) - 1, d)
  }
  if (middle !== 0) return decimalFromParts(sign, (bottom + 1) * LOG_BASE + digitsIn(middle) - 1, last !== 0 ? [middle, last] : [middle])
  return decimalFromParts(sign, bottom * LOG_BASE + digitsIn(last) - 1, [last])
}

/** x + y × ySign on the short path, for two non-zero operands; undefined when they do not fit it. */
const shortSum = (x: Parts, y: Parts, ySign: number): Decimal | undefined => {
  const xd = x.d!
  const yd = y.d!
  if (xd.length > 2 || yd.length > 2) return undefined
  const xTop = limbExponent(x.e)
  const yTop = limbExponent(y.e)
  const xBottom = xTop - xd.length + 1
  const yBottom = yTop - yd.length + 1
  const bottom = xBottom < yBottom ? xBottom : yBottom
  if ((xTop > yTop ? xTop : yTop) - bottom > 1) return undefined
  // Aligned on the lower bottom: an operand a limb above it has one limb, worth its digit × 1e7.
  const sum = x.s * shortDigits(xd) * (xBottom > bottom ? BASE : 1) + ySign * shortDigits(yd) * (yBottom > bottom ? BASE : 1)
  if (sum === 0) return positiveZero()
  return sum > 0 ? fromShort(1, sum, bottom) : fromShort(-1, -sum, bottom)
}

/**
 * x + y with y's sign taken as `ySign` (its own for a sum, the opposite for a difference), as
 * decimal.js computes it; undefined where decimal.js must do it. With a zero, decimal.js returns
 * (a copy of) the other operand; of two zeros, x, unless their signs differ (then +0).
 */
const signedSum = (x: Parts, y: Parts, ySign: number): Decimal | undefined => {
  if (x.d === null || y.d === null) return undefined
  const xZero = x.d[0] === 0
  const yZero = y.d[0] === 0
  if (xZero || yZero) return !yZero ? copy(y, ySign) : !xZero || x.s === ySign ? copy(x, x.s) : positiveZero()
  const short = shortSum(x, y, ySign)
  if (short !== undefined) return short
  if (x.s === ySign) return combine(x, y, false, x.s)
  const c = compareMagnitudes(x, y)
  return c === 0 ? positiveZero() : c > 0 ? combine(x, y, true, x.s) : combine(y, x, true, ySign)
}

/** a + b, exactly as `a.plus(b)`. */
export const add = (a: Decimal, b: Decimal): Decimal => signedSum(partsOf(a), partsOf(b), partsOf(b).s) ?? ownDigits(a.plus(b))

/** a − b, exactly as `a.minus(b)`. */
export const subtract = (a: Decimal, b: Decimal): Decimal => signedSum(partsOf(a), partsOf(b), -partsOf(b).s) ?? ownDigits(a.minus(b))

/** |a|, exactly as `a.abs()`. */
export const absolute = (a: Decimal): Decimal => {
  const x = partsOf(a)
  return (x.d === null ? undefined : copy(x, 1)) ?? ownDigits(a.abs())
}

/**
 * The last few products, by their factors' identity (a Decimal never changes): an order's notional
 * and commission are computed for its check and again, of the same factors, for its fill.
 */
const MEMO = 4
const memoA: Array<Decimal | null> = new Array<Decimal | null>(MEMO).fill(null)
const memoB: Array<Decimal | null> = new Array<Decimal | null>(MEMO).fill(null)
const memoProduct: Decimal[] = new Array<Decimal>(MEMO).fill(ZERO)
let memoNext = 0

/** a × b, exactly as `a.times(b)`. */
export const multiply = (a: Decimal, b: Decimal): Decimal => {
  for (let i = 0; i < MEMO; i++) if (memoA[i] === a && memoB[i] === b) return memoProduct[i]!
  const result = exactProduct(a, b)
  memoA[memoNext] = a
  memoB[memoNext] = b
  memoProduct[memoNext] = result
  memoNext = (memoNext + 1) % MEMO
  return result
}

const exactProduct = (a: Decimal, b: Decimal): Decimal => {
  const x = partsOf(a)
  const y = partsOf(b)
  if (x.d !== null && y.d !== null) {
    // A zero factor: a zero with the product of the signs, as decimal.js makes it.
    if (x.d[0] === 0 || y.d[0] === 0) return x.s === y.s ? ZERO : decimalFromParts(-1, 0, [0])
    const ad = x.d
    const bd = y.d
    if (ad.length <= 2 && bd.length <= 2) {
      const product = shortDigits(ad) * shortDigits(bd)
      if (product < SHORT_LIMIT) return fromShort(x.s * y.s, product, limbExponent(x.e) - ad.length + limbExponent(y.e) - bd.length + 2)
    }
    const n = ad.length + bd.length
    if (n > SCRATCH) return ownDigits(a.times(b))
    const r = scratch
    clearScratch(n)
    // Schoolbook, one row per limb of a, from the last: each partial product is below 1e14, each sum far below 2^53.
    for (let i = ad.length - 1; i >= 0; i--) {
      const ai = ad[i]!
      let carry = 0
      for (let j = bd.length - 1; j >= 0; j--) {
        const t = r[i + j + 1]! + ai * bd[j]! + carry
        carry = (t / BASE) | 0
        r[i + j + 1] = t - carry * BASE
      }
      // No earlier row reached this limb: the carry is all of it, and below the base.
      r[i] = carry
    }
    const product = fromScratch(x.s * y.s, 0, n, limbExponent(x.e) + limbExponent(y.e) + 1)
    if (product !== undefined) return product
  }
  return ownDigits(a.times(b))
}

/** a ÷ b, as `a.dividedBy(b)` computes it (rounded to 40 significant digits), with digits of its own (see `ownDigits`). */
export const divide = (a: Decimal, b: Decimal): Decimal => ownDigits(a.dividedBy(b))

/** a compared with b (−1, 0 or 1), as `a.comparedTo(b)` for finite decimals. */
export const compare = (a: Decimal, b: Decimal): number => {
  const x = partsOf(a)
  const y = partsOf(b)
  if (x.d === null || y.d === null) return a.comparedTo(b)
  const xZero = x.d[0] === 0
  const yZero = y.d[0] === 0
  if (xZero || yZero) return xZero && yZero ? 0 : xZero ? -y.s : x.s
  if (x.s !== y.s) return x.s
  const c = compareMagnitudes(x, y)
  return c === 0 ? 0 : x.s * c
}

/** a + b, skipping the addition when either is zero: running totals start at zero, and most only ever take one term. */
export const plus = (a: Decimal, b: Decimal): Decimal => (a.isZero() ? b : b.isZero() ? a : add(a, b))

/** a − b, and the shared zero when b is a itself: a running total less its only term (`plus` keeps the term itself). */
export const less = (a: Decimal, b: Decimal): Decimal => (a === b ? ZERO : subtract(a, b))

/**
 * Decimals that never round: a running total is restored from a snapshot by summing the terms
 * still in it, so it must not depend on which terms came and went before (a sum rounded to 40
 * digits once leaves a residue when its term leaves). Sums need only as many digits as the span
 * of their terms, so this costs nothing until a sum passes 40 digits.
 */
const Unrounded = Decimal.clone({ precision: 1e9 })

/** a + b without rounding, at any length; `plus` where it fits 40 digits. */
export const exactPlus = (a: Decimal, b: Decimal): Decimal =>
  a.isZero() ? b : b.isZero() ? a : (signedSum(partsOf(a), partsOf(b), partsOf(b).s) ?? ownDigits(new Unrounded(a).plus(b)))

/** a − b without rounding, at any length; `less` where it fits 40 digits. */
export const exactLess = (a: Decimal, b: Decimal): Decimal =>
  a === b ? ZERO : (signedSum(partsOf(a), partsOf(b), -partsOf(b).s) ?? ownDigits(new Unrounded(a).minus(b)))
