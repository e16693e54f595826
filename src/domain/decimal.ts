import { Decimal as DecimalJs } from "decimal.js"
import { limbsOf, SCRATCH, scratch } from "./limb-scratch.ts"
import { numberText, SHORT_NUMERALS, THREE_DIGITS } from "./number-text.ts"

/**
 * The project's Decimal: 40 significant digits, banker's rounding, never exponent notation in
 * strings (at any magnitude). decimal.js rounds silently at its default 20 digits, too few for
 * exact cash over long runs, so every ledger value is made with this constructor. Sums, products
 * and differences of ordinary prices and quantities stay well inside 40 digits and are exact; a
 * division (an average cost) is rounded to 40 significant digits.
 */
export const Decimal = DecimalJs.clone({
  precision: 40,
  rounding: DecimalJs.ROUND_HALF_EVEN,
  toExpNeg: -9e15,
  toExpPos: 9e15
})
export type Decimal = DecimalJs

/** What callers may pass where a decimal is expected. */
export type DecimalInput = number | string | DecimalJs

export const ZERO = new Decimal(0)

export const isDecimal = (u: unknown): u is DecimalJs => DecimalJs.isDecimal(u)

/** Parses a decimal input; `undefined` when it is not a finite number. */
export const parseDecimal = (input: unknown): Decimal | undefined => {
  if (typeof input === "number") return Number.isFinite(input) ? decimalOf(input) : undefined
  if (isDecimal(input)) return input.isFinite() ? new Decimal(input) : undefined
  if (typeof input === "string") return isDecimalString(input) ? decimalOf(input) : undefined
  return undefined
}

const decimalPattern = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/

/** A plain decimal numeral, as decimal.js reads it: no spaces, no hex, no Infinity. */
export const isDecimalString = (s: string): boolean => decimalPattern.test(s)

/**
 * x > 0 and x < 0 for a finite decimal, read from its sign: `x.greaterThan(0)` makes a Decimal
 * of the 0 and copies it again to compare, on every call, and the engine asks several per order.
 */
export const isAboveZero = (x: DecimalJs): boolean => x.s > 0 && !x.isZero()
export const isBelowZero = (x: DecimalJs): boolean => x.s < 0 && !x.isZero()

/** The canonical string of a decimal input: what machine contexts and snapshots hold. */
export const toDecimalString = (input: DecimalInput): string => {
  // A number's shortest round-trip string is already canonical unless JS writes it with an exponent.
  if (typeof input === "number" && Number.isFinite(input)) {
    // A quantity of a few shares: from the table rather than JSON's writer.
    if (Number.isInteger(input) && input >= 0 && input < 1000) return SHORT_NUMERALS[input]!
    const s = numberText(input)
    if (!s.includes("e")) return s
  }
  // One of ours already prints canonically; another Decimal (other settings) is re-read first.
  if (isDecimal(input) && input.constructor === Decimal) return decimalString(input)
  return new Decimal(input).toString()
}

/** Digits in one of decimal.js's base-1e7 limbs (1 to 7). */
export const digitsIn = (limb: number): number => (limb < 10 ? 1 : limb < 100 ? 2 : limb < 1e3 ? 3 : limb < 1e4 ? 4 : limb < 1e5 ? 5 : limb < 1e6 ? 6 : 7)

/**
 * Trailing zero digits of a non-zero limb. The limb stays an integer as it is divided (`| 0`): a
 * double's `% 10` is a call into the runtime, an integer's one instruction.
 */
export const trailingZeros = (limb: number): number => {
  let n = 0
  while (limb % 10 === 0) {
    limb = (limb / 10) | 0
    n += 1
  }
  return n
}

const PADDING = "0000000"

/**
 * The last few doubles read through their numerals (`fromLongDouble`), with their Decimals and
 * numerals: a full-precision price is read for an order's check and written again for its fill,
 * and a bar's open is often the last close, read already for the marks. A Decimal never changes,
 * so one may be handed out again, and its numeral is the one it was read from (`fromPlainNumeral`
 * reads only plain numerals, and a double's has no trailing zero).
 */
const RECENT_DOUBLES = 4
const recentDoubles = new Float64Array(RECENT_DOUBLES).fill(Number.NaN)
const recentDecimals: Array<DecimalJs | null> = new Array<DecimalJs | null>(RECENT_DOUBLES).fill(null)
const recentTexts: string[] = new Array<string>(RECENT_DOUBLES).fill("")
let recentNext = 0

