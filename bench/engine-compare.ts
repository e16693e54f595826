/**
 * The replay benchmark (bench/paperfloor-runner.ts's crossover over 1M bars) for the engine at an
 * earlier commit against the engine in this tree, in one process with the runs interleaved (or, with
 * `--processes`, in alternating processes of their own), so that both see the same machine load.
 * Prints each side's median seconds, of wall time and of the process's CPU time: on a shared
 * machine a run's wall time also counts the time other processes held the cores, and its CPU time
 * does not.
 *
 *   node bench/engine-compare.ts [commit] [runs] [--per-order] [--per-bar] [--synthetic] [--processes]
 *
 * `--per-order`: instead of the crossover, the cost of one order: 100,000 ORCL bars with a market
 * order after every bar (buy 100 when flat, else sell the position) against the same bars without
 * orders, each engine's (orders run − bars run) ÷ orders in CPU time, and the ratio; and the same
 * in the main thread's CPU time alone.
 *
 * `--per-bar`: instead of the crossover, the cost of one bar without orders: the 1M bars alone, and
 * the same bars holding one position bought on the first (valued on every bar after), each
 * engine's CPU time per bar, and the ratios.
 *
 * `--synthetic`: the seeded random walk of full-precision doubles (bench/synthetic-bars.ts) in
 * place of the ORCL series, where every Decimal is 17 digits long; with `--per-order`, the orders
 * are the crossover's on 300,000 of its bars (a market order on every bar would mostly be refused
 * there: 100 shares at about 100 pass the position limit only while equity stays above 100,000).
 *
 * Each run starts on a clean heap (a full collection first): otherwise a run pays for the previous
 * run's garbage, and which side ran second decides more than the engines do.
 *
 * `--processes`: each side in processes of its own, alternating (before, after, after, before, …),
 * each warming its engine up and timing one run of every workload. In one process the two engines
 * share the libraries they import, and with them the libraries' compiled code and allocation sites:
 * a change to how the engine uses a library (decimal.js's digit arrays, say) then shows on both
 * sides, or on neither. Slower to settle (a fresh process per run), so take more runs.
 *
 * The earlier engine is read with `git archive` into a temporary directory that links this tree's
 * node_modules; its sources run as they are, like this tree's.
 */
import { execFileSync } from "node:child_process"
import { rmSync } from "node:fs"
import os from "node:os"
import path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { MovingAverageCrossover } from "../examples/strategies/moving-average-crossover.ts"
import { loadOhlcvCsv } from "../src/data/ohlcv-csv.ts"
import type { TradingSimulationEngine } from "../src/index.ts"
import { type BenchBar, makeBenchmarkBars } from "./bars.ts"
import { crossoverRules } from "./crossover-peers.ts"
import { makeFullPrecisionBars } from "./synthetic-bars.ts"
import { collectGarbage } from "./collect-garbage.ts"
import { repositoryRoot, treeAtCommit } from "./tree-at-commit.ts"

type EngineClass = typeof TradingSimulationEngine

const root = repositoryRoot
const commit = process.argv[2] ?? "HEAD"
const runs = Number(process.argv[3] ?? 7)
const perOrder = process.argv.includes("--per-order")
const perBar = process.argv.includes("--per-bar")
const synthetic = process.argv.includes("--synthetic")
const separate = process.argv.includes("--processes")
/** Set in a child of `--processes`: the directory of the engine it runs ("." for this tree's). */
const childOf = process.argv.find((a) => a.startsWith("--child="))?.slice("--child=".length)

/** What runs after each bar: the crossover, a market order every bar, nothing (the bars alone), or one buy after the first bar (a held position). */
type Workload = "crossover" | "everyBar" | "barsOnly" | "holding"


const cpuSeconds = (): number => {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1e6
}

/** The main thread's CPU time alone: the process's also counts the collector's helper threads, which the load on a shared machine sways most. */
const threadSeconds = (): number => {
  const { user, system } = process.threadCpuUsage()
  return (user + system) / 1e6
}

