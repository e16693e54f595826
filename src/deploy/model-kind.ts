import { Effect, Schema } from "effect"
import type { StandardSchemaV1 } from "effect/StandardSchema"
import { ValidationError, type ValidationIssue } from "../domain/errors.ts"
import { decodeOrFail, valueAt } from "../domain/validation.ts"
import type { TradingModel } from "../engine/trading-model.ts"
import type { JsonObject, JsonValue } from "../domain/json.ts"

/** An Effect Schema struct (the built-in kinds' params): unknown fields are refused. */
export type EffectParamsSchema = Schema.Top & { readonly DecodingServices: never; readonly fields: Schema.Struct.Fields }

/**
 * A kind's parameter schema: an Effect Schema struct, or any Standard Schema
 * (https://standardschema.dev: zod, valibot, ArkType, Effect's `Schema.toStandardSchemaV1`…).
 */
export type ParamsSchema = EffectParamsSchema | StandardSchemaV1

/** The params a kind's `create` receives: its schema's output, defaults filled in. */
export type ParamsOutput<S extends ParamsSchema> = S extends EffectParamsSchema
  ? S["Type"]
  : S extends StandardSchemaV1
    ? StandardSchemaV1.InferOutput<S>
    : never

/** The params a caller gives for a kind: its schema's input, where fields with defaults may be left out. */
export type ParamsInput<S extends ParamsSchema> = S extends EffectParamsSchema
  ? S["Encoded"]
  : S extends StandardSchemaV1
    ? StandardSchemaV1.InferInput<S>
    : never

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
 * - `paramsSchema`: an Effect Schema `Struct`, or any Standard Schema (zod, valibot…). A bad
 *   field gives a `ValidationError` naming `params.<field>`, with the schema's message as the
 *   rule. Defaults belong in the schema, so the registry stores the complete parameters: the
 *   schema's output. That output must be plain JSON, and validating it again must give it back
 *   unchanged (the registry checks both at registration, and validates the stored params again
 *   whenever it loads the version). An Effect struct refuses unknown fields; with another library
 *   that is the schema's business (zod: `z.object({…}).strict()`), or a misspelt field is
 *   dropped silently. Validation may be asynchronous.
 * - `create(params, artifacts)`: the model (a pure reducer with a plain-JSON state). It must be
 *   deterministic: the same params and artifacts give a model that behaves identically, which is
 *   what lets a simulation be rebuilt after a restart.
 */
export interface ModelKind<S extends ParamsSchema = ParamsSchema> {
  readonly kind: string
  readonly description: string
  readonly paramsSchema: S
  // A method, so a ModelKind of specific params is assignable to ModelKind.
  create(params: ParamsOutput<S>, artifacts: ModelArtifacts): TradingModel
}

/** Infers a kind's parameter types from its schema: `create` gets the schema's output. */
export const defineModelKind = <S extends ParamsSchema>(kind: ModelKind<S>): ModelKind<S> => kind

/** The params a kind takes when registering a version: `params: { … } satisfies ModelParamsInput<typeof modelKind>`. */
export type ModelParamsInput<K> = K extends ModelKind<infer S> ? ParamsInput<S> : never

/** The params a kind's `create` receives. */
export type ModelParams<K> = K extends ModelKind<infer S> ? ParamsOutput<S> : never

export const KIND_NAME = /^[A-Za-z][A-Za-z0-9._-]{0,63}$/

const isEffectStruct = (u: unknown): u is EffectParamsSchema =>
  Schema.isSchema(u) && typeof (u as { fields?: unknown }).fields === "object"

const isStandardSchema = (u: unknown): u is StandardSchemaV1 => {
  if (u === null || (typeof u !== "object" && typeof u !== "function")) return false
  const props = (u as { "~standard"?: unknown })["~standard"]
  return props !== null && typeof props === "object" && typeof (props as { validate?: unknown }).validate === "function"
}

export const isModelKind = (u: unknown): u is ModelKind => {
  if (u === null || typeof u !== "object") return false
  const k = u as Record<string, unknown>
  return (
    typeof k["kind"] === "string" &&
    typeof k["description"] === "string" &&
    typeof k["create"] === "function" &&
    (isEffectStruct(k["paramsSchema"]) || isStandardSchema(k["paramsSchema"]))
  )
}

/** Validates params; the issues' fields are relative to the params (`(input)` for the whole value). */
type ParamsDecoder = (input: unknown) => Effect.Effect<unknown, ValidationError>

const invalid = (issues: ReadonlyArray<ValidationIssue>) => new ValidationError({ subject: "config", issues })

const effectDecoder = (schema: EffectParamsSchema): ParamsDecoder => {
  const decode = decodeOrFail(schema, "config")
  return (input) => Effect.fromResult(decode(input))
}

/** A schema that throws (or whose promise rejects) is a fault of the schema, reported as a refusal of these params. */
const schemaThrew = (input: unknown) => (cause: unknown) =>
  invalid([{ field: "(input)", rule: `could not be validated: the schema threw (${cause instanceof Error ? cause.message : String(cause)})`, value: input }])

