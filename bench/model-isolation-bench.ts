// What running a user model in a worker thread costs, run in a fresh process by bench/index.ts:
//   node bench/model-isolation-bench.ts
// The same module models over the same updates, in-process (the kind's `create`) and isolated (the
// registry's factory: a worker under a time budget and a memory bound), interleaved in one process,
// medians of several runs. Two models: examples/models/trend-follower.ts (zod, imports the whole
// library, as a user's model does) and a pass-through that returns its state (the boundary alone).
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { LocalArtifactStore } from "../src/deploy/artifact-store.ts"
import type { ModelKind } from "../src/deploy/model-kind.ts"
import { ModelRegistry } from "../src/deploy/model-registry.ts"
import type { TradingModel } from "../src/engine/trading-model.ts"
import { isolationThreads, releaseModel } from "../src/runtime/isolation/index.ts"
import { SimulationInstance } from "../src/runtime/simulation-instance.ts"

const rounds = 7
const startups = 5
const workersForMemory = 8
const symbols = ["AAA", "BBB"]
const config = { symbols, updateFrequency: "1d" as const, maxPositionSize: 0.5, dailyStopLoss: null }

/** Daily bars of two symbols in waves, so that the trend follower trades. */
const updates = Array.from({ length: 5_000 }, (_, i) => ({
  time: Date.UTC(2000, 0, 3) + i * 86_400_000,
  bars: Object.fromEntries(
    symbols.map((symbol, k) => {
      const close = Math.round((100 + 20 * Math.sin(i / (40 + 17 * k)) + 5 * Math.sin(i / 7)) * 100) / 100
      return [symbol, { open: close - 0.3, high: close + 1, low: close - 1, close, volume: 1000 }]
    })
  )
}))

const passThrough = `export const modelKind = {
  kind: "pass-through",
  description: "returns its state: the cost of the boundary alone",
  paramsSchema: { "~standard": { version: 1, vendor: "bench", validate: (value) => ({ value: value ?? {} }) } },
  create: () => ({ initialState: 0, onUpdate: (n) => ({ state: n + 1 }) })
}
`

/** One run over every update in a fresh simulation: µs per update, and what it ended with (must match across runs). */
const run = (model: TradingModel) => {
  const instance = SimulationInstance.create(config, model)
  instance.apply({ type: "start" })
  const start = performance.now()
  for (const update of updates) instance.apply({ type: "marketUpdate", update })
  const micros = ((performance.now() - start) * 1000) / updates.length
  const engine = instance.engine
  return { micros, outcome: `${engine.status} ${engine.getFills().length} fills ${engine.getPortfolio().totalValue.toString()}` }
}

const median = (xs: ReadonlyArray<number>): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

const root = await mkdtemp(join(tmpdir(), "paperfloor-isolation-bench-"))
console.log(
  `model isolation (a module model in a worker thread vs the same model in-process; ${updates.length.toLocaleString("en-US")} daily updates ` +
    `of two symbols through a simulation, no store; medians of ${rounds} interleaved runs):`
)
try {
  const passThroughPath = join(root, "pass-through.mjs")
  await writeFile(passThroughPath, passThrough)
  const models = [
    { name: "trend-follower", path: fileURLToPath(new URL("../examples/models/trend-follower.ts", import.meta.url)), params: { window: 20, weight: 0.2 } },
    { name: "pass-through", path: passThroughPath, params: {} }
  ]
  const registry = new ModelRegistry({ artifactStore: new LocalArtifactStore({ storageRoot: join(root, "store") }) })
  for (const { name, path, params } of models) {
    const version = await registry.registerModel({ modelId: name, version: "v1", module: path, params })
    const factory = (await registry.catalog())[`${name}@v1`]!
    const { modelKind } = (await import(pathToFileURL(path).href)) as { modelKind: ModelKind }
    const inProcess = modelKind.create(version.params, {})

    // Starting a worker: importing the module and running create, once per simulation.
    const startMs: number[] = []
    for (let i = 0; i < startups; i++) {
      const start = performance.now()
      releaseModel(await factory(undefined))
      startMs.push(performance.now() - start)
    }
    const isolated = await factory(undefined)

    run(inProcess)
    run(isolated)
    const timed: Record<"inProcess" | "isolated", number[]> = { inProcess: [], isolated: [] }
    const outcomes = new Set<string>()
    for (let r = 0; r < rounds; r++) {
      // Alternate which goes first, so neither always runs on a warmer machine.
      const order = r % 2 === 0 ? (["inProcess", "isolated"] as const) : (["isolated", "inProcess"] as const)
      for (const which of order) {
        const { micros, outcome } = run(which === "inProcess" ? inProcess : isolated)
        timed[which].push(micros)
        outcomes.add(outcome)
      }
    }
    if (outcomes.size !== 1) throw new Error(`${name}: isolated and in-process runs differ: ${[...outcomes].join(" / ")}`)
    releaseModel(isolated)
    const inProcessMicros = median(timed.inProcess)
    const isolatedMicros = median(timed.isolated)
    console.log(
      `  ${name}: ${inProcessMicros.toFixed(1)} µs per update in-process, ${isolatedMicros.toFixed(1)} µs isolated ` +
        `(+${(isolatedMicros - inProcessMicros).toFixed(1)} µs); a worker starts in ${median(startMs).toFixed(0)} ms ` +
        `(runs: in-process ${timed.inProcess.map((x) => x.toFixed(1)).join(", ")}; isolated ${timed.isolated.map((x) => x.toFixed(1)).join(", ")})`
    )
  }

  // What each idle isolated simulation holds: its worker thread with the module loaded.
  const factory = (await registry.catalog())["trend-follower@v1"]!
  const before = process.memoryUsage().rss
  const held = []
  for (let i = 0; i < workersForMemory; i++) held.push(await factory(undefined))
  const rssPerWorkerBytes = (process.memoryUsage().rss - before) / workersForMemory
  const threads = isolationThreads()
  held.forEach(releaseModel)
  console.log(
    `  trend-follower: ${(rssPerWorkerBytes / 2 ** 20).toFixed(1)} MiB resident per isolated simulation ` +
      `(${workersForMemory} workers started: ${threads.modelWorkers} model workers and ${threads.hosts} host thread)`
  )
} finally {
  await rm(root, { recursive: true, force: true })
}
