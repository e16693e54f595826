import { describe, expect, it } from "vitest"
import { TradingSimulationEngine, ValidationError } from "../../src/index.ts"
import type { BarInput, MarketUpdateInput, OrderRequest, SimulationConfigInput } from "../../src/index.ts"
import { at, bar, buy, engineOn, flat, frictionless, MONDAY, record, sell, TUESDAY } from "./fixtures.ts"

/**
 * Volume-participation partial fills (DESIGN.md, "Execution semantics, advanced orders"), by
 * example on hand-made bars: each update one order fills at most ⌊f × volume⌋ in lots, each
 * chunk its own fill with its own commission and cash check, the rest working by its type's rules.
 */
const engineWith = engineOn(frictionless(["AAPL"], { enableShorting: true }))

const minute = (i: number) => at(MONDAY, i)

const run = (request: OrderRequest, bars: ReadonlyArray<BarInput | { readonly tick: number }>, config: SimulationConfigInput = {}) => {
  const engine = engineWith(config)
  const id = engine.submitOrder(request)
  const statuses: string[] = []
  bars.forEach((b, i) => {
    engine.processMarketUpdate("tick" in b ? { time: minute(i), prices: { AAPL: b.tick } } : { time: minute(i), bars: { AAPL: b } })
    statuses.push(engine.getOrder(id).status)
  })
  const fills = engine.getFills().filter((f) => f.orderId === id)
  return { engine, id, order: engine.getOrder(id), fills, statuses, chunks: fills.map((f) => [f.quantity, f.price, f.commission, f.updateIndex]) }
}

describe("volumeParticipation: at most ⌊f × volume⌋ per order per update", () => {
  it("a market order fills in chunks at each later open, each with its own commission", () => {
    const { chunks, statuses, order } = run(buy("AAPL", 60), [flat(100, 250), flat(102, 250), flat(104, 250)], { volumeParticipation: 0.1, commissionRate: 0.001 })
    expect(chunks).toEqual([
      ["25", "100", "2.5", 1],
      ["25", "102", "2.55", 2],
      ["10", "104", "1.04", 3]
    ])
    expect(statuses).toEqual(["partiallyFilled", "partiallyFilled", "filled"])
    expect(order.commission).toBe("6.09")
  })

  it("the cap is recomputed every bar with no carry-over: a quiet bar fills nothing, a busy one no more than its own share", () => {
    const { chunks } = run(buy("AAPL", 100), [flat(100, 9), flat(100, 500), flat(100, 0)], { volumeParticipation: 0.1 })
    // ⌊0.9⌋ = 0 on the first bar; 50 on the second (not 50 plus what the first could not take); 0 on an empty bar.
    expect(chunks.map((c) => [c[0], c[3]])).toEqual([["50", 2]])
  })

  it("⌊f × volume⌋ is exact (0.29 × 100 is 29, not the double 28.999…)", () => {
    const { chunks } = run(buy("AAPL", 100), [flat(100, 100)], { volumeParticipation: 0.29 })
    expect(chunks.map((c) => c[0])).toEqual(["29"])
  })

  it("an update without a volume (a tick, a bar without one) has no cap", () => {
    const { chunks } = run(buy("AAPL", 100), [flat(100, 100), { tick: 101 }], { volumeParticipation: 0.1 })
    expect(chunks.map((c) => [c[0], c[1]])).toEqual([["10", "100"], ["90", "101"]])
    expect(run(buy("AAPL", 100), [flat(100)], { volumeParticipation: 0.1 }).order.status).toBe("filled")
  })

  it("the cap is in whole lots of the symbol's instrument", () => {
    const { chunks } = run(buy("AAPL", 100), [flat(100, 250), flat(100, 250)], { volumeParticipation: 0.1, instruments: { AAPL: { lotSize: 10 } } })
    expect(chunks.map((c) => c[0])).toEqual(["20", "20"])
  })

  it("a limit remainder fills only on bars that reach its limit", () => {
    const { chunks, statuses } = run(buy("AAPL", 30, { type: "limit", limitPrice: 99 }), [bar(100, 101, 98, 100, 200), bar(100, 101, 99.5, 100, 200), bar(98, 99, 97, 98, 200)], {
      volumeParticipation: 0.1
    })
    expect(chunks.map((c) => [c[0], c[1], c[3]])).toEqual([
      ["20", "99", 1],
      ["10", "98", 3]
    ])
    expect(statuses).toEqual(["partiallyFilled", "partiallyFilled", "filled"])
  })

  it("a triggered stop's remainder fills at later opens", () => {
    const { chunks } = run(sell("AAPL", 30, { type: "stop", stopPrice: 95 }), [bar(100, 100, 94, 95, 200), bar(93, 94, 92, 93, 200)], { volumeParticipation: 0.1 })
    expect(chunks.map((c) => [c[0], c[1]])).toEqual([["20", "95"], ["10", "93"]])
  })

  it("a day order's remainder expires at the end of its session; its fills stand", () => {
    const engine = engineWith({ volumeParticipation: 0.1 })
    const id = engine.submitOrder(buy("AAPL", 50, { type: "limit", limitPrice: 100, timeInForce: "day" }))
    engine.processMarketUpdate({ time: at(MONDAY, 0), bars: { AAPL: flat(100, 100) } })
    engine.processMarketUpdate({ time: at(TUESDAY, 0), bars: { AAPL: flat(100, 100) } })
    expect(engine.getOrder(id)).toMatchObject({ status: "expired", filledQuantity: "10" })
  })
})

