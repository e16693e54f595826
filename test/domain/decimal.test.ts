import { fc, test } from "@fast-check/vitest"
import { describe, expect } from "vitest"
import { Decimal, decimalOf, decimalString, ownDigits, toDecimalString, toNumberExact } from "../../src/domain/decimal.ts"

// Decimal numerals of up to 30 digits, the point anywhere, and an exponent: inside and outside the fast path.
const numeral = fc
  .tuple(fc.boolean(), fc.stringMatching(/^[0-9]{1,30}$/), fc.nat(30), fc.integer({ min: -40, max: 40 }), fc.boolean())
  .map(([negative, digits, point, exponent, withExponent]) => {
    const at = Math.min(point, digits.length)
    const body = `${digits.slice(0, at) || "0"}.${digits.slice(at) || "0"}`
    return `${negative ? "-" : ""}${body}${withExponent ? `e${exponent}` : ""}`
  })

// Prices, quantities and cash as the ledger holds them: doubles read as decimals, their sums and products.
const ledgerValue = fc
  .tuple(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e15, max: 1e15 }), fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }))
  .map(([a, b]) => new Decimal(a).times(new Decimal(b)).plus(a))

describe("toNumberExact", () => {
  test.prop([numeral], { numRuns: 20_000 })("gives the double decimal.js's toNumber gives, for any numeral", (s) => {
    const d = new Decimal(s)
    expect(Object.is(toNumberExact(d), d.toNumber())).toBe(true)
  })

  test.prop([ledgerValue], { numRuns: 20_000 })("gives the double decimal.js's toNumber gives, for sums and products of doubles", (d) => {
    expect(Object.is(toNumberExact(d), d.toNumber())).toBe(true)
  })

  test.prop([fc.stringMatching(/^[1-9][0-9]{15,39}$/), fc.integer({ min: -95, max: 95 }), fc.boolean()], { numRuns: 20_000 })(
    "gives the double Number gives for the decimal's string, for 16 to 40 digits at any magnitude",
    (digits, exponent, negative) => {
      const d = new Decimal(`${negative ? "-" : ""}${digits}e${exponent}`)
      expect(Object.is(toNumberExact(d), Number(d.toString()))).toBe(true)
    }
  )

  // A halfway point between two doubles and the decimals a last digit either side of it: where the rounding direction is decided by the last digits.
  test.prop([fc.double({ min: 1e-3, max: 1e7, noNaN: true }), fc.constantFrom(-1n, 0n, 1n), fc.boolean()], { numRuns: 10_000 })(
    "rounds halfway points and their neighbours as Number does",
    (x, step, negative) => {
      const bits = new BigUint64Array(new Float64Array([x]).buffer)[0]!
      const exponent = Number(bits >> 52n) - 1075
      const mantissa = (bits & ((1n << 52n) - 1n)) | (1n << 52n)
      // (2·mantissa + 1) · 2^(exponent − 1) = (2·mantissa + 1) · 5^(1 − exponent) / 10^(1 − exponent), exponent < 0 here.
      const scale = 1 - exponent
      const numerator = (2n * mantissa + 1n) * 5n ** BigInt(scale) + step
      const d = new Decimal(`${negative ? "-" : ""}${numerator}e-${scale}`)
      expect(Object.is(toNumberExact(d), Number(d.toString()))).toBe(true)
    }
  )

  test.prop([fc.double({ noNaN: true })])("round-trips every double", (x) => {
    expect(Object.is(toNumberExact(new Decimal(x)), new Decimal(x).toNumber())).toBe(true)
  })
})

/** What decimal.js holds of a Decimal: its sign, exponent and base-1e7 digits, in its own key order. */
const representation = (d: Decimal) => {
  const { s, e, d: digits } = d as unknown as { s: number; e: number; d: number[] | null }
  return { keys: Object.keys(d), s, e, digits }
}

// Plain numerals and their near misses: leading and trailing zeros, signs, a point at either end, exponents, junk.
const numeralLike = fc
  .tuple(fc.constantFrom("", "-", "+", "--"), fc.stringMatching(/^[0-9]{0,25}$/), fc.option(fc.stringMatching(/^[0-9]{0,25}$/)), fc.constantFrom("", "", "", "e3", "e-2", "x", "."))
  .map(([sign, whole, fraction, tail]) => `${sign}${whole}${fraction === null ? "" : `.${fraction}`}${tail}`)
  .filter((s) => /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s))

