// The isolated model on its own: what a model does wrong reads the same as in-process (the same
// failure reason, the same last good state), what only a worker can do wrong is a typed failure,
// and a worker that broke is replaced on the next call.
import { execFile } from "node:child_process"
import { readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { promisify } from "node:util"
import { fileURLToPath, pathToFileURL } from "node:url"
import { afterEach, describe, expect, it, vi } from "vitest"
import { sha256Of } from "../../../src/deploy/artifact-store.ts"
import type { ModelKind } from "../../../src/deploy/model-kind.ts"
import { portfolioViewOf } from "../../../src/engine/model-driver.ts"
import type { TradingModel } from "../../../src/engine/trading-model.ts"
import { TradingSimulationEngine } from "../../../src/engine/trading-simulation-engine.ts"
import {
  type IsolatedModel,
  isolationThreads,
  ModelTimeBudgetError,
  ModelWorkerError,
  releaseModel,
  startIsolatedModel
} from "../../../src/runtime/isolation/index.ts"
import { SimulationInstance } from "../../../src/runtime/simulation-instance.ts"
import { rejection, useTempDirs } from "../../deploy/helpers.ts"
import { loopsAtPrice, writeModule } from "./model-modules.ts"

const tempDir = useTempDirs()
const started: IsolatedModel[] = []
afterEach(() => started.splice(0).forEach(releaseModel))

/** A model that does one thing wrong on its second update, chosen by `params.behaviour`; `create` may throw too. */
const misbehaving = `
export const modelKind = {
  kind: "misbehaving",
  description: "does one thing wrong on its second update",
  paramsSchema: { "~standard": { version: 1, vendor: "test", validate: (value) => ({ value }) } },
  create: (params, artifacts) => {
    if (params.behaviour === "createThrows") throw new Error("no model today")
    return {
      initialState: { n: 0, note: artifacts["note.txt"] === undefined ? null : artifacts["note.txt"].content.toString("utf8") },
      onUpdate(state, { quotes }) {
        const n = state.n + 1
        if (n === 2) {
          switch (params.behaviour) {
            case "throwError": throw new RangeError("out of range at " + quotes[0].close)
            case "throwString": throw "a bare string"
            case "throwObject": throw { code: 7 }
            case "null": return null
            case "ordersNotArray": return { state: { ...state, n }, orders: 5 }
            case "nanWeights": return { state: { ...state, n }, targetWeights: { AAA: Number.NaN } }
            case "dateState": return { state: { at: new Date(0) } }
            case "classState": return { state: new (class Point { constructor() { this.x = 1 } })() }
            case "bigintState": return { state: { n: 10n } }
            case "refusedOrder": return { state: { ...state, n }, orders: [{ symbol: "ZZZ", side: "buy", type: "market", quantity: 1 }] }
            case "functionInOrder": return { state: { ...state, n }, orders: [{ symbol: "AAA", side: "buy", type: "market", quantity: () => 1 }] }
            case "exit": if (quotes[0].close === 101.25) process.exit(3); break
          }
        }
        return { state: { ...state, n }, orders: n === 1 ? [{ symbol: "AAA", side: "buy", type: "market", quantity: 2 }] : [] }
      }
    }
  }
}
`

// Generous, so that a loaded machine never makes a well-behaved model miss it; the loop gets 200 ms.
const limits = { timeBudgetMs: 10_000, memoryBoundMb: 64 }
const note = { "note.txt": { name: "note.txt", sha256: sha256Of("hello"), size: 5, content: Buffer.from("hello") } }

const moduleOf = async (source: string) => {
  const path = await writeModule(await tempDir(), "model", source)
  return { path, sha256: sha256Of(await readFile(path)) }
}

const start = async (module: { path: string; sha256: string }, params: Record<string, unknown>, timeBudgetMs = limits.timeBudgetMs) => {
  const model = await startIsolatedModel({ label: "test@v1", module, params: params as never, artifacts: note, limits: { ...limits, timeBudgetMs } })
  started.push(model)
  return model
}

const updates = [100, 101.25, 102.5].map((close, i) => ({ time: Date.UTC(2024, 0, 2 + i), prices: { AAA: close } }))

/** Starts a simulation of the model and feeds it the updates: its status, reason and snapshot. */
const run = (model: TradingModel) => {
  const instance = SimulationInstance.create({ symbols: ["AAA"], updateFrequency: "1d" }, model)
  instance.apply({ type: "start" })
  for (const update of updates) instance.apply({ type: "marketUpdate", update })
  return { status: instance.engine.status, reason: instance.engine.statusReason, snapshot: JSON.stringify(instance.snapshot()) }
}

describe("an isolated model", () => {
  it.each(["throwError", "throwString", "throwObject", "null", "ordersNotArray", "nanWeights", "dateState", "classState", "bigintState", "refusedOrder", "none"])(
    "%s: the same failure reason and state as in-process",
    async (behaviour) => {
      const module = await moduleOf(misbehaving)
      const { modelKind } = (await import(pathToFileURL(module.path).href)) as { modelKind: ModelKind }
      const inProcess = run(modelKind.create({ behaviour }, note))
      expect(run(await start(module, { behaviour }))).toEqual(inProcess)
      expect(inProcess.status).toBe(behaviour === "none" ? "running" : "failed")
    }
  )

  it("passes artifacts as Buffers and builds its initial state in the worker", async () => {
    const model = await start(await moduleOf(misbehaving), { behaviour: "none" })
    expect(model.initialState).toEqual({ n: 0, note: "hello" })
  })

  it("an output the worker cannot send fails the model with a typed reason", async () => {
    const { status, reason } = run(await start(await moduleOf(misbehaving), { behaviour: "functionInOrder" }))
    expect(status).toBe("failed")
    expect(reason).toMatch(/^model threw: ModelWorkerError: Model test@v1 returned an output that cannot leave its worker: /)
  })

  it("a worker that exits fails the model, and the next call gets a fresh worker", async () => {
    const model = await start(await moduleOf(misbehaving), { behaviour: "exit" })
    const instance = SimulationInstance.create({ symbols: ["AAA"], updateFrequency: "1d" }, model)
    instance.apply({ type: "start" })
    instance.apply({ type: "marketUpdate", update: updates[0]! })
    instance.apply({ type: "marketUpdate", update: updates[1]! })
    expect(instance.engine.status).toBe("failed")
    expect(instance.engine.statusReason).toBe("model threw: ModelWorkerError: Model test@v1 stopped: its worker exited with code 3")
    instance.apply({ type: "restart" })
    instance.apply({ type: "marketUpdate", update: updates[2]! })
    expect(instance.engine.status).toBe("running")
    expect(instance.snapshot().modelState).toEqual({ n: 2, note: "hello" })
  })

  it("a call past the time budget throws ModelTimeBudgetError, and the loop is stopped", async () => {
    const model = await start(await moduleOf(loopsAtPrice), { symbol: "AAA", loopAt: 100 }, 200)
    const view = portfolioViewOf(new TradingSimulationEngine({ symbols: ["AAA"] }))
    const quote = { symbol: "AAA", open: 100, high: 100, low: 100, close: 100, source: { open: 100, high: 100, low: 100, close: 100 } }
    let thrown: unknown
    try {
      model.onUpdate(0, { time: 0, quotes: [quote], view })
    } catch (e) {
      thrown = e
    }
    expect(thrown).toBeInstanceOf(ModelTimeBudgetError)
    expect(thrown).toMatchObject({ model: "test@v1", timeBudgetMs: 200, message: "Model test@v1 exceeded its time budget of 200 ms per update" })
    // The looping worker is terminated; a fresh one is started for the next call.
    await vi.waitFor(() => expect(isolationThreads().modelWorkers).toBe(1), { timeout: 10_000, interval: 20 })
  })

  it("refuses to start from a module that changed, or whose create throws, with the reason", async () => {
    const module = await moduleOf(misbehaving)
    const changed = await rejection(start({ ...module, sha256: sha256Of("something else") }, { behaviour: "none" }))
    expect(changed).toBeInstanceOf(ModelWorkerError)
    expect(changed.message).toMatch(/^Model test@v1 could not start: its module .* changed since the version was registered/)
    const threw = await rejection(start(module, { behaviour: "createThrows" }))
    expect(threw).toBeInstanceOf(ModelWorkerError)
    expect(threw.message).toBe("Model test@v1 could not start: create threw Error: no model today")
  })

  it("what the model writes to the console reaches the process's output, and nothing of it keeps the process alive", async () => {
    const dir = await tempDir()
    const module = await moduleOf(`export const modelKind = {
      kind: "chatty", description: "logs", paramsSchema: {},
      create: () => ({ initialState: 0, onUpdate: (n) => { console.log("update " + n); console.error("note " + n); return { state: n + 1 } } })
    }`)
    const isolation = pathToFileURL(fileURLToPath(new URL("../../../src/runtime/isolation/index.ts", import.meta.url))).href
    const instance = pathToFileURL(fileURLToPath(new URL("../../../src/runtime/simulation-instance.ts", import.meta.url))).href
    const script = join(dir, "chatty.mts")
    await writeFile(
      script,
      `import { startIsolatedModel } from ${JSON.stringify(isolation)}
import { SimulationInstance } from ${JSON.stringify(instance)}
const model = await startIsolatedModel(${JSON.stringify({ label: "chatty@v1", module, params: {}, artifacts: {}, limits })})
const simulation = SimulationInstance.create({ symbols: ["AAA"], updateFrequency: "1d" }, model)
simulation.apply({ type: "start" })
for (let i = 0; i < 3; i++) simulation.apply({ type: "marketUpdate", update: { time: Date.UTC(2024, 0, 2 + i), prices: { AAA: 100 } } })
await new Promise((resolve) => setTimeout(resolve, 300))
console.log("keeping the process alive: " + JSON.stringify(process.getActiveResourcesInfo().filter((r) => r !== "PipeWrap")))
`
    )
    // No release at the end: the workers must not keep the process alive.
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [script], { timeout: 30_000 })
    expect(stdout).toContain("keeping the process alive: []")
    expect(stdout.split("\n").filter((l) => l.startsWith("update"))).toEqual(["update 0", "update 1", "update 2"])
    expect(stderr.split("\n").filter((l) => l.startsWith("note"))).toEqual(["note 0", "note 1", "note 2"])
  })

  it("releasing every model ends every thread", async () => {
    const module = await moduleOf(misbehaving)
    const models = [await start(module, { behaviour: "none" }), await start(module, { behaviour: "none" })]
    await vi.waitFor(() => expect(isolationThreads()).toEqual({ hosts: 1, modelWorkers: 2 }), { timeout: 10_000, interval: 20 })
    models.forEach(releaseModel)
    await vi.waitFor(() => expect(isolationThreads()).toEqual({ hosts: 0, modelWorkers: 0 }), { timeout: 10_000, interval: 20 })
  })
})
