/**
 * The replay benchmark (bench/paperfloor-runner.ts's crossover over 1M bars) for the engine at an
 * earlier commit against the engine in this tree, in one process with the runs interleaved, so
 * that both see the same machine load. Prints each side's median seconds, of wall time and of the
 * process's CPU time: on a shared machine a run's wall time also counts the time other processes
 * held the cores, and its CPU time does not.
 *
 *   node bench/engine-compare.ts [commit] [runs]
 *
 * The earlier engine is read with `git archive` into a temporary directory that links this tree's
 * node_modules; its sources run as they are, like this tree's.
 */
import { execFileSync } from "node:child_process"
import { mkdtempSync, rmSync, symlinkSync } from "node:fs"
import os from "node:os"
import path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { MovingAverageCrossover } from "../examples/strategies/moving-average-crossover.ts"
import { loadOhlcvCsv } from "../src/data/ohlcv-csv.ts"
import type { TradingSimulationEngine } from "../src/index.ts"
import { type BenchBar, makeBenchmarkBars } from "./bars.ts"
import { crossoverRules } from "./crossover-peers.ts"

type EngineClass = typeof TradingSimulationEngine

const root = fileURLToPath(new URL("..", import.meta.url))
const commit = process.argv[2] ?? "HEAD"
const runs = Number(process.argv[3] ?? 7)

const checkout = (rev: string): string => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "paperfloor-engine-"))
  // The sources' archive is several MB: past execFileSync's default 1 MB buffer.
  const tar = execFileSync("git", ["-C", root, "archive", rev, "src", "machines"], { maxBuffer: 256 * 1024 * 1024 })
  execFileSync("tar", ["-x", "-C", dir], { input: tar })
  symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"))
  return dir
}

const cpuSeconds = (): number => {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1e6
}

const replay = (Engine: EngineClass, bars: ReadonlyArray<BenchBar>): { seconds: number; cpuSeconds: number; trades: number; equity: string } => {
  const start = performance.now()
  const cpuStart = cpuSeconds()
  const engine = new Engine({
    symbols: ["ORCL"],
    initialCapital: crossoverRules.initialCapital,
    commissionRate: crossoverRules.commissionRate,
    slippageRate: 0,
    updateFrequency: "1d"
  })
  const strategy = new MovingAverageCrossover("ORCL", { fast: crossoverRules.fastPeriod, slow: crossoverRules.slowPeriod, quantity: crossoverRules.quantity })
  for (const bar of bars) {
    engine.processMarketUpdate({ time: bar.time, bars: { ORCL: bar } })
    strategy.onClose(engine, bar.close)
  }
  const seconds = (performance.now() - start) / 1000
  return { seconds, cpuSeconds: cpuSeconds() - cpuStart, trades: engine.getTrades().length, equity: engine.getPortfolio().totalValue.toString() }
}

const median = (xs: ReadonlyArray<number>): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

const dir = checkout(commit)
try {
  const before = (await import(pathToFileURL(path.join(dir, "src/index.ts")).href)) as { TradingSimulationEngine: EngineClass }
  const after = (await import("../src/index.ts")) as { TradingSimulationEngine: EngineClass }
  const sides = [
    { name: `before (${commit})`, Engine: before.TradingSimulationEngine, seconds: [] as number[], cpuSeconds: [] as number[], result: "" },
    { name: "after (this tree)", Engine: after.TradingSimulationEngine, seconds: [] as number[], cpuSeconds: [] as number[], result: "" }
  ]
  const source = await loadOhlcvCsv(path.join(root, "examples/data/orcl-1995-2014.txt"))
  const bars = makeBenchmarkBars(source, 1_000_000)
  for (const side of sides) replay(side.Engine, bars.slice(0, 100_000))
  for (let i = 0; i < runs; i++) {
    // Alternate which side goes first, so neither always runs on the other's garbage.
    for (const side of i % 2 === 0 ? sides : [...sides].reverse()) {
      const r = replay(side.Engine, bars)
      side.seconds.push(r.seconds)
      side.cpuSeconds.push(r.cpuSeconds)
      side.result = `${r.trades} trades, final equity ${r.equity}`
    }
  }
  if (sides[0]!.result !== sides[1]!.result) throw new Error(`the engines disagree: ${sides[0]!.result} vs ${sides[1]!.result}`)
  const runsOf = (xs: ReadonlyArray<number>) => xs.map((s) => s.toFixed(3)).join(", ")
  for (const side of sides) {
    const m = median(side.seconds)
    console.log(`${side.name}: median ${m.toFixed(3)} s (${((bars.length / m) / 1e6).toFixed(2)} M bars/s); runs ${runsOf(side.seconds)}`)
    console.log(`  CPU time: median ${median(side.cpuSeconds).toFixed(3)} s; runs ${runsOf(side.cpuSeconds)}`)
  }
  const [b, a] = sides as [(typeof sides)[0], (typeof sides)[0]]
  console.log(`after / before: ${(median(a.seconds) / median(b.seconds)).toFixed(3)} (wall), ${(median(a.cpuSeconds) / median(b.cpuSeconds)).toFixed(3)} (CPU); load average ${os.loadavg()[0]!.toFixed(1)}`)
  console.log(`both: ${bars.length} bars, ${sides[0]!.result}`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
