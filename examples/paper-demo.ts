// The demo behind `npm start`: the built-in 10/30 moving-average crossover deployed into paper
// trading on the bundled real ORCL and NVDA daily bars, through the whole stack: the model
// registry, a deployment record, a supervised simulation journaled in LevelDB, and its results
// archived in the artifact store, and its HTML report. Everything is kept under ./.paperfloor;
// each run is a new deployment, and earlier ones stay there. `npm start -- --parquet` runs on
// Parquet copies of the same bars (written to .paperfloor/data on first use), read as streams.
import { relative } from "node:path"
import { Presets, SingleBar } from "cli-progress"
import { DeploymentManager, LocalArtifactStore, ModelRegistry, PaperTradingDeployer } from "../src/index.ts"
import { writeHtmlReport } from "../src/report/index.ts"
import { loadBundledParquetTimeline, loadBundledTimeline } from "./bundled-bars.ts"
import { resultsTable } from "../src/cli/tables.ts"

const storageRoot = ".paperfloor"
const batchSize = 50

const parquet = process.argv.includes("--parquet")
const { symbols, timeline } = parquet ? await loadBundledParquetTimeline(`${storageRoot}/data`) : await loadBundledTimeline()

const store = new LocalArtifactStore({ storageRoot })
const registry = new ModelRegistry({ artifactStore: store })
const deployments = new DeploymentManager({ modelRegistry: registry, artifactStore: store })
const paper = new PaperTradingDeployer({ deploymentManager: deployments, modelRegistry: registry, artifactStore: store })
const shown = (path: string) => relative(process.cwd(), path) || "."

try {
  // Registering the same version again with the same content returns the stored one.
  const model = await registry.registerModel({
    modelId: "ma-crossover",
    version: "v1.0",
    kind: "moving-average-crossover",
    params: { fast: 10, slow: 30, quantity: 100 },
    description: "10/30 SMA crossover, 100 shares per signal"
  })
  const id = await paper.deployToPaperTrading({
    modelId: model.modelId,
    modelVersion: model.version,
    simulationConfig: { symbols, updateFrequency: "1d", initialCapital: 100_000 }
  })
  const first = new Date(timeline[0]!.time).toISOString().slice(0, 10)
  const last = new Date(timeline.at(-1)!.time).toISOString().slice(0, 10)
  console.log(`paperfloor — ${model.modelId} ${model.version} (${model.kind}, fast ${model.params["fast"]}, slow ${model.params["slow"]}, ${model.params["quantity"]} shares)`)
  console.log(`deployed as ${id} into paper trading on ${symbols.join(" and ")} daily bars, ${first} .. ${last}${parquet ? " (from Parquet)" : ""}\n`)

  await paper.startSimulation(id)
  const bar = new SingleBar(
    { format: "paper trading |{bar}| {percentage}% | {value}/{total} days | {date}", hideCursor: true, noTTYOutput: true, notTTYSchedule: 1000 },
    Presets.shades_classic
  )
  const started = performance.now()
  bar.start(timeline.length, 0, { date: first })
  for (let i = 0; i < timeline.length; i += batchSize) {
    const batch = timeline.slice(i, i + batchSize)
    await paper.processMarketUpdates(id, batch) // one durable journal write per batch
    bar.update(i + batch.length, { date: new Date(batch.at(-1)!.time).toISOString().slice(0, 10) })
  }
  bar.stop()
  const seconds = (performance.now() - started) / 1000

  const status = await paper.getSimulationStatus(id)
  const results = await paper.stopSimulation(id)
  console.log(
    `\n${results.updates} updates in ${seconds.toFixed(2)} s (journaled in batches of ${batchSize}); ` +
      `${results.orders.total} orders (${results.orders.rejected} rejected), ${results.fills} fills\n`
  )
  console.log(resultsTable(results))
  for (const p of status.positions) console.log(`position at the end: ${p.quantity} ${p.symbol} at ${Number(p.averageCost).toFixed(4)}, marked ${p.marketPrice}`)

  const count = (await paper.listSimulations()).length
  console.log(`\nresults (metrics, ${results.trades.length} trades, ${results.equityCurve.length}-point equity curve, config, model):`)
  console.log(`  ${shown(`${store.artifactsDir}/${results.resultsArtifact}`)}`)
  console.log(`deployment record: ${shown(deployments.recordPath(id))}`)
  console.log(`store: ${shown(store.storageRoot)}/ (${count} deployment${count === 1 ? "" : "s"} so far; simulations in ${shown(paper.storeDirectory)})`)
  const report = await writeHtmlReport(`${storageRoot}/reports/${id}.html`, results)
  console.log(`\nreport: ${shown(report)} (open it in a browser: equity, drawdown, exposure, trades, metrics)`)
} catch (e) {
  console.error(`\n${e instanceof Error ? e.message : String(e)}`)
  process.exitCode = 1
} finally {
  await paper.close()
}
