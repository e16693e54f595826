import { createHash } from "node:crypto"
import { join, resolve } from "node:path"
import { Effect, Exit, Result, Schema } from "effect"
import { ValidationError } from "../domain/errors.ts"
import { decodeOrFail } from "../domain/validation.ts"
import { atomicFiles, checksummedJson, type DeployFileSystem, isTempFile, nodeFileSystem, parseChecksummedJson } from "./atomic-file.ts"
import { ArtifactCorruptError, ArtifactNotFoundError, ArtifactStoreError, InvalidArtifactIdError } from "./errors.ts"
import { isJsonValue, type JsonObject } from "../domain/json.ts"

/**
 * What the store knows of one artifact. The metadata file `<sha256>.json` holds exactly this.
 * An artifact's id is the sha256 of its content, so the same content is stored once.
 */
export interface ArtifactRef {
  readonly sha256: string
  /** Bytes. */
  readonly size: number
  readonly name?: string
  readonly contentType?: string
  /** Free JSON of the caller's. */
  readonly metadata: JsonObject
  /** ISO-8601: when this content was first stored. */
  readonly createdAt: string
}

export interface PutOptions {
  readonly name?: string
  readonly contentType?: string
  readonly metadata?: JsonObject
}

export interface StoredArtifact {
  readonly ref: ArtifactRef
  readonly content: Buffer
}

export interface LocalArtifactStoreOptions {
  /** The store's directory; artifacts live in `<storageRoot>/artifacts`. Relative paths are resolved against the working directory. */
  readonly storageRoot: string
  /** The clock for `createdAt`; the wall clock by default. */
  readonly now?: () => Date
  /** The file system; `node:fs/promises` by default (tests inject failures). */
  readonly fileSystem?: DeployFileSystem
}

/** The store's operations as Effects, with their typed errors. */
export interface ArtifactStoreEffects {
  readonly put: (content: Uint8Array | string, options?: PutOptions) => Effect.Effect<ArtifactRef, ValidationError | ArtifactStoreError>
  readonly get: (
    sha256: string
  ) => Effect.Effect<StoredArtifact, InvalidArtifactIdError | ArtifactNotFoundError | ArtifactCorruptError | ArtifactStoreError>
  readonly getMetadata: (
    sha256: string
  ) => Effect.Effect<ArtifactRef, InvalidArtifactIdError | ArtifactNotFoundError | ArtifactCorruptError | ArtifactStoreError>
  readonly has: (sha256: string) => Effect.Effect<boolean, InvalidArtifactIdError | ArtifactStoreError>
  readonly list: () => Effect.Effect<ReadonlyArray<ArtifactRef>, ArtifactCorruptError | ArtifactStoreError>
}

const SHA256 = /^[0-9a-f]{64}$/

export const isArtifactId = (value: unknown): value is string => typeof value === "string" && SHA256.test(value)

/** The hex sha256 of some content: its artifact id. */
export const sha256Of = (content: Uint8Array | string): string => createHash("sha256").update(content).digest("hex")

const Label = Schema.String.check(
  Schema.makeFilter((s) => (s.length >= 1 && s.length <= 255 && !/[\u0000-\u001f]/.test(s) ? undefined : "must be 1–255 characters, none of them control characters"))
)

const putOptionsSchema = Schema.Struct({
  name: Schema.optionalKey(Label),
  contentType: Schema.optionalKey(Label),
  metadata: Schema.optionalKey(
    Schema.Record(Schema.String, Schema.Unknown).check(
      Schema.makeFilter((m) => (isJsonValue(m) ? undefined : "must be plain JSON (no undefined, functions, class instances, NaN or Infinity)"))
    )
  )
})

/**
 * Checks a put's options as `put` does, storing nothing: a caller that puts several artifacts
 * checks them all first, so that a refusal leaves nothing stored.
 */
export const validatePutOptions: (options: unknown) => Result.Result<typeof putOptionsSchema.Type, ValidationError> = decodeOrFail(putOptionsSchema, "config")

const refSchema = Schema.Struct({
  sha256: Schema.String,
  size: Schema.Number,
  name: Schema.optionalKey(Schema.String),
  contentType: Schema.optionalKey(Schema.String),
  metadata: Schema.Record(Schema.String, Schema.Unknown),
  createdAt: Schema.String
})
const decodeRef = Schema.decodeUnknownExit(refSchema)

const refJson = (ref: ArtifactRef): string => checksummedJson(ref)

/**
 * Content-addressed artifacts on the local disk:
 *
 * ```
 * <storageRoot>/artifacts/<sha256>        the content
 * <storageRoot>/artifacts/<sha256>.json   its ArtifactRef (written last: an artifact exists once this file does)
 * ```
 *
 * Both files are written atomically (a temporary file in the same directory, fsync, rename), so a
 * crash or a failed write never leaves a partial file under either name. Putting content that is
 * stored already stores nothing new and returns the first put's ref (its name and metadata).
 * Reading checks the content's hash against its id.
 *
 * Two API shapes, one implementation: the Promise methods (`put`, `get`, …) reject with the same
 * typed errors (`Data.TaggedError`s) that the Effect forms in `store.effect` fail with.
 */
export class LocalArtifactStore {
  readonly storageRoot: string
  readonly artifactsDir: string
  readonly fileSystem: DeployFileSystem
  readonly effect: ArtifactStoreEffects

  constructor(options: LocalArtifactStoreOptions) {
    this.storageRoot = resolve(options.storageRoot)
    this.artifactsDir = join(this.storageRoot, "artifacts")
    this.fileSystem = options.fileSystem ?? nodeFileSystem
    this.effect = makeEffects(this.artifactsDir, this.fileSystem, options.now ?? (() => new Date()))
  }

