/**
 * The uninterrupted run a deployment is compared with: a fresh root, its model version
 * registered, deployed, started, fed every update it holds in one call, and stopped. Its results
 * (JSON) are what the deployment's must be, byte for byte, deployment id and artifact included.
 */
import { mkdtemp, rm } from "node:fs/promises"
import * as path from "node:path"
import type { MarketUpdateInput } from "../../src/index.ts"
import { openStack } from "./stack.ts"
import { MODEL_VERSION, type Plan } from "./workload.ts"

export type References = (plan: Plan, updates: ReadonlyArray<MarketUpdateInput>) => Promise<string>

/** Reference results, each computed once, in fresh directories under `base`. */
export const referenceRuns = (base: string): References => {
  const cache = new Map<string, Promise<string>>()
  const run = async (plan: Plan, updates: ReadonlyArray<MarketUpdateInput>): Promise<string> => {
    const root = await mkdtemp(path.join(base, "reference-"))
    const { registry, paper } = openStack(root)
    try {
      await registry.registerModel(plan.model)
      const id = await paper.deployToPaperTrading({ modelId: plan.modelId, modelVersion: MODEL_VERSION, simulationConfig: plan.config })
      await paper.startSimulation(id)
      if (updates.length > 0) await paper.processMarketUpdates(id, updates)
      return JSON.stringify(await paper.stopSimulation(id))
    } finally {
      await paper.close()
      await rm(root, { recursive: true, force: true })
    }
  }
  return (plan, updates) => {
    const key = `${plan.modelId}\u0000${JSON.stringify(updates)}`
    let result = cache.get(key)
    if (result === undefined) cache.set(key, (result = run(plan, updates)))
    return result
  }
}