const replay = (Engine: EngineClass, bars: ReadonlyArray<BenchBar>, workload: Workload): { seconds: number; cpuSeconds: number; threadSeconds: number; fills: number; trades: number; equity: string } => {
  const start = performance.now()
  const cpuStart = cpuSeconds()
  const threadStart = threadSeconds()
  const engine = new Engine({
    symbols: ["ORCL"],
    initialCapital: crossoverRules.initialCapital,
    commissionRate: crossoverRules.commissionRate,
    slippageRate: 0,
    updateFrequency: "1d"
  })
  const strategy = new MovingAverageCrossover("ORCL", { fast: crossoverRules.fastPeriod, slow: crossoverRules.slowPeriod, quantity: crossoverRules.quantity })
  let first = true
  for (const bar of bars) {
    engine.processMarketUpdate({ time: bar.time, bars: { ORCL: bar } })
    if (workload === "crossover") strategy.onClose(engine, bar.close)
    else if (workload === "holding") {
      if (first) engine.submitOrder({ symbol: "ORCL", side: "buy", type: "market", quantity: crossoverRules.quantity })
      first = false
    }
    else if (workload === "everyBar") {
      const position = engine.positionOf("ORCL")
      engine.submitOrder(position.isZero() ? { symbol: "ORCL", side: "buy", type: "market", quantity: 100 } : { symbol: "ORCL", side: "sell", type: "market", quantity: position })
    }
  }
  const seconds = (performance.now() - start) / 1000
  const cpu = cpuSeconds() - cpuStart
  return { seconds, cpuSeconds: cpu, threadSeconds: threadSeconds() - threadStart, fills: engine.getFills().length, trades: engine.getTrades().length, equity: engine.getPortfolio().totalValue.toString() }
}

const median = (xs: ReadonlyArray<number>): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

const ordersWorkload: Workload = synthetic ? "crossover" : "everyBar"
const workloads: ReadonlyArray<Workload> = perOrder ? [ordersWorkload, "barsOnly"] : perBar ? ["barsOnly", "holding"] : ["crossover"]
const count = perOrder ? (synthetic ? 300_000 : 100_000) : 1_000_000
const loadBars = async (): Promise<BenchBar[]> =>
  synthetic ? makeFullPrecisionBars(count) : makeBenchmarkBars(await loadOhlcvCsv(path.join(root, "examples/data/orcl-1995-2014.txt")), count)
const engineAt = async (dir: string): Promise<EngineClass> =>
  ((await import(dir === "." ? "../src/index.ts" : pathToFileURL(path.join(dir, "src/index.ts")).href)) as { TradingSimulationEngine: EngineClass }).TradingSimulationEngine
type Replayed = ReturnType<typeof replay>

/** A child of `--processes`: warms its engine up on every workload, times one run of each on a clean heap, prints them as JSON. */
const runChild = async (dir: string): Promise<void> => {
  const Engine = await engineAt(dir)
  const bars = await loadBars()
  const gc = collectGarbage()
  for (const workload of workloads) replay(Engine, bars.slice(0, 100_000), workload)
  const timed: Record<string, Replayed> = {}
  for (const workload of workloads) {
    gc()
    timed[workload] = replay(Engine, bars, workload)
  }
  console.log(JSON.stringify(timed))
}

if (childOf !== undefined) {
  await runChild(childOf)
  process.exit(0)
}

