import { createActor } from "xstate"
import { describe, expect, it } from "vitest"
import { orderMachine, simulationMachine } from "../../machines/index.ts"
import { MovingAverageCrossover } from "../../examples/strategies/moving-average-crossover.ts"
import { loadOhlcvCsv } from "../../src/data/ohlcv-csv.ts"
import { ENGINE_SNAPSHOT_FORMAT, TradingSimulationEngine } from "../../src/engine/trading-simulation-engine.ts"

const bars = await loadOhlcvCsv(new URL("../../examples/data/orcl-1995-2014.txt", import.meta.url).pathname)
const config = { symbols: ["ORCL"], updateFrequency: "1d", minimumCommission: "1" } as const

const feed = (engine: TradingSimulationEngine, strategy: MovingAverageCrossover, from: number, to: number) => {
  for (let i = from; i < to; i++) {
    const bar = bars[i]!
    engine.processMarketUpdate({ time: bar.time, bars: { ORCL: bar } })
    strategy.onClose(engine, bar.close)
  }
}

describe("engine snapshots", () => {
  const whole = new TradingSimulationEngine(config)
  feed(whole, new MovingAverageCrossover("ORCL"), 0, bars.length)
  const expected = JSON.stringify(whole.snapshot())

  // Split points inside a position, right after a fill, and at the edges.
  it.each([0, 1, 91, 92, 1234, 2500, bars.length - 1])(
    "restored from JSON after %i updates, the run ends byte-identical to an uninterrupted one",
    (at) => {
      const first = new TradingSimulationEngine(config)
      const strategy = new MovingAverageCrossover("ORCL")
      feed(first, strategy, 0, at)
      const restored = TradingSimulationEngine.fromSnapshot(JSON.parse(JSON.stringify(first.snapshot())))
      feed(restored, strategy, at, bars.length)
      expect(JSON.stringify(restored.snapshot())).toBe(expected)
      expect(restored.getPerformanceMetrics()).toEqual(whole.getPerformanceMetrics())
      expect(restored.getTrades()).toEqual(whole.getTrades())
    }
  )

  it("carries its format version and the working orders", () => {
    const engine = new TradingSimulationEngine({ symbols: ["ORCL"] })
    engine.processMarketUpdate({ ORCL: 10 })
    const id = engine.submitOrder({ symbol: "ORCL", side: "buy", type: "limit", quantity: 5, limitPrice: 9 })
    engine.processMarketUpdate({ ORCL: 10 })
    const snapshot = engine.snapshot()
    expect(snapshot.formatVersion).toBe(ENGINE_SNAPSHOT_FORMAT)
    expect(snapshot.working).toEqual([id])
    const restored = TradingSimulationEngine.fromSnapshot(JSON.parse(JSON.stringify(snapshot)))
    restored.processMarketUpdate({ ORCL: 9 })
    expect(restored.getOrder(id).status).toBe("filled")
  })
})

describe("snapshots hold the machines' own state", () => {
  it("an order's stored state restores into a live XState actor that carries on", () => {
    const engine = new TradingSimulationEngine({ symbols: ["ORCL"] })
    engine.processMarketUpdate({ ORCL: 10 })
    engine.submitOrder({ symbol: "ORCL", side: "buy", type: "limit", quantity: 5, limitPrice: 9 })
    engine.processMarketUpdate({ ORCL: 10 })
    const [stored] = JSON.parse(JSON.stringify(engine.snapshot())).orders
    const actor = createActor(orderMachine, { input: stored.context, snapshot: orderMachine.resolveState({ value: stored.status, context: stored.context }) }).start()
    expect(actor.getSnapshot().value).toBe("accepted")
    actor.send({ type: "FILL", quantity: "5", price: "9", commission: "0.045" })
    expect(actor.getSnapshot().value).toBe("filled")
    expect(actor.getSnapshot().context.averageFillPrice).toBe("9")
  })

  it("the simulation's stored state restores into a live XState actor", () => {
    const engine = new TradingSimulationEngine({ symbols: ["ORCL"] })
    engine.pause()
    const { simulation } = engine.snapshot()
    const actor = createActor(simulationMachine, { input: simulation.context, snapshot: simulationMachine.resolveState({ value: simulation.status, context: simulation.context }) }).start()
    actor.send({ type: "RESUME", day: null })
    expect(actor.getSnapshot().value).toBe("running")
  })
})