const rememberDouble = (x: number, d: DecimalJs, text: string): void => {
  recentDoubles[recentNext] = x
  recentDecimals[recentNext] = d
  recentTexts[recentNext] = text
  recentNext = (recentNext + 1) % RECENT_DOUBLES
}

/** The Decimal of a double read lately, or null. (NaN, with which the slots start, equals nothing.) */
const knownDouble = (x: number): DecimalJs | null => {
  for (let i = 0; i < RECENT_DOUBLES; i++) if (recentDoubles[i] === x) return recentDecimals[i]!
  return null
}

const knownText = (d: DecimalJs): string | undefined => {
  for (let i = 0; i < RECENT_DOUBLES; i++) if (recentDecimals[i] === d) return recentTexts[i]
  return undefined
}

/**
 * `d.toString()` for one of ours (plain notation at any magnitude), written from its limbs as
 * decimal.js writes it, with less of its overhead: the engine writes several per fill (the fill's
 * figures, a closed trade's). Another Decimal (other settings) and a non-finite one print themselves.
 */
export const decimalString = (d: DecimalJs): string => {
  const known = knownText(d)
  if (known !== undefined) return known
  const limbs = (d as unknown as { readonly d: ReadonlyArray<number> | null }).d
  if (limbs === null || d.constructor !== Decimal) return d.toString()
  const first = limbs[0]!
  if (first === 0) return "0"
  // decimal.js aligns its limbs on the decimal point: the first `whole` limbs are the integer part
  // (limbs past the last are zeros), the rest the fraction, after `-whole` limbs of zeros when
  // negative; only the last limb has trailing zeros (the representation has no zero limbs at the end).
  const whole = Math.floor(d.e / LOG_BASE) + 1
  const count = limbs.length
  let text = ""
  if (whole > 0) {
    text = first < 1000 ? SHORT_NUMERALS[first]! : padded(first).slice(LOG_BASE - digitsIn(first))
    for (let i = 1; i < whole; i++) text += i < count ? padded(limbs[i]!) : PADDING
    if (count <= whole) return d.s < 0 ? `-${text}` : text
  } else text = "0"
  text += "."
  for (let i = whole; i < 0; i++) text += PADDING
  const last = count - 1
  for (let i = Math.max(whole, 0); i < last; i++) text += padded(limbs[i]!)
  // The last limb without its trailing zeros.
  const limb = limbs[last]!
  const zeros = trailingZeros(limb)
  text += zeros === 0 ? padded(limb) : padded(limb).slice(0, LOG_BASE - zeros)
  return d.s < 0 ? `-${text}` : text
}

/**
 * A limb's 7 digits, with its leading zeros: its first digit and two groups of three from a table
 * (numberText, JSON's writer, costs about three times as much: it is a general serializer).
 */
const padded = (limb: number): string => {
  const head = (limb / 1_000_000) | 0
  const rest = limb - head * 1_000_000
  const middle = (rest / 1000) | 0
  return SHORT_NUMERALS[head]! + THREE_DIGITS[middle]! + THREE_DIGITS[rest - middle * 1000]!
}

/** Powers of ten a double holds exactly: 10^0 … 10^22. */
const EXACT_POWERS_OF_TEN = Array.from({ length: 23 }, (_, i) => 10 ** i)

/**
 * `d.toNumber()` without its string round trip: the nearest double, as `Number(d.toString())`
 * gives it. When the digits make an integer M below 2^53 and the value is M × 10^p with
 * |p| ≤ 22, both M and 10^|p| are exact doubles, so the one multiplication or division rounds
 * the exact value once, to nearest-even, as parsing does (Clinger's fast path). Longer digits
 * (cash after many fills of full-precision prices) take `longToNumber`; what that cannot
 * settle takes decimal.js's own conversion.
 */
