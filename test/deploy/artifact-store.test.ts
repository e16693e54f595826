import * as fsp from "node:fs/promises"
import { chmod, readdir, readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { Effect, Result } from "effect"
import { describe, expect, it } from "vitest"
import { ValidationError } from "../../src/domain/errors.ts"
import { checksummedJson } from "../../src/deploy/atomic-file.ts"
import {
  ArtifactCorruptError,
  ArtifactNotFoundError,
  ArtifactStoreError,
  type DeployFileSystem,
  InvalidArtifactIdError,
  LocalArtifactStore,
  sha256Of,
  validatePutOptions
} from "../../src/deploy/index.ts"
import { failure, rejection, useTempDirs } from "./helpers.ts"

const tempDir = useTempDirs()
const clock = (iso = "2024-05-01T12:00:00.000Z") => () => new Date(iso)

const HELLO_SHA = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824" // sha256("hello")

describe("LocalArtifactStore", () => {
  it("stores content under its sha256 with a JSON ref next to it", async () => {
    const root = await tempDir()
    const store = new LocalArtifactStore({ storageRoot: root, now: clock() })
    const ref = await store.put("hello", { name: "greeting.txt", contentType: "text/plain", metadata: { lang: "en", n: [1, 2] } })

    expect(ref).toEqual({
      sha256: HELLO_SHA,
      size: 5,
      name: "greeting.txt",
      contentType: "text/plain",
      metadata: { lang: "en", n: [1, 2] },
      createdAt: "2024-05-01T12:00:00.000Z"
    })
    expect(await readFile(join(root, "artifacts", HELLO_SHA), "utf8")).toBe("hello")
    // The ref file is the ref with a checksum of it (any change to it is detected).
    const { checksum, ...onDisk } = JSON.parse(await readFile(join(root, "artifacts", `${HELLO_SHA}.json`), "utf8"))
    expect(onDisk).toEqual(ref)
    expect(checksum).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect((await readdir(join(root, "artifacts"))).sort()).toEqual([HELLO_SHA, `${HELLO_SHA}.json`])

    const got = await store.get(HELLO_SHA)
    expect(got.ref).toEqual(ref)
    expect(got.content.toString("utf8")).toBe("hello")
    expect(await store.getMetadata(HELLO_SHA)).toEqual(ref)
    expect(await store.has(HELLO_SHA)).toBe(true)
  })

  it("stores bytes as they are, and a ref without name or content type", async () => {
    const store = new LocalArtifactStore({ storageRoot: await tempDir(), now: clock() })
    const bytes = new Uint8Array([0, 255, 1, 254, 10, 13])
    const ref = await store.put(bytes.subarray(1, 5))
    expect(ref).toEqual({ sha256: sha256Of(bytes.subarray(1, 5)), size: 4, metadata: {}, createdAt: "2024-05-01T12:00:00.000Z" })
    expect([...(await store.get(ref.sha256)).content]).toEqual([255, 1, 254, 10])
  })

  it("stores the same content once and returns the first put's ref", async () => {
    const root = await tempDir()
    const first = await new LocalArtifactStore({ storageRoot: root, now: clock() }).put("same", { name: "a" })
    const store = new LocalArtifactStore({ storageRoot: root, now: clock("2030-01-01T00:00:00.000Z") })
    const again = await store.put(Buffer.from("same"), { name: "b", metadata: { other: true } })
    expect(again).toEqual(first)
    expect(await readdir(join(root, "artifacts"))).toHaveLength(2)
    expect(await store.list()).toEqual([first])

    const concurrent = await Promise.all([store.put("racing"), store.put("racing"), store.put("racing")])
    expect(new Set(concurrent.map((r) => JSON.stringify(r))).size).toBe(1)
    expect(await readdir(join(root, "artifacts"))).toHaveLength(4)
  })

  it("lists every artifact sorted by sha256, and nothing for a new store", async () => {
    const store = new LocalArtifactStore({ storageRoot: await tempDir(), now: clock() })
    expect(await store.list()).toEqual([])
    const refs = await Promise.all(["one", "two", "three", "four"].map((s) => store.put(s, { name: s })))
    const listed = await store.list()
    expect(listed.map((r) => r.sha256)).toEqual(refs.map((r) => r.sha256).sort())
    expect(listed.map((r) => r.name).sort()).toEqual(["four", "one", "three", "two"])
  })

  it("checks a put's options without storing anything, as put refuses them", async () => {
    const root = await tempDir()
    const store = new LocalArtifactStore({ storageRoot: root })
    const bad = { name: "a", contentType: "", metadata: { n: Number.NaN } }
    const checked = validatePutOptions(bad)
    expect(Result.isFailure(checked) && checked.failure.issues.map((i) => i.field)).toEqual(["contentType", "metadata"])
    const put = await rejection(store.put("x", bad as never))
    expect(put).toBeInstanceOf(ValidationError)
    expect(put.issues).toEqual(Result.isFailure(checked) && checked.failure.issues)
    expect(validatePutOptions({ name: "a", contentType: "text/plain" })).toEqual(Result.succeed({ name: "a", contentType: "text/plain" }))
    expect(await readdir(root)).toEqual([])
  })

  it("refuses ids that are not a sha256, and reports unknown ones", async () => {
    const store = new LocalArtifactStore({ storageRoot: await tempDir() })
    for (const bad of ["../etc/passwd", HELLO_SHA.toUpperCase(), HELLO_SHA.slice(1), ""]) {
      const error = await rejection(store.get(bad))
      expect(error).toBeInstanceOf(InvalidArtifactIdError)
      expect(error.value).toBe(bad)
      expect(error.message).toContain("64 lowercase hex digits")
      expect(await rejection(store.has(bad))).toBeInstanceOf(InvalidArtifactIdError)
    }
    // Whatever a caller passes, the refusal's message can be read.
    const { proxy, revoke } = Proxy.revocable({}, {})
    revoke()
    for (const bad of [proxy, { toString: () => { throw new Error("boom") } }, 10n]) {
      expect((await rejection(store.get(bad as never))).message).toMatch(/^Artifact id .+ must be a sha256/)
    }
    expect(await store.has(HELLO_SHA)).toBe(false)
    const missing = await rejection(store.get(HELLO_SHA))
    expect(missing).toBeInstanceOf(ArtifactNotFoundError)
    expect(missing).toMatchObject({ _tag: "ArtifactNotFoundError", sha256: HELLO_SHA, message: `No artifact ${HELLO_SHA}` })
    expect(await rejection(store.getMetadata(HELLO_SHA))).toBeInstanceOf(ArtifactNotFoundError)
  })

  it("detects content that no longer matches its hash, and a second put repairs it", async () => {
    const root = await tempDir()
    const store = new LocalArtifactStore({ storageRoot: root })
    const ref = await store.put("hello")
    await writeFile(join(root, "artifacts", ref.sha256), "hellO")

    const error = await rejection(store.get(ref.sha256))
    expect(error).toBeInstanceOf(ArtifactCorruptError)
    expect(error).toMatchObject({ sha256: HELLO_SHA, actual: sha256Of("hellO") })
    expect(error.message).toContain(`hashes to ${sha256Of("hellO")}`)

    await store.put("hello")
    expect((await store.get(ref.sha256)).content.toString()).toBe("hello")
  })

  it("detects a damaged or missing file of an artifact", async () => {
    const root = await tempDir()
    const store = new LocalArtifactStore({ storageRoot: root })
    const ref = await store.put("hello")
    await writeFile(join(root, "artifacts", `${ref.sha256}.json`), "{ not json")
    expect(await rejection(store.getMetadata(ref.sha256))).toMatchObject({ _tag: "ArtifactCorruptError", actual: null })
    expect(await rejection(store.list())).toBeInstanceOf(ArtifactCorruptError)

    // A well-formed ref (checksum and all) for another artifact, under this one's name.
    await writeFile(join(root, "artifacts", `${ref.sha256}.json`), checksummedJson({ ...ref, sha256: sha256Of("x") }))
    expect((await rejection(store.getMetadata(ref.sha256))).message).toContain(`names ${sha256Of("x")}`)

    await store.put("hello") // replaces the damaged ref
    expect((await store.getMetadata(ref.sha256)).sha256).toBe(ref.sha256)

    await fsp.unlink(join(root, "artifacts", ref.sha256))
    expect((await rejection(store.get(ref.sha256))).message).toContain("content file is missing")
  })

  it("validates put's input", async () => {
    const store = new LocalArtifactStore({ storageRoot: await tempDir() })
    const bad = await rejection(store.put("x", { name: "", metadata: { when: new Date(0) } as never }))
    expect(bad).toBeInstanceOf(ValidationError)
    expect(bad.issues.map((i: { field: string }) => i.field).sort()).toEqual(["metadata", "name"])
    const notContent = await rejection(store.put(42 as never))
    expect(notContent.issues).toEqual([{ field: "content", rule: "must be a string or a Uint8Array", value: 42 }])
    expect(await store.list()).toEqual([])
  })

  it("has an Effect form of each operation with the same typed errors", async () => {
    const store = new LocalArtifactStore({ storageRoot: await tempDir(), now: clock() })
    const program = Effect.gen(function* () {
      const ref = yield* store.effect.put("hello", { name: "h" })
      const { content } = yield* store.effect.get(ref.sha256)
      const listed = yield* store.effect.list()
      return { ref, text: content.toString(), listed, has: yield* store.effect.has(ref.sha256) }
    })
    const result = await Effect.runPromise(program)
    expect(result).toMatchObject({ text: "hello", has: true, listed: [result.ref] })

    const recovered = await Effect.runPromise(
      store.effect.get(sha256Of("nope")).pipe(Effect.catchTag("ArtifactNotFoundError", (e) => Effect.succeed(`missing ${e.sha256}`)))
    )
    expect(recovered).toBe(`missing ${sha256Of("nope")}`)
    expect((await failure(store.effect.getMetadata("nope")))._tag).toBe("InvalidArtifactIdError")
  })

  describe("atomic writes", () => {
    /** node:fs/promises, with one call replaced. */
    const failing = (overrides: Partial<DeployFileSystem>): DeployFileSystem => ({ ...(fsp as unknown as DeployFileSystem), ...overrides })
    const boom = (code: string) => Object.assign(new Error(`simulated ${code}`), { code })

    it("leaves no file behind when writing the content fails halfway", async () => {
      const root = await tempDir()
      const fileSystem = failing({
        open: async (path, flags) => {
          const handle = await fsp.open(path, flags)
          return {
            // Half the bytes reach the disk, then the device fails.
            writeFile: async (data) => {
              await handle.writeFile(typeof data === "string" ? data.slice(0, data.length / 2) : data.subarray(0, data.length / 2))
              throw boom("ENOSPC")
            },
            sync: () => handle.sync(),
            close: () => handle.close()
          }
        }
      })
      const store = new LocalArtifactStore({ storageRoot: root, fileSystem })
      const error = await rejection(store.put("some model weights"))
      expect(error).toBeInstanceOf(ArtifactStoreError)
      expect(error).toMatchObject({ operation: "write" })
      expect(error.message).toContain("ENOSPC")
      expect(await readdir(join(root, "artifacts"))).toEqual([])

      const healthy = new LocalArtifactStore({ storageRoot: root })
      expect(await healthy.list()).toEqual([])
      expect(await healthy.has(sha256Of("some model weights"))).toBe(false)
    })

    it("leaves no file behind when the flush to disk fails", async () => {
      const root = await tempDir()
      const fileSystem = failing({
        open: async (path, flags) => {
          const handle = await fsp.open(path, flags)
          return {
            writeFile: (data) => handle.writeFile(data),
            sync: async () => {
              throw boom("EIO")
            },
            close: () => handle.close()
          }
        }
      })
      const error = await rejection(new LocalArtifactStore({ storageRoot: root, fileSystem }).put("data"))
      expect(error).toMatchObject({ _tag: "ArtifactStoreError", operation: "write" })
      expect(await readdir(join(root, "artifacts"))).toEqual([])
    })

    it("commits an artifact with its ref: content without a ref is not an artifact, and the next put completes it", async () => {
      const root = await tempDir()
      let renames = 0
      let links = 0
      const fileSystem = failing({
        rename: async (from, to) => {
          renames += 1
          return fsp.rename(from, to)
        },
        link: async () => {
          links += 1
          throw boom("EIO")
        }
      })
      const error = await rejection(new LocalArtifactStore({ storageRoot: root, fileSystem }).put("data"))
      expect(error).toMatchObject({ _tag: "ArtifactStoreError", operation: "link" })
      expect([renames, links]).toEqual([1, 1])
      // The content got its name; the ref did not, and its temporary file is gone.
      expect(await readdir(join(root, "artifacts"))).toEqual([sha256Of("data")])

      const store = new LocalArtifactStore({ storageRoot: root })
      expect(await store.has(sha256Of("data"))).toBe(false)
      expect(await store.list()).toEqual([])
      expect(await rejection(store.get(sha256Of("data")))).toBeInstanceOf(ArtifactNotFoundError)
      const ref = await store.put("data")
      expect((await store.get(ref.sha256)).content.toString()).toBe("data")
    })

    it("never shows a partial file when the rename fails", async () => {
      const root = await tempDir()
      const fileSystem = failing({
        rename: async () => {
          throw boom("EXDEV")
        }
      })
      expect(await rejection(new LocalArtifactStore({ storageRoot: root, fileSystem }).put("data"))).toMatchObject({ operation: "rename" })
      expect(await readdir(join(root, "artifacts"))).toEqual([])
    })

    it.skipIf(process.getuid?.() === 0)("fails with ArtifactStoreError in a read-only directory, changing nothing", async () => {
      const root = await tempDir()
      const store = new LocalArtifactStore({ storageRoot: root })
      await store.put("before")
      const dir = join(root, "artifacts")
      await chmod(dir, 0o555)
      try {
        const error = await rejection(store.put("after"))
        expect(error).toBeInstanceOf(ArtifactStoreError)
        expect(error.path.startsWith(dir)).toBe(true)
        expect((await readdir(dir)).sort()).toEqual([sha256Of("before"), `${sha256Of("before")}.json`].sort())
      } finally {
        await chmod(dir, 0o755)
      }
    })
  })
})
