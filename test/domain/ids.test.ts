import { fc, test } from "@fast-check/vitest"
import { describe, expect } from "vitest"
import { orderIdFromSeq, orderListIdFromSeq, tradeIdFromSeq } from "../../src/domain/ids.ts"

describe("ids from sequence numbers", () => {
  test.prop([fc.oneof(fc.integer({ min: 0, max: 999_999 }), fc.integer({ min: 1_000_000, max: Number.MAX_SAFE_INTEGER }), fc.constantFrom(1, 42, 999_999, 1_000_000, 12_345_678))], { numRuns: 20_000 })(
    "are the prefix and the number padded with zeros to six digits",
    (seq) => {
      expect(orderIdFromSeq(seq)).toBe(`O-${String(seq).padStart(6, "0")}`)
      expect(tradeIdFromSeq(seq)).toBe(`T-${String(seq).padStart(6, "0")}`)
      expect(orderListIdFromSeq(seq)).toBe(`L-${String(seq).padStart(6, "0")}`)
    }
  )
})