export const toNumberExact = (d: DecimalJs): number => {
  // decimal.js keeps the digits in base-1e7 limbs (`d`), the exponent of the first digit (`e`) and the sign (`s`).
  const limbs = (d as unknown as { readonly d: ReadonlyArray<number> | null }).d
  if (limbs === null) return d.toNumber()
  // Zero keeps its sign, as decimal.js's conversion (through the string "-0") does: a closed position is a zero every round trip.
  if (limbs[0] === 0) return d.s < 0 ? -0 : 0
  if (limbs.length > 3) return longToNumber(d, limbs)
  // The last limb is padded with zeros to its 7 digits (the limbs align on the point): they are not digits of M.
  const lastIndex = limbs.length - 1
  let last = limbs[lastIndex]!
  let padding = 0
  while (lastIndex > 0 && last % 10 === 0) {
    last = (last / 10) | 0
    padding += 1
  }
  let m = 0
  for (let i = 0; i < lastIndex; i++) m = m * 1e7 + limbs[i]!
  m = lastIndex === 0 ? last : m * EXACT_POWERS_OF_TEN[7 - padding]! + last
  if (m > Number.MAX_SAFE_INTEGER) return longToNumber(d, limbs)
  // The digits of the first limb, then 7 per further limb but the last's padding; p places the decimal point.
  const first = limbs[0]!
  const digits = digitsIn(first) + 7 * lastIndex - padding
  const p = d.e + 1 - digits
  if (p < -22 || p > 22) return longToNumber(d, limbs)
  const magnitude = p < 0 ? m / EXACT_POWERS_OF_TEN[-p]! : m * EXACT_POWERS_OF_TEN[p]!
  return d.s < 0 ? -magnitude : magnitude
}

/** The limb weights 1e7^k, k in [-POWERS, POWERS], as far as `longToNumber` takes them (1e-91 … 1e91). */
const POWERS = 13

/**
 * 1e7^k as the sum of two doubles, `high` the nearest double and `low` the nearest double to the
 * rest (exact integers for k ≥ 0; for k < 0 from 10^-7k − high = (2^q − m·10^7k) / (10^7k·2^q),
 * where high = m / 2^q, to a few roundings of `low`, far below what `longToNumber` needs), and
 * `high` split in two halves of 26 bits (Veltkamp) so that a limb (< 2^24) times either is exact.
 */
const limbWeights = Array.from({ length: 2 * POWERS + 1 }, (_, index) => {
  const k = index - POWERS
  const n = 7 * Math.abs(k)
  const high = Number(`1e${k < 0 ? -n : n}`)
  let low: number
  if (k >= 0) low = Number(10n ** BigInt(n) - BigInt(high))
  else {
    const q = 53 - Math.floor(Math.log2(high)) + 1
    const m = BigInt(high * 2 ** q)
    low = Number(2n ** BigInt(q) - m * 10n ** BigInt(n)) / 2 ** q / Number(`1e${n}`)
  }
  const c = high * 134217729
  const upper = c - (c - high)
  return { upper, lower: high - upper, low }
})

/**
 * The nearest double to a Decimal of many digits, without a string: the value as the sum of its
 * limbs times their weights, in two doubles (each limb times a weight's halves exactly, their sum
 * by Knuth's TwoSum, what is left of the weights and the sums' errors in the second double), within
 * 2^-90 of the value, far less than the distance 2^-70 of it this keeps from the halfway points
 * between doubles: `high` rounds to the value's double when both ends of that margin do (rounding
 * keeps order). Near a halfway point, and far outside the ordinary magnitudes, decimal.js converts.
 */
const longToNumber = (d: DecimalJs, limbs: ReadonlyArray<number>): number => {
  // Limb i weighs 1e7^(top − i): decimal.js aligns its limbs on the decimal point.
  const top = Math.floor(d.e / 7)
  if (top > POWERS || top - limbs.length + 1 < -POWERS) return d.toNumber()
  let high = 0
  let low = 0
  for (let i = 0; i < limbs.length; i++) {
    const limb = limbs[i]!
    const weight = limbWeights[top - i + POWERS]!
    // TwoSum of high and each exact half-product: the rounding error goes to low.
    const a = limb * weight.upper
    let sum = high + a
    let virtual = sum - high
    low += high - (sum - virtual) + (a - virtual)
    high = sum
    const b = limb * weight.lower
    sum = high + b
    virtual = sum - high
    low += high - (sum - virtual) + (b - virtual)
    high = sum
    low += limb * weight.low
  }
  const nearest = high + low
  const rest = low - (nearest - high)
  const margin = nearest * 2 ** -70
  if (nearest + (rest + margin) !== nearest || nearest + (rest - margin) !== nearest) return d.toNumber()
  return d.s < 0 ? -nearest : nearest
}

