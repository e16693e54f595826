// Model kinds whose params schema is a Standard Schema (zod, and a hand-written asynchronous
// one): validated into ValidationErrors naming params.<field>, stored as the schema's output,
// deployed, run and recovered after a restart like the built-in kinds; and refused, writing
// nothing, when their params or their schema's output cannot be stored as JSON.
import { fileURLToPath } from "node:url"
import type { StandardSchemaV1 } from "effect/StandardSchema"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { z } from "zod"
import { ValidationError } from "../../src/domain/errors.ts"
import type { SimulationConfigInput } from "../../src/domain/simulation-config.ts"
import { defineModelKind, LocalArtifactStore, type ModelKind, ModelRegistry, type ModelVersion, type ParamsSchema } from "../../src/deploy/index.ts"
import type { TradingModel } from "../../src/engine/trading-model.ts"
import { seedPrices, useStacks } from "./deployer-fixtures.ts"
import { modelKind as zodWeightsKind } from "./fixtures/zod-weights-model.ts"
import { filesUnder, rejection, useTempDirs } from "./helpers.ts"

const tempDir = useTempDirs()
const stack = useStacks()
const zodModule = fileURLToPath(new URL("./fixtures/zod-weights-model.ts", import.meta.url))

const T0 = Date.UTC(2024, 0, 2, 14, 30)
/** The seed's prices, one minute apart, with their times: two runs fed them compare exactly. */
const timedPrices = (n: number, from = 0) => seedPrices(n, from).map((prices, i) => ({ time: T0 + (from + i) * 60_000, prices }))
const config: SimulationConfigInput = { symbols: ["AAPL", "GOOGL", "MSFT"], updateFrequency: "1min", maxPositionSize: 0.5 }

/** A Standard Schema written by hand that validates asynchronously: `{ weight?: number }` → `{ weight }` (0.1 by default). */
const asyncWeight: StandardSchemaV1<{ readonly weight?: number }, { readonly weight: number }> = {
  "~standard": {
    version: 1,
    vendor: "paperfloor-test",
    validate: async (value) => {
      await new Promise((resolve) => setImmediate(resolve))
      if (value === null || typeof value !== "object" || Array.isArray(value)) return { issues: [{ message: "must be an object" }] }
      const { weight = 0.1, ...rest } = value as { weight?: unknown }
      const issues: StandardSchemaV1.Issue[] = Object.keys(rest).map((key) => ({ message: "is not a known field", path: [key] }))
      if (typeof weight !== "number" || !(weight > 0 && weight <= 1)) return { issues: [...issues, { message: "must be a number above 0 and at most 1", path: [{ key: "weight" }] }] }
      return issues.length > 0 ? { issues } : { value: { weight } }
    }
  }
}

const asyncKind = defineModelKind({
  kind: "async-weight",
  description: "Puts `weight` of equity in AAPL on its first update.",
  paramsSchema: asyncWeight,
  create: (params): TradingModel<boolean> => ({
    initialState: false,
    onUpdate: (done) => (done ? { state: true } : { state: true, targetWeights: { AAPL: params.weight } })
  })
})

/** A kind that does nothing, to probe what the registry makes of a schema. */
const probe = (paramsSchema: ParamsSchema): ModelKind =>
  defineModelKind({ kind: "probe", description: "does nothing", paramsSchema, create: () => ({ initialState: null, onUpdate: (state) => ({ state }) }) })

const openRegistry = (root: string, kinds: ReadonlyArray<ModelKind> = []) =>
  new ModelRegistry({ artifactStore: new LocalArtifactStore({ storageRoot: root }), kinds })

/**
 * Registers a version, deploys it, feeds it 10 updates and stops it; with `restart`, the objects
 * are closed after 5 updates and new ones built over the same root (code kinds given again), which
 * must find the simulation exactly as it was.
 */
const deployAndRun = async (register: (registry: ModelRegistry) => Promise<ModelVersion>, restart: boolean, kinds: ReadonlyArray<ModelKind> = []) => {
  const root = await tempDir()
  let s = stack(root, { kinds })
  const version = await register(s.registry)
  const id = await s.paper.deployToPaperTrading({ modelId: version.modelId, modelVersion: version.version, simulationConfig: config })
  await s.paper.startSimulation(id)
  await s.paper.processMarketUpdates(id, timedPrices(5))
  if (restart) {
    const before = await s.paper.getSimulationStatus(id)
    await s.paper.close()
    s = stack(root, { kinds })
    expect(await s.paper.getSimulationStatus(id)).toEqual(before)
  }
  await s.paper.processMarketUpdates(id, timedPrices(5, 5))
  return { version, results: await s.paper.stopSimulation(id) }
}

