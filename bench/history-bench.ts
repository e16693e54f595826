/**
 * A long run's history (issue 11, target 3): 5,000,000 updates and 200,000 fills through the
 * engine, checkpointed every 1,000 updates as the runtime snapshots, each checkpoint's history
 * appended to a file as the store keeps its history records. Reports what a checkpoint writes at
 * the start and at the end of the run (it must not grow), the whole snapshot it replaces, and a
 * restore from the live state and every history segment that resumes byte-identical.
 *   node bench/history-bench.ts [updates]
 */
import { createHash } from "node:crypto"
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import path from "node:path"
import {
  type EngineHistory,
  type EngineLiveSnapshot,
  HistoryGapError,
  type HistoryMarks,
  NO_HISTORY,
  TradingSimulationEngine
} from "../src/engine/trading-simulation-engine.ts"

const updates = Number(process.argv[2] ?? 5_000_000)
const checkpointEvery = 1_000
/** One market order every 25 updates: 200,000 fills over 5,000,000 updates. */
const orderEvery = 25
const config = { symbols: ["A"], dailyStopLoss: null, commissionRate: 0.001 } as const
const firstTime = Date.UTC(2024, 0, 2)

/** Update i, and every `orderEvery`-th update a buy or (alternately) a sell of one share. */
const step = (engine: TradingSimulationEngine, i: number) => {
  engine.processMarketUpdate({ time: firstTime + i * 60_000, prices: { A: 100 + ((i * 7) % 13) + (i % 1_000) / 1_000 } })
  if (i % orderEvery === 0) engine.submitOrder({ symbol: "A", side: (i / orderEvery) % 2 === 0 ? "buy" : "sell", type: "market", quantity: 1 })
}

const sha = (engine: TradingSimulationEngine) => createHash("sha256").update(JSON.stringify(engine.snapshot())).digest("hex")

const directory = mkdtempSync(path.join(tmpdir(), "paperfloor-history-bench-"))
const historyFile = path.join(directory, "history.jsonl")
try {
  const engine = new TradingSimulationEngine(config)
  let marks: HistoryMarks = NO_HISTORY
  let live = ""
  const written: Array<{ readonly at: number; readonly live: number; readonly history: number }> = []
  const checkpoint = (at: number) => {
    const c = engine.checkpoint(marks)
    live = JSON.stringify(c.live)
    const history = JSON.stringify(c.history)
    appendFileSync(historyFile, `${history}\n`)
    marks = c.live.history
    written.push({ at, live: live.length, history: history.length })
  }
  const runStart = performance.now()
  for (let i = 0; i < updates; i++) {
    step(engine, i)
    if ((i + 1) % checkpointEvery === 0) checkpoint(i + 1)
  }
  const runSeconds = (performance.now() - runStart) / 1000
  const wholeStart = performance.now()
  const wholeBytes = JSON.stringify(engine.snapshot()).length
  const wholeSeconds = (performance.now() - wholeStart) / 1000

  const restoreStart = performance.now()
  const segments = readFileSync(historyFile, "utf8").trimEnd().split("\n").map((line) => JSON.parse(line) as EngineHistory)
  const restored = TradingSimulationEngine.fromCheckpoint(JSON.parse(live) as EngineLiveSnapshot, segments)
  if (restored instanceof HistoryGapError) throw restored
  const restoreSeconds = (performance.now() - restoreStart) / 1000
  for (let i = updates; i < updates + 1_000; i++) for (const e of [engine, restored]) step(e, i)
  const identical = sha(engine) === sha(restored)

  const first = written[0]!
  const last = written.at(-1)!
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`
  const perCheckpoint = (w: (typeof written)[number]) => w.live + w.history
  console.log(`history (engine checkpoints every ${checkpointEvery.toLocaleString("en-US")} updates, history appended to a file):`)
  console.log(
    `  ${updates.toLocaleString("en-US")} updates, ${engine.getFills().length.toLocaleString("en-US")} fills in ${runSeconds.toFixed(1)} s; ` +
      `a checkpoint writes ${kb(perCheckpoint(first))} after ${first.at.toLocaleString("en-US")} updates and ${kb(perCheckpoint(last))} after ` +
      `${last.at.toLocaleString("en-US")} (live state ${kb(first.live)} → ${kb(last.live)}; largest ${kb(Math.max(...written.map(perCheckpoint)))})`
  )
  console.log(
    `  the whole snapshot at the end: ${(wholeBytes / 2 ** 20).toFixed(1)} MB in ${wholeSeconds.toFixed(1)} s (what the runtime wrote at every snapshot before); ` +
      `all checkpoints together: ${(written.reduce((n, w) => n + perCheckpoint(w), 0) / 2 ** 20).toFixed(1)} MB`
  )
  console.log(
    `  restored from the live state and ${segments.length.toLocaleString("en-US")} history segments in ${restoreSeconds.toFixed(1)} s; ` +
      `after 1,000 more updates on both: ${identical ? "byte-identical" : "DIFFERENT"} to the uninterrupted run`
  )
  if (!identical) process.exitCode = 1
} finally {
  rmSync(directory, { recursive: true, force: true })
}
