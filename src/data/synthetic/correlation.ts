import { SyntheticMarketError } from "./synthetic-market-error.ts"

/** How far a correlation matrix may stray from exact symmetry and a unit diagonal (decimal input rarely lands exactly). */
const TOLERANCE = 1e-9
/** A Cholesky pivot at or below this means the matrix is singular or indefinite. */
const MIN_PIVOT = 1e-10

/**
 * Checks a correlation matrix for `size` symbols and returns its lower Cholesky factor L
 * (C = L·Lᵀ): L times independent standard normals gives normals with correlations C. Throws a
 * `SyntheticMarketError` naming the entry that breaks a rule.
 */
export const choleskyOfCorrelation = (matrix: unknown, size: number, field = "correlation"): ReadonlyArray<Float64Array> => {
  const fail = (at: string, rule: string, value: unknown): never => {
    throw new SyntheticMarketError({ field: at, rule, value })
  }
  if (!Array.isArray(matrix) || matrix.length !== size) fail(field, `must be a ${size}×${size} array of rows, one per symbol`, matrix)
  const rows = matrix as ReadonlyArray<unknown>
  rows.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== size) fail(`${field}[${i}]`, `must be a row of ${size} numbers`, row)
    ;(row as ReadonlyArray<unknown>).forEach((c, j) => {
      if (typeof c !== "number" || !Number.isFinite(c) || c < -1 || c > 1) fail(`${field}[${i}][${j}]`, "must be a finite number between -1 and 1", c)
    })
  })
  const c = rows as ReadonlyArray<ReadonlyArray<number>>
  for (let i = 0; i < size; i++) {
    if (Math.abs(c[i]![i]! - 1) > TOLERANCE) fail(`${field}[${i}][${i}]`, "must be 1 (a symbol is fully correlated with itself)", c[i]![i])
    for (let j = 0; j < i; j++)
      if (Math.abs(c[i]![j]! - c[j]![i]!) > TOLERANCE) fail(`${field}[${i}][${j}]`, `must equal ${field}[${j}][${i}] (${c[j]![i]}): the matrix must be symmetric`, c[i]![j])
  }
  // Cholesky–Banachiewicz, reading only the lower triangle.
  const l = Array.from({ length: size }, () => new Float64Array(size))
  for (let i = 0; i < size; i++)
    for (let j = 0; j <= i; j++) {
      let sum = i === j ? 1 : c[i]![j]!
      for (let k = 0; k < j; k++) sum -= l[i]![k]! * l[j]![k]!
      if (i === j) {
        if (!(sum > MIN_PIVOT)) fail(field, `must be positive definite (it is not, from row ${i})`, matrix)
        l[i]![i] = Math.sqrt(sum)
      } else l[i]![j] = sum / l[j]![j]!
    }
  return l
}
