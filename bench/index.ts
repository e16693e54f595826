import { execFileSync, fork } from "node:child_process"
import os from "node:os"
import { fileURLToPath } from "node:url"
import { loadOhlcvCsv, type OhlcvBar } from "../src/data/ohlcv-csv.ts"
import { type BenchBar, makeBenchmarkBars } from "./bars.ts"
import { collectGarbage } from "./collect-garbage.ts"
import { type CrossoverResult, crossoverRules, runGrademark, runPlainLoop } from "./crossover-peers.ts"
import { runPaperfloor } from "./paperfloor-runner.ts"
import { type BenchRow, renderBenchTable } from "./report-table.ts"

/** A runner of the crossover rules in `crossover-peers.ts`; add one to `runners` to compare it. */
interface BenchRunner {
  readonly name: string
  /** What this runner does differently from the shared rules, printed under the table. */
  readonly note?: string
  readonly run: (bars: ReadonlyArray<BenchBar>) => CrossoverResult | Promise<CrossoverResult>
}

const baseline = "plain loop"
const runners: ReadonlyArray<BenchRunner> = [
  { name: baseline, run: runPlainLoop },
  { name: "paperfloor", run: runPaperfloor },
  {
    name: "grademark 0.3.0",
    note:
      "no commission; its rules are not called on a bar where a position opens or closes, so a cross " +
      "on that bar is missed (fewer trades than the shared rules)",
    run: runGrademark
  }
]

const minimumBars = 1_000_000
// Enough bars for the JIT to compile a runner's hot path before it is timed.
const warmupBars = 100_000
const timedRounds = 7

/** What the one run in a runner's own process reports back: its memory, which only a process of its own can show. */
interface MemoryReport {
  readonly rssWithBarsBytes: number
  readonly rssAfterBytes: number
  readonly peakRssBytes: number
}

const runnerVariable = "PAPERFLOOR_BENCH_RUNNER"
const dataPath = fileURLToPath(new URL("../examples/data/orcl-1995-2014.txt", import.meta.url))

const loadBars = async (): Promise<{ source: ReadonlyArray<OhlcvBar>; bars: BenchBar[] }> => {
  const source = await loadOhlcvCsv(dataPath)
  return { source, bars: makeBenchmarkBars(source, minimumBars) }
}

const median = (xs: ReadonlyArray<number>): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

/** Child: one run over all bars, for the runner's memory alone (peak RSS is per process). */
const runChild = async (runner: BenchRunner): Promise<void> => {
  const { bars } = await loadBars()
  const rssWithBarsBytes = process.memoryUsage().rss
  await runner.run(bars)
  const report: MemoryReport = { rssWithBarsBytes, rssAfterBytes: process.memoryUsage().rss, peakRssBytes: process.resourceUsage().maxRSS * 1024 }
  process.send!(report)
}

const memoryInChild = (name: string): Promise<MemoryReport> =>
  new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [], { env: { ...process.env, [runnerVariable]: name } })
    let report: MemoryReport | undefined
    child.on("message", (message) => (report = message as MemoryReport))
    child.on("error", reject)
    child.on("exit", (code) =>
      report !== undefined ? resolve(report) : reject(new Error(`${name}: benchmark process exited with ${code}`))
    )
  })

/**
 * Times every runner in this one process: each warms up, then `timedRounds` rounds run each runner
 * once over all the bars, in an order that rotates from round to round, after a garbage
 * collection. So every runner sees the same machine load and the same JIT, and none pays for
 * another's garbage; each figure is a median. (Timing each runner in a fresh process of its own,
 * as this bench did before, put paperfloor at 1.57× grademark where the same bars in one process
 * gave 0.8–1.05×.)
 */
const timeInterleaved = async (bars: ReadonlyArray<BenchBar>) => {
  const gc = collectGarbage()
  for (const runner of runners) await runner.run(bars.slice(0, warmupBars))
  const seconds = new Map(runners.map((r) => [r.name, [] as number[]]))
  const results = new Map<string, CrossoverResult>()
  for (let round = 0; round < timedRounds; round++) {
    for (let k = 0; k < runners.length; k++) {
      const runner = runners[(round + k) % runners.length]!
      gc()
      const start = performance.now()
      const result = await runner.run(bars)
      seconds.get(runner.name)!.push((performance.now() - start) / 1000)
      const first = results.get(runner.name)
      if (first !== undefined && (first.trades !== result.trades || first.finalEquity !== result.finalEquity))
        throw new Error(`${runner.name} is not deterministic: ${JSON.stringify([first, result])}`)
      results.set(runner.name, result)
    }
  }
  return { seconds, results }
}

