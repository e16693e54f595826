import { describe, expect, it } from "vitest"
import {
  type EngineHistory,
  type EngineLiveSnapshot,
  HistoryGapError,
  type HistoryMarks,
  NO_HISTORY,
  TradingSimulationEngine
} from "../../src/engine/trading-simulation-engine.ts"

const config = { symbols: ["A"], dailyStopLoss: null, commissionRate: 0.001 } as const
const time = (i: number) => Date.UTC(2024, 0, 2) + i * 60_000

/** Update i: a price that wanders, and a buy and a sell of one share, each filled at the next update. */
const step = (engine: TradingSimulationEngine, i: number) => {
  engine.processMarketUpdate({ time: time(i), prices: { A: 100 + ((i * 7) % 13) } })
  engine.submitOrder({ symbol: "A", side: "buy", type: "market", quantity: 1 })
  engine.submitOrder({ symbol: "A", side: "sell", type: "market", quantity: 1 })
}

/** Checkpoints a run as the runtime does: each one's history picks up where the last ended. */
class Checkpoints {
  readonly segments: EngineHistory[] = []
  marks: HistoryMarks = NO_HISTORY
  live: EngineLiveSnapshot | null = null

  take(engine: TradingSimulationEngine): number {
    const json = JSON.stringify(engine.checkpoint(this.marks))
    const { live, history } = JSON.parse(json) as { live: EngineLiveSnapshot; history: EngineHistory }
    this.segments.push(history)
    this.marks = live.history
    this.live = live
    return JSON.stringify(live).length
  }
}

const restore = (c: Checkpoints, segments = c.segments) => TradingSimulationEngine.fromCheckpoint(c.live!, segments)

describe("checkpoints: a live state that does not grow with the run, and its history in segments", () => {
  it("restores a run of 200,000 fills from a full snapshot and from checkpoints; both carry on byte-identical", () => {
    const engine = new TradingSimulationEngine(config)
    const checkpoints = new Checkpoints()
    const liveSizes: number[] = []
    for (let i = 0; i < 100_002; i++) {
      step(engine, i)
      if (i % 10_000 === 0) liveSizes.push(checkpoints.take(engine))
    }
    checkpoints.take(engine)
    expect(engine.getFills().length).toBeGreaterThanOrEqual(200_000)
    // The live state holds the open book (the two orders just sent), not the history behind it.
    expect(Math.max(...liveSizes)).toBeLessThan(2 * Math.min(...liveSizes.slice(1)))
    expect(Math.max(...liveSizes)).toBeLessThan(10_000)
    const fromSnapshot = TradingSimulationEngine.fromSnapshot(JSON.parse(JSON.stringify(engine.snapshot())))
    const fromCheckpoints = restore(checkpoints)
    if (fromCheckpoints instanceof HistoryGapError) throw fromCheckpoints
    expect(JSON.stringify(fromCheckpoints.getFills())).toBe(JSON.stringify(engine.getFills()))
    for (let i = 100_002; i < 100_012; i++) for (const e of [engine, fromSnapshot, fromCheckpoints]) step(e, i)
    const expected = JSON.stringify(engine.snapshot())
    expect(JSON.stringify(fromSnapshot.snapshot())).toBe(expected)
    expect(JSON.stringify(fromCheckpoints.snapshot())).toBe(expected)
    const answers = (e: TradingSimulationEngine) => JSON.stringify([e.getOrders(), e.getTrades(), e.getPerformanceMetrics(), e.getEquityCurve()])
    expect(answers(fromCheckpoints)).toBe(answers(engine))
  }, 120_000)

  it("a missing or repeated segment is a HistoryGapError, not a different simulation", () => {
    const engine = new TradingSimulationEngine(config)
    const checkpoints = new Checkpoints()
    for (let i = 0; i < 30; i++) {
      step(engine, i)
      if (i % 10 === 9) checkpoints.take(engine)
    }
    const [a, b, c] = checkpoints.segments
    expect(restore(checkpoints, [a!, c!])).toBeInstanceOf(HistoryGapError)
    expect(restore(checkpoints, [a!, b!, b!, c!])).toBeInstanceOf(HistoryGapError)
    expect(restore(checkpoints, [a!, b!])).toBeInstanceOf(HistoryGapError)
    expect(restore(checkpoints)).toBeInstanceOf(TradingSimulationEngine)
  })
})
