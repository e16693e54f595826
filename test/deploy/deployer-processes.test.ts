/**
 * Issue 9, items 13–15 and 17: every writer of a store holds its lock; a stop interrupted by a
 * crash is finished by recovery and a refused call changes nothing; callers wait for a model's
 * restart deterministically; creating deployments is O(1) each.
 */
import { spawn } from "node:child_process"
import * as fsp from "node:fs/promises"
import { join } from "node:path"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import { Schedule, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { SimulationStateError } from "../../src/domain/errors.ts"
import { LocalArtifactStore } from "../../src/deploy/artifact-store.ts"
import { nodeFileSystem, type DeployFileSystem } from "../../src/deploy/atomic-file.ts"
import { DeploymentRecordMissingError, ModelFailedError, StorageRootLockedError } from "../../src/deploy/deployment-errors.ts"
import { DeploymentManager } from "../../src/deploy/deployment-manager.ts"
import { defineModelKind } from "../../src/deploy/model-kind.ts"
import type { TradingModel } from "../../src/engine/trading-model.ts"
import { seedPrices, useStacks } from "./deployer-fixtures.ts"
import { rejection, useTempDirs } from "./helpers.ts"

const tempDir = useTempDirs()

const stack = useStacks()
/** The seed's four objects over `root`, optionally on another file system, with other kinds or another restart schedule. */
const stackOn = (root: string, options: { fileSystem?: DeployFileSystem; kinds?: ReadonlyArray<ReturnType<typeof defineModelKind>>; restart?: Schedule.Schedule<unknown, unknown> } = {}) =>
  stack(root, {
    ...(options.fileSystem === undefined ? {} : { fileSystem: options.fileSystem }),
    ...(options.kinds === undefined ? {} : { kinds: options.kinds }),
    ...(options.restart === undefined ? {} : { supervisor: { restartSchedule: options.restart } })
  })

/** Every record file under the root (deployments, models, artifacts), the open LevelDB store aside. */
const fingerprintRoot = async (root: string): Promise<Record<string, string>> => {
  const out: Record<string, string> = {}
  for (const name of (await fsp.readdir(root, { recursive: true })).sort()) {
    if (name.startsWith("simulations") || name.startsWith("lock")) continue
    const path = join(root, name)
    if ((await fsp.stat(path)).isFile()) out[name] = await fsp.readFile(path, "base64")
  }
  return out
}

const hold = { modelId: "held", version: "v1", kind: "buy-and-hold", params: {} }

describe("item 13: every writer of a store directory holds its lock", () => {
  it("a DeploymentManager in a second process cannot change a deployment the owner is running; it can once the owner closed", async () => {
    const root = await tempDir()
    const child = spawn(process.execPath, [fileURLToPath(new URL("./fixtures/deployer-child.ts", import.meta.url)), root], { stdio: ["pipe", "pipe", "inherit"] })
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]()
    const next = async () => JSON.parse(((await lines.next()).value as string | undefined) ?? "null") as Record<string, unknown>
    try {
      const { id } = (await next()) as { id: string }
      const { deployments } = stackOn(root)
      const before = await fingerprintRoot(root)
      const error = await rejection(deployments.recordStatus(id, "stopped"))
      expect(error).toBeInstanceOf(StorageRootLockedError)
      expect(error.message).toContain(root)
      expect(await rejection(deployments.createDeployment({ modelId: "held", modelVersion: "v1" }))).toBeInstanceOf(StorageRootLockedError)
      expect(await fingerprintRoot(root)).toEqual(before)
      // The owner goes on serving its deployment.
      child.stdin!.write("feed\n")
      expect(await next()).toEqual({ ok: true, updates: 1 })
      child.stdin!.write("close\n")
      expect(await next()).toEqual({ closed: true })
      // Released with the owner's store: now this process may write.
      expect((await deployments.recordStatus(id, "paused")).status).toBe("paused")
    } finally {
      child.kill("SIGKILL")
    }
  }, 60_000)

  it("in one process the manager and the deployer share the lock", async () => {
    const root = await tempDir()
    const { registry, deployments, paper } = stackOn(root)
    await registry.registerModel(hold)
    await paper.open()
    const record = await deployments.createDeployment({ modelId: "held", modelVersion: "v1" })
    expect(record.status).toBe("deployed")
  })
})

