// Adversarial review (issue 15): the deployer's API in cluster mode is the one it has locally.
// The same calls on a deployer over LevelDB and on one over the cluster (a `paperfloor runner`
// sharing its --store) must answer the same: statuses, inspections, results, listings, refusals.
import type { ChildProcess } from "node:child_process"
import { afterAll, describe, expect, inject, it } from "vitest"
import { LocalArtifactStore } from "../../src/deploy/artifact-store.ts"
import { DeploymentManager } from "../../src/deploy/deployment-manager.ts"
import { ModelRegistry } from "../../src/deploy/model-registry.ts"
import { PaperTradingDeployer } from "../../src/deploy/paper-trading-deployer.ts"
import { freePort } from "../../scripts/local-postgres.ts"
import { startServing } from "../cli/cli-harness.ts"
import { freshDatabase } from "../runtime/cluster/cluster-harness.ts"
import { seedPrices, steppingClock } from "./deployer-fixtures.ts"
import { rejection, useTempDirs } from "./helpers.ts"

const tempDir = useTempDirs()
const runners: ChildProcess[] = []
afterAll(() => {
  for (const runner of runners) runner.kill("SIGKILL")
})

/** `paperfloor runner` whose --store is `root`; resolves once it serves. */
const startRunner = async (postgresUrl: string, root: string) => startServing(["--store", root, "runner", "--postgres", postgresUrl, "--port", String(await freePort())], runners)

const crossover = { modelId: "my_model", version: "v1.0", kind: "moving-average-crossover", params: { fast: 2, slow: 4, quantity: 10 } }
const config = { symbols: ["AAPL", "GOOGL", "MSFT"], updateFrequency: "1min" as const }

const stackAt = (root: string, cluster?: { postgresUrl: string }) => {
  const recordClock = () => new Date(Date.UTC(2024, 0, 1))
  const store = new LocalArtifactStore({ storageRoot: root, now: recordClock })
  const registry = new ModelRegistry({ artifactStore: store, now: recordClock })
  const deployments = new DeploymentManager({ modelRegistry: registry, artifactStore: store, now: recordClock })
  const paper = new PaperTradingDeployer({
    deploymentManager: deployments,
    modelRegistry: registry,
    artifactStore: store,
    now: steppingClock(),
    supervisor: { logLevel: "None" },
    ...(cluster === undefined ? {} : { cluster })
  })
  return { registry, paper }
}

const errorOf = async (promise: Promise<unknown>) => {
  const e = await rejection(promise)
  return { _tag: e._tag, message: e.message }
}

/** One session of calls; everything it saw. */
const session = async (root: string, cluster?: { postgresUrl: string }) => {
  const { registry, paper } = stackAt(root, cluster)
  try {
    await registry.registerModel(crossover)
    const id = await paper.deployToPaperTrading({ modelId: "my_model", modelVersion: "v1.0", simulationConfig: config })
    const beforeStart = await paper.getSimulationStatus(id)
    await paper.startSimulation(id)
    const receipt = await paper.processMarketUpdates(id, seedPrices(30))
    const order = await paper.submitOrder(id, { symbol: "MSFT", side: "buy", type: "limit", quantity: 3, limitPrice: 1 })
    const refusals = {
      badUpdate: await errorOf(paper.processMarketUpdates(id, [...seedPrices(2, 30), { AAPL: -5 }])),
      badOrder: await errorOf(paper.submitOrder(id, { symbol: "NOPE", side: "buy", type: "market", quantity: 1 })),
      unknownCancel: await errorOf(paper.cancelOrder(id, "O-999")),
      unknownDeployment: await errorOf(paper.getSimulationStatus("paper-nope"))
    }
    await paper.pauseSimulation(id)
    const paused = await paper.getSimulationStatus(id)
    await paper.resumeSimulation(id)
    const inspected = await paper.inspectSimulation(id, (engine) => ({ fills: engine.getFills().length, updates: engine.updateCount, orders: engine.getOpenOrders?.().length }))
    const listed = (await paper.listSimulations()).map((r) => ({ id: r.id, status: r.status }))
    const stopped = await paper.stopSimulation(id)
    const results = await paper.getResults(id)
    const afterStop = await paper.getSimulationStatus(id)
    const stopAgain = await errorOf(paper.stopSimulation(id))
    return { id, beforeStart, receipt, order, refusals, paused, inspected, listed, stopped, results, afterStop, stopAgain }
  } finally {
    await paper.close()
  }
}

describe("PaperTradingDeployer in cluster mode", () => {
  it("answers every call as the deployer over LevelDB does", async () => {
    const local = await session(await tempDir())
    const postgresUrl = await freshDatabase(inject("postgresUrl"), "adv_deployer")
    const root = await tempDir()
    await startRunner(postgresUrl, root)
    const clustered = await session(root, { postgresUrl })
    // The session traded and was refused: there is something to differ.
    expect(local.inspected.fills).toBeGreaterThan(0)
    expect(Object.values(local.refusals).every((r) => typeof r._tag === "string")).toBe(true)
    // Messages naming where the simulations live may differ; everything else may not.
    expect(JSON.parse(JSON.stringify(clustered).replaceAll(root, "<root>"))).toEqual(JSON.parse(JSON.stringify(local).replace(/\/tmp\/paperfloor-deploy-[^/"]+/g, "<root>")))
  }, 60_000)

  it("two deployers with their own --store on one cluster: each lists and reads its own deployments, and neither refuses the other's as a missing record", async () => {
    const postgresUrl = await freshDatabase(inject("postgresUrl"), "adv_two_deployers")
    const [rootA, rootB] = [await tempDir(), await tempDir()]
    await startRunner(postgresUrl, rootA)
    const a = stackAt(rootA, { postgresUrl })
    const b = stackAt(rootB, { postgresUrl })
    try {
      for (const s of [a, b]) await s.registry.registerModel(crossover)
      const idA = await a.paper.deployToPaperTrading({ modelId: "my_model", modelVersion: "v1.0", simulationConfig: config })
      const idB = await b.paper.deployToPaperTrading({ modelId: "my_model", modelVersion: "v1.0", simulationConfig: config })
      expect(idB).not.toBe(idA)
      const listed = async (paper: PaperTradingDeployer) => {
        try {
          return (await paper.listSimulations()).map((r) => r.id)
        } catch (e) {
          return `${(e as { _tag?: string })._tag}: ${(e as Error).message}`
        }
      }
      expect({ a: await listed(a.paper), b: await listed(b.paper) }).toEqual({ a: [idA], b: [idB] })
      // A deployment of the other's is unknown here, not a record this store lost.
      expect((await rejection(a.paper.getSimulationStatus(idB)))._tag).toBe("UnknownDeploymentError")
    } finally {
      await a.paper.close()
      await b.paper.close()
    }
  }, 60_000)
})
