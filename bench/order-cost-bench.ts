/**
 * Per-order cost and the size of the book (issue 11), each figure from runners timed in this one
 * process, interleaved (the order alternates), median of several runs, so that they share the
 * machine's load and only their ratios are read:
 * - the crossover per order and per bar against grademark and the plain loop, on the real ORCL
 *   series and on full-precision synthetic prices, and the bytes allocated per order;
 * - per order at 500 symbols rebalanced every bar against one symbol;
 * - per bar with 10,000 resting limit orders that never fill against none;
 * - accepting 10,000 orders in one update;
 * - simulations run one after another, each collected before the next: the crossover's time per
 *   bar in the later ones against the first ones (engines that die must not slow those after them).
 *
 *   node bench/order-cost-bench.ts [--runs=5] [--resting=10000] [--resting-bars=100000] [--accept=10000] [--sequence=10] [--only=peers,symbols,resting,accept,sequence] [--json]
 */
import { Session } from "node:inspector/promises"
import os from "node:os"
import { fileURLToPath } from "node:url"
import { MovingAverageCrossover } from "../examples/strategies/moving-average-crossover.ts"
import { loadOhlcvCsv } from "../src/data/ohlcv-csv.ts"
import { TradingSimulationEngine } from "../src/index.ts"
import { type BenchBar, makeBenchmarkBars } from "./bars.ts"
import { crossoverRules, runGrademark, runPlainLoop } from "./crossover-peers.ts"
import { makeFullPrecisionBars } from "./synthetic-bars.ts"
import { collectGarbage } from "./collect-garbage.ts"

const option = (name: string, fallback: number): number => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback)
const runs = option("runs", 5)
const json = process.argv.includes("--json")
// Smaller books and fewer bars for the engine before issue 11, whose costs grow with the book's square.
const restingOrders = option("resting", 10_000)
const restingBars = option("resting-bars", 100_000)
const acceptOrders = option("accept", 10_000)
const sequenceLength = option("sequence", 10)
// `--only=peers,symbols,resting,accept,sequence`: some of the figures.
const only = process.argv.find((a) => a.startsWith("--only="))?.slice("--only=".length).split(",")
const wanted = (part: string): boolean => only === undefined || only.includes(part)

const median = (xs: ReadonlyArray<number>): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

/**
 * Times each runner `runs` times, interleaved and alternating which goes first; medians in seconds,
 * of the wall time and of the process's CPU time (all its threads, the collector's included). On a
 * shared machine the CPU time is what other processes inflate least. A full collection comes first:
 * when the first run started while the million bars just made were still being promoted, V8 took
 * the update's objects (the caller's and the engine's) for long-lived and allocated them in the
 * old generation for the rest of the process, which then ran the crossover 2.5 to 3 times slower
 * (in 21 of 50 processes tried; in none of 10 with a collection between making the bars and the
 * first run). Not one before every run: that moved the plain loop's time by half (its array of a
 * million floats then takes fresh memory from the system each run).
 */
const timedInterleaved = (runners: Record<string, () => unknown>): { wall: Record<string, number>; cpu: Record<string, number> } => {
  const names = Object.keys(runners)
  const wall: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]))
  const cpu: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]))
  collectGarbage()()
  for (const name of names) runners[name]!() // warm-up
  for (let i = 0; i < runs; i++) {
    for (const name of i % 2 === 0 ? names : [...names].reverse()) {
      const start = performance.now()
      const startCpu = process.cpuUsage()
      runners[name]!()
      const usedCpu = process.cpuUsage(startCpu)
      wall[name]!.push((performance.now() - start) / 1000)
      cpu[name]!.push((usedCpu.user + usedCpu.system) / 1e6)
    }
  }
  const medians = (xs: Record<string, number[]>) => Object.fromEntries(names.map((n) => [n, median(xs[n]!)]))
  return { wall: medians(wall), cpu: medians(cpu) }
}

/** `timedInterleaved`'s wall-time medians. */
const interleaved = (runners: Record<string, () => unknown>): Record<string, number> => timedInterleaved(runners).wall

