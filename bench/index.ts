import { execFileSync, fork } from "node:child_process"
import os from "node:os"
import { fileURLToPath } from "node:url"
import { loadOhlcvCsv, type OhlcvBar } from "../src/data/ohlcv-csv.ts"
import { type BenchBar, makeBenchmarkBars } from "./bars.ts"
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
const timedRuns = 3

/** What one timed run in a child process reports back. */
interface RunReport extends CrossoverResult {
  readonly seconds: number
  readonly bars: number
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

/**
 * Child: warm up on a slice, then time one run over all bars. Each timed run gets a fresh process
 * so that no run pays for another's garbage (in one process grademark's three runs took 1.4, 3.8
 * and 4.0 s, and a runner placed after it would pay for its heap), and so that peak RSS is the
 * runner's own.
 */
const runChild = async (runner: BenchRunner): Promise<void> => {
  const { bars } = await loadBars()
  const rssWithBarsBytes = process.memoryUsage().rss
  await runner.run(bars.slice(0, warmupBars))
  const start = performance.now()
  const result = await runner.run(bars)
  const seconds = (performance.now() - start) / 1000
  const report: RunReport = {
    trades: result.trades,
    finalEquity: result.finalEquity,
    seconds,
    bars: bars.length,
    rssWithBarsBytes,
    rssAfterBytes: process.memoryUsage().rss,
    peakRssBytes: process.resourceUsage().maxRSS * 1024
  }
  process.send!(report)
}

const runInChild = (name: string): Promise<RunReport> =>
  new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [], { env: { ...process.env, [runnerVariable]: name } })
    let report: RunReport | undefined
    child.on("message", (message) => (report = message as RunReport))
    child.on("error", reject)
    child.on("exit", (code) =>
      report !== undefined ? resolve(report) : reject(new Error(`${name}: benchmark process exited with ${code}`))
    )
  })

const runParent = async (): Promise<void> => {
  const { source, bars } = await loadBars()
  const cpus = os.cpus()
  const gib = (os.totalmem() / 2 ** 30).toFixed(1)
  console.log(
    `machine: ${cpus[0]?.model ?? "unknown CPU"}, ${cpus.length} cores, ${gib} GiB, ` +
      `${os.platform()}/${os.arch()}, node ${process.version}`
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
    `method: ${timedRuns} fresh processes per runner, each warming up on ${warmupBars.toLocaleString("en-US")} ` +
      `bars and then timing one run over all bars; the median is reported\n`
  )

  const rows: BenchRow[] = []
  for (const runner of runners) {
    const reports: RunReport[] = []
    for (let i = 0; i < timedRuns; i++) reports.push(await runInChild(runner.name))
    const sorted = [...reports].sort((a, b) => a.seconds - b.seconds)
    const median = sorted[Math.floor(sorted.length / 2)]!
    if (reports.some((r) => r.trades !== median.trades || r.finalEquity !== median.finalEquity)) {
      throw new Error(`${runner.name} is not deterministic: ${JSON.stringify(reports)}`)
    }
    const maxOf = (pick: (r: RunReport) => number): number => Math.max(...reports.map(pick))
    rows.push({
      name: runner.name,
      bars: median.bars,
      seconds: median.seconds,
      trades: median.trades,
      finalEquity: median.finalEquity,
      rssWithBarsBytes: maxOf((r) => r.rssWithBarsBytes),
      rssAfterBytes: maxOf((r) => r.rssAfterBytes),
      peakRssBytes: maxOf((r) => r.peakRssBytes)
    })
    const runs = reports.map((r) => r.seconds.toFixed(3)).join(", ")
    console.log(`${runner.name}: runs ${runs} s; peak RSS ${(maxOf((r) => r.peakRssBytes) / 2 ** 20).toFixed(0)} MB`)
  }

  console.log(`\n${renderBenchTable(rows, baseline)}\n`)
  for (const runner of runners) {
    if (runner.note !== undefined) console.log(`${runner.name}: ${runner.note}`)
  }
  console.log(
    "RSS from process.memoryUsage() in the runner's process: with bars = after building the input, " +
      "after = after the timed run; peak = process.resourceUsage().maxRSS. Highest of the runner's processes."
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

const childRunner = process.env[runnerVariable]
if (childRunner === undefined) {
  await runParent()
  runOrderCostBench()
  await runRuntimeBenches()
  runCommandLineBench()
  runDataSourcesBench()
  runModelIsolationBench()
  runDurabilityBench()
} else {
  const runner = runners.find((r) => r.name === childRunner)
  if (runner === undefined) throw new Error(`no bench runner named ${childRunner}`)
  await runChild(runner)
}