describe("decimalOf", () => {
  test.prop([fc.oneof(fc.double(), fc.integer(), fc.double({ min: 0.01, max: 1e6, noNaN: true }).map((x) => Math.round(x * 1e4) / 1e4))], { numRuns: 20_000 })(
    "makes the Decimal new Decimal makes from a number, digit for digit",
    (x) => {
      expect(representation(decimalOf(x))).toEqual(representation(new Decimal(x)))
    }
  )

  // Doubles of 1 to 17 significant digits at every magnitude, their neighbours a few ulps away, and sums that miss a short numeral (0.1 + 0.2).
  const shortDouble = fc.oneof(
    fc.tuple(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: 1, max: 17 }), fc.integer({ min: -20, max: 20 })).map(([x, digits, shift]) => Number(x.toPrecision(digits)) * 10 ** shift),
    fc.tuple(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: 0, max: 16 })).map(([n, k]) => n / 10 ** k),
    fc.tuple(fc.integer({ min: 1, max: 1e6 }), fc.integer({ min: 1, max: 15 }), fc.integer({ min: -3, max: 3 })).map(([n, k, ulps]) => {
      const x = n / 10 ** k
      const bits = new BigInt64Array(new Float64Array([x]).buffer)
      bits[0] = bits[0]! + BigInt(ulps)
      return new Float64Array(bits.buffer)[0]!
    }),
    fc.tuple(fc.integer({ min: 1, max: 1e4 }), fc.integer({ min: 1, max: 1e4 }), fc.integer({ min: 1, max: 8 })).map(([a, b, k]) => a / 10 ** k + b / 10 ** k)
  )

  test.prop([shortDouble], { numRuns: 50_000 })("makes the Decimal of String(x) for doubles of few decimals and their near misses, digit for digit", (x) => {
    expect(representation(decimalOf(x))).toEqual(representation(new Decimal(x)))
  })

  test.prop([numeralLike], { numRuns: 20_000 })("makes the Decimal new Decimal makes from a numeral string, digit for digit", (s) => {
    expect(representation(decimalOf(s))).toEqual(representation(new Decimal(s)))
  })

  test.prop([fc.double({ noNaN: true, noDefaultInfinity: true })])("its Decimals compute as decimal.js's own", (x) => {
    const mine = decimalOf(x)
    const theirs = new Decimal(x)
    expect(mine.plus(theirs).toString()).toBe(theirs.times(2).toString())
    expect(mine.equals(theirs)).toBe(true)
  })
})

describe("ownDigits", () => {
  test.prop([numeral, ledgerValue.map((d) => d.toString())], { numRuns: 10_000 })("keeps the value, sign, exponent, digits and keys in an array of its own", (s, t) => {
    for (const x of [new Decimal(s), new Decimal(t), new Decimal(s).dividedBy(7)]) {
      const own = ownDigits(x)
      expect(representation(own)).toEqual(representation(x))
      expect(own.toString()).toBe(x.toString())
      expect((own as unknown as { d: number[] }).d).not.toBe((x as unknown as { d: number[] }).d)
    }
  })

  test("leaves a value that is not finite, and one of another Decimal, as it is", () => {
    for (const x of [new Decimal(Number.NaN), new Decimal(Infinity), new Decimal(-Infinity)]) expect(ownDigits(x)).toBe(x)
    const Other = Decimal.clone({ precision: 100 })
    const other = new Other("1.5")
    expect(ownDigits(other)).toBe(other)
  })
})

describe("decimalString", () => {
  test.prop([fc.oneof(numeral, ledgerValue.map((d) => d.toString()), fc.constantFrom("0", "-0", "1e-7", "1e-6", "-0.0000012345", "123456789012345", "1234567890123456", "1e20", "1e21", "-1234567.0000001", "1e40", "0.00000001"))], { numRuns: 20_000 })(
    "writes what decimal.js's toString writes, for any numeral and for sums and products of doubles",
    (s) => {
      const d = new Decimal(s)
      expect(decimalString(d)).toBe(d.toString())
    }
  )

  test.prop(
    [fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: 1, max: 17 }), fc.integer({ min: -30, max: 30 })],
    { numRuns: 50_000 }
  )("writes what toString writes for doubles of 1 to 17 digits at every magnitude (inside and outside its fast path)", (x, digits, shift) => {
    const d = new Decimal(Number(x.toPrecision(digits))).times(new Decimal(10).pow(shift))
    expect(decimalString(d)).toBe(d.toString())
  })

  test.prop([fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 12 })], { numRuns: 5_000 })(
    "reads a double again as the first time, and writes a Decimal read from one (whose numeral it keeps) as toString does, the last few in any order",
    (xs) => {
      const decimals = xs.map((x) => decimalOf(x))
      for (const d of [...decimals].reverse()) expect(decimalString(d)).toBe(d.toString())
      // Read again (some from the doubles read lately): the same value, digit for digit.
      for (const x of [...xs].reverse()) expect(decimalOf(x).toString()).toBe(new Decimal(x).toString())
      expect(decimals.map((d) => d.toString())).toEqual(xs.map((x) => new Decimal(x).toString()))
    }
  )
})

describe("toDecimalString", () => {
  test.prop([fc.oneof(fc.double(), fc.integer(), fc.integer({ min: -5, max: 1200 }), fc.constantFrom(0, -0, Number.NaN, Infinity, -Infinity, 1e21, 1e-7, 5e-324, 123.456))], { numRuns: 20_000 })(
    "writes a number as String does when that has no exponent, else as decimal.js does (NaN and the infinities included)",
    (x) => {
      const s = String(x)
      expect(toDecimalString(x)).toBe(s.includes("e") ? new Decimal(x).toString() : s)
    }
  )
})
