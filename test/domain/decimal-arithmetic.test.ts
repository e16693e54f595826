import { fc, test } from "@fast-check/vitest"
import { describe, expect } from "vitest"
import { Decimal } from "../../src/domain/decimal.ts"
import { absolute, add, compare, divide, multiply, subtract } from "../../src/domain/decimal-arithmetic.ts"

/** What decimal.js holds of a Decimal: its class, sign, exponent and base-1e7 digits, in its own key order. */
const representation = (d: Decimal) => {
  const { s, e, d: digits } = d as unknown as { s: number; e: number; d: number[] | null }
  return { keys: Object.keys(d), ours: d.constructor === Decimal && d instanceof Decimal, s, e, digits, string: d.toString() }
}

// Decimals of up to 45 significant digits (past the 40 the Decimal keeps, where decimal.js rounds), the point anywhere, signed, zeros among them.
const decimal = fc
  .tuple(fc.boolean(), fc.stringMatching(/^[0-9]{1,45}$/), fc.integer({ min: -30, max: 30 }))
  .map(([negative, digits, exponent]) => new Decimal(`${negative ? "-" : ""}${digits}e${exponent}`))

// Prices, quantities and cash as the ledger holds them: doubles read as decimals, and their sums and products.
const ledgerValue = fc
  .tuple(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e15, max: 1e15 }), fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }))
  .map(([a, b]) => new Decimal(a).times(new Decimal(b)).plus(a))

const operand = fc.oneof(decimal, ledgerValue, fc.constantFrom(new Decimal(0), new Decimal(-0), new Decimal(1), new Decimal(-1), new Decimal("1e-7"), new Decimal("9999999")))

describe("decimal arithmetic on decimal.js's limbs", () => {
  test.prop([operand, operand], { numRuns: 30_000 })("add makes a.plus(b), digit for digit", (a, b) => {
    expect(representation(add(a, b))).toEqual(representation(a.plus(b)))
  })

  test.prop([operand, operand], { numRuns: 30_000 })("subtract makes a.minus(b), digit for digit", (a, b) => {
    expect(representation(subtract(a, b))).toEqual(representation(a.minus(b)))
  })

  test.prop([operand, operand], { numRuns: 30_000 })("multiply makes a.times(b), digit for digit", (a, b) => {
    expect(representation(multiply(a, b))).toEqual(representation(a.times(b)))
  })

  test.prop([fc.array(operand, { minLength: 1, maxLength: 8 }), fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 60 })], { numRuns: 3_000 })(
    "multiply makes a.times(b) when the same few factors come back in any order (its last products are kept by their factors)",
    (pool, pairs) => {
      for (const [i, j] of pairs) {
        const a = pool[i % pool.length]!
        const b = pool[j % pool.length]!
        expect(representation(multiply(a, b))).toEqual(representation(a.times(b)))
      }
    }
  )

  test.prop([operand], { numRuns: 10_000 })("absolute makes a.abs(), digit for digit", (a) => {
    expect(representation(absolute(a))).toEqual(representation(a.abs()))
  })

  test.prop([operand, operand], { numRuns: 20_000 })("divide makes a.dividedBy(b), digit for digit, in a new array of its own", (a, b) => {
    fc.pre(!b.isZero())
    const quotient = divide(a, b)
    expect(representation(quotient)).toEqual(representation(a.dividedBy(b)))
    expect((quotient as unknown as { d: number[] }).d).not.toBe((a.dividedBy(b) as unknown as { d: number[] }).d)
  })

  test.prop([operand, operand], { numRuns: 30_000 })("compare gives a.comparedTo(b)", (a, b) => {
    expect(compare(a, b)).toBe(a.comparedTo(b))
  })

  test.prop([operand], { numRuns: 5_000 })("a value against itself, its negation and signed zeros", (a) => {
    const negated = a.negated()
    expect(representation(add(a, negated))).toEqual(representation(a.plus(negated)))
    expect(representation(subtract(a, a))).toEqual(representation(a.minus(a)))
    for (const zero of [new Decimal(0), new Decimal(-0)]) {
      expect(representation(add(a, zero))).toEqual(representation(a.plus(zero)))
      expect(representation(add(zero, a))).toEqual(representation(zero.plus(a)))
      expect(representation(subtract(a, zero))).toEqual(representation(a.minus(zero)))
      expect(representation(subtract(zero, a))).toEqual(representation(zero.minus(a)))
      expect(representation(multiply(zero, a))).toEqual(representation(zero.times(a)))
    }
    expect(compare(a, new Decimal(a))).toBe(0)
  })

  test.prop([operand, operand])("its results compute on in decimal.js as decimal.js's own", (a, b) => {
    expect(add(a, b).times(3).minus(b).toString()).toBe(a.plus(b).times(3).minus(b).toString())
  })
})

// Short values, the ones the short path takes: up to 15 digits, the point anywhere in or around them, signed.
const shortValue = fc
  .tuple(fc.boolean(), fc.integer({ min: 0, max: 999_999_999_999_999 }), fc.integer({ min: -22, max: 12 }))
  .map(([negative, digits, exponent]) => new Decimal(`${negative ? "-" : ""}${digits}e${exponent}`))
const shortOperand = fc.oneof(shortValue, fc.constantFrom(new Decimal("20.07"), new Decimal(100), new Decimal("0.001"), new Decimal("99999.9999999"), new Decimal("9999999"), new Decimal("1e-7")))

describe("decimal arithmetic on short values (prices, quantities, cash), digit for digit", () => {
  test.prop([shortOperand, shortOperand], { numRuns: 30_000 })("add, subtract and multiply make decimal.js's results", (a, b) => {
    expect(representation(add(a, b))).toEqual(representation(a.plus(b)))
    expect(representation(subtract(a, b))).toEqual(representation(a.minus(b)))
    expect(representation(multiply(a, b))).toEqual(representation(a.times(b)))
  })
})
