/**
 * The run config: a JSON file naming the model version to register and the simulation to deploy it
 * into.
 *
 * ```json
 * {
 *   "model": { "id": "ma-crossover", "version": "v1.0", "kind": "moving-average-crossover", "params": { "fast": 10, "slow": 30 } },
 *   "simulation": { "symbols": ["ORCL", "NVDA"], "updateFrequency": "1d", "initialCapital": 100000 }
 * }
 * ```
 *
 * - `model`: `id`, `version`, and either a built-in `kind` or a `module` (a path relative to the
 *   config file, exporting `modelKind`); `params` for the kind's schema; an optional `description`.
 * - `simulation`: the simulation config (every field optional; the engine's defaults fill in the rest).
 *
 * Validation collects every error, each naming its field (`model.params.fast`,
 * `simulation.maxPositionSize`) and the rule. Unknown fields are refused. The model is checked
 * by registering it in a scratch registry, so its params go through the kind's own schema and
 * a module is imported and checked exactly as the real registration will; nothing is written to
 * any store.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { Data, Result, Schema } from "effect"
import { ValidationError, type ValidationIssue } from "../domain/errors.ts"
import { makeSimulationConfig, type SimulationConfig } from "../domain/simulation-config.ts"
import { decodeOrFail } from "../domain/validation.ts"
import { LocalArtifactStore, ModelCreateError, ModelModuleError, ModelRegistry, type RegisterModelRequest } from "../index.ts"

/** A config file that cannot be read, or is not JSON. */
export class ConfigFileError extends Data.TaggedError("ConfigFileError")<{
  readonly path: string
  readonly reason: string
}> {
  override get message(): string {
    return `config ${this.path} ${this.reason}`
  }
}

/** A config that breaks rules: every issue, each naming its field. */
export class InvalidConfigError extends Data.TaggedError("InvalidConfigError")<{
  readonly path: string
  readonly issues: ReadonlyArray<ValidationIssue>
}> {
  override get message(): string {
    return `invalid config ${this.path}: ${this.issues.map(describeIssue).join("; ")}`
  }
}

/** How much of an offending value an issue shows: enough to recognise it, one line however long it is. */
const SHOWN_CHARACTERS = 60

/** The value as JSON (a number JSON cannot write, as it is: `Infinity` for `1e309`), cut to SHOWN_CHARACTERS. */
const shownValue = (value: unknown): string => {
  if (value === undefined) return "nothing"
  const text = typeof value === "number" ? String(value) : (JSON.stringify(value) ?? String(value))
  return text.length <= SHOWN_CHARACTERS ? text : `${text.slice(0, SHOWN_CHARACTERS)}…`
}

/** `model.params.fast must be less than slow (30) (got 50)`. */
export const describeIssue = ({ field, rule, value }: ValidationIssue): string => `${field} ${rule} (got ${shownValue(value)})`

/** Deeper than any config needs. A deeper value could overflow the stack when it is checked or shown. */
const MAX_DEPTH = 64

/** Whether objects and arrays nest more than `max` levels in `value` (walked without recursion). */
const nestsDeeperThan = (value: unknown, max: number): boolean => {
  const pending: Array<readonly [unknown, number]> = [[value, 1]]
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [node, depth] = next
    if (node === null || typeof node !== "object") continue
    if (depth > max) return true
    for (const child of Object.values(node)) pending.push([child, depth + 1])
  }
  return false
}

/** A valid config, ready to register and deploy. */
export interface RunConfig {
  readonly path: string
  /** The registration request, its module (if any) an absolute path. */
  readonly model: RegisterModelRequest & { readonly modelId: string; readonly version: string }
  /** The validated simulation config, defaults filled in. */
  readonly simulation: SimulationConfig
}

const fileSchema = Schema.Struct({
  model: Schema.Unknown,
  simulation: Schema.optionalKey(Schema.Unknown)
})

const modelSchema = Schema.Struct({
  id: Schema.String,
  version: Schema.String,
  kind: Schema.optionalKey(Schema.String),
  module: Schema.optionalKey(Schema.String),
  params: Schema.optionalKey(Schema.Unknown),
  description: Schema.optionalKey(Schema.String)
})