/** A file system that fails renames into `deployments/` while `armed`: a crash before the record is written. */
const failingRecordWrites = () => {
  const state = { armed: false }
  const fileSystem: DeployFileSystem = {
    ...nodeFileSystem,
    open: (path, flags) => nodeFileSystem.open(path, flags),
    rename: (from, to) => (state.armed && to.includes(`${join("/", "deployments")}/`) ? Promise.reject(Object.assign(new Error("crash"), { code: "EIO" })) : fsp.rename(from, to))
  }
  return { state, fileSystem }
}

describe("item 14: a crash during stopSimulation", () => {
  it("recovery finishes the stop (results archived, record stopped); a second stop is refused and changes nothing", async () => {
    const root = await tempDir()
    const { state, fileSystem } = failingRecordWrites()
    const first = stackOn(root, { fileSystem })
    await first.registry.registerModel(hold)
    const id = await first.paper.deployToPaperTrading({ modelId: "held", modelVersion: "v1", simulationConfig: { symbols: ["AAPL"] } })
    await first.paper.startSimulation(id)
    await first.paper.processMarketUpdates(id, seedPrices(5).map((p) => ({ AAPL: p.AAPL! })))
    state.armed = true
    await rejection(first.paper.stopSimulation(id))
    await first.paper.close()
    expect((await first.deployments.getDeployment(id)).status).toBe("running")

    const second = stackOn(root)
    await second.paper.open()
    const record = await second.deployments.getDeployment(id)
    expect(record.status).toBe("stopped")
    expect(record.resultsArtifact).toMatch(/^[0-9a-f]{64}$/)
    const results = await second.paper.getResults(id)
    expect(results.resultsArtifact).toBe(record.resultsArtifact)

    const before = await fingerprintRoot(root)
    expect(await rejection(second.paper.stopSimulation(id))).toBeInstanceOf(SimulationStateError)
    expect(await fingerprintRoot(root)).toEqual(before)
  })

  it("a refused command changes no record (start of a stopped deployment)", async () => {
    const root = await tempDir()
    const { registry, paper } = stackOn(root)
    await registry.registerModel(hold)
    const id = await paper.deployToPaperTrading({ modelId: "held", modelVersion: "v1", simulationConfig: { symbols: ["AAPL"] } })
    await paper.startSimulation(id)
    await paper.stopSimulation(id)
    const before = await fingerprintRoot(root)
    expect(await rejection(paper.startSimulation(id))).toBeInstanceOf(SimulationStateError)
    expect(await rejection(paper.processMarketUpdate(id, { AAPL: 1 }))).toBeInstanceOf(SimulationStateError)
    expect(await fingerprintRoot(root)).toEqual(before)
  })
})

/** Throws once, on the update where AAPL is at `failOnPrice`; a model rebuilt on restart goes on. */
const onceKind = defineModelKind({
  kind: "once",
  description: "throws at one AAPL price",
  paramsSchema: Schema.Struct({ failOnPrice: Schema.Number }),
  create: (params): TradingModel<number> => ({
    initialState: 0,
    onUpdate: (n, { quotes }) => {
      if (quotes.find((q) => q.symbol === "AAPL")?.close === params.failOnPrice) throw new Error("boom")
      return { state: n + 1 }
    }
  })
})

