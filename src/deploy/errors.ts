import { Data } from "effect"
import { formatValue } from "../domain/errors.ts"

const causeText = (cause: unknown): string => {
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code
    return code === undefined || cause.message.startsWith(code) ? cause.message : `${code}: ${cause.message}`
  }
  return String(cause)
}

// ---------------------------------------------------------------------------------------------
// Artifact store

/** A string that is not an artifact id: artifacts are named by the lowercase hex sha256 of their content. */
export class InvalidArtifactIdError extends Data.TaggedError("InvalidArtifactIdError")<{ readonly value: unknown }> {
  override get message(): string {
    return `Artifact id ${formatValue(this.value)} must be a sha256: 64 lowercase hex digits`
  }
}

export class ArtifactNotFoundError extends Data.TaggedError("ArtifactNotFoundError")<{ readonly sha256: string }> {
  override get message(): string {
    return `No artifact ${this.sha256}`
  }
}

/**
 * A stored artifact is not what it claims to be: its content hashes to `actual` instead of its
 * id, or (`actual` null) its metadata file cannot be read as the metadata of that artifact.
 */
export class ArtifactCorruptError extends Data.TaggedError("ArtifactCorruptError")<{
  readonly sha256: string
  readonly actual: string | null
  readonly reason: string
}> {
  override get message(): string {
    return `Artifact ${this.sha256} is corrupt: ${this.reason}`
  }
}

/** The file system refused an operation of the artifact store. */
export class ArtifactStoreError extends Data.TaggedError("ArtifactStoreError")<{
  readonly operation: string
  readonly path: string
  readonly cause: unknown
}> {
  override get message(): string {
    return `Artifact store: ${this.operation} ${this.path} failed (${causeText(this.cause)})`
  }
}

// ---------------------------------------------------------------------------------------------
// Model registry

/** The file system refused an operation of the model registry. */
export class ModelRegistryStoreError extends Data.TaggedError("ModelRegistryStoreError")<{
  readonly operation: string
  readonly path: string
  readonly cause: unknown
}> {
  override get message(): string {
    return `Model registry: ${this.operation} ${this.path} failed (${causeText(this.cause)})`
  }
}

/** That model version is registered already with different content; versions are immutable. */
export class ModelVersionExistsError extends Data.TaggedError("ModelVersionExistsError")<{
  readonly modelId: string
  readonly version: string
  /** The fields whose values differ from the registered version's. */
  readonly differences: ReadonlyArray<string>
}> {
  override get message(): string {
    return `Model ${this.modelId} version ${this.version} is registered already with a different ${this.differences.join(", ")}; register a new version instead`
  }
}

export class UnknownModelIdError extends Data.TaggedError("UnknownModelIdError")<{
  readonly modelId: string
  readonly known: ReadonlyArray<string>
}> {
  override get message(): string {
    return `No model ${JSON.stringify(this.modelId)}; registered models: ${this.known.length === 0 ? "none" : this.known.join(", ")}`
  }
}

export class UnknownModelVersionError extends Data.TaggedError("UnknownModelVersionError")<{
  readonly modelId: string
  readonly version: string
  readonly known: ReadonlyArray<string>
}> {
  override get message(): string {
    return `Model ${this.modelId} has no version ${JSON.stringify(this.version)}; registered versions: ${this.known.join(", ")}`
  }
}

/** A stored model version names a kind this registry does not know (a kind registered in code must be registered again after a restart). */
export class UnknownModelKindError extends Data.TaggedError("UnknownModelKindError")<{
  readonly kind: string
  readonly known: ReadonlyArray<string>
}> {
  override get message(): string {
    return `No model kind ${JSON.stringify(this.kind)}; known kinds: ${this.known.join(", ")}`
  }
}

/** `registerKind` with a name that a built-in kind or a different registered kind has already. */
export class ModelKindConflictError extends Data.TaggedError("ModelKindConflictError")<{
  readonly kind: string
  readonly reason: string
}> {
  override get message(): string {
    return `Model kind ${JSON.stringify(this.kind)} cannot be registered: ${this.reason}`
  }
}

/** A model module could not be used: it failed to import, exports no valid `modelKind`, or changed since registration. */
export class ModelModuleError extends Data.TaggedError("ModelModuleError")<{
  readonly module: string
  readonly reason: string
}> {
  override get message(): string {
    return `Model module ${this.module}: ${this.reason}`
  }
}

/** A model version's record on disk cannot be read as one. */
export class ModelRecordCorruptError extends Data.TaggedError("ModelRecordCorruptError")<{
  readonly path: string
  readonly reason: string
}> {
  override get message(): string {
    return `Model record ${this.path} is corrupt: ${this.reason}`
  }
}

/** A model kind's `create` threw while building a model. */
export class ModelCreateError extends Data.TaggedError("ModelCreateError")<{
  readonly kind: string
  readonly cause: unknown
}> {
  override get message(): string {
    return `Model kind ${this.kind} could not create a model: ${causeText(this.cause)}`
  }
}