/** Bytes allocated while `run` runs, by V8's sampling heap profiler counting collected objects too. */
const allocatedBytes = async (run: () => unknown): Promise<number> => {
  const session = new Session()
  session.connect()
  await session.post("HeapProfiler.enable")
  await session.post("HeapProfiler.startSampling", { samplingInterval: 512, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true })
  run()
  const { profile } = await session.post("HeapProfiler.stopSampling")
  session.disconnect()
  let total = 0
  const walk = (node: typeof profile.head): void => {
    total += node.selfSize
    for (const child of node.children) walk(child)
  }
  walk(profile.head)
  return total
}

const crossoverConfig = (symbols: ReadonlyArray<string>) => ({
  symbols: [...symbols],
  initialCapital: crossoverRules.initialCapital,
  commissionRate: crossoverRules.commissionRate,
  slippageRate: 0,
  updateFrequency: "1d" as const
})

/** The crossover through the engine; `trade: false` feeds the same bars without a strategy (the per-bar floor). */
const crossover = (bars: ReadonlyArray<BenchBar>, trade: boolean, engine = new TradingSimulationEngine(crossoverConfig(["ORCL"]))): { orders: number } => {
  const strategy = new MovingAverageCrossover("ORCL", { fast: crossoverRules.fastPeriod, slow: crossoverRules.slowPeriod, quantity: crossoverRules.quantity })
  for (const bar of bars) {
    engine.processMarketUpdate({ time: bar.time, bars: { ORCL: bar } })
    if (trade) strategy.onClose(engine, bar.close)
  }
  return { orders: engine.historyMarks().fills }
}

const perOrderAgainstPeers = async (series: string, bars: ReadonlyArray<BenchBar>) => {
  const orders = crossover(bars, true).orders
  const timed = timedInterleaved({
    plain: () => runPlainLoop(bars),
    paperfloor: () => crossover(bars, true),
    paperfloorBarsOnly: () => crossover(bars, false),
    grademark: () => runGrademark(bars)
  })
  const t = timed.wall
  const c = timed.cpu
  const allocationBars = bars.slice(0, 200_000)
  const allocationOrders = crossover(allocationBars, true).orders
  const withOrders = await allocatedBytes(() => crossover(allocationBars, true))
  const barsOnly = await allocatedBytes(() => crossover(allocationBars, false))
  return {
    series,
    bars: bars.length,
    orders,
    seconds: t,
    perOrderMicros: ((t["paperfloor"]! - t["paperfloorBarsOnly"]!) / orders) * 1e6,
    perBarMicros: (t["paperfloorBarsOnly"]! / bars.length) * 1e6,
    perOrderCpuMicros: ((c["paperfloor"]! - c["paperfloorBarsOnly"]!) / orders) * 1e6,
    perBarCpuMicros: (c["paperfloorBarsOnly"]! / bars.length) * 1e6,
    speedVsGrademark: t["grademark"]! / t["paperfloor"]!,
    timeVsPlainLoop: t["paperfloor"]! / t["plain"]!,
    bytesPerOrder: (withOrders - barsOnly) / allocationOrders
  }
}

const symbolNames = (n: number): string[] => Array.from({ length: n }, (_, i) => `S${String(i).padStart(3, "0")}`)

/** `symbols` symbols, each bought and sold back by one share on alternate bars (a rebalance of every symbol every bar); `trade: false` feeds the bars alone. */
const rebalance = (symbols: ReadonlyArray<string>, updates: number, trade: boolean): number => {
  const engine = new TradingSimulationEngine({ ...crossoverConfig(symbols), initialCapital: 10_000_000 })
  let orders = 0
  for (let i = 0; i < updates; i++) {
    const prices: Record<string, { open: number; high: number; low: number; close: number; volume: number }> = {}
    for (let s = 0; s < symbols.length; s++) {
      const p = 100 + ((i + s) % 7)
      prices[symbols[s]!] = { open: p, high: p + 1, low: p - 1, close: p, volume: 1_000_000 }
    }
    engine.processMarketUpdate({ time: i * 86_400_000, bars: prices })
    if (!trade) continue
    for (const symbol of symbols) {
      engine.submitOrder({ symbol, side: i % 2 === 0 ? "buy" : "sell", type: "market", quantity: 1 })
      orders++
    }
  }
  return orders
}