const dir = treeAtCommit(commit, ["src", "machines"])
try {
  const engines = [
    { name: `before (${commit})`, dir, Engine: separate ? null : await engineAt(dir) },
    { name: "after (this tree)", dir: ".", Engine: separate ? null : await engineAt(".") }
  ]
  const sides = engines.flatMap((e) => workloads.map((workload) => ({ ...e, workload, seconds: [] as number[], cpuSeconds: [] as number[], threadSeconds: [] as number[], fills: 0, result: "" })))
  const record = (side: (typeof sides)[number], r: Replayed) => {
    side.seconds.push(r.seconds)
    side.cpuSeconds.push(r.cpuSeconds)
    side.threadSeconds.push(r.threadSeconds)
    side.fills = r.fills
    side.result = `${r.fills} fills, ${r.trades} trades, final equity ${r.equity}`
  }
  const flags = process.argv.slice(2).filter((a) => a.startsWith("--") && a !== "--processes")
  // The parent reads the bars too, for the counts it prints.
  const bars = await loadBars()
  if (separate)
    for (let i = 0; i < runs; i++)
      // Alternate which side goes first, so that neither always runs second.
      for (const engine of i % 2 === 0 ? engines : [...engines].reverse()) {
        const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), commit, "1", ...flags, `--child=${engine.dir}`], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 })
        const timed = JSON.parse(out.trim().split("\n").at(-1)!) as Record<string, Replayed>
        for (const side of sides) if (side.name === engine.name) record(side, timed[side.workload]!)
      }
  else {
    const gc = collectGarbage()
    for (const side of sides) replay(side.Engine!, bars.slice(0, 100_000), side.workload)
    for (let i = 0; i < runs; i++) {
      // Alternate which side goes first, so that neither always runs second.
      for (const side of i % 2 === 0 ? sides : [...sides].reverse()) {
        gc()
        record(side, replay(side.Engine!, bars, side.workload))
      }
    }
  }
  for (const workload of workloads) {
    const [b, a] = sides.filter((side) => side.workload === workload)
    if (b!.result !== a!.result) throw new Error(`the engines disagree (${workload}): ${b!.result} vs ${a!.result}`)
  }
  const runsOf = (xs: ReadonlyArray<number>) => xs.map((s) => s.toFixed(3)).join(", ")
  for (const side of sides) {
    const m = median(side.seconds)
    console.log(`${side.name}, ${side.workload}: median ${m.toFixed(3)} s (${((bars.length / m) / 1e6).toFixed(2)} M bars/s); runs ${runsOf(side.seconds)}`)
    console.log(`  CPU time: median ${median(side.cpuSeconds).toFixed(3)} s; runs ${runsOf(side.cpuSeconds)}`)
  }
  const load = `load average ${os.loadavg()[0]!.toFixed(1)}`
  const cpu = (name: string, workload: Workload) => median(sides.find((side) => side.name === name && side.workload === workload)!.cpuSeconds)
  const wall = (name: string, workload: Workload) => median(sides.find((side) => side.name === name && side.workload === workload)!.seconds)
  const [b, a] = engines.map((e) => e.name) as [string, string]
  if (perOrder) {
    // Per filled order, as bench/order-cost-bench.ts counts them (the order after the last bar never fills).
    const fills = sides.find((side) => side.workload === ordersWorkload)!.fills
    const micros = (name: string) => ((cpu(name, ordersWorkload) - cpu(name, "barsOnly")) / fills) * 1e6
    console.log(`per order (CPU): before ${micros(b).toFixed(2)} µs, after ${micros(a).toFixed(2)} µs: after / before ${(micros(a) / micros(b)).toFixed(3)}; per bar without orders ${((cpu(b, "barsOnly") / bars.length) * 1e6).toFixed(3)} and ${((cpu(a, "barsOnly") / bars.length) * 1e6).toFixed(3)} µs; ${load}`)
    const thread = (name: string, workload: Workload) => median(sides.find((side) => side.name === name && side.workload === workload)!.threadSeconds)
    const threadMicros = (name: string) => ((thread(name, ordersWorkload) - thread(name, "barsOnly")) / fills) * 1e6
    console.log(`per order (main thread CPU): before ${threadMicros(b).toFixed(2)} µs, after ${threadMicros(a).toFixed(2)} µs: after / before ${(threadMicros(a) / threadMicros(b)).toFixed(3)}`)
  } else if (perBar) {
    const micros = (name: string, workload: Workload) => (cpu(name, workload) / bars.length) * 1e6
    for (const workload of workloads)
      console.log(`per bar, ${workload} (CPU): before ${micros(b, workload).toFixed(3)} µs, after ${micros(a, workload).toFixed(3)} µs: after / before ${(micros(a, workload) / micros(b, workload)).toFixed(3)}; ${load}`)
  } else console.log(`after / before: ${(wall(a, "crossover") / wall(b, "crossover")).toFixed(3)} (wall), ${(cpu(a, "crossover") / cpu(b, "crossover")).toFixed(3)} (CPU); ${load}`)
  console.log(`both: ${bars.length} bars, ${sides[0]!.result}`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
