// The seed's example, in TypeScript (`npm run example`): register a model, deploy it into paper
// trading on AAPL, GOOGL and MSFT, feed it last-price updates, look at the simulation while it
// runs, stop it and read the archived results. The prices are a seeded random walk, so every
// run sees the same ones.
//
// The updates are the seed's bare price maps. They carry no time, so the deployer stamps each
// with its clock: day orders and the daily stop-loss follow the real trading day.
import { relative } from "node:path"
import { DeploymentManager, LocalArtifactStore, ModelRegistry, PaperTradingDeployer, type SimulationConfigInput } from "../src/index.ts"
import { printMetrics } from "./metrics-table.ts"

const store = new LocalArtifactStore({ storageRoot: "./.paperfloor" })
const registry = new ModelRegistry({ artifactStore: store })
const deployments = new DeploymentManager({ modelRegistry: registry, artifactStore: store })
const paper = new PaperTradingDeployer({ deploymentManager: deployments, modelRegistry: registry, artifactStore: store })

// A model version: time-series momentum, 8% of equity in each symbol whose last 20 prices rose.
await registry.registerModel({ modelId: "my_model", version: "v1.0", kind: "momentum", params: { lookback: 20, threshold: 0, weight: 0.08 } })

const simulationConfig: SimulationConfigInput = {
  initialCapital: 100_000,
  commissionRate: 0.001,
  slippageRate: 0.0005,
  maxPositionSize: 0.1,
  dailyStopLoss: 0.02,
  enableShorting: false,
  symbols: ["AAPL", "GOOGL", "MSFT"],
  updateFrequency: "1min"
}

/** mulberry32: a small seeded PRNG, for prices that are the same on every run. */
const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
const random = prng(42)
const prices: Record<string, number> = { AAPL: 150, GOOGL: 2600, MSFT: 300 }
const tick = () => {
  for (const symbol of Object.keys(prices)) prices[symbol] = Math.round(prices[symbol]! * (1 + (random() - 0.49) * 0.004) * 100) / 100
  return { ...prices }
}

try {
  const id = await paper.deployToPaperTrading({ modelId: "my_model", modelVersion: "v1.0", simulationConfig })
  console.log(`deployed my_model v1.0 as ${id}`)
  await paper.startSimulation(id)

  await paper.processMarketUpdate(id, { AAPL: 150, GOOGL: 2600, MSFT: 300 })
  for (let i = 0; i < 199; i++) await paper.processMarketUpdate(id, tick())

  const status = await paper.getSimulationStatus(id)
  console.log(`\nafter ${status.updates} updates: ${status.state}, portfolio value ${Number(status.portfolioValue).toFixed(2)}, cash ${Number(status.cash).toFixed(2)}`)
  for (const p of status.positions) console.log(`  ${p.symbol}: ${p.quantity} shares at ${Number(p.averageCost).toFixed(2)}, marked ${p.marketPrice}`)
  console.log(`  open orders: ${status.openOrders.length}`)

  const results = await paper.stopSimulation(id)
  const m = results.metrics
  console.log(`\nstopped: ${results.fills} fills, ${m.totalTrades} closed trades, ${results.trades.filter((t) => t.open).length} open`)
  printMetrics(m)

  // The results are archived: any later process reads them back by the deployment id.
  const archived = await paper.getResults(id)
  console.log(`archived results: ${relative(process.cwd(), `${store.artifactsDir}/${archived.resultsArtifact}`)}`)
  console.log(`deployment record: ${relative(process.cwd(), deployments.recordPath(id))}`)
} catch (e) {
  console.error(e instanceof Error ? e.message : String(e))
  process.exitCode = 1
} finally {
  await paper.close()
}
