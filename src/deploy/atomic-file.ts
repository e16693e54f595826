import { createHash, randomBytes } from "node:crypto"
import * as nodeFs from "node:fs/promises"
import { basename, dirname, join } from "node:path"
import { Effect, Exit } from "effect"

/** The open file handle operations the deploy stores use. */
export interface DeployFileHandle {
  writeFile(data: Uint8Array | string): Promise<void>
  sync(): Promise<void>
  close(): Promise<void>
}

/**
 * The file system calls of the artifact store and the model registry. `node:fs/promises` is the
 * default; tests inject one that fails on purpose.
 */
export interface DeployFileSystem {
  mkdir(path: string, options: { recursive: true }): Promise<unknown>
  open(path: string, flags: string): Promise<DeployFileHandle>
  rename(from: string, to: string): Promise<void>
  link(existing: string, newPath: string): Promise<void>
  unlink(path: string): Promise<void>
  readFile(path: string): Promise<Buffer>
  readdir(path: string): Promise<string[]>
  access(path: string): Promise<void>
}

export const nodeFileSystem: DeployFileSystem = nodeFs

export const errnoOf = (cause: unknown): string | undefined =>
  cause !== null && typeof cause === "object" ? ((cause as NodeJS.ErrnoException).code ?? undefined) : undefined

/** Builds the error a store reports when the file system refuses `operation` on `path`. */
export type FsErrorMaker<E> = (operation: string, path: string, cause: unknown) => E

/** The file operations of one store, as Effects failing with that store's error. */
export interface AtomicFiles<E> {
  /** `fs[name](...)` with a rejection as the store's error. */
  readonly call: <A>(operation: string, path: string, run: () => Promise<A>) => Effect.Effect<A, E>
  /** The file's bytes, or undefined when it does not exist. */
  readonly readIfExists: (path: string) => Effect.Effect<Buffer | undefined, E>
  /** The names in a directory, or none when it does not exist. */
  readonly listDir: (path: string) => Effect.Effect<ReadonlyArray<string>, E>
  readonly exists: (path: string) => Effect.Effect<boolean, E>
  /** Replaces `path` atomically: readers see the old file or the whole new one, never a part. */
  readonly writeAtomic: (path: string, data: Uint8Array | string) => Effect.Effect<void, E>
  /**
   * Creates `path` atomically unless it exists: true when this call created it, false when a
   * file was there already (which is left untouched). Two concurrent calls cannot both create it.
   */
  readonly createAtomic: (path: string, data: Uint8Array | string) => Effect.Effect<boolean, E>
}

