// The runtime benchmarks' workload (bench/runtime-bench.ts, bench/postgres-store-bench.ts): an
// idle model's simulations fed two-symbol updates through the supervisor.
import { Effect } from "effect"
import type { TradingModel } from "../src/engine/trading-model.ts"
import type { SimulationInput, SimulationSupervisor } from "../src/runtime/index.ts"

/** A model that only watches: the benchmarks measure the runtime, not a strategy. */
export const idle: TradingModel = { initialState: null, onUpdate: (state) => ({ state }) }
const config = { symbols: ["A", "B"], dailyStopLoss: null }
const firstTime = Date.UTC(2024, 0, 2, 14, 30)

/** Update i of simulation k: two symbols' last prices, a minute apart. */
const update = (k: number, i: number): SimulationInput => ({
  type: "marketUpdate",
  update: { time: firstTime + i * 60_000, prices: { A: 100 + ((i * 7 + k) % 13), B: 50 + (i % 5) } }
})

export const ids = (n: number) => Array.from({ length: n }, (_, k) => `s${k}`)

/** Feeds `count` updates to a simulation in batches of `batch` (a batch is one mailbox message). */
export const feed = (supervisor: SimulationSupervisor["Service"], id: string, k: number, count: number, batch: number) =>
  Effect.gen(function* () {
    for (let i = 0; i < count; i += batch) {
      const inputs: SimulationInput[] = []
      for (let j = i; j < Math.min(count, i + batch); j++) inputs.push(update(k, j))
      yield* supervisor.submit(id, inputs)
    }
  })

/** Creates a simulation of the idle model (catalogued as "idle") and starts it. */
export const createStarted = (supervisor: SimulationSupervisor["Service"], id: string) =>
  Effect.andThen(supervisor.create({ id, config, model: { kind: "idle" } }), supervisor.send(id, { type: "start" }))
