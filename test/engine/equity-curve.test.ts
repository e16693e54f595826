import { describe, expect, it } from "vitest"
import { EquityCurve } from "../../src/engine/equity-curve.ts"
import { TradingSimulationEngine } from "../../src/index.ts"
import { buy, DAY, engineOn, flat, frictionless, MONDAY, sell } from "./fixtures.ts"

const engineWith = engineOn(frictionless(["AAPL", "MSFT"], { enableShorting: true }))

describe("equity curve", () => {
  it("records each update's long and short market value beside equity", () => {
    const engine = engineWith()
    engine.processMarketUpdate({ time: MONDAY, bars: { AAPL: flat(100), MSFT: flat(50) } })
    engine.submitOrder(buy("AAPL", 10))
    engine.submitOrder(sell("MSFT", 20))
    engine.processMarketUpdate({ time: MONDAY + DAY, bars: { AAPL: flat(110), MSFT: flat(40) } })

    expect(engine.getEquityCurve()).toEqual([
      { time: MONDAY, equity: 100_000, longValue: 0, shortValue: 0 },
      // Bought 10 at 110 and sold 20 at 40: cash 100 000 − 1 100 + 800; long 1 100, short 800.
      { time: MONDAY + DAY, equity: 100_000, longValue: 1_100, shortValue: 800 }
    ])
  })

  it("survives a snapshot round trip", () => {
    const engine = engineWith()
    engine.processMarketUpdate({ time: MONDAY, bars: { AAPL: flat(100) } })
    engine.submitOrder(buy("AAPL", 5))
    engine.processMarketUpdate({ time: MONDAY + DAY, bars: { AAPL: flat(120) } })
    const restored = TradingSimulationEngine.fromSnapshot(JSON.parse(JSON.stringify(engine.snapshot())))
    expect(restored.getEquityCurve()).toEqual(engine.getEquityCurve())
    expect(restored.getEquityCurve().map((p) => p.longValue)).toEqual([0, 600])
  })
})

describe("EquityCurve storage", () => {
  // Enough points to span several of its chunks, with times missing now and then.
  const n = 70_000
  // Long and short values that stay zero for a while, then not (kept only from then on).
  // (Chunks start at 1,024, 3,072, 7,168, 15,360, 31,744, then every 32,768; the shorts skip some.)
  const short = (i: number) => (i > 7_000 && i < 7_100) || (i > 40_000 && i < 40_010)
  const point = (i: number) => ({ time: i % 7 === 0 ? null : 1_000 * i, equity: 100_000 + i / 3, longValue: i < 5_000 ? 0 : i % 5, shortValue: short(i) ? 0.1 * i : 0 })
  const filled = (count: number): EquityCurve => {
    const curve = new EquityCurve()
    for (let i = 0; i < count; i++) curve.push(point(i).time, point(i))
    return curve
  }

  it("gives back every point pushed, in order, whatever the length", () => {
    for (const count of [0, 1, 1_023, 1_024, 3_072, 7_050, 31_743, 31_744, 40_005, n]) {
      const curve = filled(count)
      const expected = Array.from({ length: count }, (_, i) => point(i))
      expect(curve.length).toBe(count)
      expect(curve.points()).toEqual(expected)
      expect(curve.last()).toBe(count === 0 ? undefined : point(count - 1).equity)
      // Copied into a slot, which keeps what it held when there is no point.
      const slots = Float64Array.of(-1, -2)
      curve.copyLastInto(slots, 1)
      expect([...slots]).toEqual([-1, count === 0 ? -2 : point(count - 1).equity])
      expect([...curve.values()]).toEqual(expected.map((p) => p.equity))
      const { times, longValue, shortValue } = curve.columns()
      expect([...times].map((t) => (Number.isNaN(t) ? null : t))).toEqual(expected.map((p) => p.time))
      expect([...longValue]).toEqual(expected.map((p) => p.longValue))
      expect([...shortValue]).toEqual(expected.map((p) => p.shortValue))
    }
  })

  it("snapshots the points from any index on, and restores them", () => {
    const curve = filled(n)
    for (const from of [0, 1, 1_023, 1_024, 7_000, 31_744, 40_001, n - 1, n, n + 5]) {
      const s = curve.snapshot(from)
      expect(s.equity).toEqual(curve.points().slice(from).map((p) => p.equity))
      expect(s.times).toEqual(curve.points().slice(from).map((p) => p.time))
    }
    expect(EquityCurve.fromSnapshot(curve.snapshot()).points()).toEqual(curve.points())
  })

  it("keeps a negative zero as it came", () => {
    const curve = new EquityCurve()
    curve.push(1, { equity: 5, longValue: 0, shortValue: 0 })
    curve.push(2, { equity: 5, longValue: -0, shortValue: 0 })
    expect(curve.points().map((p) => Object.is(p.longValue, -0))).toEqual([false, true])
    expect(Object.is(curve.snapshot().longValue[1], -0)).toBe(true)
  })

  it("reads its columns afresh after a point is added", () => {
    const curve = filled(10)
    expect(curve.values().length).toBe(10)
    curve.push(42, { equity: 7, longValue: 0, shortValue: 0 })
    expect(curve.values().length).toBe(11)
    expect(curve.values()[10]).toBe(7)
    expect(curve.columns().times[10]).toBe(42)
  })

  it("restored from stored points: reads them only when asked for, then answers as a curve pushed in one go", () => {
    const whole = filled(40_005)
    // Stored as three segments (a checkpoint's history records), then points pushed after the restore.
    const cuts = [0, 7_050, 31_800, 40_000]
    const reads: number[] = []
    const stored = cuts.slice(1).map((to, k) => {
      const part = EquityCurve.fromSnapshot(whole.snapshot(cuts[k])).snapshot()
      const kept = { times: part.times.slice(0, to - cuts[k]!), equity: part.equity.slice(0, to - cuts[k]!), longValue: part.longValue.slice(0, to - cuts[k]!), shortValue: part.shortValue.slice(0, to - cuts[k]!) }
      return { length: to - cuts[k]!, read: () => (reads.push(k), kept) }
    })
    const fresh = () => {
      const curve = EquityCurve.stored(stored)
      for (let i = 40_000; i < 40_005; i++) curve.push(point(i).time, point(i))
      return curve
    }
    const unread = fresh()
    expect(unread.length).toBe(40_005)
    expect(unread.last()).toBe(point(40_004).equity)
    expect(unread.snapshot(40_000)).toEqual(whole.snapshot(40_000))
    expect(unread.snapshot(40_005).equity).toEqual([])
    expect(reads).toEqual([])
    expect(unread.snapshot(39_990)).toEqual(whole.snapshot(39_990))
    expect(reads).toEqual([0, 1, 2])
    expect(unread.points()).toEqual(whole.points())
    for (const ask of [(c: EquityCurve) => c.points(), (c: EquityCurve) => [...c.values()], (c: EquityCurve) => c.columns(), (c: EquityCurve) => c.snapshot()])
      expect(ask(fresh())).toEqual(ask(whole))
    // Nothing pushed since the restore: the last point is a stored one.
    expect(EquityCurve.stored(stored).last()).toBe(point(39_999).equity)
    const slots = new Float64Array(1)
    EquityCurve.stored(stored).copyLastInto(slots, 0)
    expect(slots[0]).toBe(point(39_999).equity)
  })
})
