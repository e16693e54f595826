/**
 * The market store and its timeframes: Alpaca's timeframe names, the UTC bucket of each (weeks
 * from Monday, months from the first), bars aggregated over them, and the bounded window.
 */
import { describe, expect, it } from "vitest"
import type { BrokerApiError } from "../../src/server/broker-error.ts"
import { MarketStore } from "../../src/server/market-store.ts"
import { bucketStart, parseTimeframe } from "../../src/server/market-timeframe.ts"

const at = (iso: string) => Date.parse(iso)
const bar = (time: string, open: number, close: number, volume: number) => ({ kind: "bar" as const, symbol: "AAPL", time: at(time), open, high: Math.max(open, close) + 1, low: Math.min(open, close) - 1, close, volume })

describe("timeframes", () => {
  it("reads Alpaca's names and refuses the rest, naming timeframe", () => {
    expect(["1Min", "59T", "1Hour", "23H", "1Day", "1D", "1Week", "1W", "12Month", "3M"].map((text) => parseTimeframe(text)).map((t) => `${t.amount}${t.unit}`)).toEqual(
      ["1Min", "59Min", "1Hour", "23Hour", "1Day", "1Day", "1Week", "1Week", "12Month", "3Month"]
    )
    for (const bad of ["", "D", "0Min", "60Min", "24Hour", "2Day", "2Week", "5Month", "1minute", "Min", "1.5Min"]) {
      let refusal: BrokerApiError | undefined
      try {
        parseTimeframe(bad)
      } catch (e) {
        refusal = e as BrokerApiError
      }
      expect(refusal?.status, bad).toBe(422)
      expect(refusal?.message, bad).toMatch(/^timeframe /)
    }
  })

  it("buckets a time in UTC: minutes and hours from midnight, weeks from Monday, months from the first", () => {
    const t = at("2024-03-07T14:37:45Z") // a Thursday
    const start = (text: string) => new Date(bucketStart(parseTimeframe(text), t)).toISOString()
    expect(start("1Min")).toBe("2024-03-07T14:37:00.000Z")
    expect(start("15Min")).toBe("2024-03-07T14:30:00.000Z")
    expect(start("7Min")).toBe("2024-03-07T14:35:00.000Z")
    expect(start("4Hour")).toBe("2024-03-07T12:00:00.000Z")
    expect(start("1Day")).toBe("2024-03-07T00:00:00.000Z")
    expect(start("1Week")).toBe("2024-03-04T00:00:00.000Z")
    expect(start("1Month")).toBe("2024-03-01T00:00:00.000Z")
    expect(start("6Month")).toBe("2024-01-01T00:00:00.000Z")
    expect(start("12Month")).toBe("2024-01-01T00:00:00.000Z")
    expect(new Date(bucketStart(parseTimeframe("1Week"), at("2024-03-04T00:00:00Z"))).toISOString()).toBe("2024-03-04T00:00:00.000Z")
  })
})

describe("the market store", () => {
  it("aggregates minute bars into the timeframe asked, from the bucket of start to end", () => {
    const store = new MarketStore()
    store.add(0, [bar("2024-03-04T14:30:00Z", 10, 11, 100)])
    store.add(1, [bar("2024-03-05T14:30:00Z", 11, 12, 200)])
    store.add(2, [{ kind: "trade", symbol: "AAPL", time: at("2024-03-05T14:30:20Z"), price: 12.5, size: 10 }])
    store.add(3, [bar("2024-03-11T14:30:00Z", 12, 9, 300)])
    const weeks = store.bars("AAPL", parseTimeframe("1Week"), at("2024-03-01T00:00:00Z"), at("2024-12-31T00:00:00Z"))
    expect(weeks.map((b) => [new Date(b.t).toISOString(), b.o, b.h, b.l, b.c, b.v, b.n])).toEqual([
      ["2024-03-04T00:00:00.000Z", 10, 13, 9, 12.5, 310, 1],
      ["2024-03-11T00:00:00.000Z", 12, 13, 8, 9, 300, 0]
    ])
    // A start inside a bucket leaves that bucket out: a bar starts at or after start.
    expect(store.bars("AAPL", parseTimeframe("1Week"), at("2024-03-05T00:00:00Z"), at("2024-12-31T00:00:00Z")).map((b) => b.v)).toEqual([300])
    expect(store.bars("AAPL", parseTimeframe("1Month"), 0, at("2024-03-10T00:00:00Z")).map((b) => [b.o, b.c, b.v])).toEqual([[10, 12.5, 310]])
    expect(store.bars("MSFT", parseTimeframe("1Day"), 0, Infinity)).toEqual([])
  })

  it("keeps a bounded window of minutes per symbol, dropping the oldest", () => {
    const store = new MarketStore(100)
    for (let m = 0; m < 1000; m++) store.add(m, [bar(new Date(at("2024-03-04T00:00:00Z") + m * 60_000).toISOString(), 10, 10, 1)])
    const kept = store.bars("AAPL", parseTimeframe("1Min"), 0, Infinity)
    expect(kept.length).toBeGreaterThanOrEqual(100)
    expect(kept.length).toBeLessThanOrEqual(125)
    expect(kept.at(-1)!.t).toBe(at("2024-03-04T00:00:00Z") + 999 * 60_000)
    expect(store.latestBar("AAPL")!.t).toBe(kept.at(-1)!.t)
  })
})
