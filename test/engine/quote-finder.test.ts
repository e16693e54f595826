import { describe, expect, it } from "vitest"
import type { Quote } from "../../src/domain/market-update.ts"
import { QuoteFinder } from "../../src/engine/quote-finder.ts"

const quote = (symbol: string, close: number): Quote => ({ symbol, open: close, high: close, low: close, close, source: { open: close, high: close, low: close, close } }) as unknown as Quote

const quotes = (count: number, close: number): Quote[] => Array.from({ length: count }, (_, i) => quote(`S${i}`, close + i))

describe("QuoteFinder", () => {
  it.each([3, 8, 9, 40])("finds each symbol's quote among %i, and nothing for a symbol the update lacks", (count) => {
    const finder = new QuoteFinder()
    const update = quotes(count, 100)
    finder.use(update)
    for (const q of update) expect(finder.find(q.symbol)).toBe(q)
    expect(finder.find("NOPE")).toBeUndefined()
  })

  it.each([3, 40])("gives the first of two quotes of one symbol (%i quotes)", (count) => {
    const finder = new QuoteFinder()
    const update = [...quotes(count, 100), quote("S0", 1)]
    finder.use(update)
    expect(finder.find("S0")).toBe(update[0])
  })

  it.each([[40, 3], [40, 40], [3, 40]])("looks only in the latest update's quotes (%i, then %i)", (first, second) => {
    const finder = new QuoteFinder()
    const before = quotes(first, 100)
    finder.use(before)
    expect(finder.find("S1")).toBe(before[1])
    const after = quotes(second, 500).slice(1)
    finder.use(after)
    expect(finder.find("S1")).toBe(after[0])
    expect(finder.find("S0")).toBeUndefined()
    expect(finder.find(`S${first - 1}`)).toBe(first - 1 < second ? after[first - 2] : undefined)
  })
})
