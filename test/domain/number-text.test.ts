import { fc, test } from "@fast-check/vitest"
import { describe, expect } from "vitest"
import { numberText, paddedSequence, SHORT_NUMERALS, THREE_DIGITS } from "../../src/domain/number-text.ts"

describe("numberText", () => {
  test.prop([fc.double({ noNaN: true, noDefaultInfinity: true })], { numRuns: 50_000 })("writes any finite double as String does", (x) => {
    expect(numberText(x)).toBe(String(x))
  })

  test.prop([fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.integer({ min: 0, max: 9_999_999 }))], { numRuns: 20_000 })("writes any integer as String does", (n) => {
    expect(numberText(n)).toBe(String(n))
  })

  test.prop([fc.constantFrom(0, -0, 1e21, -1e21, 1e-7, 5e-324, Number.MAX_VALUE, -Number.MIN_VALUE, 0.1 + 0.2, 123456789012345680000)])(
    "writes the edges (zero's sign, exponents, the smallest and largest doubles) as String does",
    (x) => {
      expect(numberText(x)).toBe(String(x))
    }
  )

  test("its tables hold each numeral below 1,000, as it is and padded to three digits", () => {
    expect(SHORT_NUMERALS).toHaveLength(1000)
    SHORT_NUMERALS.forEach((n, i) => expect(n).toBe(String(i)))
    THREE_DIGITS.forEach((n, i) => expect(n).toBe(String(i).padStart(3, "0")))
  })

  test.prop([fc.oneof(fc.integer({ min: 0, max: 1_100_000 }), fc.maxSafeInteger(), fc.constantFrom(-1, 0.5, 999_999, 1_000_000))], { numRuns: 20_000 })(
    "pads a sequence number to six digits as padStart does",
    (seq) => {
      expect(paddedSequence(seq)).toBe(String(seq).padStart(6, "0"))
    }
  )
})