describe("item 15: after a model failure, callers wait for the restart", () => {
  it("the same script applies the same updates every run: calls made before the restart wait for it", async () => {
    const outcomes: string[] = []
    for (let run = 0; run < 3; run++) {
      const root = await tempDir()
      // A slow restart: without waiting, the calls right after the failure would be refused.
      const { registry, paper } = stackOn(root, { kinds: [onceKind], restart: Schedule.spaced("150 millis").pipe(Schedule.upTo({ times: 3 })) })
      await registry.registerModel({ modelId: "once", version: "v1", kind: "once", params: { failOnPrice: 103 } })
      const id = await paper.deployToPaperTrading({ modelId: "once", modelVersion: "v1", simulationConfig: { symbols: ["AAPL"] } })
      await paper.startSimulation(id)
      const log: string[] = []
      for (let i = 0; i < 12; i++) {
        try {
          const receipt = await paper.processMarketUpdate(id, { AAPL: 100 + i })
          log.push(`${i}:${receipt.updates}`)
        } catch (e) {
          log.push(`${i}:${(e as { _tag: string })._tag}`)
          if (e instanceof ModelFailedError) expect(e.message).toMatch(/restart/)
        }
      }
      outcomes.push(log.join(" "))
      await paper.close()
    }
    expect(outcomes[0]).toContain("3:ModelFailedError")
    expect(outcomes[0]).not.toContain("SimulationStateError")
    expect(new Set(outcomes).size).toBe(1)
  }, 60_000)
})

describe("a deployment record deleted behind the deployer's back (found by the fault campaign)", () => {
  it("its calls name the missing record instead of saying it never existed, and a new deployment takes the next free id", async () => {
    const root = await tempDir()
    const first = stackOn(root)
    await first.registry.registerModel(hold)
    const id = await first.paper.deployToPaperTrading({ modelId: "held", modelVersion: "v1", simulationConfig: { symbols: ["AAPL"] } })
    await first.paper.startSimulation(id)
    await first.paper.processMarketUpdate(id, { AAPL: 100 })
    await first.paper.close()
    await fsp.rm(first.deployments.recordPath(id))

    const second = stackOn(root)
    for (const call of [() => second.paper.getSimulationStatus(id), () => second.paper.processMarketUpdate(id, { AAPL: 101 }), () => second.paper.stopSimulation(id), () => second.paper.getResults(id)]) {
      const error = await rejection(call())
      expect(error).toBeInstanceOf(DeploymentRecordMissingError)
      expect(error.deploymentId).toBe(id)
      expect(error.message).toContain(second.deployments.recordPath(id))
    }
    expect(await rejection(second.paper.listSimulations())).toBeInstanceOf(DeploymentRecordMissingError)
    const next = await second.paper.deployToPaperTrading({ modelId: "held", modelVersion: "v1", simulationConfig: { symbols: ["AAPL"] } })
    expect(next).toBe("paper-held-2")
  })
})

describe("item 17: creating a deployment costs the same however many exist", () => {
  it("200 concurrent creates list the directory at most once and write one record file each, without retries", async () => {
    const root = await tempDir()
    const calls = { readdir: 0, opens: 0 }
    const fileSystem: DeployFileSystem = {
      ...nodeFileSystem,
      readdir: (path) => {
        if (path.endsWith("deployments")) calls.readdir++
        return nodeFileSystem.readdir(path)
      },
      open: (path, flags) => {
        if (path.includes(`${join("/", "deployments")}/`) && flags === "wx") calls.opens++
        return nodeFileSystem.open(path, flags)
      }
    }
    const { registry, deployments } = stackOn(root, { fileSystem })
    await registry.registerModel(hold)
    const records = await Promise.all(Array.from({ length: 200 }, () => deployments.createDeployment({ modelId: "held", modelVersion: "v1" })))
    expect(new Set(records.map((r) => r.id)).size).toBe(200)
    expect(records.map((r) => Number(r.id.split("-").at(-1))).sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1))
    expect(calls.readdir).toBeLessThanOrEqual(1)
    expect(calls.opens).toBe(200)
    // A manager made afterwards (another run) continues the numbering.
    const later = new DeploymentManager({ modelRegistry: registry, artifactStore: new LocalArtifactStore({ storageRoot: root }) })
    expect((await later.createDeployment({ modelId: "held", modelVersion: "v1" })).id).toBe("paper-held-201")
  })
})