const tempName = (path: string): string =>
  join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`)

/** Temporary files start with a dot: listings skip them. */
export const isTempFile = (name: string): boolean => name.startsWith(".")

/**
 * Atomic file writes: the data goes to a temporary file in the target's directory, is flushed to
 * disk (fsync), and only then appears under its name (rename, or link for create-if-absent),
 * followed by a best-effort fsync of the directory. A failure at any step removes the temporary
 * file, so no partial file is ever visible under the target's name.
 */
export const atomicFiles = <E>(fs: DeployFileSystem, makeError: FsErrorMaker<E>): AtomicFiles<E> => {
  const call = <A>(operation: string, path: string, run: () => Promise<A>): Effect.Effect<A, E> =>
    Effect.tryPromise({ try: run, catch: (cause) => makeError(operation, path, cause) })

  const orMissing = <A, B>(operation: string, path: string, run: () => Promise<A>, missing: B): Effect.Effect<A | B, E> =>
    Effect.tryPromise({ try: run, catch: (cause) => cause }).pipe(
      Effect.catch((cause) => (errnoOf(cause) === "ENOENT" ? Effect.succeed(missing) : Effect.fail(makeError(operation, path, cause))))
    )

  const syncDir = (dir: string): Effect.Effect<void> =>
    // Makes the rename durable on POSIX; some platforms cannot open a directory, which is fine.
    Effect.promise(async () => {
      try {
        const handle = await fs.open(dir, "r")
        try {
          await handle.sync()
        } finally {
          await handle.close()
        }
      } catch {
        // best effort
      }
    })

  const removeQuietly = (path: string): Effect.Effect<void> => Effect.promise(() => fs.unlink(path).catch(() => undefined))

  /** Writes and flushes a new temporary file next to `path`; removes it again if that fails. */
  const writeTemp = (path: string, data: Uint8Array | string): Effect.Effect<string, E> => {
    const temp = tempName(path)
    const write = call("write", temp, async () => {
      const handle = await fs.open(temp, "wx")
      try {
        await handle.writeFile(data)
        await handle.sync()
      } finally {
        await handle.close()
      }
    })
    return write.pipe(
      Effect.onError(() => removeQuietly(temp)),
      Effect.as(temp)
    )
  }

  const ensureDir = (path: string) => call("mkdir", dirname(path), () => fs.mkdir(dirname(path), { recursive: true }))

  const writeAtomic = (path: string, data: Uint8Array | string): Effect.Effect<void, E> =>
    Effect.gen(function* () {
      yield* ensureDir(path)
      const temp = yield* writeTemp(path, data)
      yield* call("rename", path, () => fs.rename(temp, path)).pipe(Effect.onError(() => removeQuietly(temp)))
      yield* syncDir(dirname(path))
    })

  const createAtomic = (path: string, data: Uint8Array | string): Effect.Effect<boolean, E> =>
    Effect.gen(function* () {
      yield* ensureDir(path)
      const temp = yield* writeTemp(path, data)
      // link() fails with EEXIST instead of replacing: create-if-absent in one atomic step.
      const linked = yield* Effect.tryPromise({ try: () => fs.link(temp, path), catch: (cause) => cause }).pipe(
        Effect.as(true),
        Effect.catch((cause) => {
          const code = errnoOf(cause)
          if (code === "EEXIST") return Effect.succeed(false)
          // File systems without hard links: check, then rename (atomic, but not race-free across processes).
          if (code === "EPERM" || code === "ENOTSUP" || code === "EOPNOTSUPP" || code === "ENOSYS") {
            return orMissing("access", path, () => fs.access(path).then(() => true), false).pipe(
              Effect.flatMap((present) =>
                present ? Effect.succeed(false) : call("rename", path, () => fs.rename(temp, path)).pipe(Effect.as(true))
              )
            )
          }
          return Effect.fail(makeError("link", path, cause))
        }),
        Effect.ensuring(removeQuietly(temp))
      )
      if (linked) yield* syncDir(dirname(path))
      return linked
    })

  return {
    call,
    readIfExists: (path) => orMissing("read", path, () => fs.readFile(path), undefined),
    listDir: (path) => orMissing("readdir", path, () => fs.readdir(path), [] as ReadonlyArray<string>),
    exists: (path) => orMissing("access", path, () => fs.access(path).then(() => true), false),
    writeAtomic,
    createAtomic
  }
}

const checksumOf = (body: object): string => `sha256:${createHash("sha256").update(JSON.stringify(body, null, 2)).digest("hex")}`

/**
 * A record file's text: the record as indented JSON with a `checksum` of that JSON added, so that
 * any change to what it says is detected (a changed byte in an id, a version, a config or a size
 * would otherwise read as a different record).
 */
export const checksummedJson = (body: object): string => `${JSON.stringify({ ...body, checksum: checksumOf(body) }, null, 2)}\n`

/** A record file's JSON with its checksum verified and removed, or why it cannot be trusted. */
export const parseChecksummedJson = (bytes: Buffer): { readonly json: Record<string, unknown> } | { readonly problem: string } => {
  let parsed: unknown
  try {
    parsed = JSON.parse(bytes.toString("utf8"))
  } catch (e) {
    return { problem: `not JSON (${(e as Error).message})` }
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return { problem: "not a JSON object" }
  const { checksum, ...body } = parsed as Record<string, unknown>
  if (typeof checksum !== "string") return { problem: "it has no checksum" }
  const actual = checksumOf(body)
  if (actual !== checksum) return { problem: `its checksum ${checksum} does not match its content (${actual}): the file was changed` }
  return { json: body }
}

/**
 * Reads a JSON record file: undefined when it does not exist, else what `decode` makes of it, or
 * `corrupt(reason)` when the bytes are not JSON, fail their checksum, or are not `what`.
 */
export const readJsonRecord = <A, E, C>(
  files: AtomicFiles<E>,
  path: string,
  decode: (json: unknown) => Exit.Exit<A, unknown>,
  what: string,
  corrupt: (reason: string) => C
): Effect.Effect<A | undefined, E | C> =>
  Effect.gen(function* () {
    const bytes = yield* files.readIfExists(path)
    if (bytes === undefined) return undefined
    const parsed = parseChecksummedJson(bytes)
    if ("problem" in parsed) return yield* Effect.fail(corrupt(parsed.problem))
    const decoded = decode(parsed.json)
    if (Exit.isFailure(decoded)) return yield* Effect.fail(corrupt(`not ${what}`))
    return decoded.value
  })