const runParent = async (): Promise<void> => {
  const { source, bars } = await loadBars()
  const cpus = os.cpus()
  const gib = (os.totalmem() / 2 ** 30).toFixed(1)
  console.log(
    `machine: ${cpus[0]?.model ?? "unknown CPU"}, ${cpus.length} cores, ${gib} GiB, ` +
      `${os.platform()}/${os.arch()}, node ${process.version}, load average ${os.loadavg()[0]!.toFixed(1)}`
  )
  console.log(
    `data: ${source.length} ORCL daily bars (${source[0]?.date} .. ${source.at(-1)?.date}), repeated ` +
      `forward and backward to ${bars.length.toLocaleString("en-US")} bars`
  )
  const { fastPeriod, slowPeriod, quantity, commissionRate } = crossoverRules
  console.log(
    `strategy: SMA ${fastPeriod}/${slowPeriod} crossover on closes, long only, ${quantity} shares, market ` +
      `orders fill at the next open, commission ${commissionRate} × notional`
  )
  console.log(
    `method: every runner in this one process, each warmed up on ${warmupBars.toLocaleString("en-US")} bars, then ` +
      `${timedRounds} rounds, each running every runner over all bars in a rotating order after a GC; medians. ` +
      `Memory from one more run per runner in a fresh process.\n`
  )

  const { seconds, results } = await timeInterleaved(bars)
  const rows: BenchRow[] = []
  for (const runner of runners) {
    const runs = seconds.get(runner.name)!
    const result = results.get(runner.name)!
    const memory = await memoryInChild(runner.name)
    rows.push({ name: runner.name, bars: bars.length, seconds: median(runs), trades: result.trades, finalEquity: result.finalEquity, ...memory })
    console.log(`${runner.name}: runs ${runs.map((r) => r.toFixed(3)).join(", ")} s; peak RSS ${(memory.peakRssBytes / 2 ** 20).toFixed(0)} MB`)
  }
  // Per round, the two runs saw the same load: the median of their ratios is the steadiest figure.
  const paperfloor = seconds.get("paperfloor")!
  const ratios = seconds.get("grademark 0.3.0")!.map((g, i) => g / paperfloor[i]!)
  console.log(`paperfloor's speed vs grademark's, per round: ${ratios.map((r) => r.toFixed(2)).join(", ")}; median ${median(ratios).toFixed(2)}×`)

  console.log(`\n${renderBenchTable(rows, baseline)}\n`)
  for (const runner of runners) {
    if (runner.note !== undefined) console.log(`${runner.name}: ${runner.note}`)
  }
  console.log(
    "RSS from process.memoryUsage() in the runner's own process: with bars = after building the input, " +
      "after = after its run; peak = process.resourceUsage().maxRSS."
  )
}

/** The runtime's benchmarks (bench/runtime-bench.ts), each in a fresh process. */
const runRuntimeBenches = async (): Promise<void> => {
  const script = fileURLToPath(new URL("./runtime-bench.ts", import.meta.url))
  const measure = (name: string): Record<string, number> => {
    const out = execFileSync(process.execPath, ["--expose-gc", script, name], { encoding: "utf8" })
    return JSON.parse(out.trim().split("\n").at(-1)!) as Record<string, number>
  }
  const durable = measure("durable")
  const recover = measure("recover")
  const live = measure("live")
  const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0)
  console.log("\nruntime (LevelDB store, journal synced once per group commit):")
  console.log(
    `  durable throughput: ${Math.round(durable["updatesPerSecond"]!).toLocaleString("en-US")} updates/s ` +
      `(${durable["simulations"]} simulations × ${durable["perSimulation"]} updates, ${durable["batch"]} per message; target ≥ 100,000)`
  )
  console.log(
    `  recovery: ${recover["simulations"]} simulations, each a snapshot plus ${recover["journaledUpdatesEach"]} journaled updates, ` +
      `in ${recover["seconds"]!.toFixed(2)} s (target < 2 s)`
  )
  console.log(
    `  live simulations: ${live["simulations"]!.toLocaleString("en-US")} in one process, ${mib(live["rssBytes"]!)} MiB resident ` +
      `(target < 2,048); ${(live["rssBytesPerSimulation"]! / 1024).toFixed(1)} KiB resident and ` +
      `${(live["heapBytesPerSimulation"]! / 1024).toFixed(1)} KiB heap per simulation`
  )
}

/** `paperfloor run` from the shell and its report in Chromium (bench/cli-bench.ts, in a fresh process). */
const runCommandLineBench = (): void => {
  const script = fileURLToPath(new URL("./cli-bench.ts", import.meta.url))
  const out = execFileSync(process.execPath, [script], { encoding: "utf8" })
  const r = JSON.parse(out.trim().split("\n").at(-1)!) as Record<string, number | number[]>
  const list = (xs: number | number[] | undefined) => (xs as number[]).map((x) => x.toFixed(2)).join(", ")
  console.log("\ncommand line (spawned as from a shell, bundled ORCL + NVDA 1995–2014):")
  console.log(`  paperfloor run, ${r["updates"]} daily updates to the HTML report: ${(r["runSecondsMedian"] as number).toFixed(2)} s median (runs ${list(r["runSeconds"])} s)`)
  console.log(
    `  its report in headless Chromium, until every chart drew: ${(r["readySecondsMedian"] as number).toFixed(3)} s median by the page's clock ` +
      `(from navigation; target < 1 s); ${(r["openSecondsMedian"] as number).toFixed(3)} s median as the driver sees it, ` +
      `${(r["openSecondsFirst"] as number).toFixed(3)} s for the first open, browser start included`
  )
}