/**
 * A Decimal of the given sign, exponent and base-1e7 digits (decimal.js's `s`, `e` and `d`, which
 * the caller makes canonical: no leading or trailing zero limbs), with the keys decimal.js's
 * constructor gives one, in its order, but without running it (about a tenth of a microsecond).
 */
export const decimalFromParts: (s: number, e: number, d: number[]) => Decimal = (() => {
  const Made = function (this: { constructor: unknown; s: number; e: number; d: number[] }, s: number, e: number, d: number[]) {
    this.constructor = Decimal
    this.s = s
    this.e = e
    this.d = d
  } as unknown as new (s: number, e: number, d: number[]) => Decimal
  Made.prototype = Decimal.prototype
  return (s, e, d) => new Made(s, e, d)
})()

/**
 * `x` with digits of its own in an array of small integers, for a result of decimal.js's own
 * arithmetic that the engine keeps. decimal.js makes some digit arrays of doubles (its `[v]` for a
 * small integer, and its arithmetic once compiled for those): where arrays of both kinds meet,
 * optimised code converts every small-integer one it reads, a call into the runtime and a new array
 * each time. Copied through the scratch's typed array, which reads either kind as it is. A value
 * too long for the scratch, not finite, or of another Decimal (other settings) is `x` itself.
 */
export const ownDigits = (x: Decimal): Decimal => {
  const d = (x as unknown as { readonly d: ReadonlyArray<number> | null }).d
  if (d === null || d.length > SCRATCH || x.constructor !== Decimal) return x
  scratch.set(d)
  return decimalFromParts(x.s, x.e, limbsOf(0, d.length))
}

/** decimal.js's digits per element of `d`, and its base. */
export const LOG_BASE = 7
const BASE = 1e7

/**
 * A plain numeral (an optional minus, digits, at most one point with digits on both sides) read
 * exactly as decimal.js reads it, without its regular expressions and string copies: the same
 * sign, exponent and base-1e7 digits (`s`, `e`, `d`, the representation decimal.js documents),
 * set on a fresh Decimal. undefined for any other string ("5.", ".5", "+5", "1e3", "NaN"…), which
 * decimal.js reads itself.
 */
const fromPlainNumeral = (str: string): Decimal | undefined => {
  const n = str.length
  const start = n > 0 && str.charCodeAt(0) === 45 ? 1 : 0
  let point = -1
  let first = -1
  let last = -1
  for (let i = start; i < n; i++) {
    const c = str.charCodeAt(i)
    if (c === 46) {
      if (point !== -1) return undefined
      point = i
    } else if (c < 48 || c > 57) return undefined
    else if (c !== 48) {
      if (first === -1) first = i
      last = i
    }
  }
  if (n === start || point === start || point === n - 1) return undefined
  const s = start === 1 ? -1 : 1
  // Zero keeps its sign and new Decimal(0)'s digits, as decimal.js does.
  if (first === -1) return decimalFromParts(s, 0, [0])
  const end = point === -1 ? n : point
  // The exponent of the first significant digit; decimal.js aligns its limbs on the point, so the first holds `size` digits.
  const e = first < end ? end - first - 1 : end - first
  let size = (e + 1) % LOG_BASE
  if (size <= 0) size += LOG_BASE
  // The limbs go to the scratch, then to an array of their number (see `limbsOf`); a numeral too long for it is decimal.js's.
  if (last - first + 1 > (SCRATCH - 1) * LOG_BASE) return undefined
  let count = 0
  let limb = 0
  let filled = 0
  for (let i = first; i <= last; i++) {
    if (i === point) continue
    limb = limb * 10 + (str.charCodeAt(i) - 48)
    filled += 1
    if (filled === size && i < last) {
      scratch[count++] = limb
      limb = 0
      filled = 0
      size = LOG_BASE
    }
  }
  // The last limb is padded with zeros to its size; `| 0` keeps the digits small integers, as decimal.js's are.
  scratch[count++] = (limb * 10 ** (size - filled)) | 0
  return decimalFromParts(s, e, limbsOf(0, count))
}

/**
 * `new Decimal(input)` for a price or quantity as callers give them and as the engine keeps them
 * (a number, or a decimal string), the same value with the same digits, but reading plain
 * numerals itself: decimal.js's constructor costs about a microsecond, and each order makes several.
 */
