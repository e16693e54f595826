import { ValidationError, type ValidationIssue } from "../domain/errors.ts"

/**
 * The options of the kit's arbitraries and `checkStrategy`, checked when they are made: a bad
 * one is a ValidationError (subject `testingOptions`) naming it, not a market of NaNs, time
 * running backwards, or fast-check's own error about its bounds.
 */
type Rule = (value: unknown) => string | null

/** A whole number of at least `min` (absent passes: the default applies). */
export const wholeAtLeast =
  (min: number): Rule =>
  (value) =>
    value === undefined || (Number.isSafeInteger(value) && (value as number) >= min) ? null : `must be a whole number of at least ${min}`

/** A finite number above 0. */
export const positive: Rule = (value) => (value === undefined || (typeof value === "number" && Number.isFinite(value) && value > 0) ? null : "must be a finite number above 0")

/** A list of at least one symbol. */
export const someSymbols: Rule = (value) => (value === undefined || (Array.isArray(value) && value.length > 0) ? null : "must name at least one symbol")

/** Checks `options` by `rules`, and `min` ≤ `max` for each [min, max] pair given; throws what breaks. */
export const checkTestingOptions = (
  options: object,
  rules: Readonly<Record<string, Rule>>,
  ranges: ReadonlyArray<readonly [string, string]> = []
): void => {
  const given = options as Record<string, unknown>
  const issues: ValidationIssue[] = []
  for (const [field, rule] of Object.entries(rules)) {
    const broken = rule(given[field])
    if (broken !== null) issues.push({ field, rule: broken, value: given[field] })
  }
  for (const [low, high] of ranges) {
    const min = given[low]
    const max = given[high]
    if (typeof min === "number" && typeof max === "number" && min > max) issues.push({ field: high, rule: `must be at least ${low} (${min})`, value: max })
  }
  if (issues.length > 0) throw new ValidationError({ subject: "testingOptions", issues })
}
