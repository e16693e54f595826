import { describe, expect, it } from "vitest"
import { syntheticBars, syntheticQuotes, updatesFromBars, updatesFromQuotes, updatesFromTicks } from "../../../src/data/synthetic/index.ts"

describe("synthetic records as the engine's market updates", () => {
  it("bars: one update per time with every symbol's bar", () => {
    const bars = syntheticBars({ seed: 1, symbols: ["AAA", "BBB"] })
    const [first, second] = updatesFromBars(bars).take(2)
    const [a, b, c] = bars.take(3)
    expect(first).toEqual({
      time: a!.time,
      bars: {
        AAA: { open: a!.open, high: a!.high, low: a!.low, close: a!.close, volume: a!.volume },
        BBB: { open: b!.open, high: b!.high, low: b!.low, close: b!.close, volume: b!.volume }
      }
    })
    expect(second!.time).toBe(c!.time)
    expect(Object.keys(second!.bars)).toEqual(["AAA", "BBB"])
  })

  it("ticks: one update per time; a symbol twice at one time starts a second update at that time", () => {
    const ticks = [
      { time: 1, symbol: "A", price: 10, size: 1 },
      { time: 1, symbol: "B", price: 20, size: 1 },
      { time: 1, symbol: "A", price: 11, size: 1 },
      { time: 2, symbol: "__proto__", price: 30, size: 1 }
    ]
    const updates = updatesFromTicks(ticks).take(10)
    expect(updates).toEqual([
      { time: 1, prices: { A: 10, B: 20 } },
      { time: 1, prices: { A: 11 } },
      { time: 2, prices: Object.fromEntries([["__proto__", 30]]) }
    ])
    expect(Object.keys(updates[2]!.prices)).toEqual(["__proto__"])
    expect(updatesFromTicks([]).take(3)).toEqual([])
  })

  it("quotes: each quote's bid and ask as they are, every quote exactly once", () => {
    const quotes = syntheticQuotes({ seed: 4, symbols: ["AAA", "BBB"] }).take(200)
    const updates = updatesFromQuotes(quotes).take(1000)
    const given = updates.flatMap(({ time, quotes }) => Object.entries(quotes).map(([symbol, { bid, ask }]) => ({ time, symbol, bid, ask })))
    expect(given).toEqual(quotes.map(({ time, symbol, bid, ask }) => ({ time, symbol, bid, ask })))
  })

  it("is lazy: an endless series gives its first updates", () => {
    expect(updatesFromBars(syntheticBars({ seed: 1, interval: 1 })).take(1000)).toHaveLength(1000)
  })
})
