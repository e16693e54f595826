import { Exit, Result, Schema, SchemaIssue } from "effect"
import { Decimal, isAboveZero, isBelowZero, isDecimal, parseDecimal } from "./decimal.ts"
import { compare } from "./decimal-arithmetic.ts"
import { ValidationError, type ValidationIssue } from "./errors.ts"
import { formatThrown } from "./format-value.ts"
import { type InputPath, readPlainInput, type UnreadableInput, unreadableIssue } from "./plain-input.ts"

const formatter = SchemaIssue.makeFormatterStandardSchemaV1()

/** The value at a path inside an input (undefined where the path leads nowhere). */
export const valueAt = (input: unknown, path: ReadonlyArray<PropertyKey>): unknown =>
  path.reduce<unknown>(
    (acc, key) => (acc !== null && typeof acc === "object" ? (acc as Record<PropertyKey, unknown>)[key] : undefined),
    input
  )

/** How a validation error names the field at a path: `simulationConfig.symbols.0`, or `(input)` for the input itself. */
const fieldOf = (path: InputPath): string => (path.length === 0 ? "(input)" : path.map(String).join("."))

// Unknown fields are refused at every level: otherwise a nested struct drops them silently, and so
// does a record the keys its key schema refuses.
const QUICK = { onExcessProperty: "error" } as const
const FULL = { errors: "all", onExcessProperty: "error" } as const

const isPlainObject = (u: unknown): boolean => {
  if (u === null || typeof u !== "object") return false
  if (Array.isArray(u)) return true
  const proto: unknown = Object.getPrototypeOf(u)
  return proto === Object.prototype || proto === null
}

/**
 * `readPlainInput` for the usual order request (a flat object of strings, numbers and Decimals)
 * without its bookkeeping: the first level read by the same reads in the same order, with the same
 * failure for a part that cannot be read, and values that are objects to copy read from the copy
 * by `readPlainInput`. undefined for an input that is not a plain object with Object.prototype
 * (the general path reads it).
 */
const readFields = (input: unknown): Result.Result<unknown, UnreadableInput> | undefined => {
  let key: string | undefined
  let fields: Record<string, unknown>
  let nested = false
  try {
    if (input === null || typeof input !== "object" || Array.isArray(input) || Object.getPrototypeOf(input) !== Object.prototype) return undefined
    const source = input as Record<string, unknown>
    fields = {}
    for (const k of Object.keys(source)) {
      key = k
      const value = source[k]
      if (k === "__proto__") Object.defineProperty(fields, k, { value, enumerable: true, writable: true, configurable: true })
      else fields[k] = value
      nested ||= isPlainObject(value)
    }
  } catch (thrown) {
    return Result.fail({ path: key === undefined ? [] : [key], reason: formatThrown(thrown) })
  }
  return nested ? readPlainInput(fields) : Result.succeed(fields)
}

/** The input read once into plain data: with `flat`, a flat object by `readFields`, anything else (or what it leaves nested) by `readPlainInput`. */
const readInput = (input: unknown, flat: boolean): Result.Result<unknown, UnreadableInput> => (flat ? readFields(input) : undefined) ?? readPlainInput(input)

/**
 * Decodes a struct with every issue collected and unknown fields refused (nested ones too), as a
 * `ValidationError` naming each field and rule. The input is first read once into plain data
 * (`readPlainInput`): a part that cannot be read (a getter or a Proxy trap that throws, a revoked
 * Proxy) is refused naming its path, and nothing the caller wrote runs while decoding. Valid
 * input, the usual case, takes the quick path (`usual` if given, else the schema stopping at the
 * first issue); only invalid input pays for the full report.
 */