describe("the cash check of each chunk", () => {
  // 7000 of capital pays for 60 at 100 at the check; after a first chunk of 25 at 100 the open gaps to 200.
  const bars = [flat(100, 250), flat(200, 250), flat(200, 250)]

  it("by default a chunk the cash cannot pay ends the rest as rejected; the chunks before stand", () => {
    const { order, chunks, statuses } = run(buy("AAPL", 60), bars, { initialCapital: 7000, volumeParticipation: 0.1 })
    expect(chunks.map((c) => [c[0], c[1]])).toEqual([["25", "100"]])
    expect(statuses).toEqual(["partiallyFilled", "rejected", "rejected"])
    expect(order.rejectionCode).toBe("cash")
  })

  it('partialFillCash: "resize" fills the whole lots the cash pays and keeps the rest working, until not one lot is paid for', () => {
    const { engine, order, chunks, statuses } = run(buy("AAPL", 60), bars, { initialCapital: 7000, volumeParticipation: 0.1, partialFillCash: "resize" })
    // Cash 4500 after the first chunk: 22 × 200 = 4400 fits, 23 would not.
    expect(chunks.map((c) => [c[0], c[1]])).toEqual([["25", "100"], ["22", "200"]])
    expect(statuses).toEqual(["partiallyFilled", "partiallyFilled", "rejected"])
    expect(order.rejectionCode).toBe("cash")
    expect(engine.getPortfolio().cash.toString()).toBe("100")
  })

  it('"resize" without volume caps: a gap the account cannot pay for is resized, in lots of the instrument', () => {
    const request = buy("AAPL", 100, { type: "stop", stopPrice: 90 })
    const gap = [bar(80, 85, 79, 84), bar(120, 121, 119, 120)]
    expect(run(request, gap, { initialCapital: 10000 }).order).toMatchObject({ status: "rejected", filledQuantity: "0" })
    expect(run(request, gap, { initialCapital: 10000, partialFillCash: "resize" }).chunks.map((c) => [c[0], c[1]])).toEqual([["83", "120"]])
    expect(run(request, gap, { initialCapital: 10000, partialFillCash: "resize", instruments: { AAPL: { lotSize: 10 } } }).chunks.map((c) => c[0])).toEqual(["80"])
  })

  it('"resize" still closes first: a reversal covers the short, then opens what the cash pays', () => {
    const engine = engineWith({ initialCapital: 10000, partialFillCash: "resize" })
    engine.submitOrder(sell("AAPL", 50))
    engine.processMarketUpdate({ time: minute(0), bars: { AAPL: flat(100) } })
    const id = engine.submitOrder(buy("AAPL", 90, { type: "stop", stopPrice: 105 }))
    engine.processMarketUpdate({ time: minute(1), bars: { AAPL: bar(100, 104, 99, 100) } })
    engine.processMarketUpdate({ time: minute(2), bars: { AAPL: flat(200) } })
    // Covering 50 at 200 leaves 5000: 25 more at 200.
    const fills = engine.getFills().filter((f) => f.orderId === id)
    expect(fills.map((f) => [f.quantity, f.closingQuantity, f.openingQuantity])).toEqual([["75", "50", "25"]])
    expect(engine.getOrder(id).status).toBe("partiallyFilled")
  })
})

