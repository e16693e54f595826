/**
 * The model registry: named, immutable model versions, stored as JSON next to the artifact store.
 *
 * ## User model modules
 *
 * A model kind of your own can be given in code (`registry.registerKind(kind)`) or as a module
 * (`registerModel({ ..., module: "./models/my-model.ts" })`). A module must export
 *
 * ```ts
 * export const modelKind = defineModelKind({
 *   kind: "my-model",                            // letters, digits, . _ -; starting with a letter
 *   description: "what it does",
 *   paramsSchema: z.object({ ... }).strict(),    // any Standard Schema (zod, valibot…), or an Effect Schema struct
 *   create: (params, artifacts) => ({ initialState, onUpdate })   // a pure TradingModel; params typed from the schema
 * })
 * ```
 *
 * The registry stores the schema's output (defaults filled in), which must be plain JSON and
 * validate again to itself (see `ModelKind`). The module's absolute path and the sha256 of
 * its file are stored in the version's record. Loading the version again, in this process or
 * after a restart, imports the module from that path and refuses it (`ModelModuleError`) if the
 * file's content changed since registration: a simulation rebuilt after a crash must run the
 * code it ran before. Modules the file imports are not hashed; keep a model's code in its module
 * or register a new version when it changes. A kind registered in code is recorded by name only
 * and must be registered again (with the same behaviour) after a restart.
 *
 * A module version's simulations run its model in a worker thread each (`IsolatedModel`,
 * src/runtime/isolation/): an update past the version's time budget, or a worker past its memory
 * bound, fails that model and no other (`isolation`, defaults in `defaultIsolationLimits`).
 * Built-in kinds and kinds registered in code run in-process.
 *
 * ## The catalog: model versions for the runtime
 *
 * `await registry.catalog()` gives the factory map of `ModelCatalog.layer(...)`
 * (src/runtime/model-catalog.ts). Its keys are:
 *
 * - `<modelId>@<version>` for every registered version (ids and versions cannot contain `@`).
 *   Deploy with the spec `await registry.modelSpec(modelId, version)`, which is
 *   `{ kind: "<modelId>@<version>", params: <the version's stored params> }`. The runtime stores
 *   that spec with the simulation and, at recovery, calls `catalog.resolve(spec)` →
 *   `factory(spec.params)`, which builds the same kind (built-in, registered, or the same module
 *   file, checked by hash) with the same params and the same artifacts (checked by sha256) as
 *   before: versions are immutable, so the key pins the model exactly. The spec carries the params
 *   so the simulation's record says what it runs; a factory given `undefined` uses the version's
 *   params, and given other params it validates them with the kind's schema (a parameter variant
 *   of the version, on the same code and artifacts).
 * - the name of every built-in and registered kind (`moving-average-crossover`, …), whose factory
 *   validates the params with the kind's schema; for running a kind without registering a version.
 *
 * The map is loaded once (records, artifacts and modules are read then) and is live: versions
 * registered and kinds added later through this registry appear in it. A factory validates the
 * params it is given and returns a Promise of the model (a Standard Schema may validate
 * asynchronously). A version that cannot be loaded (its module changed, an artifact is corrupt)
 * has a factory that rejects with the reason, so only simulations of that version fail to
 * resolve. A factory's rejections (bad params included) are defects inside `ModelCatalog.resolve`.
 */