const decodeFile = decodeOrFail(fileSchema, "config")
const decodeModel = decodeOrFail(modelSchema, "config")

const under = (prefix: string, issues: ReadonlyArray<ValidationIssue>): ReadonlyArray<ValidationIssue> =>
  issues.map((i) => ({ ...i, field: i.field === "(input)" ? prefix : `${prefix}.${i.field}` }))

// The registry names the request's fields; the config names them after its own keys.
const registryField: Readonly<Record<string, string>> = { modelId: "id" }
const asConfigFields = (issues: ReadonlyArray<ValidationIssue>) =>
  under(
    "model",
    issues.map((i) => {
      const [head = "", ...rest] = i.field.split(".")
      return { ...i, field: [registryField[head] ?? head, ...rest].join(".") }
    })
  )

/**
 * Registers the model in a throwaway store and builds it, as deploying will: every rule of the real
 * registration and the kind's own `create`, nothing written anywhere that stays.
 */
const checkModel = async (model: RunConfig["model"]): Promise<ReadonlyArray<ValidationIssue>> => {
  const scratch = await mkdtemp(join(tmpdir(), "paperfloor-validate-"))
  try {
    const registry = new ModelRegistry({ artifactStore: new LocalArtifactStore({ storageRoot: scratch }) })
    await registry.registerModel(model)
    await registry.loadModel(model.modelId, model.version)
    return []
  } catch (error) {
    if (error instanceof ValidationError) return asConfigFields(error.issues)
    if (error instanceof ModelModuleError) return [{ field: "model.module", rule: error.reason, value: model.module }]
    if (error instanceof ModelCreateError) {
      const cause = error.cause instanceof Error ? error.cause.message : String(error.cause)
      return [{ field: "model.params", rule: `were refused by the kind's create: ${cause}`, value: model.params }]
    }
    throw error
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
}

/** Reads and validates a config file; throws `ConfigFileError` or `InvalidConfigError` (with every issue). */
export const loadRunConfig = async (file: string): Promise<RunConfig> => {
  const path = resolve(file)
  const text = await readFile(path, "utf8").catch((error: Error) => {
    throw new ConfigFileError({ path: file, reason: `cannot be read: ${error.message}` })
  })
  let json: unknown
  try {
    // A byte order mark (as some Windows editors save UTF-8) is not part of the JSON.
    json = JSON.parse(text.startsWith("\uFEFF") ? text.slice(1) : text)
  } catch (error) {
    throw new ConfigFileError({ path: file, reason: `is not valid JSON: ${(error as Error).message}` })
  }
  if (nestsDeeperThan(json, MAX_DEPTH)) throw new ConfigFileError({ path: file, reason: `nests deeper than ${MAX_DEPTH} levels` })

  // Every part is checked even when another has errors, so one run of `validate` lists them all.
  const issues: ValidationIssue[] = []
  const top = decodeFile(json)
  if (Result.isFailure(top)) issues.push(...top.failure.issues.map((i) => (i.field === "(input)" ? { ...i, field: "config" } : i)))
  if (json === null || typeof json !== "object" || Array.isArray(json)) throw new InvalidConfigError({ path: file, issues })
  const parts = json as { readonly model?: unknown; readonly simulation?: unknown }

  let model: RunConfig["model"] | undefined
  if (parts.model !== undefined) {
    const decoded = decodeModel(parts.model)
    if (Result.isFailure(decoded)) issues.push(...under("model", decoded.failure.issues))
    else {
      const { id, module, ...rest } = decoded.success
      model = { ...rest, modelId: id, ...(module === undefined ? {} : { module: resolve(dirname(path), module) }) }
      issues.push(...(await checkModel(model)))
    }
  }

  const simulation = makeSimulationConfig(parts.simulation ?? {})
  if (Result.isFailure(simulation)) issues.push(...under("simulation", simulation.failure.issues))

  if (issues.length > 0 || model === undefined || Result.isFailure(simulation)) throw new InvalidConfigError({ path: file, issues })
  return { path, model, simulation: simulation.success }
}
