// The market-update normalizer takes every price it is given or refuses the update: nothing a
// caller sends is silently left out.
import { fc, test } from "@fast-check/vitest"
import { describe, expect, it } from "vitest"
import { ValidationError } from "../../src/domain/errors.ts"
import { checkMarketUpdate, type NormalizedUpdate, normalizeMarketUpdate } from "../../src/domain/market-update.ts"

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

describe("normalizeMarketUpdate's shortcut for the usual update", () => {
  // Bars of every kind the shortcut must either take exactly as the general path does or leave to it.
  const price = fc.oneof(
    fc.double({ min: 0.01, max: 1_000, noNaN: true }),
    fc.integer({ min: 1, max: 1_000 }),
    fc.constantFrom(0, -1, Number.NaN, Number.POSITIVE_INFINITY, 2e15, "12.5", "1e3", "abc", null, undefined)
  )
  const volume = fc.option(fc.constantFrom(0, 100, 1.5, -1, Number.NaN, Number.POSITIVE_INFINITY, "5"), { nil: undefined })
  const bar = fc.oneof(
    { weight: 8, arbitrary: fc.record({ open: price, high: price, low: price, close: price, volume }, { requiredKeys: ["open", "high", "low", "close"] }) },
    // Ordered bars, so that most of them are valid.
    { weight: 8, arbitrary: fc.tuple(fc.double({ min: 1, max: 100, noNaN: true }), fc.double({ min: 0, max: 10, noNaN: true }), fc.double({ min: 0, max: 10, noNaN: true })).map(([low, a, b]) => ({ open: low + a, high: low + a + b, low, close: low + b, volume: 10 })) },
    { weight: 4, arbitrary: fc.tuple(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), volume).map(([low, a, b, v]) => ({ open: low + a, high: low + a + b, low, close: low + b, volume: v })) },
    { weight: 1, arbitrary: fc.constantFrom(null, 5, [1, 2, 3, 4], "bar") }
  )
  const time = fc.option(fc.oneof(fc.integer({ min: -5, max: 5 }).map((d) => 1_700_000_000_000 + d * 86_400_000), fc.constantFrom(Number.NaN, 1e16, "2024-01-02", "2024-01-02T12:00:00", "not a time", null)), { nil: undefined })
  const update = fc
    .tuple(
      fc.record({ time, bars: fc.oneof({ weight: 10, arbitrary: fc.dictionary(fc.constantFrom("AAA", "BBB", "CCC", "ZZZ"), bar, { maxKeys: 3 }) }, { weight: 1, arbitrary: fc.constantFrom(null, 7, []) }) }, { requiredKeys: ["bars"] }),
      // Now and then a field beside `bars` (allowed or not).
      fc.oneof({ weight: 8, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: fc.constantFrom({ prices: { AAA: 3 } }, { prices: undefined }, { BBB: 4 }, { quotes: { CCC: { bid: 1, ask: 2 } } }) })
    )
    .map(([u, extra]) => ({ ...u, ...extra }))
  const previous = fc.option(fc.constant(1_700_000_000_000), { nil: null })

  // Last prices instead of bars, now and then beside bars or another field.
  const tickUpdate = fc
    .tuple(
      fc.record({ time, prices: fc.oneof({ weight: 10, arbitrary: fc.dictionary(fc.constantFrom("AAA", "BBB", "CCC", "ZZZ"), price, { maxKeys: 3 }) }, { weight: 1, arbitrary: fc.constantFrom(null, 7, [], {}) }) }, { requiredKeys: ["prices"] }),
      fc.oneof({ weight: 8, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: fc.constantFrom({ bars: { AAA: { open: 1, high: 1, low: 1, close: 1 } } }, { bars: undefined }, { BBB: 4 }, { quotes: { CCC: { bid: 1, ask: 2 } } }) })
    )
    .map(([u, extra]) => ({ ...u, ...extra }))

  test.prop([fc.oneof(update, tickUpdate), previous], { numRuns: 3_000 })("gives what the general path gives, valid or not", (input, previousTime) => {
    const shortcut = normalizeMarketUpdate(input, SYMBOLS, previousTime)
    const general = checkMarketUpdate(input, SYMBOLS, previousTime)
    if (general instanceof ValidationError) {
      expect(shortcut).toBeInstanceOf(ValidationError)
      expect((shortcut as ValidationError).issues).toEqual(general.issues)
    } else expect(shortcut).toEqual(general)
  })

  it("takes the usual update, and leaves one with a string price to the general path", () => {
    const bar = { open: 10, high: 12, low: 9, close: 11, volume: 5 }
    expect(normalizeMarketUpdate({ time: 1, bars: { AAA: bar } }, SYMBOLS, null)).toEqual({ time: 1, kind: "bar", quotes: [{ symbol: "AAA", open: 10, high: 12, low: 9, close: 11, source: bar }] })
    const exact = { ...bar, close: "11.000000000000000001" }
    expect(normalizeMarketUpdate({ time: 1, bars: { AAA: exact } }, SYMBOLS, null)).toEqual({ time: 1, kind: "bar", quotes: [{ symbol: "AAA", open: 10, high: 12, low: 9, close: 11, source: exact }] })
  })

  it("takes the usual update of last prices, each as a tick whose four prices are it", () => {
    expect(normalizeMarketUpdate({ time: 1, prices: { AAA: 10, BBB: 2.5 } }, SYMBOLS, null)).toEqual({
      time: 1,
      kind: "tick",
      quotes: [
        { symbol: "AAA", open: 10, high: 10, low: 10, close: 10, source: { open: 10, high: 10, low: 10, close: 10 } },
        { symbol: "BBB", open: 2.5, high: 2.5, low: 2.5, close: 2.5, source: { open: 2.5, high: 2.5, low: 2.5, close: 2.5 } }
      ]
    })
  })

  it("reads an inherited `quotes` beside `bars` as the general path does, even one that is not enumerable", () => {
    const prototype = Object.create(null, { quotes: { value: { CCC: { bid: 1, ask: 3 } }, enumerable: false } }) as object
    const input = Object.assign(Object.create(prototype) as object, { time: 1, bars: { AAA: { open: 10, high: 12, low: 9, close: 11 } } })
    const result = normalizeMarketUpdate(input, SYMBOLS, null)
    expect(result).toEqual(checkMarketUpdate(input, SYMBOLS, null))
    expect((result as NormalizedUpdate).quotes.map((q) => q.symbol)).toEqual(["AAA", "CCC"])
  })
})