  /** Stores content (idempotently) and returns its ref. */
  put(content: Uint8Array | string, options?: PutOptions): Promise<ArtifactRef> {
    return Effect.runPromise(this.effect.put(content, options))
  }

  /** The content and its ref; the content is checked against its sha256. */
  get(sha256: string): Promise<StoredArtifact> {
    return Effect.runPromise(this.effect.get(sha256))
  }

  getMetadata(sha256: string): Promise<ArtifactRef> {
    return Effect.runPromise(this.effect.getMetadata(sha256))
  }

  has(sha256: string): Promise<boolean> {
    return Effect.runPromise(this.effect.has(sha256))
  }

  /** Every stored artifact's ref, sorted by sha256. */
  list(): Promise<ReadonlyArray<ArtifactRef>> {
    return Effect.runPromise(this.effect.list())
  }
}

const makeEffects = (dir: string, fs: DeployFileSystem, now: () => Date): ArtifactStoreEffects => {
  const files = atomicFiles(fs, (operation, path, cause) => new ArtifactStoreError({ operation, path, cause }))
  const contentPath = (sha: string) => join(dir, sha)
  const refPath = (sha: string) => join(dir, `${sha}.json`)

  const checkId = (value: string): Effect.Effect<string, InvalidArtifactIdError> =>
    isArtifactId(value) ? Effect.succeed(value) : Effect.fail(new InvalidArtifactIdError({ value }))

  const parseRef = (sha: string, bytes: Buffer): Result.Result<ArtifactRef, ArtifactCorruptError> => {
    const corrupt = (reason: string) => Result.fail(new ArtifactCorruptError({ sha256: sha, actual: null, reason }))
    const parsed = parseChecksummedJson(bytes)
    if ("problem" in parsed) return corrupt(`its metadata is ${parsed.problem.startsWith("not") ? "" : "damaged: "}${parsed.problem}`)
    const decoded = decodeRef(parsed.json)
    if (Exit.isFailure(decoded)) return corrupt("its metadata is not an artifact ref")
    if (decoded.value.sha256 !== sha) return corrupt(`its metadata names ${decoded.value.sha256}`)
    return Result.succeed(decoded.value as ArtifactRef)
  }

  const readRef = (sha: string) =>
    Effect.gen(function* () {
      const bytes = yield* files.readIfExists(refPath(sha))
      if (bytes === undefined) return yield* Effect.fail(new ArtifactNotFoundError({ sha256: sha }))
      return yield* Effect.fromResult(parseRef(sha, bytes))
    })

  const put = (content: Uint8Array | string, options: PutOptions = {}) =>
    Effect.gen(function* () {
      if (typeof content !== "string" && !(content instanceof Uint8Array)) {
        return yield* Effect.fail(
          new ValidationError({ subject: "config", issues: [{ field: "content", rule: "must be a string or a Uint8Array", value: content }] })
        )
      }
      const valid = yield* Effect.fromResult(validatePutOptions(options))
      const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : Buffer.from(content.buffer, content.byteOffset, content.byteLength)
      const sha = sha256Of(bytes)

      // The content first: present and intact already (a second put), or written now.
      const existing = yield* files.readIfExists(contentPath(sha))
      if (existing === undefined || sha256Of(existing) !== sha) yield* files.writeAtomic(contentPath(sha), bytes)

      // Then the ref, which commits the artifact. The first put's ref stays.
      const ref: ArtifactRef = {
        sha256: sha,
        size: bytes.byteLength,
        ...(valid.name === undefined ? {} : { name: valid.name }),
        ...(valid.contentType === undefined ? {} : { contentType: valid.contentType }),
        metadata: (valid.metadata ?? {}) as JsonObject,
        createdAt: now().toISOString()
      }
      if (yield* files.createAtomic(refPath(sha), refJson(ref))) return ref
      const stored = yield* files.readIfExists(refPath(sha))
      const parsed = stored === undefined ? undefined : parseRef(sha, stored)
      if (parsed !== undefined && Result.isSuccess(parsed)) return parsed.success
      // A damaged (or meanwhile deleted) ref file is replaced by this put's.
      yield* files.writeAtomic(refPath(sha), refJson(ref))
      return ref
    })

  const getMetadata = (sha256: string) => Effect.flatMap(checkId(sha256), readRef)

  const get = (sha256: string) =>
    Effect.gen(function* () {
      const ref = yield* getMetadata(sha256)
      const content = yield* files.readIfExists(contentPath(ref.sha256))
      if (content === undefined) {
        return yield* Effect.fail(new ArtifactCorruptError({ sha256: ref.sha256, actual: null, reason: "its content file is missing" }))
      }
      const actual = sha256Of(content)
      if (actual !== ref.sha256) {
        return yield* Effect.fail(new ArtifactCorruptError({ sha256: ref.sha256, actual, reason: `its content hashes to ${actual}` }))
      }
      return { ref, content }
    })

  const has = (sha256: string) => Effect.flatMap(checkId(sha256), (sha) => files.exists(refPath(sha)))

  const list = () =>
    Effect.gen(function* () {
      const names = yield* files.listDir(dir)
      const shas = names
        .filter((n) => !isTempFile(n) && n.endsWith(".json") && isArtifactId(n.slice(0, -5)))
        .map((n) => n.slice(0, -5))
        .sort()
      const refs: ArtifactRef[] = []
      for (const sha of shas) {
        // A ref deleted between the listing and the read is simply no longer there.
        const ref = yield* readRef(sha).pipe(
          Effect.catchTag("ArtifactNotFoundError", () => Effect.succeed(undefined))
        )
        if (ref !== undefined) refs.push(ref)
      }
      return refs as ReadonlyArray<ArtifactRef>
    })

  return { put, get, getMetadata, has, list }
}
