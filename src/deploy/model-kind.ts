import { Result, Schema } from "effect"
import { ValidationError } from "../domain/errors.ts"
import { decodeOrFail } from "../domain/validation.ts"
import type { TradingModel } from "../engine/trading-model.ts"

/** A model kind's parameter schema: an Effect Schema struct whose decoded values are plain JSON. */
export type ParamsSchema = Schema.Top & { readonly DecodingServices: never; readonly fields: Schema.Struct.Fields }

/** One of a model version's artifacts, as its kind's `create` receives it (content checked against its sha256). */
export interface ModelArtifact {
  readonly name: string
  readonly sha256: string
  readonly size: number
  readonly content: Buffer
}

/** A model version's artifacts by name. */
export type ModelArtifacts = Readonly<Record<string, ModelArtifact>>

/**
 * A kind of trading model: how to validate its parameters and how to build the model from them.
 *
 * - `kind`: the name records refer to it by: 1–64 letters, digits, `.`, `_` or `-`, starting
 *   with a letter (no `@`: catalog keys are `<modelId>@<version>`).
 * - `paramsSchema`: an Effect Schema `Struct`. Unknown fields are refused; a bad field gives a
 *   `ValidationError` naming `params.<field>` and the rule. Defaults belong in the schema
 *   (`Schema.withDecodingDefaultKey`), so the registry stores the complete parameters. The
 *   decoded value must be plain JSON, and decoding it again must give it back unchanged.
 * - `create(params, artifacts)`: the model (a pure reducer with a plain-JSON state). It must be
 *   deterministic: the same params and artifacts give a model that behaves identically, which is
 *   what lets a simulation be rebuilt after a restart.
 */
export interface ModelKind<S extends ParamsSchema = ParamsSchema> {
  readonly kind: string
  readonly description: string
  readonly paramsSchema: S
  // A method, so a ModelKind of specific params is assignable to ModelKind.
  create(params: S["Type"], artifacts: ModelArtifacts): TradingModel
}

/** Infers a kind's parameter type from its schema. */
export const defineModelKind = <S extends ParamsSchema>(kind: ModelKind<S>): ModelKind<S> => kind

export const KIND_NAME = /^[A-Za-z][A-Za-z0-9._-]{0,63}$/

export const isModelKind = (u: unknown): u is ModelKind => {
  if (u === null || typeof u !== "object") return false
  const k = u as Record<string, unknown>
  return (
    typeof k["kind"] === "string" &&
    typeof k["description"] === "string" &&
    typeof k["create"] === "function" &&
    Schema.isSchema(k["paramsSchema"]) &&
    typeof (k["paramsSchema"] as { fields?: unknown }).fields === "object"
  )
}

type ParamsDecoder = (input: unknown) => Result.Result<unknown, ValidationError>

// Building a decoder costs far more than using it.
const decoders = new WeakMap<ParamsSchema, ParamsDecoder>()

/**
 * Validates parameters with a kind's schema and fills in its defaults. Fields in the error are
 * named from the request's point of view: `params.fast`, or `params` for the whole value.
 */
export const decodeModelParams = <S extends ParamsSchema>(kind: ModelKind<S>, params: unknown): Result.Result<S["Type"], ValidationError> => {
  let decode = decoders.get(kind.paramsSchema)
  if (decode === undefined) {
    decode = decodeOrFail(kind.paramsSchema, "config")
    decoders.set(kind.paramsSchema, decode)
  }
  return Result.mapError(
    decode(params ?? {}),
    (e) =>
      new ValidationError({
        subject: e.subject,
        issues: e.issues.map((i) => ({ ...i, field: i.field === "(input)" ? "params" : `params.${i.field}` }))
      })
  )
}

/** Validates the params and builds the model; throws the `ValidationError` of bad params. */
export const buildModel = <S extends ParamsSchema>(kind: ModelKind<S>, params?: unknown, artifacts: ModelArtifacts = {}): TradingModel => {
  const decoded = decodeModelParams(kind, params)
  if (Result.isFailure(decoded)) throw decoded.failure
  return kind.create(decoded.success, artifacts)
}