describe("model kinds with a Standard Schema", () => {
  it("a zod kind from a module: its output stored (defaults in), deployed, run, and recovered after a restart as if it never stopped", async () => {
    const register = (registry: ModelRegistry) => registry.registerModel({ modelId: "zw", version: "v1", module: zodModule, params: { weights: { AAPL: 0.4 } } })
    const whole = await deployAndRun(register, false)
    const resumed = await deployAndRun(register, true)
    expect(resumed.version).toMatchObject({ kind: "zod-weights", params: { weights: { AAPL: 0.4 }, label: "zod" } })
    expect(resumed.results.model).toEqual({ kind: "zw@v1", params: { weights: { AAPL: 0.4 }, label: "zod" } })
    // 40% of 100000 at AAPL's first price (150), bought at the next.
    expect(resumed.results.portfolio.positions.map((p) => [p.symbol, p.quantity])).toEqual([["AAPL", "266"]])
    expect(resumed.results).toEqual(whole.results)
  })

  it("an asynchronous Standard Schema: registered, deployed, run and recovered after a restart", async () => {
    const register = (registry: ModelRegistry) => registry.registerModel({ modelId: "aw", version: "v1", kind: "async-weight", params: { weight: 0.3 } })
    const whole = await deployAndRun(register, false, [asyncKind])
    const resumed = await deployAndRun(register, true, [asyncKind])
    expect(resumed.version.params).toEqual({ weight: 0.3 })
    expect(resumed.results.portfolio.positions.map((p) => [p.symbol, p.quantity])).toEqual([["AAPL", "200"]])
    expect(resumed.results).toEqual(whole.results)

    const registry = openRegistry(await tempDir(), [asyncKind])
    expect((await registry.registerModel({ modelId: "aw", version: "v1", kind: "async-weight" })).params).toEqual({ weight: 0.1 })
    const bad = await rejection(registry.registerModel({ modelId: "aw", version: "v2", kind: "async-weight", params: { weight: 2, wieght: 1 } }))
    expect(bad).toBeInstanceOf(ValidationError)
    expect(bad.issues).toEqual([
      { field: "params.wieght", rule: "is not a known field", value: 1 },
      { field: "params.weight", rule: "must be a number above 0 and at most 1", value: 2 }
    ])
    // The catalog's factories validate asynchronously too.
    const factories = await registry.catalog()
    expect((await factories["aw@v1"]!(undefined)).initialState).toBe(false)
    await expect(factories["async-weight"]!({ weight: -1 })).rejects.toThrow("params.weight must be a number above 0 and at most 1")
  })

  it("refuses bad params through zod with a ValidationError naming params.<field> and zod's message, writing nothing", async () => {
    const root = await tempDir()
    const registry = openRegistry(root)
    const register = (params: unknown) => rejection(registry.registerModel({ modelId: "zw", version: "v1", module: zodModule, params }))

    const tooBig = await register({ weights: { AAPL: 2 } })
    expect(tooBig).toBeInstanceOf(ValidationError)
    expect(tooBig.issues).toEqual([{ field: "params.weights.AAPL", rule: "Too big: expected number to be <=1", value: 2 }])
    expect(tooBig.message).toBe("Invalid config: params.weights.AAPL Too big: expected number to be <=1 (got 2)")
    const missing = await register({ label: 5 })
    expect(missing.issues).toEqual([
      { field: "params.weights", rule: "Invalid input: expected record, received undefined", value: undefined },
      { field: "params.label", rule: "Invalid input: expected string, received number", value: 5 }
    ])
    // Unknown fields are zod's business: this schema is .strict().
    const misspelt = await register({ weights: { AAPL: 0.1 }, lable: "x" })
    expect(misspelt.issues).toEqual([{ field: "params", rule: 'Unrecognized key: "lable"', value: { weights: { AAPL: 0.1 }, lable: "x" } }])

    expect(await filesUnder(root)).toEqual([])
  })

  it("refuses a schema whose output is not plain JSON, does not validate again to itself, or throws, writing nothing", async () => {
    const root = await tempDir()
    const refusal = (paramsSchema: ParamsSchema, params: unknown) => {
      const registry = openRegistry(root, [probe(paramsSchema)])
      return rejection(registry.registerModel({ modelId: "p", version: "v1", kind: "probe", params }))
    }
    const notJson = (what: string) => `must validate to plain JSON (params are stored as JSON), but kind probe's schema gave a value that ${what}`

    const date = await refusal(z.object({ start: z.string().transform((s) => new Date(s)) }), { start: "2024-01-02" })
    expect(date).toBeInstanceOf(ValidationError)
    expect(date.issues).toEqual([{ field: "params.start", rule: notJson("is a Date, not a plain object"), value: new Date("2024-01-02") }])
    const nan = await refusal(z.object({ ratio: z.number().transform((n) => n / 0 - n / 0) }), { ratio: 1 })
    expect(nan.issues).toEqual([{ field: "params.ratio", rule: notJson("is NaN, not a finite number"), value: NaN }])
    const big = await refusal(z.object({ size: z.string().transform((s) => BigInt(s)) }), { size: "12" })
    expect(big.issues).toEqual([{ field: "params.size", rule: notJson("is a bigint"), value: 12n }])
    const holes = await refusal(z.object({ xs: z.array(z.number().optional()) }), { xs: [1, undefined] })
    expect(holes.issues).toEqual([{ field: "params.xs.1", rule: notJson("is undefined (an array of JSON cannot hold it)"), value: undefined }])
    const list = await refusal(z.array(z.number()), [1, 2])
    expect(list.issues).toEqual([{ field: "params", rule: "must validate to a JSON object, but kind probe's schema gave [1,2]", value: [1, 2] }])

    const doubling = await refusal(z.object({ n: z.number().transform((n) => n * 2) }), { n: 1 })
    expect(doubling.issues).toEqual([
      { field: "params", rule: expect.stringContaining('must validate again to themselves, as the registry checks the stored params whenever it loads the version: kind probe\'s output {"n":2} validated again gives {"n":4}'), value: { n: 1 } }
    ])
    const throwing: StandardSchemaV1 = {
      "~standard": {
        version: 1,
        vendor: "paperfloor-test",
        validate: () => {
          throw new Error("boom")
        }
      }
    }
    expect((await refusal(throwing, {})).issues).toEqual([{ field: "params", rule: "could not be validated: the schema threw (boom)", value: {} }])

    expect(await filesUnder(root)).toEqual([])
  })

  it("accepts a transform whose output validates again to itself, and drops properties that are undefined, as JSON would", async () => {
    const registry = openRegistry(await tempDir(), [probe(z.object({ name: z.string().trim(), note: z.string().optional() }))])
    const version = await registry.registerModel({ modelId: "p", version: "v1", kind: "probe", params: { name: "  spaced  ", note: undefined } })
    expect(version.params).toEqual({ name: "spaced" })
    expect(Object.keys(version.params)).toEqual(["name"])
  })

  it("a zod schema with an asynchronous refinement validates asynchronously", async () => {
    const root = await tempDir()
    const registry = openRegistry(root, [probe(z.object({ n: z.number().refine(async (n) => n > 1, "must be above 1") }))])
    expect((await registry.registerModel({ modelId: "p", version: "v1", kind: "probe", params: { n: 2 } })).params).toEqual({ n: 2 })
    const refused = await rejection(registry.registerModel({ modelId: "p", version: "v2", kind: "probe", params: { n: 0 } }))
    expect(refused.issues).toEqual([{ field: "params.n", rule: "must be above 1", value: 0 }])
  })

  describe("hostile params", () => {
    /** An object `depth` levels deep, built without recursion. */
    const nested = (depth: number): unknown => {
      let value: unknown = 1
      for (let i = 0; i < depth; i++) value = { a: value }
      return value
    }
    const circular = () => {
      const o: Record<string, unknown> = { a: 1 }
      o["self"] = o
      return o
    }
    const hostileValue = fc.oneof(
      fc.anything({
        withBigInt: true,
        withBoxedValues: true,
        withDate: true,
        withMap: true,
        withSet: true,
        withNullPrototype: true,
        withObjectString: true,
        withSparseArray: true,
        withTypedArray: true
      }),
      fc.constantFrom<unknown>(NaN, Infinity, -Infinity, -0, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 5e-324, 10n ** 400n, Symbol("s"), () => 1, undefined, null),
      fc.integer({ min: 60, max: 20_000 }).map(nested),
      fc.constant(null).map(circular)
    )
    const fields = fc.constantFrom("weights", "label", "weight", "lookback", "threshold", "anything", "__proto__", "constructor", "toString")
    const hostileParams = fc.oneof(hostileValue, fc.dictionary(fields, hostileValue, { maxKeys: 4 }), fc.record({ weights: fc.dictionary(fc.string(), hostileValue, { maxKeys: 3 }) }))
    // A built-in Effect struct, a strict zod object, a zod record that lets any value through to its output, and an asynchronous schema.
    const loose = defineModelKind({
      kind: "loose",
      description: "takes anything",
      paramsSchema: z.record(z.string(), z.unknown()),
      create: () => ({ initialState: null, onUpdate: (state: null) => ({ state }) })
    })
    const kinds = ["momentum", zodWeightsKind.kind, loose.kind, asyncKind.kind]

    it("never throw anything but a ValidationError, never write a file when refused, and what is accepted is stored as plain JSON", async () => {
      const root = await tempDir()
      const registry = openRegistry(root, [zodWeightsKind, loose, asyncKind])
      let n = 0
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...kinds), hostileParams, async (kind, params) => {
          const before = await filesUnder(root)
          const version = `v${++n}`
          let registered: ModelVersion
          try {
            registered = await registry.registerModel({ modelId: "hostile", version, kind, params })
          } catch (e) {
            expect(e).toBeInstanceOf(ValidationError)
            expect((e as ValidationError).issues.every((i) => i.field === "params" || i.field.startsWith("params."))).toBe(true)
            expect(typeof (e as ValidationError).message).toBe("string")
            expect(await filesUnder(root)).toEqual(before)
            return
          }
          expect(JSON.parse(JSON.stringify(registered.params))).toEqual(registered.params)
          expect((await registry.getModelVersion("hostile", version)).params).toEqual(registered.params)
          expect((await registry.loadModel("hostile", version)).onUpdate).toBeTypeOf("function")
        })
      )
    })
  })
})