import { readFile } from "node:fs/promises"
import { join, resolve } from "node:path"
import { pathToFileURL } from "node:url"
import { Effect, Result, Schema } from "effect"
import { ValidationError, type ValidationIssue } from "../domain/errors.ts"
import { decodeOrFail } from "../domain/validation.ts"
import type { TradingModel } from "../engine/trading-model.ts"
import type { ModelFactory, ModelSpec } from "../runtime/model-catalog.ts"
import { type IsolationLimits, IsolationLimitsInput, isolationLimitsOf, startIsolatedModel } from "../runtime/isolation/index.ts"
import { sha256Of, type LocalArtifactStore, type PutOptions, validatePutOptions } from "./artifact-store.ts"
import { atomicFiles, checksummedJson, isTempFile, readJsonRecord } from "./atomic-file.ts"
import {
  type ArtifactCorruptError,
  type ArtifactNotFoundError,
  type ArtifactStoreError,
  type InvalidArtifactIdError,
  ModelCreateError,
  ModelKindConflictError,
  ModelModuleError,
  ModelRecordCorruptError,
  ModelRegistryStoreError,
  ModelVersionExistsError,
  UnknownModelIdError,
  UnknownModelKindError,
  UnknownModelVersionError
} from "./errors.ts"
import { canonicalJson, type JsonObject } from "../domain/json.ts"
import { decodeModelParams, isModelKind, KIND_NAME, type ModelArtifacts, type ModelKind } from "./model-kind.ts"
import { type BuiltInModelKindName, type BuiltInModelParams, builtInModelKinds } from "./models/index.ts"

/** An artifact of a model version: its name within the version, and the stored content's id. */
export interface ModelArtifactRef {
  readonly name: string
  readonly sha256: string
  readonly size: number
  readonly contentType?: string
}

/** A registered model version, as stored in `<storageRoot>/models/<modelId>/<version>.json`. */
export interface ModelVersion {
  readonly modelId: string
  readonly version: string
  readonly kind: string
  /** The validated params, defaults filled in. */
  readonly params: JsonObject
  readonly artifacts: ReadonlyArray<ModelArtifactRef>
  readonly description?: string
  /** The module the kind comes from: its absolute path and the sha256 of its file at registration. */
  readonly module?: { readonly path: string; readonly sha256: string }
  /** A module version's limits, when given at registration (else `defaultIsolationLimits`). */
  readonly isolation?: IsolationLimits
  /** ISO-8601. */
  readonly registeredAt: string
}

/** The model a simulation of a registered version runs: `{ kind: "<modelId>@<version>", params }`, the params as stored. */
export interface ModelVersionSpec extends ModelSpec {
  readonly params: JsonObject
}

export interface ModelSummary {
  readonly modelId: string
  /** Sorted by version, numbers within versions compared as numbers (v1.9 before v1.10). */
  readonly versions: ReadonlyArray<ModelVersion>
}

/**
 * A model version to register. The params of a built-in kind are typed (`BuiltInModelParams`);
 * for a kind of your own, check them with `satisfies ModelParamsInput<typeof modelKind>`.
 */
export interface RegisterModelRequest<K extends string = string> {
  /** 1–64 letters, digits, `.`, `_` or `-`, starting with a letter or digit. */
  readonly modelId: string
  /** As modelId, e.g. `v1.0`. */
  readonly version: string
  /** A known kind; with `module`, the module's kind (and then it may be left out). */
  readonly kind?: K
  /** A module exporting `modelKind` (see the top of this file); relative paths are resolved against the working directory. */
  readonly module?: string
  /** Validated by the kind's schema; fields with defaults may be left out. */
  readonly params?: K extends BuiltInModelKindName ? BuiltInModelParams[K] : unknown
  readonly description?: string
  /** Files the kind's `create` receives by name; stored in the artifact store. */
  readonly artifacts?: ReadonlyArray<{ readonly name: string; readonly content: Uint8Array | string; readonly contentType?: string }>
  /** With `module`: its model's time budget per update and memory bound (1,000 ms and 256 MB by default). */
  readonly isolation?: Partial<IsolationLimits>
}

export interface ModelKindInfo {
  readonly kind: string
  readonly description: string
  readonly builtIn: boolean
}

export interface ModelRegistryOptions {
  readonly artifactStore: LocalArtifactStore
  /** Kinds of your own, as if given to `registerKind`. */
  readonly kinds?: ReadonlyArray<ModelKind>
  /** The clock for `registeredAt`; the wall clock by default. */
  readonly now?: () => Date
}

