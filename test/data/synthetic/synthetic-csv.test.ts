import { describe, expect, it } from "vitest"
import { syntheticBars, syntheticCsv, syntheticCsvLines, syntheticQuotes, syntheticTicks } from "../../../src/data/synthetic/index.ts"

describe("CSV text of synthetic records", () => {
  it("writes a header after the record's kind, ISO times and prices as short decimals", () => {
    const bars = syntheticCsv(syntheticBars({ seed: 1, symbols: ["ORCL"], interval: 60 }).take(2)).split("\n")
    expect(bars[0]).toBe("time,symbol,open,high,low,close,volume")
    expect(bars[1]).toMatch(/^2024-01-02T14:30:00\.000Z,ORCL,100,\d+(\.\d{1,2})?,\d+(\.\d{1,2})?,\d+(\.\d{1,2})?,\d+$/)
    expect(bars).toHaveLength(4)
    expect(bars[3]).toBe("")
    expect(syntheticCsv(syntheticTicks({ seed: 1 }).take(1))).toMatch(/^time,symbol,price,size\n\S+Z,SYN,\d+(\.\d{1,2})?,\d+\n$/)
    expect(syntheticCsv(syntheticQuotes({ seed: 1 }).take(1))).toMatch(/^time,symbol,bid,ask,bidSize,askSize\n\S+Z,SYN,[\d.]+,[\d.]+,\d+,\d+\n$/)
  })

  it("writes tiny and huge ticks without exponents", () => {
    const tiny = syntheticCsv(syntheticTicks({ seed: 1, symbols: [{ symbol: "DUST", price: 0.000003 }], tickSize: 0.000001 }).take(50))
    expect(tiny).not.toMatch(/\de[+-]?\d/)
    expect(tiny).toMatch(/,0\.00000\d,/)
    const huge = syntheticCsv(syntheticBars({ seed: 1, symbols: [{ symbol: "BIG", price: 4e11 }], tickSize: 1 }).take(5))
    expect(huge).not.toMatch(/\de[+-]?\d/)
  })

  it("is empty for no records, and streams line by line", () => {
    expect(syntheticCsv([])).toBe("")
    const lines = syntheticCsvLines(syntheticBars({ seed: 2 }))
    const first = lines[Symbol.iterator]()
    expect(first.next().value).toBe("time,symbol,open,high,low,close,volume\n")
    expect(first.next().value).toMatch(/^2024-01-02T00:00:00\.000Z,SYN,100,/)
  })
})
