// A model of your own, from a module: examples/models/breakout.ts exports `modelKind` (its
// parameter schema and a pure reducer). Registered as a model version, it is deployed into paper
// trading like a built-in one and runs on the bundled ORCL and NVDA daily bars of 2010–2014.
//
//   node examples/custom-model.ts
//
// The registry pins a module version to the file's sha256: a simulation rebuilt after a restart
// must run the code it ran before. So the version here is named after the file's hash, and
// editing the model registers a new version instead of clashing with the old one.
import { readFile } from "node:fs/promises"
import { relative } from "node:path"
import { fileURLToPath } from "node:url"
import { dataSource, loadBarTimeline } from "../src/data/bar-timeline.ts"
import { DeploymentManager, LocalArtifactStore, ModelRegistry, PaperTradingDeployer, sha256Of } from "../src/index.ts"
import { printMetrics } from "./metrics-table.ts"

const modulePath = fileURLToPath(new URL("./models/breakout.ts", import.meta.url))
const dataFile = (name: string) => fileURLToPath(new URL(`./data/${name}`, import.meta.url))

const store = new LocalArtifactStore({ storageRoot: "./.paperfloor" })
const registry = new ModelRegistry({ artifactStore: store })
const deployments = new DeploymentManager({ modelRegistry: registry, artifactStore: store })
const paper = new PaperTradingDeployer({ deploymentManager: deployments, modelRegistry: registry, artifactStore: store })

// 2010–2014, one update per trading day with the bar of each symbol that traded.
const sources = [dataSource(dataFile("orcl-1995-2014.txt")), dataSource(dataFile("nvda-1999-2014.txt"))]
const updates = (await loadBarTimeline(sources)).filter(({ time }) => time >= Date.UTC(2010, 0, 1))

try {
  const version = `v1-${sha256Of(await readFile(modulePath)).slice(0, 12)}`
  const model = await registry.registerModel({
    modelId: "breakout",
    version,
    module: modulePath,
    params: { entry: 20, exit: 10, weight: 0.08 },
    description: "20/10 channel breakout, 8% of equity per symbol"
  })
  console.log(`registered ${model.modelId} ${model.version}: kind ${model.kind} from ${relative(process.cwd(), model.module!.path)}, params ${JSON.stringify(model.params)}`)

  const id = await paper.deployToPaperTrading({
    modelId: model.modelId,
    modelVersion: model.version,
    simulationConfig: { symbols: sources.map((s) => s.symbol), updateFrequency: "1d", initialCapital: 100_000 }
  })
  await paper.startSimulation(id)
  for (let i = 0; i < updates.length; i += 100) await paper.processMarketUpdates(id, updates.slice(i, i + 100))
  const results = await paper.stopSimulation(id)

  const m = results.metrics
  console.log(`${id}: ${results.updates} daily updates, ${results.fills} fills, ${m.totalTrades} closed trades`)
  printMetrics(m)
  console.log(`results: ${relative(process.cwd(), `${store.artifactsDir}/${results.resultsArtifact}`)}`)
} catch (e) {
  console.error(e instanceof Error ? e.message : String(e))
  process.exitCode = 1
} finally {
  await paper.close()
}