export const decimalOf = (input: number | string): Decimal => {
  if (typeof input === "string") return fromPlainNumeral(input) ?? new Decimal(input)
  // Zero (and its sign) and small integers as decimal.js's own fast path makes them, but with the limb
  // an int32: its `[v]` (v a number the compiler holds as a double) makes arrays of doubles once any
  // double passed it, and limb arrays of two kinds have optimised code convert every one it reads.
  if (Number.isInteger(input) && Math.abs(input) < 1e7) {
    const magnitude = Math.abs(input) | 0
    return decimalFromParts(input < 0 || 1 / input < 0 ? -1 : 1, magnitude === 0 ? 0 : digitsIn(magnitude) - 1, [magnitude])
  }
  return knownDouble(input) ?? fromShortDouble(input) ?? (Number.isFinite(input) ? fromLongDouble(input) : undefined) ?? new Decimal(input)
}

/** A double's Decimal read from its numeral, kept with it for a while (see `knownDouble`). */
const fromLongDouble = (x: number): Decimal | undefined => {
  const text = numberText(x)
  const d = fromPlainNumeral(text)
  if (d !== undefined) rememberDouble(x, d, text)
  return d
}

/** Below it, two numerals of k decimals are farther apart than a double's rounding interval at x (10^-k > x·2^-52 > ulp(x)). */
const SHORT_DOUBLE_LIMIT = 2 ** 51
/** The most decimals `fromShortDouble` looks for: two limbs of fraction. */
const SHORT_DOUBLE_DECIMALS = 14

/**
 * The Decimal of String(x) for a double of a few decimals (a price, a quantity), without writing
 * the string (about 0.2 µs). When M = x·10^k is an integer below 2^51 and M / 10^k (one correctly
 * rounded division) is x, the numeral M·10^-k reads back as x, and it is the only one of k decimals
 * that does (they are farther apart than x's rounding interval). String(x)'s numeral reads back and
 * has at most k decimals, so padded to k it is that one: the same value. Any other double (long,
 * tiny, huge, or whose products round off an integer) is undefined: the caller writes the string.
 */
const fromShortDouble = (x: number): Decimal | undefined => {
  const a = x < 0 ? -x : x
  for (let k = 0; k <= SHORT_DOUBLE_DECIMALS; k++) {
    const scale = EXACT_POWERS_OF_TEN[k]!
    const m = a * scale
    if (m >= SHORT_DOUBLE_LIMIT) return undefined
    if (Number.isInteger(m) && m / scale === a) return fromScaledInteger(x < 0 ? -1 : 1, m, k)
  }
  return undefined
}

/** Limb slots 0–2 hold the integer part (weights 1e14, 1e7, 1), 3–4 the fraction (1e-7, 1e-14): reused, read at once. */
const slots = [0, 0, 0, 0, 0]

/**
 * The Decimal of sign × m / 10^k (m an integer below 2^51, k ≤ 14) in decimal.js's form: base-1e7
 * limbs aligned on the point, without leading or trailing zero limbs. The floors are exact: a
 * quotient below 2^51 is within 10^-k of an integer only when it is one.
 */
const fromScaledInteger = (sign: number, m: number, k: number): Decimal => {
  const scale = EXACT_POWERS_OF_TEN[k]!
  const whole = Math.floor(m / scale)
  // The fraction's digits padded to whole limbs.
  const fraction = (m - whole * scale) * EXACT_POWERS_OF_TEN[(k <= LOG_BASE ? LOG_BASE : 2 * LOG_BASE) - k]!
  const high = Math.floor(whole / BASE)
  slots[0] = Math.floor(high / BASE)
  slots[1] = high - slots[0]! * BASE
  slots[2] = whole - high * BASE
  if (k <= LOG_BASE) {
    slots[3] = fraction
    slots[4] = 0
  } else {
    slots[3] = Math.floor(fraction / BASE)
    slots[4] = fraction - slots[3]! * BASE
  }
  let top = 0
  while (slots[top] === 0) top += 1
  let bottom = 4
  while (slots[bottom] === 0) bottom -= 1
  const d: number[] = []
  for (let i = top; i <= bottom; i++) d.push(slots[i]! | 0)
  // Slot i weighs 1e7^(2 − i); e is the exponent of the first digit.
  return decimalFromParts(sign, (2 - top) * LOG_BASE + digitsIn(d[0]!) - 1, d)
}
