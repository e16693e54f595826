import { describe, expect, it } from "vitest"
import { type OrderRequest, type SimulationConfigInput, TradingSimulationEngine, ValidationError } from "../../src/index.ts"
import { bar, buy, engineOn, flat, frictionless, sell } from "./fixtures.ts"

const engine = engineOn(frictionless(["ACME", "BETA"], { enableShorting: true }))

/** An engine holding `position` ACME (long or short) bought or sold at 100, with the mark at 100. */
const holding = (position: number, config: SimulationConfigInput = {}): TradingSimulationEngine => {
  const e = engine(config)
  e.processMarketUpdate({ ACME: 100 })
  e.submitOrder(position > 0 ? buy("ACME", position) : sell("ACME", -position))
  e.processMarketUpdate({ ACME: 100 })
  return e
}
const update = (e: TradingSimulationEngine, open: number, high: number, low: number, close: number) => e.processMarketUpdate({ bars: { ACME: bar(open, high, low, close) } })
const trailing = (side: "buy" | "sell", extra: Partial<OrderRequest>): OrderRequest => ({ symbol: "ACME", side, type: "trailingStop", quantity: 10, ...extra })
const stopOf = (e: TradingSimulationEngine, id: string) => {
  const o = e.getOrder(id)
  return { stop: o.stopPrice, watermark: o.trailWatermark, status: o.status }
}

const validationFields = (f: () => unknown): ReadonlyArray<string> => {
  try {
    f()
  } catch (e) {
    if (e instanceof ValidationError) return e.issues.map((i) => i.field)
    throw e
  }
  throw new Error("expected a ValidationError")
}

describe("trailing stops by amount", () => {
  it("a sell starts from the last mark, moves with the bar's high after it is matched, and never loosens", () => {
    const e = holding(10)
    const id = e.submitOrder(trailing("sell", { trailAmount: 2 }))
    expect(stopOf(e, id)).toEqual({ stop: "98", watermark: "100", status: "submitted" })
    update(e, 100, 105, 99, 104)
    expect(stopOf(e, id)).toEqual({ stop: "103", watermark: "105", status: "accepted" })
    // A lower high leaves it where it is.
    update(e, 104, 104.5, 103.5, 104)
    expect(stopOf(e, id)).toEqual({ stop: "103", watermark: "105", status: "accepted" })
    update(e, 104, 104.5, 102.5, 103)
    expect(stopOf(e, id).status).toBe("filled")
    expect(e.getFills().at(-1)).toMatchObject({ orderId: id, price: "103" })
  })

  it("is matched against the stop in force before it moves: the bar's new high does not stop it out on the same bar", () => {
    const e = holding(10)
    const id = e.submitOrder(trailing("sell", { trailAmount: 2 }))
    // High 110 moves the stop to 108, and the bar trades down to 99: but the stop in force was 98.
    update(e, 100, 110, 99, 102)
    expect(stopOf(e, id)).toEqual({ stop: "108", watermark: "110", status: "accepted" })
    update(e, 105, 106, 104, 105)
    // Gapped below the stop: filled at the open.
    expect(e.getFills().at(-1)).toMatchObject({ orderId: id, price: "105" })
  })

  it("a buy (covering a short) trails the bar's low, above it by the amount", () => {
    const e = holding(-10)
    const id = e.submitOrder(trailing("buy", { trailAmount: 2 }))
    expect(stopOf(e, id)).toMatchObject({ stop: "102", watermark: "100" })
    update(e, 100, 100.5, 95, 96)
    expect(stopOf(e, id)).toMatchObject({ stop: "97", watermark: "95" })
    update(e, 96, 97.5, 96, 97)
    expect(e.getFills().at(-1)).toMatchObject({ orderId: id, side: "buy", price: "97" })
    expect(e.positionOf("ACME").toString()).toBe("0")
  })

  it("trailBy: close measures from the close instead (backtrader)", () => {
    const e = holding(10, { trailBy: "close" })
    const id = e.submitOrder(trailing("sell", { trailAmount: 2 }))
    update(e, 100, 105, 99, 104)
    expect(stopOf(e, id)).toMatchObject({ stop: "102", watermark: "104" })
  })

  it("a given reference replaces the last mark", () => {
    const e = holding(10)
    const id = e.submitOrder(trailing("sell", { trailAmount: 2, trailReference: 95 }))
    expect(stopOf(e, id)).toMatchObject({ stop: "93", watermark: "95" })
  })

  it("does not move before it is accepted: an update without its symbol leaves it as it was", () => {
    const e = holding(10)
    const id = e.submitOrder(trailing("sell", { trailAmount: 2 }))
    e.processMarketUpdate({ bars: { BETA: bar(10, 200, 5, 150) } })
    expect(stopOf(e, id)).toEqual({ stop: "98", watermark: "100", status: "submitted" })
  })
})

