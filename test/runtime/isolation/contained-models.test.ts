// Issue 9, item 11: a user model that loops forever or allocates without bound is that model's
// failure, with a typed cause naming the budget; every other simulation in the process is served
// while it happens and after. Through the public deployer, with real module files.
import { Schedule } from "effect"
import { describe, expect, it, vi } from "vitest"
import type { PaperTradingDeployer } from "../../../src/deploy/paper-trading-deployer.ts"
import type { ModelRegistry } from "../../../src/deploy/model-registry.ts"
import { isolationThreads } from "../../../src/runtime/isolation/index.ts"
import { useStacks } from "../../deploy/deployer-fixtures.ts"
import { useTempDirs } from "../../deploy/helpers.ts"
import { hogsAtPrice, loopsAtPrice, viewTrader, writeModule } from "./model-modules.ts"

const tempDir = useTempDirs()
const stack = useStacks()

const DAY = 86_400_000
const START = Date.UTC(2024, 0, 2)
const config = { symbols: ["AAA"], updateFrequency: "1d", maxPositionSize: 1, dailyStopLoss: null } as const
const loopLimits = { timeBudgetMs: 200, memoryBoundMb: 64 }
// The well-behaved models get time enough that a loaded machine never makes them miss it.
const roomyLimits = { timeBudgetMs: 10_000, memoryBoundMb: 64 }

/** One daily AAA bar per close, opening at the previous close. */
const barsOf = (closes: ReadonlyArray<number>) =>
  closes.map((close, i) => {
    const open = closes[i - 1] ?? close
    return { time: START + i * DAY, bars: { AAA: { open, high: Math.max(open, close) + 0.5, low: Math.min(open, close) - 0.5, close } } }
  })

// 103 comes once, on the third update: the misbehaving models break there and nowhere else.
const breakingCloses = [100, 101, 103, 102, 104, 99, 98, 100.5, 101.5, 97]
const waveCloses = (n: number) => Array.from({ length: n }, (_, i) => Math.round((100 + 6 * Math.sin(i / 2)) * 100) / 100)

const deployStarted = async (paper: PaperTradingDeployer, modelId: string) => {
  const id = await paper.deployToPaperTrading({ modelId, modelVersion: "v1", simulationConfig: config })
  await paper.startSimulation(id)
  return id
}

/** Feeds updates one call at a time; every one must be applied. */
const feedAll = async (paper: PaperTradingDeployer, id: string, updates: ReadonlyArray<object>) => {
  for (const update of updates) expect((await paper.processMarketUpdate(id, update as never)).applied).toBe(1)
}

/**
 * Feeds the misbehaving simulation. The third update breaks its model: that call fails with the
 * model's typed cause; the supervisor then restarts the model (a fresh worker) and the rest of the
 * updates go through.
 */
const feedBreaking = async (paper: PaperTradingDeployer, id: string, cause: RegExp) => {
  const updates = barsOf(breakingCloses)
  for (const [i, update] of updates.entries()) {
    if (i !== 2) {
      expect((await paper.processMarketUpdate(id, update)).applied).toBe(1)
      continue
    }
    const failure = await paper.processMarketUpdate(id, update).then(
      () => expect.fail("the model should have failed"),
      (e: unknown) => e
    )
    expect(failure).toMatchObject({ _tag: "ModelFailedError", applied: 1 })
    expect((failure as { cause: string }).cause).toMatch(cause)
    // The deployment's history keeps the cause (its status may be running again already).
    const { history } = await paper.deploymentManager.getDeployment(id)
    expect(history.find((h) => h.status === "failed")?.reason).toMatch(cause)
    await vi.waitFor(async () => expect((await paper.getSimulationStatus(id)).state).toBe("running"), { timeout: 20_000, interval: 20 })
  }
}

const registerContained = async (registry: ModelRegistry, dir: string) => {
  const module = (name: string, source: string) => writeModule(dir, name, source)
  await registry.registerModel({ modelId: "trader", version: "v1", module: await module("trader", viewTrader), isolation: roomyLimits })
  await registry.registerModel({ modelId: "held", version: "v1", kind: "buy-and-hold", params: { quantity: 10 } })
}

const expectServed = async (paper: PaperTradingDeployer, ids: ReadonlyArray<string>, updates: number) => {
  for (const id of ids) {
    const status = await paper.getSimulationStatus(id)
    expect(status).toMatchObject({ state: "running", reason: null, updates })
  }
}