type ArtifactReadError = InvalidArtifactIdError | ArtifactNotFoundError | ArtifactCorruptError | ArtifactStoreError
type ReadError = ModelRegistryStoreError | ModelRecordCorruptError
type LookupError = ValidationError | UnknownModelIdError | UnknownModelVersionError | ReadError
export type LoadModelError = LookupError | UnknownModelKindError | ModelModuleError | ModelCreateError | ArtifactReadError

/** The registry's operations as Effects, with their typed errors. */
export interface ModelRegistryEffects {
  readonly registerModel: <K extends string = string>(
    request: RegisterModelRequest<K>
  ) => Effect.Effect<ModelVersion, ValidationError | ModelVersionExistsError | ModelModuleError | ReadError | ArtifactStoreError>
  readonly listModels: () => Effect.Effect<ReadonlyArray<ModelSummary>, ReadError>
  readonly getModelVersion: (modelId: string, version: string) => Effect.Effect<ModelVersion, LookupError>
  readonly loadModel: (modelId: string, version: string) => Effect.Effect<TradingModel, LoadModelError>
  readonly modelSpec: (modelId: string, version: string) => Effect.Effect<ModelVersionSpec, LookupError>
  readonly catalog: () => Effect.Effect<Readonly<Record<string, ModelFactory>>, ReadError>
}

const RECORD_FORMAT = 1

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/
const NAME_RULE = "must be 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit"
const Name = Schema.String.check(Schema.makeFilter((s) => (NAME.test(s) ? undefined : NAME_RULE)))

/** The catalog key of a model version: `<modelId>@<version>`. */
export const modelVersionKey = (modelId: string, version: string): string => `${modelId}@${version}`

const requestSchema = Schema.Struct({
  modelId: Name,
  version: Name,
  kind: Schema.optionalKey(Schema.String),
  module: Schema.optionalKey(Schema.String.check(Schema.makeFilter((s) => (s.length > 0 ? undefined : "must be a file path")))),
  params: Schema.optionalKey(Schema.Unknown),
  description: Schema.optionalKey(Schema.String.check(Schema.makeFilter((s) => (s.length <= 10_000 ? undefined : "must be at most 10000 characters")))),
  artifacts: Schema.optionalKey(
    Schema.Array(
      Schema.Struct({
        name: Schema.String.check(
          Schema.makeFilter((s) => (/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(s) ? undefined : "must be 1–128 letters, digits, '.', '_' or '-', starting with a letter or digit"))
        ),
        content: Schema.Union([Schema.String, Schema.declare((u): u is Uint8Array => u instanceof Uint8Array)]),
        contentType: Schema.optionalKey(Schema.String)
      })
    )
  ),
  isolation: Schema.optionalKey(IsolationLimitsInput)
}).check(
  Schema.makeFilter((r) => {
    const issues: Array<Schema.FilterIssue> = []
    if (r.kind === undefined && r.module === undefined) issues.push({ path: ["kind"], issue: "is required (or a module that exports the kind)" })
    if (r.isolation !== undefined && r.module === undefined) {
      issues.push({ path: ["isolation"], issue: "is only for a model given as a module (built-in kinds and kinds registered in code run in-process)" })
    }
    const names = new Set<string>()
    r.artifacts?.forEach((a, i) => {
      if (names.has(a.name)) issues.push({ path: ["artifacts", i, "name"], issue: "must not repeat another artifact's name" })
      names.add(a.name)
    })
    return issues
  })
)
const decodeRequest = decodeOrFail(requestSchema, "config")

const recordSchema = Schema.Struct({
  format: Schema.Literal(RECORD_FORMAT),
  modelId: Schema.String,
  version: Schema.String,
  kind: Schema.String,
  params: Schema.Record(Schema.String, Schema.Unknown),
  artifacts: Schema.Array(
    Schema.Struct({ name: Schema.String, sha256: Schema.String, size: Schema.Number, contentType: Schema.optionalKey(Schema.String) })
  ),
  description: Schema.optionalKey(Schema.String),
  module: Schema.optionalKey(Schema.Struct({ path: Schema.String, sha256: Schema.String })),
  isolation: Schema.optionalKey(Schema.Struct({ timeBudgetMs: Schema.Number, memoryBoundMb: Schema.Number })),
  registeredAt: Schema.String
})
const decodeRecord = Schema.decodeUnknownExit(recordSchema)