describe("the options are validated", () => {
  const refused = (config: Record<string, unknown>) => {
    try {
      engineWith(config as SimulationConfigInput)
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError)
      return (e as ValidationError).issues.map((i) => i.field)
    }
    throw new Error("expected a ValidationError")
  }

  it("volumeParticipation must be above 0 and at most 1; partialFillCash reject or resize", () => {
    for (const f of [0, -0.1, 1.01, Number.NaN, "0.5"]) expect(refused({ volumeParticipation: f })).toEqual(["volumeParticipation"])
    expect(refused({ partialFillCash: "shrink" })).toEqual(["partialFillCash"])
    expect(engineWith({ volumeParticipation: 1, partialFillCash: "resize" }).config).toMatchObject({ volumeParticipation: 1, partialFillCash: "resize" })
  })

  it("a config without them keeps its form (no new keys)", () => {
    const config = engineWith().config
    expect("volumeParticipation" in config || "partialFillCash" in config || "instruments" in config).toBe(false)
  })

  it("records events for each chunk: partially filled, then filled", () => {
    const engine = engineWith({ volumeParticipation: 0.5 })
    const events = record(engine, (e) => e.type === "orderPartiallyFilled" || e.type === "orderFilled")
    engine.submitOrder(buy("AAPL", 10))
    engine.processMarketUpdate({ time: minute(0), bars: { AAPL: flat(100, 10) } })
    engine.processMarketUpdate({ time: minute(1), bars: { AAPL: flat(100, 10) } })
    expect(events.map((e) => e.type)).toEqual(["orderPartiallyFilled", "orderFilled"])
  })
})

describe("snapshots mid-run", () => {
  it("restored with a capped partial fill, a waiting opg, a working gtd and a resize, the run ends as the uninterrupted one", () => {
    const config: SimulationConfigInput = { initialCapital: 8000, volumeParticipation: 0.1, partialFillCash: "resize", instruments: { AAPL: { tickSize: "0.01", lotSize: 5 } }, slippageRate: 0.001 }
    const updates: ReadonlyArray<MarketUpdateInput> = [
      { time: at(MONDAY, 0), bars: { AAPL: flat(100, 100) } },
      { time: at(MONDAY, 1), bars: { AAPL: flat(101, 100) } },
      { time: at(MONDAY, 2), quotes: { AAPL: { bid: 150, ask: "150.05" } } },
      { time: at(TUESDAY, 0), bars: { AAPL: bar(20, 152, 19, 141, 300) } },
      { time: at(TUESDAY, 1), bars: { AAPL: flat(141, 300) } }
    ]
    // Orders go in after the first update, so the opg order waits for Tuesday's open.
    const feed = (engine: TradingSimulationEngine, from: number, to: number) => {
      for (let i = from; i < to; i++) {
        engine.processMarketUpdate(updates[i]!)
        if (i === 0) {
          engine.submitOrder(buy("AAPL", 60))
          engine.submitOrder(buy("AAPL", 10, { timeInForce: "opg" }))
          engine.submitOrder(buy("AAPL", 5, { type: "limit", limitPrice: 90, timeInForce: "gtd", expireAt: at(MONDAY, 2) }))
        }
      }
    }
    const whole = engineWith(config)
    feed(whole, 0, updates.length)
    const expected = JSON.stringify([whole.snapshot(), whole.getOrders(), whole.getFills()])
    // The run does what the test is about: a chunk capped at 10 at 101 (101.101 up to the cent), a
    // fill at the ask resized to what the cash pays (45 of the 50 left, in lots of 5), the rest of
    // the day order expiring on Tuesday, the opg order at Tuesday's open, and the gtd order expiring
    // before Tuesday's low could reach its limit.
    expect(whole.getFills().map((f) => [f.orderId, f.quantity, f.marketPrice, f.price, f.updateIndex])).toEqual([
      ["O-000001", "10", "101", "101.11", 2],
      ["O-000001", "45", "150.05", "150.21", 3],
      ["O-000002", "10", "20", "20.02", 4]
    ])
    expect(whole.getOrders().map((o) => [o.timeInForce, o.status, o.filledQuantity])).toEqual([
      ["day", "expired", "55"],
      ["opg", "filled", "10"],
      ["gtd", "expired", "0"]
    ])
    for (let split = 0; split <= updates.length; split++) {
      const first = engineWith(config)
      feed(first, 0, split)
      const restored = TradingSimulationEngine.fromSnapshot(JSON.parse(JSON.stringify(first.snapshot())))
      feed(restored, split, updates.length)
      expect(JSON.stringify([restored.snapshot(), restored.getOrders(), restored.getFills()]), `restored after ${split} updates`).toBe(expected)
    }
  })
})
