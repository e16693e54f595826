// A module version's isolation limits: validated at registration (a typed error naming the field),
// stored complete in the version's record, and part of what makes a version's content.
import { describe, expect, it } from "vitest"
import { LocalArtifactStore } from "../../src/deploy/artifact-store.ts"
import { ModelRegistry } from "../../src/deploy/model-registry.ts"
import { defaultIsolationLimits } from "../../src/runtime/isolation/index.ts"
import { rejection, useTempDirs } from "./helpers.ts"
import { viewTrader, writeModule } from "../runtime/isolation/model-modules.ts"

const tempDir = useTempDirs()

const setup = async () => {
  const registry = new ModelRegistry({ artifactStore: new LocalArtifactStore({ storageRoot: await tempDir() }) })
  return { registry, module: await writeModule(await tempDir(), "trader", viewTrader) }
}

describe("isolation limits of a module version", () => {
  it("default to 1,000 ms per update and 256 MB", () => {
    expect(defaultIsolationLimits).toEqual({ timeBudgetMs: 1000, memoryBoundMb: 256 })
  })

  it("are stored complete when given, and absent from the record when not", async () => {
    const { registry, module } = await setup()
    const given = await registry.registerModel({ modelId: "m", version: "v1", module, isolation: { timeBudgetMs: 50 } })
    expect(given.isolation).toEqual({ timeBudgetMs: 50, memoryBoundMb: 256 })
    expect((await registry.getModelVersion("m", "v1")).isolation).toEqual({ timeBudgetMs: 50, memoryBoundMb: 256 })
    const plain = await registry.registerModel({ modelId: "m", version: "v2", module })
    expect(plain).not.toHaveProperty("isolation")
  })

  it("make a version's content: the same version with other limits is refused", async () => {
    const { registry, module } = await setup()
    await registry.registerModel({ modelId: "m", version: "v1", module, isolation: { timeBudgetMs: 50 } })
    expect(await registry.registerModel({ modelId: "m", version: "v1", module, isolation: { timeBudgetMs: 50, memoryBoundMb: 256 } })).toMatchObject({
      isolation: { timeBudgetMs: 50 }
    })
    const error = await rejection(registry.registerModel({ modelId: "m", version: "v1", module, isolation: { timeBudgetMs: 60 } }))
    expect(error).toMatchObject({ _tag: "ModelVersionExistsError", differences: ["isolation"] })
  })

  it.each([
    [{ timeBudgetMs: 0 }, "isolation.timeBudgetMs", "must be a whole number of milliseconds from 1 to 60000"],
    [{ timeBudgetMs: 1.5 }, "isolation.timeBudgetMs", "must be a whole number of milliseconds from 1 to 60000"],
    [{ timeBudgetMs: 60_001 }, "isolation.timeBudgetMs", "must be a whole number of milliseconds from 1 to 60000"],
    [{ memoryBoundMb: 8 }, "isolation.memoryBoundMb", "must be a whole number of MB from 16 to 65536"],
    [{ memoryBoundMb: "64" }, "isolation.memoryBoundMb", "must be a whole number of MB from 16 to 65536"],
    [{ cpus: 2 }, "isolation.cpus", "is not a known field"],
    [null, "isolation", "must be object"]
  ])("refuses %j with a ValidationError naming %s", async (isolation, field, rule) => {
    const { registry, module } = await setup()
    const error = await rejection(registry.registerModel({ modelId: "m", version: "v1", module, isolation: isolation as never }))
    expect(error._tag).toBe("ValidationError")
    expect(error.issues).toEqual([expect.objectContaining({ field, rule: expect.stringContaining(rule) })])
    expect(await registry.listModels()).toEqual([])
  })

  it("are refused for a kind registered in code, which runs in-process", async () => {
    const { registry } = await setup()
    const error = await rejection(registry.registerModel({ modelId: "m", version: "v1", kind: "momentum", isolation: { timeBudgetMs: 50 } }))
    expect(error._tag).toBe("ValidationError")
    expect(error.issues).toEqual([
      { field: "isolation", rule: "is only for a model given as a module (built-in kinds and kinds registered in code run in-process)", value: { timeBudgetMs: 50 } }
    ])
  })
})
