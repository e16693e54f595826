// Write your own model, end to end (the README's "Write your own model" walks through this file):
//
//   npm run example:own-model
//
// The model is examples/models/trend-follower.ts: a pure reducer, with params validated by zod.
// Here it is registered as a model version, deployed into paper trading and fed the bundled ORCL
// and NVDA daily bars. Halfway through, this process closes its deployer and builds a new one
// over the same store, as a restarted process would, and carries on where the store left off.
import { readFile } from "node:fs/promises"
import { relative } from "node:path"
import { fileURLToPath } from "node:url"
import { barTimeline } from "../src/data/bar-timeline.ts"
import { loadOhlcvCsv } from "../src/data/ohlcv-csv.ts"
import {
  DeploymentManager,
  LocalArtifactStore,
  type MarketUpdateInput,
  ModelRegistry,
  type ModelParamsInput,
  PaperTradingDeployer,
  sha256Of
} from "../src/index.ts"
import type { modelKind } from "./models/trend-follower.ts"

/** What a process builds over its store directory: the artifact store, the registry, the deployments and the deployer. */
const openStore = (storageRoot: string) => {
  const store = new LocalArtifactStore({ storageRoot })
  const registry = new ModelRegistry({ artifactStore: store })
  const deployments = new DeploymentManager({ modelRegistry: registry, artifactStore: store })
  const paper = new PaperTradingDeployer({ deploymentManager: deployments, modelRegistry: registry, artifactStore: store })
  return { store, registry, paper }
}

// The bundled daily bars, merged into one update per trading day: { time, bars: { ORCL, NVDA } }.
const dataFile = (name: string) => fileURLToPath(new URL(`./data/${name}`, import.meta.url))
const updates = barTimeline({
  ORCL: await loadOhlcvCsv(dataFile("orcl-1995-2014.txt")),
  NVDA: await loadOhlcvCsv(dataFile("nvda-1999-2014.txt"))
})

// Register the module as a model version. The registry pins the file's sha256, so naming the
// version after it means an edited model becomes a new version instead of clashing with the old.
const { registry, paper } = openStore("./.paperfloor")
const modulePath = fileURLToPath(new URL("./models/trend-follower.ts", import.meta.url))
const version = `v1-${sha256Of(await readFile(modulePath)).slice(0, 12)}`
const model = await registry.registerModel({
  modelId: "trend-follower",
  version,
  module: modulePath,
  params: { window: 50, weight: 0.08 } satisfies ModelParamsInput<typeof modelKind>
})
console.log(`registered ${model.modelId} ${model.version}: params ${JSON.stringify(model.params)}`)

// Deploy it into paper trading and start it.
const id = await paper.deployToPaperTrading({
  modelId: model.modelId,
  modelVersion: model.version,
  simulationConfig: { symbols: ["ORCL", "NVDA"], updateFrequency: "1d", initialCapital: 100_000, maxPositionSize: 0.1 }
})
await paper.startSimulation(id)
console.log(`deployed ${id}`)

// Feed it the bars up to 2005, a year at a time (one journal write per batch).
const feed = async (deployer: PaperTradingDeployer, batch: ReadonlyArray<MarketUpdateInput>) => {
  for (let i = 0; i < batch.length; i += 250) await deployer.processMarketUpdates(id, batch.slice(i, i + 250))
}
await feed(paper, updates.filter((u) => u.time < Date.UTC(2005, 0, 1)))
const midway = await paper.getSimulationStatus(id)
console.log(`${midway.updates} updates in: ${midway.state}, portfolio value ${midway.portfolioValue}, ${midway.positions.length} positions`)

// The process goes away: close the deployer, which releases the store.
await paper.close()

// A new process: new objects over the same directory. The simulation is recovered exactly as it
// was (snapshot + journal), so feed it only what it has not seen.
const restarted = openStore("./.paperfloor")
const resumed = await restarted.paper.getSimulationStatus(id)
console.log(`restarted: ${id} is ${resumed.state} after ${resumed.updates} updates, portfolio value ${resumed.portfolioValue}`)
await feed(restarted.paper, updates.filter((u) => u.time > (resumed.lastUpdateTime ?? -Infinity)))

// Stop it: its results are archived in the store and returned.
const results = await restarted.paper.stopSimulation(id)
const m = results.metrics
console.log(`stopped after ${results.updates} updates: ${results.fills} fills, ${m.totalTrades} closed trades, final equity ${m.finalEquity}`)
console.log(`total return ${(m.totalReturn * 100).toFixed(2)}%, Sharpe ${m.sharpeRatio?.toFixed(2) ?? "n/a"}, max drawdown ${((m.maxDrawdown ?? 0) * 100).toFixed(2)}%`)
console.log(`results: ${relative(process.cwd(), `${restarted.store.artifactsDir}/${results.resultsArtifact}`)}`)
await restarted.paper.close()
