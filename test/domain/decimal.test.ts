import { fc, test } from "@fast-check/vitest"
import { describe, expect } from "vitest"
import { Decimal, toNumberExact } from "../../src/domain/decimal.ts"

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

  test.prop([fc.double({ noNaN: true })])("round-trips every double", (x) => {
    expect(Object.is(toNumberExact(new Decimal(x)), new Decimal(x).toNumber())).toBe(true)
  })
})