export const decodeOrFail = <S extends Schema.Top & { readonly DecodingServices: never; readonly fields: Schema.Struct.Fields }>(
  schema: S,
  subject: ValidationError["subject"],
  /** A hand-written check of the plain data for the usual requests: their value when they pass, undefined to leave the input to the schema (which reports the errors). */
  usual?: (plain: unknown) => S["Type"] | undefined
) => {
  const decode = Schema.decodeUnknownExit(schema)
  return (input: unknown): Result.Result<S["Type"], ValidationError> => {
    const read = readInput(input, usual !== undefined)
    if (Result.isFailure(read)) return Result.fail(new ValidationError({ subject, issues: [unreadableIssue(read.failure, fieldOf(read.failure.path))] }))
    const plain = read.success
    const passed = usual?.(plain)
    if (passed !== undefined) return Result.succeed(passed)
    const quick = decode(plain, QUICK)
    if (Exit.isSuccess(quick)) return Result.succeed(quick.value)
    const exit = decode(plain, FULL)
    if (Exit.isSuccess(exit)) return Result.succeed(exit.value)
    const error = exit.cause.reasons.find((r) => r._tag === "Fail")
    const issue = error !== undefined && Schema.isSchemaError(error.error) ? error.error.issue : undefined
    if (issue === undefined) {
      // Code of an object taken as it is (a class instance's getter) threw while it was decoded.
      const defect = exit.cause.reasons.find((r) => r._tag === "Die")
      const why = defect === undefined ? "" : ` (${formatThrown(defect.defect)})`
      return Result.fail(new ValidationError({ subject, issues: [{ field: "(input)", rule: `could not be decoded${why}`, value: plain }] }))
    }
    return Result.fail(new ValidationError({ subject, issues: schemaIssues(issue, plain) }))
  }
}

/** A schema's issue as ours: each field (its path in `input`), the rule it breaks and the value there. */
export const schemaIssues = (issue: SchemaIssue.Issue, input: unknown): ReadonlyArray<ValidationIssue> =>
  formatter(issue).issues.map((i): ValidationIssue => {
    const path = (i.path ?? []).map((p) => (typeof p === "object" ? p.key : p)) as ReadonlyArray<string | number>
    return { field: fieldOf(path), rule: ruleOf(i.message), value: valueAt(input, path) }
  })

// Effect phrases issues as "Expected …"; our errors read "field must …".
const ruleOf = (message: string): string =>
  message === "Missing key"
    ? "is required"
    : message === "Expected no excess property"
      ? "is not a known field"
      : message.startsWith("Expected ")
        ? `must be ${message.slice("Expected ".length)}`
        : message

const DecimalInputSchema = Schema.Union([Schema.Number, Schema.String, Schema.declare(isDecimal)])

/**
 * The largest price, quantity or capital taken. Past it, a position's value could overflow the
 * float statistics to Infinity (which JSON writes as null, so a restored simulation would differ)
 * or outgrow the 40 significant digits the ledger computes exactly.
 */
export const MAX_AMOUNT = 1e15
export const MAX_AMOUNT_RULE = "must be at most 1e15"
// Made once: compared with every Decimal amount, and decimal.js reads a number this large through its string.
const MAX_AMOUNT_DECIMAL = new Decimal(MAX_AMOUNT)
const MAX_DIGITS_RULE = `must have at most ${Decimal.precision} significant digits`

/** What is wrong with a decimal input (a number, a numeric string or a Decimal) that must be at least zero (or above it), or undefined. */
export const decimalAmountIssue = (u: unknown, allowZero: boolean): string | undefined => {
  const rule = allowZero ? "must be greater than or equal to 0" : "must be greater than 0"
  // Numbers, the common case, are checked without making a Decimal: this runs for every order.
  if (typeof u === "number") {
    if (!Number.isFinite(u)) return "must be a finite number"
    if (!(allowZero ? u >= 0 : u > 0)) return rule
    return u <= MAX_AMOUNT ? undefined : MAX_AMOUNT_RULE
  }
  const d = isDecimal(u) ? (u.isFinite() ? u : undefined) : parseDecimal(u)
  if (d === undefined) return "must be a finite number"
  if (allowZero ? isBelowZero(d) : !isAboveZero(d)) return rule
  if (compare(d, MAX_AMOUNT_DECIMAL) > 0) return MAX_AMOUNT_RULE
  // (A number has at most 17.) More digits than the ledger keeps would be rounded away: an
  // order's rest after a partial fill would never reach zero.
  return d.precision() <= Decimal.precision ? undefined : MAX_DIGITS_RULE
}

const decimalAtLeast = (allowZero: boolean) => DecimalInputSchema.check(Schema.makeFilter((u) => decimalAmountIssue(u, allowZero)))

/** A decimal given as a number, a numeric string or a Decimal: finite, and strictly positive. */
export const PositiveDecimal = decimalAtLeast(false)

/** A decimal given as a number, a numeric string or a Decimal: finite, and zero or more. */
export const NonNegativeDecimal = decimalAtLeast(true)

/** A fraction in [0, 1). */
export const Fraction = Schema.Number.check(
  Schema.makeFilter((n) =>
    Number.isFinite(n) && n >= 0 && n < 1 ? undefined : "must be a finite number from 0 up to (not including) 1"
  )
)

export const toDecimal = (u: unknown): Decimal => parseDecimal(u) ?? new Decimal(NaN)