const invalid = (issues: ReadonlyArray<ValidationIssue>) => new ValidationError({ subject: "config", issues })

const putOptionsOf = (a: { readonly name: string; readonly contentType?: string }): PutOptions => ({
  name: a.name,
  ...(a.contentType === undefined ? {} : { contentType: a.contentType })
})

/** Every artifact's options as the artifact store will check them, before any is stored: a refusal stores nothing. */
const checkArtifactOptions = (artifacts: ReadonlyArray<{ readonly name: string; readonly contentType?: string }>): Result.Result<void, ValidationError> => {
  const issues = artifacts.flatMap((a) => {
    const checked = validatePutOptions(putOptionsOf(a))
    return Result.isFailure(checked) ? checked.failure.issues.map((i) => ({ ...i, field: `artifacts.${a.name}.${i.field}` })) : []
  })
  return issues.length === 0 ? Result.void : Result.fail(invalid(issues))
}

const versionOrder = new Intl.Collator("en", { numeric: true })
const compareVersions = (a: string, b: string): number => versionOrder.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0)

const recordJson = (v: ModelVersion): string => checksummedJson({ format: RECORD_FORMAT, ...v })

/** What identifies a version's content; everything but when it was registered. */
const contentOf = (v: ModelVersion) => ({
  kind: v.kind,
  module: v.module ?? null,
  params: v.params,
  artifacts: v.artifacts.map((a) => ({ name: a.name, sha256: a.sha256, contentType: a.contentType ?? null })),
  description: v.description ?? null,
  isolation: v.isolation ?? null
})

const differences = (a: ModelVersion, b: ModelVersion): ReadonlyArray<string> => {
  const ca = contentOf(a) as Record<string, unknown>
  const cb = contentOf(b) as Record<string, unknown>
  return Object.keys(ca).filter((k) => canonicalJson(ca[k]) !== canonicalJson(cb[k]))
}

/** A preloaded model version: everything its factory needs, or why it cannot be built. */
interface Preloaded {
  readonly record: ModelVersion
  readonly artifacts: ModelArtifacts
  readonly moduleKind: ModelKind | undefined
}

/**
 * Registers, lists and loads model versions. Records live under the artifact store's root, in
 * `<storageRoot>/models/<modelId>/<version>.json`, written atomically and never replaced:
 * registering a version again with identical content returns the stored record, with different
 * content fails with `ModelVersionExistsError`. See the top of this file for user model modules
 * and for the runtime catalog.
 *
 * Like the artifact store, each operation is available as a Promise method and as an Effect in
 * `registry.effect`, failing with the same typed errors.
 */
export class ModelRegistry {
  readonly artifactStore: LocalArtifactStore
  readonly modelsDir: string
  readonly effect: ModelRegistryEffects
  readonly #kinds = new Map<string, { readonly kind: ModelKind; readonly builtIn: boolean }>()
  #catalog: Record<string, ModelFactory> | undefined

  constructor(options: ModelRegistryOptions) {
    this.artifactStore = options.artifactStore
    this.modelsDir = join(options.artifactStore.storageRoot, "models")
    for (const kind of builtInModelKinds) this.#kinds.set(kind.kind, { kind, builtIn: true })
    for (const kind of options.kinds ?? []) this.registerKind(kind)
    this.effect = this.#makeEffects(options.now ?? (() => new Date()))
  }

