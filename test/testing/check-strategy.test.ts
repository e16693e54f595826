import { describe, expect, it } from "vitest"
import { Decimal, type ModelInput, type TradingModel } from "../../src/index.ts"
import { checkStrategy, type CheckStrategyOptions, marketArb, type ModelUnderTest, StrategyCheckError } from "../../src/testing/index.ts"

const RUNS = 30

/** Holds a quarter of equity in each symbol whose close rose since the last update, nothing otherwise. Pure: its state is JSON. */
const trendFollower: TradingModel<Readonly<Record<string, number>>> = {
  initialState: {},
  onUpdate(last, { quotes }: ModelInput) {
    const targetWeights = Object.fromEntries(quotes.filter((q) => last[q.symbol] !== undefined).map((q) => [q.symbol, q.close > last[q.symbol]! ? 0.25 : 0]))
    return { state: { ...last, ...Object.fromEntries(quotes.map((q) => [q.symbol, q.close])) }, targetWeights }
  }
}

/** Buys one share of every symbol on every update. */
const buyer: TradingModel<null> = {
  initialState: null,
  onUpdate: (state, { quotes }) => ({ state, orders: quotes.map((q) => ({ symbol: q.symbol, side: "buy" as const, type: "market" as const, quantity: 1 })) })
}

const failure = <S>(model: ModelUnderTest<S>, options: CheckStrategyOptions<S> = {}): StrategyCheckError => {
  try {
    checkStrategy(model, { numRuns: RUNS, seed: 1, ...options })
  } catch (e) {
    if (e instanceof StrategyCheckError) return e
    throw e
  }
  throw new Error("checkStrategy passed")
}

describe("checkStrategy", () => {
  it("passes a pure strategy on every check, with random configs and markets of bars and ticks", () => {
    checkStrategy(trendFollower, { numRuns: RUNS, seed: 1 })
    checkStrategy(trendFollower, { symbols: ["X", "Y", "Z"], market: marketArb({ symbols: ["X", "Y", "Z"], shape: "ticks", maxSegments: 6 }), numRuns: 10 })
  })

  it("catches a broken engine extension through the invariants at every step", () => {
    const e = failure(buyer, { config: { commissionRate: 0.01 }, engineOptions: { feeModel: { commission: () => new Decimal(0) } } })
    expect(e.check).toBe("invariants")
    expect(e.detail).toMatch(/^fillCommission after update \d+/)
  })

  it("catches nondeterminism: a strategy that uses Math.random", () => {
    const coin: TradingModel<null> = {
      initialState: null,
      onUpdate: (state, { quotes }) => ({ state, targetWeights: Object.fromEntries(quotes.map((q) => [q.symbol, Math.random() < 0.5 ? 0.1 : 0])) })
    }
    // Only determinism: a random strategy also breaks crash equivalence, and while shrinking, a
    // case whose two runs happened to agree could be kept for that instead.
    const e = failure(coin, { checks: ["determinism"] })
    expect(e.check).toBe("determinism")
    expect(e.message).toContain("a second run on the same inputs gave different bytes")
  })

  it("catches look-ahead: a strategy that reads the next update of the data it was given", () => {
    const peeking = (market: ReadonlyArray<unknown>): TradingModel<number> => ({
      initialState: 0,
      onUpdate(seen, { quotes }) {
        const next = market[seen + 1] as { bars?: Record<string, { close: number }>; prices?: Record<string, number> } | undefined
        const rising = quotes.filter((q) => (next?.bars?.[q.symbol]?.close ?? next?.prices?.[q.symbol] ?? 0) > q.close)
        return { state: seen + 1, orders: rising.map((q) => ({ symbol: q.symbol, side: "buy" as const, type: "market" as const, quantity: 1 })) }
      }
    })
    const e = failure(peeking)
    expect(e.check).toBe("lookAhead")
    expect(e.counterexample.market.length).toBeGreaterThanOrEqual(2)
  })

  it("catches crash inequivalence: a strategy whose memory lives outside its JSON state", () => {
    const forgetful = (): TradingModel<null> => {
      let updates = 0 // lost when the simulation is restored from its snapshot
      return {
        initialState: null,
        onUpdate(state, { quotes }) {
          updates += 1
          return { state, orders: updates % 3 === 0 ? quotes.map((q) => ({ symbol: q.symbol, side: "buy" as const, type: "market" as const, quantity: 1 })) : [] }
        }
      }
    }
    const e = failure(forgetful)
    expect(e.check).toBe("crash")
    expect(e.detail).toMatch(/^restored after update \d+ of \d+, the run ended differently/)
  })

  it("catches a violated user property, by name", () => {
    const e = failure(buyer, { properties: { "stays flat": ({ engine }) => engine.getPortfolio().positions.length === 0 } })
    expect(e.check).toBe("properties")
    expect(e.detail).toMatch(/^stays flat is false after update \d+/)
  })

  it("reports a model that fails the simulation", () => {
    const e = failure<null>({ initialState: null, onUpdate: () => { throw new Error("boom") } })
    expect(e.check).toBe("model")
    expect(e.detail).toContain("model threw: Error: boom")
  })

  it("reports the shrunk counterexample with its seed and path, and replays it from them", () => {
    const e = failure(buyer, { properties: { "stays flat": ({ engine }) => engine.getPortfolio().positions.length === 0 } })
    expect(e.message).toContain(`Counterexample (shrunk ${e.shrinks} times): `)
    expect(e.message).toContain(`Replay with { seed: 1, path: ${JSON.stringify(e.path)} }`)
    // Shrunk: the first fill can only come on the second update.
    expect(e.counterexample.market).toHaveLength(2)
    const replayed = failure(buyer, { seed: e.seed, path: e.path, properties: { "stays flat": ({ engine }) => engine.getPortfolio().positions.length === 0 } })
    expect(replayed.counterexample).toEqual(e.counterexample)
  })

  it("runs only the checks asked for", () => {
    // Random state, no orders: only the determinism and crash checks can tell.
    const rng: TradingModel<number> = { initialState: 0, onUpdate: () => ({ state: Math.random() }) }
    checkStrategy(rng, { checks: ["invariants", "properties", "lookAhead"], numRuns: 5 })
    expect(() => checkStrategy(rng, { checks: ["determinism"], numRuns: 5 })).toThrow(StrategyCheckError)
    expect(() => checkStrategy(rng, { checks: ["crash"], numRuns: 5 })).toThrow(StrategyCheckError)
  })
})

describe("checkStrategy with a market arbitrary that makes invalid updates", () => {
  it("reports the engine's refusal with the counterexample", () => {
    const e = failure(buyer, { symbols: ["AAA"], market: marketArb({ symbols: ["AAA"] }).map((m) => [...m, { time: 0, prices: { AAA: 1 } }]) })
    expect(e.check).toBe("error")
    expect(e.detail).toMatch(/^ValidationError: Invalid marketUpdate: time must not be earlier than the previous update/)
    expect(e.counterexample.market.at(-1)).toEqual({ time: 0, prices: { AAA: 1 } })
  })
})