const perOrderBySymbols = () => {
  const one = symbolNames(1)
  const many = symbolNames(500)
  const oneUpdates = 50_000
  const manyUpdates = 100
  const t = interleaved({
    one: () => rebalance(one, oneUpdates, true),
    oneBarsOnly: () => rebalance(one, oneUpdates, false),
    many: () => rebalance(many, manyUpdates, true),
    manyBarsOnly: () => rebalance(many, manyUpdates, false)
  })
  const perOrder = (trading: number, barsOnly: number, orders: number) => ((trading - barsOnly) / orders) * 1e6
  const onePerOrder = perOrder(t["one"]!, t["oneBarsOnly"]!, oneUpdates)
  const manyPerOrder = perOrder(t["many"]!, t["manyBarsOnly"]!, manyUpdates * many.length)
  return { onePerOrderMicros: onePerOrder, manyPerOrderMicros: manyPerOrder, ratio: manyPerOrder / onePerOrder }
}

/** An engine holding `resting` gtc buy limits far below the market (they never fill), accepted before the timed bars. */
const withResting = (resting: number): TradingSimulationEngine => {
  const engine = new TradingSimulationEngine(crossoverConfig(["ORCL"]))
  for (let i = 0; i < resting; i++) engine.submitOrder({ symbol: "ORCL", side: "buy", type: "limit", quantity: 1, limitPrice: 0.01 + i * 1e-6, timeInForce: "gtc" })
  engine.processMarketUpdate({ time: -86_400_000, bars: { ORCL: { open: 20, high: 20, low: 20, close: 20 } } })
  return engine
}

const perBarByRestingOrders = (bars: ReadonlyArray<BenchBar>, resting: number) => {
  const t = interleaved({
    none: () => crossover(bars, false, withResting(0)),
    resting: () => crossover(bars, false, withResting(resting)),
    noneTrading: () => crossover(bars, true, withResting(0)),
    restingTrading: () => crossover(bars, true, withResting(resting))
  })
  // The set-up (placing and accepting the resting orders) is timed separately and taken out.
  const setup = interleaved({ none: () => withResting(0), resting: () => withResting(resting) })
  const perBar = (name: string, setupName: string) => ((t[name]! - setup[setupName]!) / bars.length) * 1e6
  return {
    resting,
    bars: bars.length,
    perBarNoneMicros: perBar("none", "none"),
    perBarRestingMicros: perBar("resting", "resting"),
    ratio: perBar("resting", "resting") / perBar("none", "none"),
    perBarNoneTradingMicros: perBar("noneTrading", "none"),
    perBarRestingTradingMicros: perBar("restingTrading", "resting"),
    ratioTrading: perBar("restingTrading", "resting") / perBar("noneTrading", "none")
  }
}

/** Submits `count` limit orders (every tenth a sell, against a position), then times the one update that checks and accepts them all. */
const acceptInOneUpdate = (count: number) => {
  const submit: number[] = []
  const accept: number[] = []
  // Two untimed runs first, so that the timed ones run compiled code.
  for (let r = -2; r < runs; r++) {
    const engine = new TradingSimulationEngine({ ...crossoverConfig(["ORCL"]), initialCapital: 100_000_000, maxPositionSize: 1 })
    // A position for the sells to reduce (shorting is off by default).
    engine.processMarketUpdate({ time: 0, bars: { ORCL: { open: 20, high: 20, low: 20, close: 20 } } })
    engine.submitOrder({ symbol: "ORCL", side: "buy", type: "market", quantity: count })
    engine.processMarketUpdate({ time: 86_400_000, bars: { ORCL: { open: 20, high: 20, low: 20, close: 20 } } })
    let start = performance.now()
    for (let i = 0; i < count; i++) engine.submitOrder({ symbol: "ORCL", side: i % 10 === 0 ? "sell" : "buy", type: "limit", quantity: 1, limitPrice: i % 10 === 0 ? 40 : 10, timeInForce: "gtc" })
    if (r >= 0) submit.push(performance.now() - start)
    start = performance.now()
    engine.processMarketUpdate({ time: 2 * 86_400_000, bars: { ORCL: { open: 20, high: 21, low: 19, close: 20 } } })
    if (r >= 0) accept.push(performance.now() - start)
    if (engine.getOpenOrders().length !== count) throw new Error("not every order was accepted")
  }
  return { orders: count, submitMillis: median(submit), acceptMillis: median(accept) }
}

