/** What the market-feed tests and their child process share: the stack, the model, the updates. */
import { LocalArtifactStore } from "../../src/deploy/artifact-store.ts"
import { DeploymentManager } from "../../src/deploy/deployment-manager.ts"
import { ModelRegistry } from "../../src/deploy/model-registry.ts"
import { PaperTradingDeployer } from "../../src/deploy/paper-trading-deployer.ts"
import type { MarketUpdateInput } from "../../src/domain/market-update.ts"
import type { SimulationConfigInput } from "../../src/domain/simulation-config.ts"

export const crossover = { modelId: "my_model", version: "v1.0", kind: "moving-average-crossover", params: { fast: 2, slow: 4, quantity: 10 } }
export const config: SimulationConfigInput = { symbols: ["AAPL", "GOOGL", "MSFT"], updateFrequency: "1min" }

const START = Date.UTC(2024, 0, 2, 14, 30)

/** `n` minutes of last prices from 2024-01-02 14:30 UTC, AAPL in a wave (so the crossover trades), the others drifting. */
export const minutes = (n: number): MarketUpdateInput[] =>
  Array.from({ length: n }, (_, i) => ({
    time: START + i * 60_000,
    prices: { AAPL: Math.round((150 + 6 * Math.sin(i / 3)) * 100) / 100, GOOGL: 2600 + (i % 7), MSFT: 300 + (i % 5) / 4 }
  }))

/** The updates one at a time, as a stream read incrementally gives them. */
export async function* streamOf(updates: ReadonlyArray<MarketUpdateInput>): AsyncGenerator<MarketUpdateInput> {
  for (const u of updates) yield u
}

/** The seed's four objects over `root`, with fixed record clocks so two runs store the same records. */
export const openStack = (root: string) => {
  const recordClock = () => new Date(Date.UTC(2024, 0, 1))
  const store = new LocalArtifactStore({ storageRoot: root, now: recordClock })
  const registry = new ModelRegistry({ artifactStore: store, now: recordClock })
  const deployments = new DeploymentManager({ modelRegistry: registry, artifactStore: store, now: recordClock })
  const paper = new PaperTradingDeployer({ deploymentManager: deployments, modelRegistry: registry, artifactStore: store, now: recordClock, supervisor: { logLevel: "None" } })
  return { store, registry, deployments, paper }
}
