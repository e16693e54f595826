/**
 * Issue 9, item 4: deployment, model and results records carry a checksum. Every single-byte
 * change to one is refused with that record's typed corrupt error, or (where the bytes still say
 * the same thing) read as the very same record: never silently as a different id, version, config
 * or size.
 */
import { readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { ArtifactCorruptError } from "../../src/deploy/errors.ts"
import { DeploymentRecordCorruptError } from "../../src/deploy/deployment-errors.ts"
import { ModelRecordCorruptError } from "../../src/deploy/errors.ts"
import { useStacks } from "./deployer-fixtures.ts"
import { useTempDirs } from "./helpers.ts"

const tempDir = useTempDirs()
const stack = useStacks()

/** Each byte of the file changed in turn (xor with each mask): how each read ends. */
const flipEveryByte = async <A>(file: string, read: () => Promise<A>, isCorrupt: (e: unknown) => boolean) => {
  const original = await readFile(file)
  const expected = await read()
  let refused = 0
  let same = 0
  const accepted: string[] = []
  for (let at = 0; at < original.length; at++)
    for (const mask of [0x01, 0x20]) {
      const bytes = Buffer.from(original)
      bytes[at] = bytes[at]! ^ mask
      await writeFile(file, bytes)
      try {
        const value = await read()
        if (JSON.stringify(value) === JSON.stringify(expected)) same++
        else accepted.push(`byte ${at} ^ ${mask}: ${bytes.subarray(Math.max(0, at - 12), at + 12).toString()}`)
      } catch (e) {
        if (!isCorrupt(e)) throw e
        refused++
      }
    }
  await writeFile(file, original)
  return { refused, same, accepted, trials: original.length * 2 }
}

describe("record checksums", () => {
  it("every single-byte change to a deployment, model or results record is refused or changes nothing", async () => {
    const root = await tempDir()
    const { registry, deployments, paper, store } = stack(root)
    await registry.registerModel({ modelId: "my_model", version: "v1.0", kind: "moving-average-crossover", params: { fast: 2, slow: 4, quantity: 1 } })
    const id = await paper.deployToPaperTrading({ modelId: "my_model", modelVersion: "v1.0", simulationConfig: { symbols: ["AAPL"] } })
    await paper.startSimulation(id)
    await paper.processMarketUpdates(id, [{ AAPL: 100 }, { AAPL: 101 }])
    await paper.stopSimulation(id)
    const record = await deployments.getDeployment(id)
    const results = record.resultsArtifact!
    await paper.close()

    const campaigns = [
      await flipEveryByte(deployments.recordPath(id), () => deployments.getDeployment(id), (e) => e instanceof DeploymentRecordCorruptError),
      await flipEveryByte(join(root, "models", "my_model", "v1.0.json"), () => registry.getModelVersion("my_model", "v1.0"), (e) => e instanceof ModelRecordCorruptError),
      await flipEveryByte(join(root, "artifacts", `${results}.json`), () => store.getMetadata(results), (e) => e instanceof ArtifactCorruptError)
    ]
    for (const c of campaigns) {
      expect(c.accepted).toEqual([])
      expect(c.refused + c.same).toBe(c.trials)
      expect(c.refused).toBeGreaterThan(c.trials * 0.9)
    }
  }, 120_000)

  it("a record without its checksum is refused, naming the file", async () => {
    const root = await tempDir()
    const { registry, deployments } = stack(root)
    await registry.registerModel({ modelId: "my_model", version: "v1.0", kind: "moving-average-crossover", params: { fast: 2, slow: 4, quantity: 1 } })
    const record = await deployments.createDeployment({ modelId: "my_model", modelVersion: "v1.0" })
    const path = deployments.recordPath(record.id)
    const { checksum: _checksum, ...bare } = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>
    await writeFile(path, JSON.stringify(bare, null, 2))
    const error = await deployments.getDeployment(record.id).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DeploymentRecordCorruptError)
    expect((error as Error).message).toContain(path)
    expect((error as Error).message).toMatch(/checksum/)
  })
})