/**
 * `count` crossover simulations on the same bars, one after another, each collected before the next
 * starts (as the testing kit's properties, a server's deployments or a batch of backtests do): each
 * one's CPU time per bar, and the median of the last half against the median of the first half.
 */
const simulationsInSequence = (bars: ReadonlyArray<BenchBar>, count: number) => {
  const gc = collectGarbage()
  const perBar: number[] = []
  for (let i = 0; i < count; i++) {
    gc()
    const start = process.cpuUsage()
    crossover(bars, true)
    const used = process.cpuUsage(start)
    perBar.push((used.user + used.system) / bars.length)
  }
  const half = Math.floor(count / 2)
  return { bars: bars.length, perBarMicros: perBar, ratio: median(perBar.slice(count - half)) / median(perBar.slice(0, half)) }
}

const orclPath = fileURLToPath(new URL("../examples/data/orcl-1995-2014.txt", import.meta.url))
const orcl = makeBenchmarkBars(await loadOhlcvCsv(orclPath), 1_000_000)
const synthetic = makeFullPrecisionBars(1_000_000)

const results = {
  machine: `${os.cpus()[0]?.model ?? "unknown CPU"}, ${os.cpus().length} cores, node ${process.version}, load average ${os.loadavg()[0]!.toFixed(1)}`,
  runs,
  peers: wanted("peers") ? [await perOrderAgainstPeers("ORCL", orcl), await perOrderAgainstPeers("full-precision synthetic", synthetic)] : [],
  symbols: wanted("symbols") ? perOrderBySymbols() : null,
  resting: wanted("resting") ? perBarByRestingOrders(orcl.slice(0, restingBars), restingOrders) : null,
  accept: wanted("accept") ? acceptInOneUpdate(acceptOrders) : null,
  sequence: wanted("sequence") ? simulationsInSequence(orcl.slice(0, 200_000), sequenceLength) : null
}

if (json) console.log(JSON.stringify(results))
else {
  const f = (x: number, digits = 2) => x.toFixed(digits)
  console.log(`per-order cost and the size of the book (issue 11): ${results.machine}; ${runs} interleaved runs, medians`)
  for (const p of results.peers) {
    console.log(
      `  crossover, ${p.series}, ${p.bars.toLocaleString("en-US")} bars, ${p.orders.toLocaleString("en-US")} orders: ` +
        `${f(p.perOrderMicros)} µs per order, ${f(p.perBarMicros, 3)} µs per bar without orders (CPU time: ${f(p.perOrderCpuMicros)} and ${f(p.perBarCpuMicros, 3)} µs), ` +
        `${Math.round(p.bytesPerOrder)} B allocated per order; ` +
        `${f(p.speedVsGrademark)}× grademark's speed (target ≥ 3), ${f(p.timeVsPlainLoop, 1)}× the plain loop's time (target ≤ 20)`
    )
  }
  const s = results.symbols
  if (s !== null) console.log(`  500 symbols rebalanced every bar: ${f(s.manyPerOrderMicros)} µs per order vs ${f(s.onePerOrderMicros)} µs with one symbol: ${f(s.ratio)}× (target ≤ 1.5)`)
  const r = results.resting
  if (r !== null)
    console.log(
    `  ${r.resting.toLocaleString("en-US")} resting limit orders: ${f(r.perBarRestingMicros, 3)} µs per bar vs ${f(r.perBarNoneMicros, 3)} µs with none: ${f(r.ratio)}× (target ≤ 2); ` +
      `with the crossover trading: ${f(r.perBarRestingTradingMicros, 3)} vs ${f(r.perBarNoneTradingMicros, 3)} µs: ${f(r.ratioTrading)}×`
  )
  const a = results.accept
  if (a !== null) console.log(`  ${a.orders.toLocaleString("en-US")} orders accepted in one update: ${f(a.acceptMillis, 1)} ms (target ≤ 100); submitting them: ${f(a.submitMillis, 1)} ms`)
  const q = results.sequence
  if (q !== null)
    console.log(
      `  ${q.perBarMicros.length} crossover simulations of ${q.bars.toLocaleString("en-US")} bars one after another: ${q.perBarMicros.map((x) => f(x, 3)).join(", ")} µs of CPU per bar; ` +
        `the last half ${f(q.ratio)}× the first half`
    )
}
