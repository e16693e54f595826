import { fc, test } from "@fast-check/vitest"
import { describe, expect, it } from "vitest"
import { syntheticBars } from "../../src/data/synthetic/index.ts"
import { TradingSimulationEngine } from "../../src/index.ts"
import { syntheticMarketArb, syntheticMarketOptionsArb, syntheticUpdates } from "../../src/testing/index.ts"

describe("synthetic market arbitraries", () => {
  const symbolsArb = fc.uniqueArray(fc.constantFrom("AAA", "BBB", "BRK.B", "BTC/USD"), { minLength: 1, maxLength: 3 })
  const caseArb = fc
    .tuple(symbolsArb, fc.constantFrom("bars", "ticks", "quotes", "mixed" as const))
    .chain(([symbols, shape]) => syntheticMarketArb({ symbols, shape, maxLength: 40 }).map((market) => ({ symbols, market })))

  test.prop([caseArb], { numRuns: 200 })("every generated market is accepted by an engine with its symbols", ({ symbols, market }) => {
    const engine = new TradingSimulationEngine({ symbols })
    for (const update of market) engine.processMarketUpdate(update)
    expect(engine.updateCount).toBe(market.length)
    expect(market.length).toBeGreaterThanOrEqual(1)
    expect(market.length).toBeLessThanOrEqual(40)
  })

  test.prop([syntheticMarketOptionsArb(["AAA", "BBB"])], { numRuns: 50 })("the options it makes are valid for the generator", (options) => {
    expect(syntheticBars(options).take(2)).toHaveLength(2)
  })

  it("shrinks by length only: a failure on a long market comes back as the shortest failing prefix of the same market", () => {
    const result = fc.check(
      fc.property(syntheticMarketArb({ shape: "bars", minLength: 1, maxLength: 50 }), (market) => market.length < 7),
      { seed: 42, numRuns: 200 }
    )
    expect(result.failed).toBe(true)
    expect(result.counterexample![0]).toHaveLength(7)
  })

  it("gives the first updates of the seeded series, so the same options replay the same market", () => {
    const options = fc.sample(syntheticMarketOptionsArb(), { seed: 5, numRuns: 1 })[0]!
    for (const shape of ["bars", "ticks", "quotes"] as const) {
      const long = syntheticUpdates(options, shape, 30)
      expect(syntheticUpdates(options, shape, 12)).toEqual(long.slice(0, 12))
    }
  })
})