describe("contained user models", () => {
  const restartSchedule = Schedule.spaced("5 millis").pipe(Schedule.upTo({ times: 3 }))

  it("a model stuck in a loop fails with the time budget as its cause; the other simulations are served while and after", async () => {
    const modules = await tempDir()
    const { registry, paper } = stack(await tempDir(), { supervisor: { restartSchedule } })
    await registry.registerModel({ modelId: "looper", version: "v1", module: await writeModule(modules, "looper", loopsAtPrice), isolation: loopLimits })
    await registerContained(registry, modules)
    const looper = await deployStarted(paper, "looper")
    const others = [await deployStarted(paper, "trader"), await deployStarted(paper, "held")]

    const during = barsOf(waveCloses(30))
    await Promise.all([
      feedBreaking(paper, looper, /^model threw: ModelTimeBudgetError: Model looper@v1 exceeded its time budget of 200 ms per update/),
      ...others.map((id) => feedAll(paper, id, during.slice(0, 20)))
    ])
    await Promise.all(others.map((id) => feedAll(paper, id, during.slice(20))))

    await expectServed(paper, others, 30)
    expect(await paper.getSimulationStatus(looper)).toMatchObject({ state: "running", reason: null, updates: breakingCloses.length })
  })

  it.each([
    ["JavaScript arrays", false],
    ["buffers outside the JavaScript heap", true]
  ])("a model that allocates %s without bound fails with the memory bound as its cause; the others carry on", async (_, buffers) => {
    const modules = await tempDir()
    const { registry, paper } = stack(await tempDir(), { supervisor: { restartSchedule } })
    await registry.registerModel({
      modelId: "hog",
      version: "v1",
      module: await writeModule(modules, "hog", hogsAtPrice),
      params: { buffers },
      // Time enough that the memory bound is what stops it.
      isolation: { timeBudgetMs: 30_000, memoryBoundMb: 64 }
    })
    await registerContained(registry, modules)
    const hog = await deployStarted(paper, "hog")
    const others = [await deployStarted(paper, "trader"), await deployStarted(paper, "held")]

    const during = barsOf(waveCloses(25))
    await Promise.all([
      feedBreaking(paper, hog, /^model threw: ModelMemoryBoundError: Model hog@v1 exceeded its memory bound of 64 MB/),
      ...others.map((id) => feedAll(paper, id, during.slice(0, 20)))
    ])
    await Promise.all(others.map((id) => feedAll(paper, id, during.slice(20))))
    await expectServed(paper, others, 25)
    expect(await paper.getSimulationStatus(hog)).toMatchObject({ state: "running", updates: breakingCloses.length })
  })

  it("past its restart schedule a looping model stays failed with its cause, and its worker is gone", async () => {
    const modules = await tempDir()
    const { registry, paper } = stack(await tempDir(), { supervisor: { restartSchedule: Schedule.recurs(0) } })
    await registry.registerModel({
      modelId: "looper",
      version: "v1",
      module: await writeModule(modules, "looper", loopsAtPrice),
      params: { loopAt: 100 },
      isolation: loopLimits
    })
    const looper = await deployStarted(paper, "looper")
    const failure = await paper.processMarketUpdate(looper, barsOf([100])[0]!).then(
      () => expect.fail("the model should have failed"),
      (e: unknown) => e
    )
    expect(failure).toMatchObject({ _tag: "ModelFailedError" })
    const status = await paper.getSimulationStatus(looper)
    expect(status.state).toBe("failed")
    expect(status.reason).toMatch(/exceeded its time budget of 200 ms per update/)
    await paper.stopSimulation(looper)
    await vi.waitFor(() => expect(isolationThreads().modelWorkers).toBe(0), { timeout: 10_000, interval: 20 })
  })

  it("a model's worker goes when its simulation stops, and every worker when the deployer closes; a restart starts only what runs", async () => {
    const modules = await tempDir()
    const root = await tempDir()
    const { registry, paper } = stack(root)
    await registerContained(registry, modules)
    const [a, b] = [await deployStarted(paper, "trader"), await deployStarted(paper, "trader")]
    const updates = barsOf(waveCloses(4))
    await feedAll(paper, a!, updates)
    await feedAll(paper, b!, updates)
    expect(isolationThreads()).toEqual({ hosts: 1, modelWorkers: 2 })

    await paper.stopSimulation(a!)
    await vi.waitFor(() => expect(isolationThreads()).toEqual({ hosts: 1, modelWorkers: 1 }), { timeout: 10_000, interval: 20 })
    await paper.close()
    await vi.waitFor(() => expect(isolationThreads()).toEqual({ hosts: 0, modelWorkers: 0 }), { timeout: 10_000, interval: 20 })

    // A new deployer over the same store: the running simulation gets a worker again, the stopped one none.
    const again = stack(root).paper
    expect((await again.getSimulationStatus(b!)).updates).toBe(4)
    await vi.waitFor(() => expect(isolationThreads()).toEqual({ hosts: 1, modelWorkers: 1 }), { timeout: 10_000, interval: 20 })
    await feedAll(again, b!, barsOf(waveCloses(6)).slice(4))
    await again.close()
    await vi.waitFor(() => expect(isolationThreads()).toEqual({ hosts: 0, modelWorkers: 0 }), { timeout: 10_000, interval: 20 })
  })
})
