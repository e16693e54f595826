import { mkdir, readFile, symlink, writeFile } from "node:fs/promises"
import { join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import { Effect, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { ValidationError } from "../../src/domain/errors.ts"
import {
  ArtifactCorruptError,
  defineModelKind,
  LocalArtifactStore,
  ModelKindConflictError,
  ModelModuleError,
  ModelRegistry,
  ModelVersionExistsError,
  sha256Of,
  UnknownModelIdError,
  UnknownModelKindError,
  UnknownModelVersionError
} from "../../src/deploy/index.ts"
import { ModelCatalog, type ModelSpec } from "../../src/runtime/model-catalog.ts"
import { barsFromCloses, failure, filesUnder, rejection, runInstance, syntheticConfig, updatesOf, useTempDirs } from "./helpers.ts"

const tempDir = useTempDirs()
const repoRoot = fileURLToPath(new URL("../../", import.meta.url))
const fixtureModule = fileURLToPath(new URL("./fixtures/fixed-weights-model.ts", import.meta.url))
const clock = (iso = "2024-05-01T12:00:00.000Z") => () => new Date(iso)

const open = async (root: string, now = clock()) => {
  const artifactStore = new LocalArtifactStore({ storageRoot: root, now })
  return { artifactStore, registry: new ModelRegistry({ artifactStore, now }) }
}

// Closes that fall, then rise (a cross up of the 2/4 averages), then fall again (a cross down).
const waveCloses = [10, 9, 8, 7, 6, 7, 8, 9, 10, 11, 12, 11, 10, 9, 8, 7]

const fills = (model: Parameters<typeof runInstance>[0]) =>
  runInstance(model, updatesOf("AAA", barsFromCloses(waveCloses)), syntheticConfig(["AAA"])).engine.getFills()

/** A kind registered in code, which reads an artifact. */
const scaledKind = defineModelKind({
  kind: "scaled-buy",
  description: "Buys `scale` × the number in the `size.txt` artifact on the first update.",
  paramsSchema: Schema.Struct({ scale: Schema.Number }),
  create: (params, artifacts) => {
    const size = Number(artifacts["size.txt"]?.content.toString("utf8") ?? "1") * params.scale
    return {
      initialState: false as boolean,
      onUpdate: (done, input) =>
        done ? { state: true } : { state: true, orders: [{ symbol: input.quotes[0]!.symbol, side: "buy" as const, type: "market" as const, quantity: size }] }
    }
  }
})

describe("ModelRegistry", () => {
  it("registers a version of a built-in kind with its defaults filled in, lists it and loads it", async () => {
    const root = await tempDir()
    const { registry } = await open(root)
    const version = await registry.registerModel({
      modelId: "ma_cross",
      version: "v1.0",
      kind: "moving-average-crossover",
      params: { fast: 2, slow: 4 },
      description: "fast crossover"
    })
    expect(version).toEqual({
      modelId: "ma_cross",
      version: "v1.0",
      kind: "moving-average-crossover",
      params: { fast: 2, slow: 4 },
      artifacts: [],
      description: "fast crossover",
      registeredAt: "2024-05-01T12:00:00.000Z"
    })
    const { checksum, ...onDisk } = JSON.parse(await readFile(join(root, "models", "ma_cross", "v1.0.json"), "utf8"))
    expect(onDisk).toEqual({ format: 1, ...version })
    expect(checksum).toMatch(/^sha256:[0-9a-f]{64}$/)

    await registry.registerModel({ modelId: "ma_cross", version: "v1.10", kind: "moving-average-crossover" })
    await registry.registerModel({ modelId: "ma_cross", version: "v1.9", kind: "moving-average-crossover", params: { slow: 40 } })
    await registry.registerModel({ modelId: "hold", version: "1", kind: "buy-and-hold" })

    const models = await registry.listModels()
    expect(models.map((m) => m.modelId)).toEqual(["hold", "ma_cross"])
    expect(models[1]!.versions.map((v) => v.version)).toEqual(["v1.0", "v1.9", "v1.10"])
    expect(models[1]!.versions[2]!.params).toEqual({ fast: 10, slow: 30 })
    expect(models[1]!.versions[1]!.params).toEqual({ fast: 10, slow: 40 })

    expect(await registry.getModelVersion("ma_cross", "v1.0")).toEqual(version)
    const model = await registry.loadModel("ma_cross", "v1.0")
    const trades = fills(model)
    expect(trades.map((f) => f.side)).toEqual(["buy", "sell"])
  })

  it("refuses bad requests with a ValidationError naming each field and rule, storing nothing", async () => {
    const root = await tempDir()
    const { registry, artifactStore } = await open(root)
    const bad = await rejection(
      registry.registerModel({ modelId: "../escape", version: "", kind: "moving-average-crossover", artifacts: [{ name: "../a", content: "1" }] })
    )
    expect(bad).toBeInstanceOf(ValidationError)
    expect(bad.issues.map((i: { field: string }) => i.field).sort()).toEqual(["artifacts.0.name", "modelId", "version"])
    expect(bad.issues.find((i: { field: string }) => i.field === "modelId")).toMatchObject({ rule: expect.stringContaining("letters, digits"), value: "../escape" })

    const unknownKind = await rejection(registry.registerModel({ modelId: "m", version: "v1", kind: "martingale" }))
    expect(unknownKind.issues).toEqual([
      { field: "kind", rule: expect.stringContaining("must be one of the known kinds (moving-average-crossover, momentum, mean-reversion, buy-and-hold"), value: "martingale" }
    ])
    const twice = await rejection(
      registry.registerModel({ modelId: "m", version: "v1", kind: "momentum", artifacts: [{ name: "a", content: "1" }, { name: "a", content: "2" }] })
    )
    expect(twice.issues).toEqual([{ field: "artifacts.1.name", rule: "must not repeat another artifact's name", value: "a" }])
    expect((await rejection(registry.registerModel({ modelId: "m", version: "v1" }))).issues[0]).toMatchObject({ field: "kind", rule: expect.stringContaining("is required") })

    // A built-in kind's params are typed, and what gets past the types is refused all the same.
    // @ts-expect-error: speed is not a param of moving-average-crossover
    const params = await rejection(registry.registerModel({ modelId: "m", version: "v1", kind: "moving-average-crossover", params: { fast: 0, slow: 5, speed: 1 } }))
    expect(params).toBeInstanceOf(ValidationError)
    expect(params.issues).toEqual([
      { field: "params.speed", rule: "is not a known field", value: 1 },
      { field: "params.fast", rule: "must be a whole number from 1 to 10000", value: 0 }
    ])
    expect(params.message).toContain("params.fast must be a whole number from 1 to 10000 (got 0)")
    const cross = await rejection(registry.registerModel({ modelId: "m", version: "v1", kind: "moving-average-crossover", params: { fast: 30, slow: 20 } }))
    expect(cross.issues).toEqual([{ field: "params.fast", rule: "must be less than slow (20)", value: 30 }])
    // @ts-expect-error: params are an object
    expect((await rejection(registry.registerModel({ modelId: "m", version: "v1", kind: "momentum", params: 5 }))).issues[0]).toMatchObject({ field: "params" })

    expect(await registry.listModels()).toEqual([])
    expect(await artifactStore.list()).toEqual([])
  })

  it("checks every artifact's options before storing any: a registration refused for its second stores nothing", async () => {
    const root = await tempDir()
    const { registry, artifactStore } = await open(root)
    const before = await filesUnder(root)
    const error = await rejection(
      registry.registerModel({ modelId: "q", version: "v1", kind: "momentum", artifacts: [{ name: "a", content: "x" }, { name: "b", content: "y", contentType: "" }] })
    )
    expect(error).toBeInstanceOf(ValidationError)
    expect(error.issues).toEqual([{ field: "artifacts.b.contentType", rule: "must be 1–255 characters, none of them control characters", value: "" }])
    expect(await artifactStore.list()).toEqual([])
    expect(await filesUnder(root)).toEqual(before)
  })

  it("refuses a request it cannot read, naming where, and never throws what reading it threw", async () => {
    const { registry } = await open(await tempDir())
    const { proxy, revoke } = Proxy.revocable({}, {})
    revoke()
    const revoked = await rejection(registry.registerModel(proxy as never))
    expect(revoked).toBeInstanceOf(ValidationError)
    expect(revoked.issues).toEqual([{ field: "(input)", rule: "could not be read (Cannot perform 'IsArray' on a proxy that has been revoked)", value: undefined }])
    const params = {
      get lookback(): number {
        throw new Error("no lookback")
      }
    }
    const getter = await rejection(registry.registerModel({ modelId: "m", version: "v1", kind: "momentum", params }))
    expect(getter.issues).toEqual([{ field: "params.lookback", rule: "could not be read (no lookback)", value: undefined }])
    expect(await registry.listModels()).toEqual([])
  })

  it("is idempotent for identical content and refuses the same version with different content", async () => {
    const { registry } = await open(await tempDir())
    const request = { modelId: "mom", version: "v1", kind: "momentum", params: { lookback: 5 }, artifacts: [{ name: "notes.md", content: "# notes" }] }
    const first = await registry.registerModel(request)
    const later = new ModelRegistry({ artifactStore: registry.artifactStore, now: clock("2031-01-01T00:00:00.000Z") })
    // Defaults written out or left out: the same params.
    expect(await later.registerModel({ ...request, params: { lookback: 5, threshold: 0, weight: 0.1 } })).toEqual(first)

    const error = await rejection(later.registerModel({ ...request, params: { lookback: 6 }, artifacts: [{ name: "notes.md", content: "# other" }] }))
    expect(error).toBeInstanceOf(ModelVersionExistsError)
    expect(error).toMatchObject({ modelId: "mom", version: "v1", differences: ["params", "artifacts"] })
    expect(error.message).toBe("Model mom version v1 is registered already with a different params, artifacts; register a new version instead")
    expect(await later.getModelVersion("mom", "v1")).toEqual(first)
  })

  it("lets exactly one of two concurrent, different registrations of a version win", async () => {
    const { registry } = await open(await tempDir())
    const results = await Promise.allSettled([
      registry.registerModel({ modelId: "race", version: "v1", kind: "momentum", params: { lookback: 3 } }),
      registry.registerModel({ modelId: "race", version: "v1", kind: "momentum", params: { lookback: 4 } })
    ])
    expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"])
    const lost = results.find((r) => r.status === "rejected") as PromiseRejectedResult
    expect(lost.reason).toBeInstanceOf(ModelVersionExistsError)
    const won = results.find((r) => r.status === "fulfilled") as PromiseFulfilledResult<{ params: unknown }>
    expect((await registry.getModelVersion("race", "v1")).params).toEqual(won.value.params)
  })

  it("reports unknown models and versions with what is known", async () => {
    const { registry } = await open(await tempDir())
    expect(await rejection(registry.getModelVersion("nothing", "v1"))).toMatchObject({ _tag: "UnknownModelIdError", modelId: "nothing", known: [] })
    await registry.registerModel({ modelId: "a", version: "v1", kind: "buy-and-hold" })
    await registry.registerModel({ modelId: "a", version: "v2", kind: "buy-and-hold" })
    await registry.registerModel({ modelId: "b", version: "v1", kind: "buy-and-hold" })

    const unknownId = await rejection(registry.loadModel("c", "v1"))
    expect(unknownId).toBeInstanceOf(UnknownModelIdError)
    expect(unknownId.known).toEqual(["a", "b"])
    expect(unknownId.message).toBe('No model "c"; registered models: a, b')
    const unknownVersion = await rejection(registry.getModelVersion("a", "v3"))
    expect(unknownVersion).toBeInstanceOf(UnknownModelVersionError)
    expect(unknownVersion).toMatchObject({ modelId: "a", version: "v3", known: ["v1", "v2"] })
    const invalid = await rejection(registry.getModelVersion("a", "../../etc"))
    expect(invalid).toBeInstanceOf(ValidationError)
    expect(invalid.issues[0].field).toBe("version")
  })

  it("stores a version's artifacts in the artifact store and hands them to its kind", async () => {
    const root = await tempDir()
    const { registry, artifactStore } = await open(root)
    registry.registerKind(scaledKind)
    const version = await registry.registerModel({
      modelId: "scaled",
      version: "v1",
      kind: "scaled-buy",
      params: { scale: 3 },
      artifacts: [{ name: "size.txt", content: "7", contentType: "text/plain" }]
    })
    expect(version.artifacts).toEqual([{ name: "size.txt", sha256: sha256Of("7"), size: 1, contentType: "text/plain" }])
    expect(await artifactStore.getMetadata(sha256Of("7"))).toMatchObject({ name: "size.txt", contentType: "text/plain" })

    const model = await registry.loadModel("scaled", "v1")
    expect(fills(model).map((f) => f.quantity)).toEqual(["21"])

    // A corrupted artifact is caught when the model is loaded.
    await writeFile(join(root, "artifacts", sha256Of("7")), "8")
    expect(await rejection(registry.loadModel("scaled", "v1"))).toBeInstanceOf(ArtifactCorruptError)
  })

  it("keeps kind names unique", async () => {
    const { registry } = await open(await tempDir())
    registry.registerKind(scaledKind)
    registry.registerKind(scaledKind)
    expect(() => registry.registerKind({ ...scaledKind })).toThrow(ModelKindConflictError)
    expect(() => registry.registerKind({ ...scaledKind, kind: "momentum" })).toThrow("a built-in kind has that name")
    expect(() => registry.registerKind({ ...scaledKind, kind: "a@b" })).toThrow(ValidationError)
    expect(registry.kinds().map((k) => [k.kind, k.builtIn])).toEqual([
      ["moving-average-crossover", true],
      ["momentum", true],
      ["mean-reversion", true],
      ["buy-and-hold", true],
      ["scaled-buy", false]
    ])
  })

  it("loads a user model from a module path, and again after a restart", async () => {
    const root = await tempDir()
    const { registry } = await open(root)
    const version = await registry.registerModel({
      modelId: "fixed",
      version: "v1",
      module: relative(process.cwd(), fixtureModule),
      params: { weights: { AAA: 0.5 } }
    })
    expect(version).toMatchObject({
      kind: "fixed-weights",
      params: { weights: { AAA: 0.5 }, label: "fixed" },
      module: { path: fixtureModule, sha256: sha256Of(await readFile(fixtureModule)) }
    })
    const run = (model: Parameters<typeof runInstance>[0]) =>
      runInstance(model, updatesOf("AAA", barsFromCloses([10, 10, 10])), syntheticConfig(["AAA"])).engine.getFills()
    // 0.5 of 100000 at the close of 10: 5000 shares at the next open.
    expect(run(await registry.loadModel("fixed", "v1")).map((f) => [f.side, f.quantity])).toEqual([["buy", "5000"]])

    // The module's kind must match a kind given with it.
    const mismatch = await rejection(registry.registerModel({ modelId: "fixed", version: "v2", kind: "momentum", module: fixtureModule }))
    expect(mismatch.issues).toEqual([{ field: "kind", rule: "must be the module's kind (fixed-weights) or left out", value: "momentum" }])
    const missing = await rejection(registry.registerModel({ modelId: "fixed", version: "v2", module: join(root, "nope.ts") }))
    expect(missing).toBeInstanceOf(ModelModuleError)

    // A new process: new store and registry objects over the same directory.
    const restarted = await open(root)
    expect(await restarted.registry.getModelVersion("fixed", "v1")).toEqual(version)
    expect(run(await restarted.registry.loadModel("fixed", "v1")).map((f) => [f.side, f.quantity])).toEqual([["buy", "5000"]])
  })

  it("refuses a module that exports no model kind", async () => {
    const root = await tempDir()
    const { registry } = await open(root)
    const path = join(root, "not-a-model.mjs")
    await writeFile(path, "export const somethingElse = 1\n")
    const error = await rejection(registry.registerModel({ modelId: "x", version: "v1", module: path }))
    expect(error).toBeInstanceOf(ModelModuleError)
    expect(error.message).toContain("must export `modelKind`")
  })

  it("refuses to load a version whose module file changed since registration", async () => {
    const root = await tempDir()
    // The module lives outside the repository; a node_modules link lets it import effect.
    const dir = join(root, "user-models")
    await mkdir(dir)
    await symlink(join(repoRoot, "node_modules"), join(dir, "node_modules"))
    const source = (label: string) =>
      `import { Effect, Schema } from "effect"
export const modelKind = {
  kind: "labelled",
  description: "does nothing",
  paramsSchema: Schema.Struct({ label: Schema.String.pipe(Schema.withDecodingDefaultKey(Effect.succeed(${JSON.stringify(label)}))) }),
  create: (params) => ({ initialState: params.label, onUpdate: (state) => ({ state }) })
}
`
    const path = join(dir, "labelled.mjs")
    await writeFile(path, source("one"))
    const { registry } = await open(root)
    const v1 = await registry.registerModel({ modelId: "labelled", version: "v1", module: path })
    expect(v1.params).toEqual({ label: "one" })
    expect((await registry.loadModel("labelled", "v1")).initialState).toBe("one")

    await writeFile(path, source("two"))
    const changed = await rejection(new ModelRegistry({ artifactStore: registry.artifactStore }).loadModel("labelled", "v1"))
    expect(changed).toBeInstanceOf(ModelModuleError)
    expect(changed.message).toContain("changed since the version was registered")

    // The new code is a new version, and runs as the new code even in the same process.
    const v2 = await registry.registerModel({ modelId: "labelled", version: "v2", module: path })
    expect(v2.params).toEqual({ label: "two" })
    expect((await registry.loadModel("labelled", "v2")).initialState).toBe("two")
  })

  it("needs a kind registered in code to be registered again after a restart", async () => {
    const root = await tempDir()
    const { registry } = await open(root)
    registry.registerKind(scaledKind)
    await registry.registerModel({ modelId: "scaled", version: "v1", kind: "scaled-buy", params: { scale: 2 } })

    const restarted = (await open(root)).registry
    const error = await rejection(restarted.loadModel("scaled", "v1"))
    expect(error).toBeInstanceOf(UnknownModelKindError)
    expect(error.kind).toBe("scaled-buy")
    restarted.registerKind(scaledKind)
    expect(fills(await restarted.loadModel("scaled", "v1")).map((f) => f.quantity)).toEqual(["2"])
    // Or given at construction.
    const withKinds = new ModelRegistry({ artifactStore: restarted.artifactStore, kinds: [scaledKind] })
    expect(fills(await withKinds.loadModel("scaled", "v1")).map((f) => f.quantity)).toEqual(["2"])
  })

  describe("catalog", () => {
    it("resolves the spec of a registered version to that version's model through ModelCatalog", async () => {
      const root = await tempDir()
      const { registry } = await open(root)
      await registry.registerModel({ modelId: "ma", version: "v1", kind: "moving-average-crossover", params: { fast: 2, slow: 4 } })
      const spec = await registry.modelSpec("ma", "v1")
      expect(spec).toEqual({ kind: "ma@v1", params: { fast: 2, slow: 4 } })
      // What the runtime stores with a simulation is JSON.
      const stored = JSON.parse(JSON.stringify(spec))

      const factories = await registry.catalog()
      expect(Object.keys(factories).sort()).toEqual(["buy-and-hold", "ma@v1", "mean-reversion", "momentum", "moving-average-crossover"])
      const resolve = (s: ModelSpec, f = factories) => Effect.runPromise(
          Effect.gen(function* () {
            const catalog = yield* ModelCatalog
            return yield* catalog.resolve(s)
          }).pipe(Effect.provide(ModelCatalog.layer(f)))
        )
      const expected = fills(await registry.loadModel("ma", "v1"))
      expect(fills(await resolve(stored))).toEqual(expected)
      expect(fills(await resolve({ kind: "ma@v1" }))).toEqual(expected)
      // A built-in kind by name, with its own params.
      expect(fills(await resolve({ kind: "moving-average-crossover", params: { fast: 2, slow: 4 } }))).toEqual(expected)

      // Only its own keys are kinds.
      const unknown = await rejection(resolve({ kind: "toString" }))
      expect(unknown).toMatchObject({ _tag: "UnknownModelError", kind: "toString" })
      expect(unknown.known).toContain("ma@v1")

      // After a restart, from a new registry's catalog.
      const again = await (await open(root)).registry.catalog()
      expect(fills(await resolve(stored, again))).toEqual(expected)
    })

    it("stays current: versions and kinds added later appear in it", async () => {
      const { registry } = await open(await tempDir())
      const factories = await registry.catalog()
      expect(factories["hold@v1"]).toBeUndefined()
      await registry.registerModel({ modelId: "hold", version: "v1", kind: "buy-and-hold", params: { quantity: 5 } })
      registry.registerKind(scaledKind)
      expect(await registry.catalog()).toBe(factories)
      expect(fills(await factories["hold@v1"]!(undefined)).map((f) => f.quantity)).toEqual(["5"])
      expect(fills(await factories["scaled-buy"]!({ scale: 4 })).map((f) => f.quantity)).toEqual(["4"])
    })

    it("gives a version that cannot be loaded a factory that rejects with why, leaving the others usable", async () => {
      const root = await tempDir()
      const { registry } = await open(root)
      await registry.registerModel({ modelId: "good", version: "v1", kind: "buy-and-hold" })
      await registry.registerModel({ modelId: "bad", version: "v1", kind: "buy-and-hold", artifacts: [{ name: "x", content: "x" }] })
      await writeFile(join(root, "artifacts", sha256Of("x")), "y")
      const factories = await (await open(root)).registry.catalog()
      await expect(factories["bad@v1"]!(undefined)).rejects.toThrow(ArtifactCorruptError)
      expect((await factories["good@v1"]!(undefined)).initialState).toEqual({ bought: [] })
      await expect(factories["good@v1"]!({ quantity: -1 })).rejects.toThrow(ValidationError)
    })
  })

  it("has an Effect form of each operation with the same typed errors", async () => {
    const { registry } = await open(await tempDir())
    const program = Effect.gen(function* () {
      yield* registry.effect.registerModel({ modelId: "m", version: "v1", kind: "mean-reversion" })
      const models = yield* registry.effect.listModels()
      const model = yield* registry.effect.loadModel("m", "v1")
      return { models, model }
    })
    const { models, model } = await Effect.runPromise(program)
    expect(models[0]!.versions[0]!.params).toEqual({ window: 20, entryZ: 1.5, exitZ: 0.5, quantity: 100 })
    expect(model.initialState).toEqual({ symbols: {} })
    expect((await failure(registry.effect.getModelVersion("m", "v9")))._tag).toBe("UnknownModelVersionError")
    const handled = await Effect.runPromise(
      registry.effect.loadModel("zzz", "v1").pipe(Effect.catchTag("UnknownModelIdError", (e) => Effect.succeed(e.known)))
    )
    expect(handled).toEqual(["m"])
  })
})
