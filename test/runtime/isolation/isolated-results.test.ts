// An isolated module model computes exactly what the same model computes in-process: the view it
// reads and the orders it returns cross the worker boundary without changing a digit, through a
// restart of the deployer (recovery replays journaled updates through a fresh worker) too.
import { pathToFileURL } from "node:url"
import { describe, expect, it } from "vitest"
import type { ModelKind } from "../../../src/deploy/model-kind.ts"
import type { PaperTradingDeployer } from "../../../src/deploy/paper-trading-deployer.ts"
import { isolationThreads } from "../../../src/runtime/isolation/index.ts"
import { readRecord } from "../../../src/runtime/record-codec.ts"
import { dumpLevel, useStacks } from "../../deploy/deployer-fixtures.ts"
import { useTempDirs } from "../../deploy/helpers.ts"
import { viewTrader, writeModule } from "./model-modules.ts"

const tempDir = useTempDirs()
const stack = useStacks()

const DAY = 86_400_000
const START = Date.UTC(2024, 0, 2)
const config = { symbols: ["AAA"], updateFrequency: "1d", maxPositionSize: 1, dailyStopLoss: null, commissionRate: 0.0013 } as const

// Closes with long decimals, so that any rounding on the way through a worker would show.
const updates = Array.from({ length: 60 }, (_, i) => {
  const close = (100 + 7 * Math.sin(i / 3) + i / 7).toFixed(4)
  const open = (100 + 7 * Math.sin((i - 1) / 3) + (i - 1) / 7).toFixed(4)
  const [high, low] = [Math.max(Number(open), Number(close)) + 0.37, Math.min(Number(open), Number(close)) - 0.41]
  return { time: START + i * DAY, bars: { AAA: { open, high: high.toFixed(4), low: low.toFixed(4), close } } }
})

/** The simulation's last snapshot (its engine and its model's state) as stored, read with the deployer closed. */
const lastSnapshot = async (paper: PaperTradingDeployer, id: string) => {
  await paper.close()
  const [key, value] = (await dumpLevel(paper.storeDirectory)).filter(([k]) => k.startsWith(`snapshot:${id}:`)).at(-1)!
  const read = readRecord(key, value)
  if (!("body" in read)) throw new Error(read.problem)
  return JSON.stringify((read.body as { instance: unknown }).instance)
}

const feed = async (paper: PaperTradingDeployer, id: string, batch: ReadonlyArray<object>) => {
  for (const update of batch) await paper.processMarketUpdate(id, update as never)
}

describe("an isolated module model", () => {
  it("gives byte-identical results to the same model in-process, across a restart of the deployer", async () => {
    const modulePath = await writeModule(await tempDir(), "trader", viewTrader)
    const { modelKind } = (await import(pathToFileURL(modulePath).href)) as { modelKind: ModelKind }

    // In-process: the same kind, registered in code, in one uninterrupted run.
    const inProcess = stack(await tempDir(), { kinds: [modelKind] })
    await inProcess.registry.registerModel({ modelId: "trader", version: "v1", kind: "view-trader", params: { fraction: 0.3 } })
    const referenceId = await inProcess.paper.deployToPaperTrading({ modelId: "trader", modelVersion: "v1", simulationConfig: config })
    await inProcess.paper.startSimulation(referenceId)
    await feed(inProcess.paper, referenceId, updates)
    const reference = await inProcess.paper.stopSimulation(referenceId)
    expect(reference.fills).toBeGreaterThan(5)
    expect(reference.trades.length).toBeGreaterThan(2)
    expect(reference.orders.expired).toBeGreaterThan(0)
    expect(isolationThreads().modelWorkers).toBe(0)

    // Isolated: the module, run in a worker; the deployer closes midway and a new one resumes,
    // replaying journaled updates (snapshots every 7) through a fresh worker.
    const root = await tempDir()
    const first = stack(root, { supervisor: { snapshotEvery: 7 } })
    await first.registry.registerModel({ modelId: "trader", version: "v1", module: modulePath, params: { fraction: 0.3 } })
    const id = await first.paper.deployToPaperTrading({ modelId: "trader", modelVersion: "v1", simulationConfig: config })
    expect(id).toBe(referenceId)
    await first.paper.startSimulation(id)
    await feed(first.paper, id, updates.slice(0, 31))
    expect(isolationThreads().modelWorkers).toBe(1)
    await first.paper.close()

    const second = stack(root, { supervisor: { snapshotEvery: 7 } })
    await feed(second.paper, id, updates.slice(31))
    const isolated = await second.paper.stopSimulation(id)

    expect(JSON.stringify(isolated)).toBe(JSON.stringify(reference))
    // The model's state as well: what it read of the view went into it.
    expect(await lastSnapshot(second.paper, id)).toBe(await lastSnapshot(inProcess.paper, referenceId))
  })
})
