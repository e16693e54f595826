// The market-update normalizer takes every price it is given or refuses the update: nothing a
// caller sends is silently left out.
import { fc, test } from "@fast-check/vitest"
import { describe, expect, it } from "vitest"
import { ValidationError } from "../../src/domain/errors.ts"
import { normalizeMarketUpdate } from "../../src/domain/market-update.ts"

const SYMBOLS: ReadonlySet<string> = new Set(["AAA", "BBB", "CCC"])

const issuesOf = (input: unknown) => {
  const result = normalizeMarketUpdate(input, SYMBOLS, null)
  if (!(result instanceof ValidationError)) throw new Error(`expected a ValidationError, got ${JSON.stringify(result)}`)
  return result.issues.map((i) => [i.field, i.rule])
}

const flat = (p: number) => ({ open: p, high: p, low: p, close: p })

describe("normalizeMarketUpdate: nothing is silently dropped", () => {
  it("refuses `prices` beside `bars`, naming the field and the rule, whatever else the update holds", () => {
    const rule = "must not stand beside `bars` (give that symbol a bar whose four prices are its last price)"
    expect(issuesOf({ time: 1, bars: { AAA: flat(10) }, prices: { BBB: 20 } })).toEqual([["prices", rule]])
    expect(issuesOf({ bars: { AAA: flat(10) }, prices: {} })).toEqual([["prices", rule]])
    expect(issuesOf({ bars: { AAA: flat(10) }, prices: { BBB: 20 }, quotes: { CCC: { bid: 1, ask: 2 } } })).toEqual([["prices", rule]])
  })

  it("refuses a symbol given twice, in `bars` or `prices` and in `quotes`", () => {
    const rule = "must not repeat a symbol given in `bars` or `prices`"
    expect(issuesOf({ bars: { AAA: flat(10) }, quotes: { AAA: { bid: 9, ask: 11 } } })).toEqual([["quotes.AAA", rule]])
    expect(issuesOf({ prices: { AAA: 10 }, quotes: { AAA: { bid: 9, ask: 11 } } })).toEqual([["quotes.AAA", rule]])
  })

  it("refuses a stray symbol beside `bars`, `prices` or `quotes`", () => {
    expect(issuesOf({ bars: { AAA: flat(10) }, BBB: 20 })).toEqual([["BBB", "is not a known field (prices go inside `bars`, `prices` or `quotes`)"]])
  })

  // Any mix of the three sections (and of the seed's bare form), each over some of the symbols.
  const prices = fc.dictionary(fc.constantFrom(...SYMBOLS), fc.integer({ min: 1, max: 1000 }), { maxKeys: 3 })
  const section = fc.option(prices, { nil: undefined })
  const update = fc
    .record({ bars: section, prices: section, quotes: section, bare: section })
    .map(({ bars, prices, quotes, bare }) => ({
      ...bare,
      ...(bars === undefined ? {} : { bars: Object.fromEntries(Object.entries(bars).map(([s, p]) => [s, flat(p)])) }),
      ...(prices === undefined ? {} : { prices }),
      ...(quotes === undefined ? {} : { quotes: Object.fromEntries(Object.entries(quotes).map(([s, p]) => [s, { bid: p, ask: p + 1 }])) })
    }))

  test.prop([update])("a valid update holds every symbol it names, once each; any other is refused", (input) => {
    const sections = ["bars", "prices", "quotes"] as const
    const sectioned = sections.some((k) => k in input)
    const bare = Object.keys(input).filter((k) => !(sections as ReadonlyArray<string>).includes(k))
    const named = sectioned ? sections.flatMap((k) => Object.keys(input[k] ?? {})) : bare
    const result = normalizeMarketUpdate(input, SYMBOLS, null)
    if (result instanceof ValidationError) return
    expect(result.quotes.map((q) => q.symbol).sort()).toEqual([...named].sort())
    // Beside a section, a bare symbol is refused.
    if (sectioned) expect(bare).toEqual([])
  })
})
