import { Decimal as DecimalJs } from "decimal.js"

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
  if (typeof input === "number") return Number.isFinite(input) ? new Decimal(input) : undefined
  if (isDecimal(input)) return input.isFinite() ? new Decimal(input) : undefined
  if (typeof input === "string") return isDecimalString(input) ? new Decimal(input) : undefined
  return undefined
}

const decimalPattern = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/

/** A plain decimal numeral, as decimal.js reads it: no spaces, no hex, no Infinity. */
export const isDecimalString = (s: string): boolean => decimalPattern.test(s)

/** a + b, skipping the addition when either is zero: running totals start at zero, and most only ever take one term. */
export const plus = (a: DecimalJs, b: DecimalJs): DecimalJs => (a.isZero() ? b : b.isZero() ? a : a.plus(b))

/** The canonical string of a decimal input: what machine contexts and snapshots hold. */
export const toDecimalString = (input: DecimalInput): string => {
  // A number's shortest round-trip string is already canonical unless JS writes it with an exponent.
  if (typeof input === "number") {
    const s = String(input)
    if (!s.includes("e")) return s
  }
  // One of ours already prints canonically; another Decimal (other settings) is re-read first.
  if (isDecimal(input) && input.constructor === Decimal) return input.toString()
  return new Decimal(input).toString()
}
