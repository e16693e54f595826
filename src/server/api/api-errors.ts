/**
 * The errors of paperfloor's own API (`/v1/…`): one class per HTTP status, each body
 * `{ _tag, error, message, issues?, detail? }`. `error` is the refusing error's own tag
 * (`SimulationStateError`, `ValidationError`…) and `message` its message, word for word, so a
 * client (the `paperfloor` command) says what the store said; `issues` name each field and rule;
 * `detail` holds the error's own fields. A 4xx changed nothing.
 */
import { Schema } from "effect"
import { ValidationError } from "../../domain/errors.ts"

export const Issue = Schema.Struct({
  field: Schema.String.annotate({ description: "the field, as a path: `simulationConfig.initialCapital`, `updates.3.prices`" }),
  rule: Schema.String.annotate({ description: "the rule it breaks" }),
  value: Schema.optionalKey(Schema.Unknown).annotate({ description: "the value given" })
})
export type Issue = typeof Issue.Type

const fields = {
  error: Schema.String.annotate({ description: "what refused the request: the error's tag (`SimulationStateError`, `ValidationError`, …)" }),
  message: Schema.String,
  issues: Schema.optionalKey(Schema.Array(Issue)),
  detail: Schema.optionalKey(Schema.Record(Schema.String, Schema.Unknown))
}

export class BadRequest extends Schema.TaggedError<BadRequest>()("BadRequest", fields, { httpApiStatus: 400, description: "a malformed request: not JSON, or a field of the wrong type" }) {}
export class Unauthorized extends Schema.TaggedError<Unauthorized>()("Unauthorized", fields, { httpApiStatus: 401, description: "no valid `Authorization: Bearer <admin key>`" }) {}
export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", fields, { httpApiStatus: 404, description: "no such simulation, model or endpoint" }) {}
export class Conflict extends Schema.TaggedError<Conflict>()("Conflict", fields, {
  httpApiStatus: 409,
  description: "refused by the state of things: a command the simulation's state does not allow, results of a simulation not stopped, a model version registered with other content"
}) {}
export class PayloadTooLarge extends Schema.TaggedError<PayloadTooLarge>()("PayloadTooLarge", fields, { httpApiStatus: 413, description: "a body over the server's limit" }) {}
export class Unprocessable extends Schema.TaggedError<Unprocessable>()("Unprocessable", fields, { httpApiStatus: 422, description: "a field that breaks a rule; `issues` names each" }) {}
export class TooManyRequests extends Schema.TaggedError<TooManyRequests>()("TooManyRequests", fields, { httpApiStatus: 429, description: "past the key's rate limit" }) {}
export class InternalError extends Schema.TaggedError<InternalError>()("InternalError", fields, { httpApiStatus: 500, description: "the server failed; a tagged error keeps its tag and message" }) {}

export type ApiError = BadRequest | Unauthorized | NotFound | Conflict | PayloadTooLarge | Unprocessable | TooManyRequests | InternalError

/** The errors every endpoint can answer. */
export const apiErrors = [BadRequest, Unauthorized, NotFound, Conflict, PayloadTooLarge, Unprocessable, TooManyRequests, InternalError] as const

const NOT_FOUND = new Set(["UnknownDeploymentError", "UnknownModelIdError", "UnknownModelVersionError", "UnknownModelError"])
const CONFLICT = new Set(["SimulationStateError", "ResultsNotArchivedError", "ModelVersionExistsError", "ModelKindConflictError", "IllegalOrderTransitionError"])
const UNPROCESSABLE = new Set(["ValidationError", "UnsupportedEnvironmentError", "UnknownModelKindError", "ModelModuleError", "ModelCreateError", "InvalidSimulationIdError"])

const tagOf = (error: unknown): string | undefined => {
  const tag = (error as { readonly _tag?: unknown } | null)?._tag
  return typeof tag === "string" ? tag : undefined
}

/** The error's own fields that JSON can carry (not its cause, which may be anything). */
const detailOf = (error: object): Record<string, unknown> | undefined => {
  const { _tag, cause, issues, ...rest } = error as Record<string, unknown>
  try {
    const plain = JSON.parse(JSON.stringify(rest)) as Record<string, unknown>
    return Object.keys(plain).length === 0 ? undefined : plain
  } catch {
    return undefined
  }
}

/**
 * A store's or an engine's error as the API's: refusals of the client's request are 4xx by their
 * tag; another tagged error is a 500 keeping its tag and message; anything else is a bug (500,
 * `internal`: true, logged by the caller).
 */
export const apiErrorOf = (error: unknown): { readonly error: ApiError; readonly internal: boolean } => {
  const tag = tagOf(error)
  if (tag === undefined || !(error instanceof Error)) return { error: new InternalError({ error: "InternalError", message: "internal server error" }), internal: true }
  const body = {
    error: tag,
    message: error.message,
    ...(error instanceof ValidationError ? { issues: error.issues.map(({ field, rule, value }) => ({ field, rule, ...(value === undefined ? {} : { value }) })) } : {}),
    ...(() => {
      const detail = detailOf(error)
      return detail === undefined ? {} : { detail }
    })()
  }
  if (NOT_FOUND.has(tag)) return { error: new NotFound(body), internal: false }
  if (CONFLICT.has(tag)) return { error: new Conflict(body), internal: false }
  if (UNPROCESSABLE.has(tag)) return { error: new Unprocessable(body), internal: false }
  return { error: new InternalError(body), internal: false }
}
