// The runtime's benchmarks, each run in a fresh process by bench/index.ts:
//   node --expose-gc bench/runtime-bench.ts durable|recover|live
// Each prints one JSON line with its figures.
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import path from "node:path"
import { Effect, Layer } from "effect"
import { LevelDbStore, ModelCatalog, SimulationSupervisor, type SupervisorOptions } from "../src/runtime/index.ts"
import { createStarted, feed, idle, ids } from "./runtime-workload.ts"

/** The process's CPU time (all its threads, LevelDB's included) since `from`: on a loaded machine it swings less than the wall clock. */
const cpuSecondsSince = (from: NodeJS.CpuUsage): number => {
  const { user, system } = process.cpuUsage(from)
  return (user + system) / 1e6
}

const supervisorOn = (directory: string, options: SupervisorOptions = {}) =>
  SimulationSupervisor.layer(options).pipe(
    Layer.provide(Layer.merge(LevelDbStore.layer({ directory }), ModelCatalog.layer({ idle: () => idle })))
  )

const run = <A>(directory: string, program: Effect.Effect<A, unknown, SimulationSupervisor>, options?: SupervisorOptions) =>
  Effect.runPromise(Effect.scoped(Effect.provide(program, supervisorOn(directory, options))))

/** Durable throughput: updates acknowledged only once journaled with a synced write, across simulations. */
const durable = async (directory: string) => {
  const simulations = 100
  const perSimulation = 5_000
  const batch = 100
  return run(
    directory,
    Effect.gen(function* () {
      const supervisor = yield* SimulationSupervisor
      yield* Effect.forEach(ids(simulations), (id) => createStarted(supervisor, id), { concurrency: "unbounded" })
      const start = performance.now()
      const cpu = process.cpuUsage()
      yield* Effect.forEach(ids(simulations), (id, k) => feed(supervisor, id, k, perSimulation, batch), { concurrency: "unbounded" })
      const seconds = (performance.now() - start) / 1000
      return { simulations, perSimulation, batch, seconds, updatesPerSecond: (simulations * perSimulation) / seconds, cpuSeconds: cpuSecondsSince(cpu) }
    })
  )
}

/** Recovery: 1,000 simulations, each a snapshot plus 999 journaled updates, rebuilt at start. */
const recover = async (directory: string) => {
  const simulations = 1_000
  const snapshotEvery = 1_000
  const perSimulation = 1_999
  await run(
    directory,
    Effect.forEach(
      ids(simulations),
      (id, k) =>
        Effect.gen(function* () {
          const supervisor = yield* SimulationSupervisor
          yield* createStarted(supervisor, id)
          yield* feed(supervisor, id, k, perSimulation, 250)
        }),
      { concurrency: 50, discard: true }
    ),
    { snapshotEvery }
  )
  const start = performance.now()
  const cpu = process.cpuUsage()
  const recovered = await run(
    directory,
    Effect.map(SimulationSupervisor, (s) => s.recovered),
    { snapshotEvery }
  )
  const seconds = (performance.now() - start) / 1000
  const cpuSeconds = cpuSecondsSince(cpu)
  // The start input is entry 1 and batches are 250 updates: the snapshot lands at the first batch end ≥ snapshotEvery.
  let snapshotAt = 1
  while (snapshotAt < snapshotEvery) snapshotAt += 250
  const journaledUpdatesEach = perSimulation + 1 - snapshotAt
  return { simulations: recovered.length, journaledUpdatesEach, replayed: recovered.length * journaledUpdatesEach, seconds, cpuSeconds }
}

/** Memory: 10,000 live simulations, each started and fed a few updates, in one process. */
const live = async (directory: string) => {
  const simulations = 10_000
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc === undefined) throw new Error("run with --expose-gc")
  return run(
    directory,
    Effect.gen(function* () {
      const supervisor = yield* SimulationSupervisor
      gc()
      const before = process.memoryUsage()
      yield* Effect.forEach(
        ids(simulations),
        (id, k) => Effect.andThen(createStarted(supervisor, id), feed(supervisor, id, k, 10, 10)),
        { concurrency: 100, discard: true }
      )
      gc()
      const after = process.memoryUsage()
      return {
        simulations,
        rssBytes: after.rss,
        rssBytesPerSimulation: (after.rss - before.rss) / simulations,
        heapBytesPerSimulation: (after.heapUsed - before.heapUsed) / simulations
      }
    })
  )
}

const benches = { durable, recover, live } as const
const name = process.argv[2] as keyof typeof benches
const bench = benches[name]
if (bench === undefined) throw new Error(`usage: runtime-bench.ts ${Object.keys(benches).join("|")}`)
const directory = mkdtempSync(path.join(tmpdir(), `paperfloor-bench-${name}-`))
try {
  console.log(JSON.stringify(await bench(directory)))
} finally {
  rmSync(directory, { recursive: true, force: true })
}
