// Property-testing your own strategy with paperfloor/testing: run it with
//   npx vitest run --dir . examples/property-test-my-strategy.test.ts
// checkStrategy runs the strategy over generated markets (trends, volatile stretches, flat
// stretches, gaps, crashes) and configs, and checks the engine's invariants, determinism, crash
// recovery, look-ahead and your own properties at every update.
import { describe, expect, it } from "vitest"
import type { MarketUpdateInput, ModelInput, ModelOutput, TradingModel } from "../src/index.ts"
import { checkStrategy, StrategyCheckError } from "../src/testing/index.ts"

/** A long-only momentum strategy: half of equity in a symbol while its close is above its average of the last 5 closes, flat otherwise. */
interface MomentumState {
  readonly closes: Readonly<Record<string, ReadonlyArray<number>>>
}

const momentum: TradingModel<MomentumState> = {
  initialState: { closes: {} },
  onUpdate(state: MomentumState, { quotes }: ModelInput): ModelOutput<MomentumState> {
    const closes = { ...state.closes }
    const targetWeights: Record<string, number> = {}
    for (const { symbol, close } of quotes) {
      const previous = closes[symbol] ?? []
      if (previous.length === 5) targetWeights[symbol] = close > previous.reduce((a, b) => a + b, 0) / 5 ? 0.5 : 0
      closes[symbol] = [...previous, close].slice(-5)
    }
    return { state: { closes }, targetWeights }
  }
}

/**
 * A broken strategy: it was handed the whole data set (as a backtest over a DataFrame often is) and
 * peeks at the next update's close to decide whether to buy now.
 */
const peeking = (market: ReadonlyArray<MarketUpdateInput>): TradingModel<{ readonly seen: number }> => ({
  initialState: { seen: 0 },
  onUpdate(state, { quotes }) {
    const next = market[state.seen + 1] as { readonly bars?: Record<string, { close: number }>; readonly prices?: Record<string, number> } | undefined
    const orders = quotes.flatMap(({ symbol, close }) => {
      const nextClose = next?.bars?.[symbol]?.close ?? next?.prices?.[symbol]
      return nextClose !== undefined && nextClose > close ? [{ symbol, side: "buy" as const, type: "market" as const, quantity: 1 }] : []
    })
    return { state: { seen: state.seen + 1 }, orders }
  }
})

describe("property-testing a strategy", () => {
  it("the momentum strategy keeps every property, its own included: it never goes short", () => {
    checkStrategy(momentum, {
      symbols: ["AAA", "BBB"],
      numRuns: 25,
      seed: 42,
      properties: {
        // A user's own property: long-only, so never a short position.
        "never short": ({ engine }) => engine.getPortfolio().positions.every((p) => p.quantity.greaterThanOrEqualTo(0))
      }
    })
  })

  it("checkStrategy catches the strategy that peeks at the next bar, and reports the shrunk counterexample", () => {
    let caught: unknown
    try {
      checkStrategy(peeking, { symbols: ["AAA"], config: { symbols: ["AAA"] }, numRuns: 100, seed: 42 })
    } catch (e) {
      caught = e
    }
    expect(caught).toBeInstanceOf(StrategyCheckError)
    const error = caught as StrategyCheckError
    console.log(error.message)
    expect(error.check).toBe("lookAhead")
    expect(error.message).toMatch(/^checkStrategy: lookAhead violated: changing the market after update 1 changed the orders placed up to it/)
    expect(error.message).toContain(`Counterexample (shrunk ${error.shrinks} times): {"config":{"symbols":["AAA"]},"market":[{"time":`)
    expect(error.message).toContain(`Replay with { seed: 42, path: ${JSON.stringify(error.path)} }`)
    // Shrunk to the smallest market that shows it: two bars; the order placed on the first
    // depends on the second, so changing the second changes it.
    const { config, market, future } = error.counterexample
    expect(config).toEqual({ symbols: ["AAA"] })
    expect(market).toHaveLength(2)
    expect(market.map((u) => Object.keys(u).sort())).toEqual([["bars", "time"], ["bars", "time"]])
    expect(future).toEqual({ kind: "mirror" })
  })
})
