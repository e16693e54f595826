import { fc, test } from "@fast-check/vitest"
import { describe, expect, it } from "vitest"
import { choleskyOfCorrelation } from "../../../src/data/synthetic/correlation.ts"
import { SyntheticMarketError } from "../../../src/data/synthetic/synthetic-market-error.ts"
import { syntheticMarketOptionsArb } from "../../../src/testing/synthetic-market-arbitrary.ts"

const failure = (matrix: unknown, size: number): SyntheticMarketError => {
  try {
    choleskyOfCorrelation(matrix, size)
  } catch (error) {
    if (error instanceof SyntheticMarketError) return error
    throw error
  }
  throw new Error("no error")
}

describe("the Cholesky factor of a correlation matrix", () => {
  test.prop([fc.integer({ min: 1, max: 6 }).chain((n) => syntheticMarketOptionsArb(Array.from({ length: n }, (_, i) => `S${i}`)))])(
    "L·Lᵀ gives back the matrix, and L is lower triangular",
    (options) => {
      const n = options.symbols!.length
      const c = options.correlation ?? Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)))
      const l = choleskyOfCorrelation(c, n)
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          if (j > i) expect(l[i]![j]).toBe(0)
          let sum = 0
          for (let k = 0; k < n; k++) sum += l[i]![k]! * l[j]![k]!
          expect(sum).toBeCloseTo(c[i]![j]!, 9)
        }
    }
  )

  it("names the entry and the rule that is broken", () => {
    expect(failure([[1, 0.5], [0.4, 1]], 2)).toMatchObject({ field: "correlation[1][0]", value: 0.4 })
    expect(failure([[1, 0.5], [0.4, 1]], 2).rule).toMatch(/symmetric/)
    expect(failure([[0.9, 0], [0, 1]], 2)).toMatchObject({ field: "correlation[0][0]", value: 0.9 })
    expect(failure([[1, 1.5], [1.5, 1]], 2)).toMatchObject({ field: "correlation[0][1]", value: 1.5 })
    expect(failure([[1, Number.NaN], [Number.NaN, 1]], 2)).toMatchObject({ field: "correlation[0][1]" })
    expect(failure([[1, 0]], 2)).toMatchObject({ field: "correlation", rule: "must be a 2×2 array of rows, one per symbol" })
    expect(failure([[1, 0], [0]], 2)).toMatchObject({ field: "correlation[1]" })
    expect(failure("identity", 1)).toMatchObject({ field: "correlation" })
  })

  it("refuses a matrix that is not positive definite: perfectly correlated, or impossible", () => {
    expect(failure([[1, 1], [1, 1]], 2)).toMatchObject({ field: "correlation", rule: "must be positive definite (it is not, from row 1)" })
    // Each pair strongly anti-correlated: no three variables can be.
    const impossible = [
      [1, -0.9, -0.9],
      [-0.9, 1, -0.9],
      [-0.9, -0.9, 1]
    ]
    expect(failure(impossible, 3).rule).toMatch(/positive definite/)
    expect(failure(impossible, 3).message).toMatch(/^synthetic market: correlation must be positive definite/)
  })
})
