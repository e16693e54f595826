import {
  DuplicateClientOrderIdError,
  IllegalOrderTransitionError,
  SimulationStateError,
  UnknownOrderError,
  ValidationError
} from "../domain/errors.ts"
import { formatValue } from "../domain/format-value.ts"
import {
  AcknowledgedInputsLostError,
  InvalidOperationIdError,
  InvalidSimulationIdError,
  SimulationExistsError,
  SimulationNotRecoveredError,
  SimulationUnavailableError,
  UnknownModelError,
  UnknownSimulationError,
  UnrecoverableSimulationError
} from "./runtime-errors.ts"
import { describeCause, StoreReadError, StoreWriteError } from "./store-errors.ts"

/** A typed error as JSON: its tag and its fields. */
export interface EncodedError {
  readonly _tag: string
  readonly [field: string]: unknown
}

type ErrorClass = new (fields: never) => Error & { readonly _tag: string }

/**
 * The typed errors that cross a process boundary (a stored answer, a cluster message), by tag.
 * Each is rebuilt as its own class, so a caller's `catchTag` works the same on either side.
 */
const errorClasses: Readonly<Record<string, ErrorClass>> = {
  ValidationError,
  UnknownOrderError,
  IllegalOrderTransitionError,
  SimulationStateError,
  DuplicateClientOrderIdError,
  UnknownSimulationError,
  SimulationExistsError,
  InvalidSimulationIdError,
  InvalidOperationIdError,
  UnknownModelError,
  SimulationUnavailableError,
  UnrecoverableSimulationError,
  AcknowledgedInputsLostError,
  SimulationNotRecoveredError,
  StoreReadError,
  StoreWriteError
}

/** What JSON cannot hold exactly (a bigint, a function, NaN, an Error) as its description. */
const jsonReplacer = function (this: Record<string, unknown>, key: string, v: unknown): unknown {
  // The holder's own value: `v` is what its toJSON made of it, and an Effect error's toJSON drops its message.
  const raw = this[key]
  return raw instanceof Error
    ? describeCause(raw)
    : typeof v === "bigint" || typeof v === "function" || typeof v === "symbol" || (typeof v === "number" && !Number.isFinite(v))
      ? formatValue(v)
      : v
}

/** A field as JSON data; one JSON cannot write (a cycle, a getter that throws) as its description. */
const jsonSafe = (value: unknown): unknown => {
  try {
    return JSON.parse(JSON.stringify(value, jsonReplacer) ?? "null")
  } catch {
    return formatValue(value)
  }
}

/** The error's tag and own fields (not its stack or message, which the class makes again). */
export const encodeError = (error: Error & { readonly _tag: string }): EncodedError => {
  const fields: Record<string, unknown> = {}
  for (const key of Object.keys(error)) if (key !== "_tag" && key !== "stack" && key !== "code") fields[key] = (error as unknown as Record<string, unknown>)[key]
  // An Error's `cause` is not enumerable, but it is one of the fields a store error is made with.
  if (Object.hasOwn(error, "cause")) fields["cause"] = error.cause
  const encoded: Record<string, unknown> = {}
  // Each field on its own, so that one JSON cannot write costs only itself; an absent one stays absent.
  for (const key of Object.keys(fields)) if (fields[key] !== undefined) encoded[key] = jsonSafe(fields[key])
  return { ...encoded, _tag: error._tag }
}

/** The error as its class; a tag this version does not know is a defect of the sender, reported as such. */
export const decodeError = (encoded: EncodedError): Error & { readonly _tag: string } => {
  const { _tag, ...fields } = encoded
  const errorClass = errorClasses[_tag]
  if (errorClass === undefined) throw new Error(`an error tagged ${JSON.stringify(_tag)}, which this version does not know: ${JSON.stringify(fields)}`)
  return new errorClass(fields as never)
}