describe("trailing stops by percent", () => {
  it("a sell stays the percent below the best high; a buy the percent above the best low", () => {
    const long = holding(10)
    const sellId = long.submitOrder(trailing("sell", { trailPercent: 5 }))
    expect(stopOf(long, sellId)).toMatchObject({ stop: "95", watermark: "100" })
    update(long, 100, 110, 99, 108)
    expect(stopOf(long, sellId)).toMatchObject({ stop: "104.5", watermark: "110" })

    const short = holding(-10)
    const buyId = short.submitOrder(trailing("buy", { trailPercent: "2.5" }))
    expect(stopOf(short, buyId)).toMatchObject({ stop: "102.5", watermark: "100" })
    update(short, 100, 101, 80, 81)
    expect(stopOf(short, buyId)).toMatchObject({ stop: "82", watermark: "80" })
  })
})

describe("trailing stops: validation", () => {
  it("exactly one of trailAmount and trailPercent, positive, the percent under 100", () => {
    const e = holding(10)
    expect(validationFields(() => e.submitOrder(trailing("sell", {})))).toEqual(["trailAmount"])
    expect(validationFields(() => e.submitOrder(trailing("sell", { trailAmount: 1, trailPercent: 1 })))).toEqual(["trailPercent"])
    expect(validationFields(() => e.submitOrder(trailing("sell", { trailAmount: -1 })))).toEqual(["trailAmount"])
    expect(validationFields(() => e.submitOrder(trailing("sell", { trailPercent: 100 })))).toEqual(["trailPercent"])
    expect(validationFields(() => e.submitOrder(trailing("sell", { trailAmount: 1, stopPrice: 90 })))).toEqual(["stopPrice"])
    expect(validationFields(() => e.submitOrder(sell("ACME", 1, { type: "limit", limitPrice: 101, trailAmount: 1, trailReference: 5 })))).toEqual(["trailAmount", "trailReference"])
  })

  it("needs a reference before its symbol has a price, and a sell's amount below it", () => {
    const e = engine()
    expect(validationFields(() => e.submitOrder(trailing("sell", { trailAmount: 2 })))).toEqual(["trailReference"])
    expect(validationFields(() => e.submitOrder(trailing("sell", { trailAmount: 100, trailReference: 100 })))).toEqual(["trailAmount"])
    e.processMarketUpdate({ ACME: 100 })
    expect(validationFields(() => e.submitOrder(trailing("sell", { trailAmount: 150 })))).toEqual(["trailAmount"])
    expect(e.getOrders()).toEqual([])
  })
})

describe("trailing stops: replace", () => {
  it("a new distance of its own kind measures the stop again from the watermark", () => {
    const e = holding(10)
    const id = e.submitOrder(trailing("sell", { trailAmount: 2 }))
    update(e, 100, 105, 99, 104)
    expect(e.replaceOrder(id, { trailAmount: 4 })).toEqual({ replaced: true })
    expect(stopOf(e, id)).toMatchObject({ stop: "101", watermark: "105" })
    expect(e.getOrder(id).trailAmount).toBe("4")
    expect(validationFields(() => e.replaceOrder(id, { trailPercent: 3 }))).toEqual(["trailPercent"])
    expect(validationFields(() => e.replaceOrder(id, { stopPrice: 99 }))).toEqual(["stopPrice"])
    expect(validationFields(() => e.replaceOrder(id, { trailAmount: 105 }))).toEqual(["trailAmount"])
  })
})

describe("trailing stops: snapshots", () => {
  it("a restore mid-run carries the stop in force and the watermark, and ends as the uninterrupted run", () => {
    const bars = [bar(100, 103, 99, 102), bar(102, 106, 101, 105), bar(105, 105, 102, 103), bar(103, 108, 103, 107), flat(100)]
    const run = (cut: number | null) => {
      let e = holding(10)
      e.submitOrder(trailing("sell", { trailPercent: 3 }))
      bars.forEach((b, i) => {
        if (i === cut) e = TradingSimulationEngine.fromSnapshot(JSON.parse(JSON.stringify(e.snapshot())))
        e.processMarketUpdate({ bars: { ACME: b } })
      })
      return JSON.stringify(e.snapshot())
    }
    const whole = run(null)
    // 3 % under the high of 106 is 102.82, which the third bar reaches.
    expect(JSON.parse(whole).orders[1]).toMatchObject({ status: "filled", context: { order: { trailWatermark: "106", stopPrice: "102.82" }, averageFillPrice: "102.82" } })
    for (const cut of [1, 2, 3, 4]) expect(run(cut)).toBe(whole)
  })
})