  /**
   * Adds a kind of your own. Its name must not be a built-in kind's, or another kind's already
   * registered here (registering the same kind object again is fine).
   */
  registerKind(kind: ModelKind): void {
    if (!isModelKind(kind)) throw invalid([{ field: "kind", rule: "must be a ModelKind: { kind, description, paramsSchema (a Standard Schema or an Effect Schema struct), create }", value: kind }])
    if (!KIND_NAME.test(kind.kind)) throw invalid([{ field: "kind.kind", rule: "must be 1–64 letters, digits, '.', '_' or '-', starting with a letter", value: kind.kind }])
    const known = this.#kinds.get(kind.kind)
    if (known !== undefined && known.kind !== kind) {
      throw new ModelKindConflictError({ kind: kind.kind, reason: known.builtIn ? "a built-in kind has that name" : "a different kind has that name already" })
    }
    this.#kinds.set(kind.kind, { kind, builtIn: false })
    if (this.#catalog !== undefined) this.#catalog[kind.kind] = this.#kindFactory(kind)
  }

  /** The kinds known by name: the built-in ones and those registered in code (not module kinds). */
  kinds(): ReadonlyArray<ModelKindInfo> {
    return [...this.#kinds.values()].map(({ kind, builtIn }) => ({ kind: kind.kind, description: kind.description, builtIn }))
  }

  /** Validates and stores a new model version (and its artifacts); idempotent for identical content. */
  registerModel<K extends string = string>(request: RegisterModelRequest<K>): Promise<ModelVersion> {
    return Effect.runPromise(this.effect.registerModel(request))
  }

  /** Every model with its versions, sorted by model id. */
  listModels(): Promise<ReadonlyArray<ModelSummary>> {
    return Effect.runPromise(this.effect.listModels())
  }

  getModelVersion(modelId: string, version: string): Promise<ModelVersion> {
    return Effect.runPromise(this.effect.getModelVersion(modelId, version))
  }

  /** Builds the version's model: its kind, with its params and its artifacts. */
  loadModel(modelId: string, version: string): Promise<TradingModel> {
    return Effect.runPromise(this.effect.loadModel(modelId, version))
  }

  /** The `ModelSpec` a simulation of this version is deployed with: `{ kind: "<modelId>@<version>", params }`. */
  modelSpec(modelId: string, version: string): Promise<ModelVersionSpec> {
    return Effect.runPromise(this.effect.modelSpec(modelId, version))
  }

  /** The live factory map for `ModelCatalog.layer(...)` (see the top of this file). */
  catalog(): Promise<Readonly<Record<string, ModelFactory>>> {
    return Effect.runPromise(this.effect.catalog())
  }

  #kindFactory(kind: ModelKind): ModelFactory {
    return (params) => Effect.runPromise(Effect.map(decodeModelParams(kind, params), (decoded) => kind.create(decoded, {})))
  }

  #makeEffects(now: () => Date): ModelRegistryEffects {
    const registry = this
    const store = this.artifactStore
    const dir = this.modelsDir
    const files = atomicFiles(store.fileSystem, (operation, path, cause) => new ModelRegistryStoreError({ operation, path, cause }))
    const recordPath = (modelId: string, version: string) => join(dir, modelId, `${version}.json`)

    const readRecord = (modelId: string, version: string): Effect.Effect<ModelVersion | undefined, ReadError> =>
      Effect.gen(function* () {
        const path = recordPath(modelId, version)
        const corrupt = (reason: string) => new ModelRecordCorruptError({ path, reason })
        const decoded = yield* readJsonRecord(files, path, decodeRecord, `a model version record of format ${RECORD_FORMAT}`, corrupt)
        if (decoded === undefined) return undefined
        const { format: _format, ...record } = decoded
        if (record.modelId !== modelId || record.version !== version)
          return yield* Effect.fail(corrupt(`it names ${modelVersionKey(record.modelId, record.version)}`))
        return record as ModelVersion
      })

    const modelIds = () =>
      Effect.map(files.listDir(dir), (names) => names.filter((n) => !isTempFile(n) && NAME.test(n)).sort())

    const versionsOf = (modelId: string) =>
      Effect.map(files.listDir(join(dir, modelId)), (names) =>
        names
          .filter((n) => !isTempFile(n) && n.endsWith(".json") && NAME.test(n.slice(0, -5)))
          .map((n) => n.slice(0, -5))
          .sort(compareVersions)
      )

    const listModels = () =>
      Effect.gen(function* () {
        const models: ModelSummary[] = []
        for (const modelId of yield* modelIds()) {
          const versions: ModelVersion[] = []
          for (const version of yield* versionsOf(modelId)) {
            const record = yield* readRecord(modelId, version)
            if (record !== undefined) versions.push(record)
          }
          if (versions.length > 0) models.push({ modelId, versions })
        }
        return models as ReadonlyArray<ModelSummary>
      })

    const checkIds = (modelId: string, version: string): Effect.Effect<void, ValidationError> => {
      const issues: ValidationIssue[] = []
      if (typeof modelId !== "string" || !NAME.test(modelId)) issues.push({ field: "modelId", rule: NAME_RULE, value: modelId })
      if (typeof version !== "string" || !NAME.test(version)) issues.push({ field: "version", rule: NAME_RULE, value: version })
      return issues.length === 0 ? Effect.void : Effect.fail(invalid(issues))
    }

    const getModelVersion = (modelId: string, version: string): Effect.Effect<ModelVersion, LookupError> =>
      Effect.gen(function* () {
        yield* checkIds(modelId, version)
        const record = yield* readRecord(modelId, version)
        if (record !== undefined) return record
        const versions = yield* versionsOf(modelId)
        if (versions.length > 0) return yield* Effect.fail(new UnknownModelVersionError({ modelId, version, known: versions }))
        const known = (yield* listModels()).map((m) => m.modelId)
        return yield* Effect.fail(new UnknownModelIdError({ modelId, known }))
      })

    /** Imports a module's `modelKind`; with `expected`, only if the file still has that sha256. */
    const importModule = (path: string, expected?: string): Effect.Effect<{ kind: ModelKind; sha256: string }, ModelModuleError> =>
      Effect.gen(function* () {
        const fail = (reason: string) => Effect.fail(new ModelModuleError({ module: path, reason }))
        const source = yield* Effect.tryPromise({
          try: () => readFile(path),
          catch: (e) => new ModelModuleError({ module: path, reason: `cannot be read (${(e as Error).message})` })
        })
        const sha256 = sha256Of(source)
        if (expected !== undefined && sha256 !== expected) {
          return yield* fail(`changed since the version was registered (sha256 ${expected}, now ${sha256}); register a new version for new code`)
        }
        // The hash in the URL makes a changed file a new module, not the one cached under its path.
        const url = `${pathToFileURL(path).href}?sha256=${sha256}`
        const mod = yield* Effect.tryPromise({
          try: () => import(url) as Promise<Record<string, unknown>>,
          catch: (e) => new ModelModuleError({ module: path, reason: `failed to import (${e instanceof Error ? e.message : String(e)})` })
        })
        const kind = mod["modelKind"]
        if (!isModelKind(kind)) return yield* fail("must export `modelKind`: { kind, description, paramsSchema (a Standard Schema or an Effect Schema struct), create }")
        if (!KIND_NAME.test(kind.kind)) return yield* fail(`its kind name ${JSON.stringify(kind.kind)} must be 1–64 letters, digits, '.', '_' or '-', starting with a letter`)
        return { kind, sha256 }
      })

    const kindOf = (record: ModelVersion): Effect.Effect<ModelKind, UnknownModelKindError | ModelModuleError> =>
      record.module === undefined
        ? Effect.suspend(() => {
            const known = registry.#kinds.get(record.kind)
            return known === undefined
              ? Effect.fail(new UnknownModelKindError({ kind: record.kind, known: [...registry.#kinds.keys()] }))
              : Effect.succeed(known.kind)
          })
        : Effect.flatMap(importModule(record.module.path, record.module.sha256), ({ kind }) =>
            kind.kind === record.kind
              ? Effect.succeed(kind)
              : Effect.fail(new ModelModuleError({ module: record.module!.path, reason: `exports kind ${JSON.stringify(kind.kind)}, not ${JSON.stringify(record.kind)}` }))
          )

    const loadArtifacts = (record: ModelVersion): Effect.Effect<ModelArtifacts, ArtifactReadError> =>
      Effect.map(
        Effect.forEach(record.artifacts, (a) => Effect.map(store.effect.get(a.sha256), ({ content }) => [a.name, { name: a.name, sha256: a.sha256, size: a.size, content }] as const)),
        (entries) => Object.fromEntries(entries)
      )

    const create = (kind: ModelKind, params: unknown, artifacts: ModelArtifacts): Effect.Effect<TradingModel, ValidationError | ModelCreateError> =>
      Effect.flatMap(decodeModelParams(kind, params), (decoded) =>
        Effect.try({ try: () => kind.create(decoded, artifacts), catch: (cause) => new ModelCreateError({ kind: kind.kind, cause }) })
      )

    const loadModel = (modelId: string, version: string): Effect.Effect<TradingModel, LoadModelError> =>
      Effect.gen(function* () {
        const record = yield* getModelVersion(modelId, version)
        const kind = yield* kindOf(record)
        const artifacts = yield* loadArtifacts(record)
        return yield* create(kind, record.params, artifacts)
      })

    const registerModel = (request: RegisterModelRequest) =>
      Effect.gen(function* () {
        const r = yield* Effect.fromResult(decodeRequest(request))
        yield* Effect.fromResult(checkArtifactOptions(r.artifacts ?? []))
        let kind: ModelKind
        let module: ModelVersion["module"]
        if (r.module !== undefined) {
          const path = resolve(r.module)
          const imported = yield* importModule(path)
          if (r.kind !== undefined && r.kind !== imported.kind.kind) {
            return yield* Effect.fail(invalid([{ field: "kind", rule: `must be the module's kind (${imported.kind.kind}) or left out`, value: r.kind }]))
          }
          kind = imported.kind
          module = { path, sha256: imported.sha256 }
        } else {
          const known = registry.#kinds.get(r.kind!)
          if (known === undefined) {
            return yield* Effect.fail(
              invalid([{ field: "kind", rule: `must be one of the known kinds (${[...registry.#kinds.keys()].join(", ")}) or come from a module`, value: r.kind }])
            )
          }
          kind = known.kind
        }
        const params = yield* decodeModelParams(kind, r.params)
        // The stored params are validated again whenever the version is loaded (after a restart too).
        const again = yield* Effect.result(decodeModelParams(kind, params))
        if (Result.isFailure(again) || canonicalJson(again.success) !== canonicalJson(params)) {
          const what = Result.isFailure(again) ? `fails (${again.failure.message})` : `gives ${canonicalJson(again.success)}`
          return yield* Effect.fail(
            invalid([{ field: "params", rule: `must validate again to themselves, as the registry checks the stored params whenever it loads the version: kind ${kind.kind}'s output ${canonicalJson(params)} validated again ${what}`, value: r.params }])
          )
        }

        const contents = (r.artifacts ?? []).map((a) => ({ ...a, bytes: typeof a.content === "string" ? Buffer.from(a.content, "utf8") : a.content }))
        const record: ModelVersion = {
          modelId: r.modelId,
          version: r.version,
          kind: kind.kind,
          params,
          artifacts: contents.map((a) => ({
            name: a.name,
            sha256: sha256Of(a.bytes),
            size: a.bytes.byteLength,
            ...(a.contentType === undefined ? {} : { contentType: a.contentType })
          })),
          ...(r.description === undefined ? {} : { description: r.description }),
          ...(module === undefined ? {} : { module }),
          ...(r.isolation === undefined ? {} : { isolation: isolationLimitsOf(r.isolation) }),
          registeredAt: now().toISOString()
        }

        const settle = (existing: ModelVersion) => {
          const diff = differences(existing, record)
          return diff.length === 0
            ? Effect.succeed(existing)
            : Effect.fail(new ModelVersionExistsError({ modelId: r.modelId, version: r.version, differences: diff }))
        }
        const existing = yield* readRecord(r.modelId, r.version)
        if (existing !== undefined) return yield* settle(existing)

        // The artifacts before the record: a stored record never names a missing artifact.
        for (const a of contents) yield* store.effect.put(a.bytes, putOptionsOf(a))
        const created = yield* files.createAtomic(recordPath(r.modelId, r.version), recordJson(record))
        if (!created) {
          const raced = yield* readRecord(r.modelId, r.version)
          if (raced !== undefined) return yield* settle(raced)
        }
        if (registry.#catalog !== undefined) registry.#catalog[modelVersionKey(record.modelId, record.version)] = yield* versionFactory(record)
        return record
      })

    const modelSpec = (modelId: string, version: string) =>
      Effect.map(getModelVersion(modelId, version), (record): ModelVersionSpec => ({ kind: modelVersionKey(modelId, version), params: record.params }))

    /** A version's factory; a version that cannot be loaded gets one that throws why. */
    const versionFactory = (record: ModelVersion): Effect.Effect<ModelFactory> =>
      Effect.gen(function* () {
        const moduleKind = record.module === undefined ? undefined : yield* kindOf(record)
        const artifacts = yield* loadArtifacts(record)
        const loaded: Preloaded = { record, artifacts, moduleKind }
        return (params: unknown): Promise<TradingModel> => {
          const kind = loaded.moduleKind ?? registry.#kinds.get(loaded.record.kind)?.kind
          if (kind === undefined) return Promise.reject(new UnknownModelKindError({ kind: loaded.record.kind, known: [...registry.#kinds.keys()] }))
          const decoded = decodeModelParams(kind, params === undefined ? loaded.record.params : params)
          const { module, isolation } = loaded.record
          if (module === undefined) return Effect.runPromise(Effect.map(decoded, (p) => kind.create(p, loaded.artifacts)))
          // A module's model runs in a worker of its own, under the version's limits.
          const label = modelVersionKey(loaded.record.modelId, loaded.record.version)
          return Effect.runPromise(decoded).then((p) => startIsolatedModel({ label, module, params: p, artifacts: loaded.artifacts, limits: isolationLimitsOf(isolation) }))
        }
      }).pipe(
        Effect.catch((error) =>
          Effect.succeed<ModelFactory>(() => Promise.reject(error))
        )
      )

    /**
     * A factory for every stored version. A record that cannot be read gets a factory that fails
     * with why, so a corrupt record affects only the simulations that run that version.
     */
    const storedVersionFactories = () =>
      Effect.gen(function* () {
        const out: Array<readonly [string, ModelFactory]> = []
        for (const modelId of yield* modelIds())
          for (const version of yield* versionsOf(modelId)) {
            const record = yield* Effect.result(readRecord(modelId, version))
            const key = modelVersionKey(modelId, version)
            if (Result.isFailure(record)) {
              const error = record.failure
              out.push([key, () => Promise.reject(error)])
            } else if (record.success !== undefined) out.push([key, yield* versionFactory(record.success)])
          }
        return out
      })

    const catalog = (): Effect.Effect<Readonly<Record<string, ModelFactory>>, ReadError> =>
      Effect.suspend(() => {
        if (registry.#catalog !== undefined) return Effect.succeed(registry.#catalog)
        return Effect.gen(function* () {
          // No prototype: a spec's kind such as "toString" must not find an inherited function.
          const factories: Record<string, ModelFactory> = Object.create(null)
          for (const { kind } of registry.#kinds.values()) factories[kind.kind] = registry.#kindFactory(kind)
          for (const [key, factory] of yield* storedVersionFactories()) factories[key] = factory
          if (registry.#catalog !== undefined) return registry.#catalog // a concurrent call finished first
          const live = (registry.#catalog = factories)
          // From here on registerModel and registerKind keep the map current. What they added
          // while it was being built is picked up now.
          for (const { kind } of registry.#kinds.values()) live[kind.kind] ??= registry.#kindFactory(kind)
          for (const [key, factory] of yield* storedVersionFactories()) live[key] ??= factory
          return live
        })
      })

    return { registerModel, listModels, getModelVersion, loadModel, modelSpec, catalog }
  }
}
