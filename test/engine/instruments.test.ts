import { describe, expect, it } from "vitest"
import { ValidationError } from "../../src/index.ts"
import type { OrderRequest, SimulationConfigInput } from "../../src/index.ts"
import { at, bar, buy, engineOn, flat, frictionless, MONDAY, sell } from "./fixtures.ts"

/** Instruments (DESIGN.md, "Execution semantics, advanced orders"): tick size, lot size and minimum quantity per symbol. */
const instruments = { AAPL: { tickSize: "0.05", lotSize: 10, minQuantity: 20 } }
const engineWith = engineOn(frictionless(["AAPL", "MSFT"], { enableShorting: true, instruments }))

const issuesOf = (f: () => unknown) => {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError)
    return (e as ValidationError).issues.map((i) => [i.field, i.rule])
  }
  throw new Error("expected a ValidationError")
}

describe("order validation against the instrument", () => {
  it("refuses a price off the tick, a quantity off the lot and one under the minimum, naming the field", () => {
    const engine = engineWith()
    expect(issuesOf(() => engine.submitOrder(buy("AAPL", 20, { type: "limit", limitPrice: "100.01" })))).toEqual([["limitPrice", "must be a multiple of AAPL's tick size 0.05"]])
    expect(issuesOf(() => engine.submitOrder(buy("AAPL", 20, { type: "stopLimit", limitPrice: "100.05", stopPrice: "100.02" })))).toEqual([["stopPrice", "must be a multiple of AAPL's tick size 0.05"]])
    expect(issuesOf(() => engine.submitOrder(buy("AAPL", 25)))).toEqual([["quantity", "must be a multiple of AAPL's lot size 10"]])
    expect(issuesOf(() => engine.submitOrder(buy("AAPL", 10)))).toEqual([["quantity", "must be at least AAPL's minimum quantity 20"]])
    expect(engine.getOrders()).toEqual([])
  })

  it("takes prices on the tick and quantities on the lot, in any input form; other symbols are unconstrained", () => {
    const engine = engineWith()
    engine.submitOrder(buy("AAPL", "30", { type: "limit", limitPrice: "100.15" }))
    engine.submitOrder(buy("AAPL", 20, { type: "limit", limitPrice: 99.95 }))
    engine.submitOrder(buy("MSFT", "0.5", { type: "limit", limitPrice: "100.0001" }))
    expect(engine.getOrders()).toHaveLength(3)
  })

  it("a replace is held to the same rules", () => {
    const engine = engineWith()
    const id = engine.submitOrder(buy("AAPL", 20, { type: "limit", limitPrice: 90 }))
    engine.processMarketUpdate({ time: at(MONDAY, 0), bars: { AAPL: flat(100) } })
    expect(issuesOf(() => engine.replaceOrder(id, { quantity: 35, limitPrice: "90.02" }))).toEqual([
      ["limitPrice", "must be a multiple of AAPL's tick size 0.05"],
      ["quantity", "must be a multiple of AAPL's lot size 10"]
    ])
    expect(engine.getOrder(id)).toMatchObject({ status: "accepted", quantity: "20", limitPrice: "90" })
    expect(engine.replaceOrder(id, { quantity: 40, limitPrice: "90.05" })).toEqual({ replaced: true })
  })

  it("the config refuses instruments for unknown symbols and sizes that are not positive decimals", () => {
    const fields = (config: Record<string, unknown>) => issuesOf(() => engineWith(config as SimulationConfigInput)).map(([field]) => field)
    expect(fields({ instruments: { TSLA: { tickSize: 0.01 } } })).toEqual(["instruments.TSLA"])
    expect(fields({ instruments: { AAPL: { tickSize: 0 } } })).toEqual(["instruments.AAPL.tickSize"])
    expect(fields({ instruments: { AAPL: { lotSize: "ten" } } })).toEqual(["instruments.AAPL.lotSize"])
    expect(fields({ instruments: { AAPL: { minQuantity: -1, pipSize: 1 } } }).sort()).toEqual(["instruments.AAPL.minQuantity", "instruments.AAPL.pipSize"])
    expect(engineWith({ instruments: { AAPL: { tickSize: 0.01 } } }).config.instruments).toEqual({ AAPL: { tickSize: "0.01" } })
  })
})

describe("fill prices on the tick", () => {
  const fillOf = (request: OrderRequest, config: SimulationConfigInput, open: number | string) => {
    const engine = engineWith(config)
    engine.submitOrder(request)
    engine.processMarketUpdate({ time: at(MONDAY, 0), bars: { AAPL: bar(open, 200, 1, open) } })
    const [fill] = engine.getFills()
    return [fill!.marketPrice, fill!.price]
  }

  it("after slippage, a buy pays the next tick up and a sell gets the next tick down", () => {
    // 100 × 1.001 = 100.1 is on the tick; 100.02 × 1.001 = 100.12002 rounds up to 100.15.
    expect(fillOf(buy("AAPL", 20), { slippageRate: 0.001 }, 100)).toEqual(["100", "100.1"])
    expect(fillOf(buy("AAPL", 20), { slippageRate: 0.001 }, "100.02")).toEqual(["100.02", "100.15"])
    // 100.02 × 0.999 = 99.91998 rounds down to 99.9.
    expect(fillOf(sell("AAPL", 20), { slippageRate: 0.001 }, "100.02")).toEqual(["100.02", "99.9"])
  })

  it("a market price off the tick is rounded against the trader even without slippage", () => {
    expect(fillOf(buy("AAPL", 20), {}, "100.03")).toEqual(["100.03", "100.05"])
    expect(fillOf(sell("AAPL", 20), {}, "100.03")).toEqual(["100.03", "100"])
  })

  it("never past the limit: the limit is on the tick, and caps the rounded price", () => {
    // Opens at 99.98 under the limit 100: slipped to 100.07998, up to 100.1, capped at 100.
    expect(fillOf(buy("AAPL", 20, { type: "limit", limitPrice: 100 }), { slippageRate: 0.001 }, "99.98")).toEqual(["99.98", "100"])
  })

  it("without instrument data, prices stay exact decimals as given", () => {
    const engine = engineOn(frictionless(["AAPL"]))({ slippageRate: 0.001 })
    engine.submitOrder(buy("AAPL", 3))
    engine.processMarketUpdate({ AAPL: "100.02" })
    expect(engine.getFills()[0]!.price).toBe("100.12002")
  })
})
