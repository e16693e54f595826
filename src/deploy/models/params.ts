import { Schema } from "effect"

/** Building blocks of the built-in models' parameter schemas. */

export const WholeNumber = (min: number, max: number) =>
  Schema.Number.check(
    Schema.makeFilter((n) => (Number.isInteger(n) && n >= min && n <= max ? undefined : `must be a whole number from ${min} to ${max}`))
  )

export const PositiveNumber = Schema.Number.check(
  Schema.makeFilter((n) => (Number.isFinite(n) && n > 0 ? undefined : "must be a finite number greater than 0"))
)

export const FiniteNumber = Schema.Number.check(Schema.makeFilter((n) => (Number.isFinite(n) ? undefined : "must be a finite number")))

/** A fraction of equity for one long position: above 0, at most 1. */
export const Weight = Schema.Number.check(
  Schema.makeFilter((n) => (Number.isFinite(n) && n > 0 && n <= 1 ? undefined : "must be a number above 0 and at most 1"))
)
