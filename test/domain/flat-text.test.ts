import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { flatText } from "../../src/domain/flat-text.ts"

describe("flatText", () => {
  it("gives back the same code units for any string, lone surrogates and strings built piece by piece included", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: "binary", maxLength: 40 }), { maxLength: 30 }), (pieces) => {
        let built = ""
        for (const piece of pieces) built += piece
        expect(flatText(built)).toBe(built)
      }),
      { numRuns: 500 }
    )
    expect(flatText("\ud800 \udfff \u0000 \\ \"")).toBe("\ud800 \udfff \u0000 \\ \"")
  })
})