const standardDecoder = (schema: StandardSchemaV1): ParamsDecoder => (input) => {
  const result = schema["~standard"].validate(input)
  const settled =
    typeof (result as { then?: unknown }).then === "function"
      ? Effect.tryPromise({ try: () => Promise.resolve(result), catch: schemaThrew(input) })
      : Effect.succeed(result as StandardSchemaV1.Result<unknown>)
  return Effect.flatMap(settled, (result) => {
    if (!result.issues) return Effect.succeed(result.value)
    const issues = result.issues.map((issue): ValidationIssue => {
      const path = (issue.path ?? []).map((p) => (typeof p === "object" && p !== null ? p.key : p))
      return { field: path.length === 0 ? "(input)" : path.map(String).join("."), rule: issue.message, value: valueAt(input, path) }
    })
    return Effect.fail(invalid(issues.length > 0 ? issues : [{ field: "(input)", rule: "is invalid", value: input }]))
  })
}

// Building a decoder costs far more than using it.
const decoders = new WeakMap<ParamsSchema, ParamsDecoder>()

const decoderOf = (schema: ParamsSchema): ParamsDecoder => {
  let decode = decoders.get(schema)
  if (decode === undefined) {
    decode = isEffectStruct(schema) ? effectDecoder(schema) : standardDecoder(schema)
    decoders.set(schema, decode)
  }
  return decode
}

/** How deep params may nest: more is a mistake, and would strain the recursion below. */
const MAX_DEPTH = 64

type PlainJson = { readonly json: JsonValue } | { readonly path: ReadonlyArray<string>; readonly what: string; readonly value: unknown }

/**
 * The value as plain JSON (exactly what storing it and reading it back gives: properties that are
 * `undefined` left out, -0 as 0), or where and why it is not plain JSON.
 */
const plainJson = (value: unknown, path: ReadonlyArray<string> = [], ancestors: ReadonlySet<object> = new Set()): PlainJson => {
  const not = (what: string): PlainJson => ({ path, what, value })
  if (value === null || typeof value === "boolean" || typeof value === "string") return { json: value }
  if (typeof value === "number") return Number.isFinite(value) ? { json: value === 0 ? 0 : value } : not(`is ${value}, not a finite number`)
  if (value === undefined) return not("is undefined")
  if (typeof value !== "object") return not(`is a ${typeof value}`)
  if (ancestors.has(value)) return not("refers to itself")
  if (path.length >= MAX_DEPTH) return not(`is nested more than ${MAX_DEPTH} levels deep`)
  const inside = new Set(ancestors).add(value)
  if (Array.isArray(value)) {
    const items: JsonValue[] = []
    for (let i = 0; i < value.length; i++) {
      if (value[i] === undefined) return { path: [...path, String(i)], what: "is undefined (an array of JSON cannot hold it)", value: undefined }
      const item = plainJson(value[i], [...path, String(i)], inside)
      if (!("json" in item)) return item
      items.push(item.json)
    }
    return { json: items }
  }
  const proto: unknown = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) {
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name
    return not(`is a ${typeof name === "string" && name !== "" ? name : "class instance"}, not a plain object`)
  }
  const entries: Array<[string, JsonValue]> = []
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined) continue
    const item = plainJson(v, [...path, key], inside)
    if (!("json" in item)) return item
    entries.push([key, item.json])
  }
  // fromEntries, not assignment: a "__proto__" key stays a key.
  return { json: Object.fromEntries(entries) }
}

const atParams = (e: ValidationError): ValidationError =>
  invalid(e.issues.map((i) => ({ ...i, field: i.field === "(input)" ? "params" : `params.${i.field}` })))

/**
 * Validates parameters with a kind's schema, fills in its defaults, and gives the output as plain
 * JSON (what the registry stores). A bad value, an output that is not a plain JSON object, or a
 * schema that throws is a `ValidationError` naming `params.<field>` (or `params`). An Effect,
 * because a Standard Schema may validate asynchronously.
 */
export const decodeModelParams = <S extends ParamsSchema>(kind: ModelKind<S>, params: unknown): Effect.Effect<ParamsOutput<S> & JsonObject, ValidationError> =>
  Effect.try({ try: () => decoderOf(kind.paramsSchema)(params ?? {}), catch: schemaThrew(params) }).pipe(
    Effect.flatten,
    Effect.flatMap((output) => {
      const plain = plainJson(output)
      if (!("json" in plain)) {
        return Effect.fail(
          invalid([{ field: plain.path.join(".") || "(input)", rule: `must validate to plain JSON (params are stored as JSON), but kind ${kind.kind}'s schema gave a value that ${plain.what}`, value: plain.value }])
        )
      }
      if (plain.json === null || typeof plain.json !== "object" || Array.isArray(plain.json)) {
        return Effect.fail(invalid([{ field: "(input)", rule: `must validate to a JSON object, but kind ${kind.kind}'s schema gave ${JSON.stringify(plain.json)}`, value: params }]))
      }
      return Effect.succeed(plain.json as ParamsOutput<S> & JsonObject)
    }),
    Effect.mapError(atParams)
  )

/** Validates the params and builds the model; rejects with the `ValidationError` of bad params. */
export const buildModel = <S extends ParamsSchema>(kind: ModelKind<S>, params?: unknown, artifacts: ModelArtifacts = {}): Promise<TradingModel> =>
  Effect.runPromise(Effect.map(decodeModelParams(kind, params), (decoded) => kind.create(decoded, artifacts)))
