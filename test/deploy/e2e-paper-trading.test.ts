// The seed's flow end to end through the Promise API, and a process restart in the middle of a
// simulation through the deployer: the same results as a run that never stopped.
import { readFile } from "node:fs/promises"
import { describe, expect, it } from "vitest"
import { defaultSimulationConfig, type SimulationConfigInput } from "../../src/domain/simulation-config.ts"
import { useTempDirs } from "./helpers.ts"
import { orclAndNvdaDays, seedPrices, steppingClock, useStacks } from "./deployer-fixtures.ts"

const tempDir = useTempDirs()
const stack = useStacks()

const seedConfig: SimulationConfigInput = {
  initialCapital: 100000,
  commissionRate: 0.001,
  slippageRate: 0.0005,
  maxPositionSize: 0.1,
  dailyStopLoss: 0.02,
  enableShorting: false,
  symbols: ["AAPL", "GOOGL", "MSFT"],
  updateFrequency: "1min"
}

describe("paper trading, end to end", () => {
  it("the seed's flow: register → deploy → start → updates → status → stop → results, read back by fresh instances", async () => {
    const root = await tempDir()
    const T0 = Date.UTC(2024, 0, 2, 14, 30)
    const { store, registry, deployments, paper } = stack(root, { now: steppingClock(T0) })

    await registry.registerModel({ modelId: "my_model", version: "v1.0", kind: "moving-average-crossover", params: { fast: 2, slow: 4, quantity: 10 } })
    const id = await paper.deployToPaperTrading({ modelId: "my_model", modelVersion: "v1.0", simulationConfig: seedConfig })
    expect(id).toBe("paper-my_model-1")
    expect((await paper.getSimulationStatus(id)).state).toBe("deployed")

    await paper.startSimulation(id)
    const started = await paper.getSimulationStatus(id)
    expect(started).toMatchObject({ deploymentId: id, state: "running", portfolioValue: "100000", cash: "100000", positions: [], openOrders: [], updates: 0 })

    // The seed's bare price maps: the deployer stamps each with its clock, one minute apart here.
    await paper.processMarketUpdate(id, { AAPL: 150, GOOGL: 2600, MSFT: 300 })
    const prices = seedPrices(59, 1)
    let receipt
    for (const update of prices) receipt = await paper.processMarketUpdate(id, update)
    expect(receipt).toEqual({ deploymentId: id, applied: 1, state: "running", reason: null, updates: 60 })

    const status = await paper.getSimulationStatus(id)
    expect(status.state).toBe("running")
    expect(status.updates).toBe(60)
    expect(status.lastUpdateTime).toBe(T0 + 59 * 60_000)
    expect(Number(status.portfolioValue)).toBeGreaterThan(0)
    expect(typeof status.cash).toBe("string")
    expect(Array.isArray(status.openOrders)).toBe(true)

    const results = await paper.stopSimulation(id)
    expect(results).toMatchObject({ deploymentId: id, environment: "paper", modelId: "my_model", modelVersion: "v1.0", state: "stopped", updates: 60 })
    expect(results.model).toEqual({ kind: "my_model@v1.0", params: { fast: 2, slow: 4, quantity: 10 } })
    // The config as validated, every default filled in.
    expect(results.config).toEqual({ ...defaultSimulationConfig, ...seedConfig, initialCapital: "100000" })
    expect(results.fills).toBeGreaterThanOrEqual(4)
    expect(results.trades.filter((t) => !t.open).length).toBeGreaterThanOrEqual(2)
    expect(results.trades.every((t) => t.symbol === "AAPL")).toBe(true)
    expect(results.metrics.periods).toBe(60)
    expect(results.metrics.totalTrades).toBe(results.trades.filter((t) => !t.open).length)
    expect(results.equityCurve.map((p) => p.time)).toEqual(Array.from({ length: 60 }, (_, i) => T0 + i * 60_000))
    expect(results.equityCurve.at(-1)!.equity).toBeCloseTo(Number(results.metrics.finalEquity), 6)

    // Archived: the artifact holds exactly these results, and the record points at it.
    const { resultsArtifact, ...archivedJson } = results
    const artifact = await store.get(resultsArtifact)
    expect(JSON.parse(artifact.content.toString("utf8"))).toEqual(archivedJson)
    expect(artifact.ref.contentType).toBe("application/json")
    const record = await deployments.getDeployment(id)
    expect(record).toMatchObject({ id, environment: "paper", modelId: "my_model", modelVersion: "v1.0", status: "stopped", resultsArtifact })
    expect(record.history.map((h) => h.status)).toEqual(["deployed", "running", "stopped"])
    expect(JSON.parse(await readFile(deployments.recordPath(id), "utf8"))).toMatchObject({ format: 1, id, status: "stopped" })
    expect(await paper.getResults(id)).toEqual(results)
    await paper.close()

    // A restart: new instances over the same root read everything back.
    const later = stack(root)
    expect(await later.paper.getResults(id)).toEqual(results)
    expect((await later.paper.listSimulations()).map((r) => [r.id, r.status, r.resultsArtifact])).toEqual([[id, "stopped", resultsArtifact]])
    const recovered = await later.paper.getSimulationStatus(id)
    expect(recovered).toMatchObject({ state: "stopped", updates: 60, portfolioValue: results.portfolio.portfolioValue, openOrders: [] })
    // Ids count the deployments there are: the next one is the second.
    expect(await later.paper.deployToPaperTrading({ modelId: "my_model", modelVersion: "v1.0" })).toBe("paper-my_model-2")
  })

  it("a restart in the middle of a simulation gives the results of a run that never stopped (real ORCL and NVDA bars)", async () => {
    const days = await orclAndNvdaDays()
    const config: SimulationConfigInput = { symbols: ["ORCL", "NVDA"], updateFrequency: "1d", initialCapital: 100000 }
    const version = { modelId: "ma-crossover", version: "v1.0", kind: "moving-average-crossover", params: { fast: 10, slow: 30, quantity: 100 } }
    const feed = async (paper: ReturnType<typeof stack>["paper"], id: string, from: number, to: number) => {
      for (let i = from; i < to; i += 100) await paper.processMarketUpdates(id, days.slice(i, Math.min(i + 100, to)))
    }

    // Uninterrupted.
    const whole = stack(await tempDir())
    await whole.registry.registerModel(version)
    const wholeId = await whole.paper.deployToPaperTrading({ modelId: "ma-crossover", modelVersion: "v1.0", simulationConfig: config })
    await whole.paper.startSimulation(wholeId)
    await feed(whole.paper, wholeId, 0, days.length)
    const expected = await whole.paper.stopSimulation(wholeId)
    expect(expected.fills).toBe(341) // the engine-only demo's count on the same data

    // Interrupted: the first process feeds part of the bars (snapshots every 500 inputs, so the
    // restart restores a snapshot and replays the journal after it) and goes away mid-run.
    const root = await tempDir()
    const first = stack(root, { supervisor: { snapshotEvery: 500 } })
    await first.registry.registerModel(version)
    const id = await first.paper.deployToPaperTrading({ modelId: "ma-crossover", modelVersion: "v1.0", simulationConfig: config })
    await first.paper.startSimulation(id)
    const split = 2345
    await feed(first.paper, id, 0, split)
    const before = await first.paper.getSimulationStatus(id)
    await first.paper.close()

    // The next process: new objects over the same root, the simulation recovered where it was.
    const second = stack(root)
    const resumed = await second.paper.getSimulationStatus(id)
    expect(resumed).toEqual(before)
    expect(resumed.updates).toBe(split)
    await feed(second.paper, id, split, days.length)
    const results = await second.paper.stopSimulation(id)

    expect(id).toBe(wholeId)
    expect(JSON.stringify(results)).toBe(JSON.stringify(expected))
    expect(results.resultsArtifact).toBe(expected.resultsArtifact) // the same bytes archived
    expect((await second.deployments.getDeployment(id)).history.map((h) => h.status)).toEqual(["deployed", "running", "stopped"])
  })

  it("a restart between the seed's bare price updates: stamping goes on from the recovered last time, and the results are the same", async () => {
    const prices = seedPrices(80)
    const version = { modelId: "my_model", version: "v1.0", kind: "moving-average-crossover", params: { fast: 2, slow: 4, quantity: 10 } }
    // The clock runs over a midnight: the daily stop-loss and day orders see a new trading day.
    const T0 = Date.UTC(2024, 0, 2, 23, 20)

    const whole = stack(await tempDir(), { now: steppingClock(T0) })
    await whole.registry.registerModel(version)
    const wholeId = await whole.paper.deployToPaperTrading({ modelId: "my_model", modelVersion: "v1.0", simulationConfig: seedConfig })
    await whole.paper.startSimulation(wholeId)
    for (const p of prices) await whole.paper.processMarketUpdate(wholeId, p)
    const expected = await whole.paper.stopSimulation(wholeId)

    const root = await tempDir()
    const clock = steppingClock(T0)
    const first = stack(root, { now: clock })
    await first.registry.registerModel(version)
    const id = await first.paper.deployToPaperTrading({ modelId: "my_model", modelVersion: "v1.0", simulationConfig: seedConfig })
    await first.paper.startSimulation(id)
    for (const p of prices.slice(0, 37)) await first.paper.processMarketUpdate(id, p)
    await first.paper.close()
    const second = stack(root, { now: clock })
    for (const p of prices.slice(37)) await second.paper.processMarketUpdate(id, p)
    const results = await second.paper.stopSimulation(id)

    expect(results).toEqual(expected)
    expect(results.resultsArtifact).toBe(expected.resultsArtifact)
    expect(new Set(results.equityCurve.map((p) => new Date(p.time!).toISOString().slice(0, 10)))).toEqual(new Set(["2024-01-02", "2024-01-03"]))
  })
})