/** Market data sources on a generated 1 GB CSV and its Parquet equivalent (bench/data-sources-bench.ts; it prints its own lines). */
const runDataSourcesBench = (): void => {
  console.log("")
  execFileSync(process.execPath, [fileURLToPath(new URL("./data-sources-bench.ts", import.meta.url))], { stdio: "inherit" })
}

/** What running a user model in a worker costs per update (bench/model-isolation-bench.ts; it prints its own lines). */
const runModelIsolationBench = (): void => {
  console.log("")
  execFileSync(process.execPath, [fileURLToPath(new URL("./model-isolation-bench.ts", import.meta.url))], { stdio: "inherit" })
}

/** Reading the journal as recovery does: checking, parsing and rebuilding its inputs (bench/runtime-journal-bench.ts, issue 11; it prints its own lines). */
const runJournalBench = (): void => {
  console.log("")
  execFileSync(process.execPath, [fileURLToPath(new URL("./runtime-journal-bench.ts", import.meta.url))], { stdio: "inherit" })
}

/** The acknowledgement ledger's cost and concurrent deployment creation (bench/durability-bench.ts; it prints its own lines). */
const runDurabilityBench = (): void => {
  console.log("")
  execFileSync(process.execPath, [fileURLToPath(new URL("./durability-bench.ts", import.meta.url))], { stdio: "inherit" })
}

/** Per-order cost against the peers and the size of the book (bench/order-cost-bench.ts, issue 11; it prints its own lines). */
const runOrderCostBench = (): void => {
  console.log("")
  execFileSync(process.execPath, [fileURLToPath(new URL("./order-cost-bench.ts", import.meta.url))], { stdio: "inherit" })
}

/** The fill's conversions of exact figures against decimal.js's own (bench/decimal-conversion-bench.ts, issue 11; it prints its own lines). */
const runDecimalConversionBench = (): void => {
  console.log("")
  execFileSync(process.execPath, [fileURLToPath(new URL("./decimal-conversion-bench.ts", import.meta.url))], { stdio: "inherit" })
}

/** A 5,000,000-update run checkpointed as the runtime does, restored and resumed (bench/history-bench.ts; it prints its own lines). */
const runHistoryBench = (): void => {
  console.log("")
  execFileSync(process.execPath, [fileURLToPath(new URL("./history-bench.ts", import.meta.url))], { stdio: "inherit" })
}

/** paperfloor serve under concurrent HTTP load, and accounts per process (bench/server-bench.ts, issue 14; it prints its own lines). */
const runServerBench = (): void => {
  console.log("")
  execFileSync(process.execPath, [fileURLToPath(new URL("./server-bench.ts", import.meta.url))], { stdio: "inherit" })
}

/** Durable updates/s of the supervisor over PostgreSQL against LevelDB (bench/postgres-store-bench.ts, issue 15; it prints its own lines). */
const runPostgresStoreBench = (): void => {
  console.log("")
  execFileSync(process.execPath, [fileURLToPath(new URL("./postgres-store-bench.ts", import.meta.url))], { stdio: "inherit" })
}

/** Simulations as cluster entities: updates/s with 1, 2 and 4 runners, shard moves (bench/cluster-bench.ts, issue 15; it prints its own lines). */
const runClusterBench = (): void => {
  console.log("")
  execFileSync(process.execPath, [fileURLToPath(new URL("./cluster-bench.ts", import.meta.url))], { stdio: "inherit" })
}

/** Every part of the bench, in the order `npm run bench` runs them; `node bench/index.ts <part>…` runs only those. */
const parts: Record<string, () => void | Promise<void>> = {
  crossover: runParent,
  orders: runOrderCostBench,
  decimals: runDecimalConversionBench,
  runtime: runRuntimeBenches,
  journal: runJournalBench,
  cli: runCommandLineBench,
  data: runDataSourcesBench,
  isolation: runModelIsolationBench,
  durability: runDurabilityBench,
  history: runHistoryBench,
  server: runServerBench,
  postgres: runPostgresStoreBench,
  cluster: runClusterBench
}

const childRunner = process.env[runnerVariable]
if (childRunner === undefined) {
  const chosen = process.argv.slice(2)
  const unknown = chosen.filter((name) => !(name in parts))
  if (unknown.length > 0) throw new Error(`no bench part ${unknown.join(", ")}: choose from ${Object.keys(parts).join(", ")}`)
  for (const [name, run] of Object.entries(parts)) if (chosen.length === 0 || chosen.includes(name)) await run()
} else {
  const runner = runners.find((r) => r.name === childRunner)
  if (runner === undefined) throw new Error(`no bench runner named ${childRunner}`)
  await runChild(runner)
}
