// Adversarial review (session 10): checkStrategy as a user who property-tests a strategy meets it.
// Broken strategies must be caught by the check that names them, with a replayable, small
// counterexample; valid strategies (replaces, brackets, shorting, partial fills) must pass.
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { type OrderRequest, type SimulationConfigInput, type TradingModel, TradingSimulationEngine } from "../../src/index.ts"
import {
  checkStrategy,
  type CheckStrategyOptions,
  marketArb,
  type ModelUnderTest,
  portfolioViewOf,
  runModel,
  simulationConfigArb,
  StrategyCheckError
} from "../../src/testing/index.ts"

const failure = <S>(model: ModelUnderTest<S>, options: CheckStrategyOptions<S>): StrategyCheckError => {
  try {
    checkStrategy(model, { numRuns: 30, seed: 1, ...options })
  } catch (e) {
    if (e instanceof StrategyCheckError) return e
    throw e
  }
  throw new Error("checkStrategy passed")
}

const marketBuy = (symbol: string): OrderRequest => ({ symbol, side: "buy", type: "market", quantity: 1 })
const T0 = Date.UTC(2024, 0, 2, 14, 30)
const bar = (time: number, close: number, volume = 1000) => ({ time, bars: { AAA: { open: close, high: close, low: close, close, volume } } })

describe("checkStrategy catches broken strategies by the check that names them (holds)", () => {
  it("an order for an unknown symbol on the third update: model, shrunk to three updates, replayed from seed and path", () => {
    const unknown: TradingModel<number> = { initialState: 0, onUpdate: (n) => ({ state: n + 1, orders: n === 2 ? [marketBuy("ZZZ")] : [] }) }
    const e = failure(unknown, {})
    expect(e.check).toBe("model")
    expect(e.detail).toMatch(/^the simulation failed on update 3: model asked for an order the engine refused: .*symbol.*"ZZZ"/)
    expect(e.counterexample.market).toHaveLength(3)
    expect(e.message).toContain(`Replay with { seed: 1, path: ${JSON.stringify(e.path)} }`)
    const replayed = failure(unknown, { seed: e.seed, path: e.path })
    expect(replayed.check).toBe("model")
    expect(replayed.counterexample).toEqual(e.counterexample)
  })

  const fragile: TradingModel<null> = {
    initialState: null,
    onUpdate: (state, { quotes }) => {
      if (quotes.some((q) => q.close > 500)) throw new RangeError("price too high for me")
      return { state }
    }
  }

  /** Runs a model over a market as a simulation does: the engine's status and reason at the end. */
  const simulate = <S>(model: TradingModel<S>, config: SimulationConfigInput, market: ReadonlyArray<unknown>) => {
    const engine = new TradingSimulationEngine(config)
    const view = portfolioViewOf(engine)
    let state = model.initialState
    for (const update of market) state = runModel(engine, model, state, view, engine.processMarketUpdate(update as never))
    return engine.status
  }

  it("a strategy that throws on some prices: model, naming the error, shrunk to a few updates that fail on their own", () => {
    const e = failure(fragile, { checks: ["invariants", "determinism", "crash"] })
    expect(e.check).toBe("model")
    expect(e.detail).toContain("model threw: RangeError: price too high for me")
    // A local minimum (a path climbing past 500), not always the one bar that could do it.
    expect(e.counterexample.market.length).toBeLessThanOrEqual(5)
    expect(simulate(fragile, e.counterexample.config, e.counterexample.market)).toBe("failed")
  })

  // Found by the session 10 adversarial review (fixed): a model that fails only in the lookAhead check's
  // CHANGED market (every later price scaled up to +150 %, or mirrored) is reported as "model: the
  // simulation failed on update 3" with the unchanged market as the counterexample, on which the
  // strategy runs fine (closes 349, 361, 362 with seed 1; it throws above 500). Expected: the
  // counterexample fails as reported, or the detail says it was the look-ahead run's changed market.
  it("a model failure is reported on a counterexample market that reproduces it", () => {
    const e = failure(fragile, {})
    expect(e.check).toBe("model")
    expect(simulate(fragile, e.counterexample.config, e.counterexample.market) === "failed" || /look-?ahead|changed market/i.test(e.detail)).toBe(true)
  })

  it("a state that is not JSON (a bigint, a Map): model, naming the rule", () => {
    for (const bad of [() => 1n, () => new Map([["a", 1]])]) {
      const e = failure<unknown>({ initialState: 0, onUpdate: () => ({ state: bad() }) }, { numRuns: 5 })
      expect(e.check).toBe("model")
      expect(e.detail).toContain("a state that is not plain JSON")
    }
  })

  it("a strategy that mutates its state in place (and so its initialState): caught", () => {
    const mutator: TradingModel<{ seen: number[] }> = {
      initialState: { seen: [] },
      onUpdate(state, { quotes }) {
        state.seen.push(1)
        return { state, orders: state.seen.length === 3 ? quotes.map((q) => marketBuy(q.symbol)) : [] }
      }
    }
    expect(["determinism", "crash", "lookAhead"]).toContain(failure(mutator, { numRuns: 10 }).check)
  })

  it("a strategy that scribbles on the quotes and the portfolio objects it is handed does not change the engine", () => {
    const model = (scribble: boolean): TradingModel<null> => ({
      initialState: null,
      onUpdate(state, { quotes, view }) {
        if (scribble) {
          for (const q of quotes as unknown as Array<Record<string, unknown>>) for (const k of ["open", "high", "low", "close"]) q[k] = 1e6
          const p = view.portfolio() as unknown as { positions: unknown[]; cash: unknown }
          p.positions.length = 0
          p.cash = "999999"
        }
        return { state, orders: [{ symbol: "AAA", side: "buy", type: "limit", quantity: 1, limitPrice: 10.5 }] }
      }
    })
    const market = [bar(T0, 10), bar(T0 + 60_000, 10.2), bar(T0 + 120_000, 10.1)]
    const run = (scribble: boolean) => {
      const engine = new TradingSimulationEngine({ symbols: ["AAA"], commissionRate: 0.001 })
      const view = portfolioViewOf(engine)
      const m = model(scribble)
      let state = m.initialState
      for (const update of market) state = runModel(engine, m, state, view, engine.processMarketUpdate(update))
      return JSON.stringify(engine.snapshot())
    }
    expect(run(true)).toBe(run(false))
  })

  // Known defect (session 10 adversarial review): the portfolio view hands a model the engine's own
  // Decimal objects; a model that writes into one (its digits `d`) changes the engine's cash, and
  // checkStrategy then blames the engine ("invariants: cash … ≠ … from the fills").
  it.fails("a model writing into a Decimal it was handed does not change the engine's cash", () => {
    const engine = new TradingSimulationEngine({ symbols: ["AAA"], initialCapital: 1000 })
    engine.processMarketUpdate({ time: T0, prices: { AAA: 10 } })
    const cash = portfolioViewOf(engine).portfolio().cash as unknown as { d: number[] }
    try {
      cash.d[0] = 7
    } catch {
      // A frozen Decimal refusing the write is fine.
    }
    expect(engine.getPortfolio().cash.toString()).toBe("1000")
  })

  // Known limitation (session 10 adversarial review; README says so): README says "a strategy that calls Math.random or
  // reads the clock fails" the determinism check, but both runs read the same wall clock, so a
  // strategy that trades on the clock's day (or hour, or second) passes unless a run straddles it.
  it.fails("a strategy that trades on the wall clock's day fails the determinism check", () => {
    const clockBound: TradingModel<null> = {
      initialState: null,
      onUpdate: (state, { quotes }) => ({ state, orders: Math.floor(Date.now() / 86_400_000) % 2 === 0 ? quotes.map((q) => marketBuy(q.symbol)) : [] })
    }
    expect(failure(clockBound, { numRuns: 10 }).check).toBe("determinism")
  })
})

describe("checkStrategy passes valid strategies (no false positives)", () => {
  it("a churning strategy with brackets, OCO exits, cancels, market orders and short target weights, under volume caps (invariants, determinism, crash hold)", () => {
    const churner: TradingModel<number> = {
      initialState: 0,
      onUpdate(previous, { quotes, view }) {
        const n = previous + 1
        const q = quotes[n % quotes.length]!
        const side = n % 3 === 0 ? ("sell" as const) : ("buy" as const)
        const price = (f: number) => Number((q.close * f).toFixed(4))
        const qty = (n % 5) + 1
        if (n % 4 === 1) {
          const up = side === "buy" ? 1 : -1
          return {
            state: n,
            orderLists: [{ kind: "bracket", entry: { symbol: q.symbol, side, type: "limit", quantity: qty, limitPrice: price(1 + 0.002 * up) }, takeProfit: { limitPrice: price(1 + 0.01 * up) }, stopLoss: { type: "stop", stopPrice: price(1 - 0.01 * up) } }]
          }
        }
        if (n % 4 === 2) {
          const position = view.positionOf(q.symbol)
          if (position.isZero()) return { state: n }
          const long = position.isPositive()
          const exit = { symbol: q.symbol, side: long ? ("sell" as const) : ("buy" as const), quantity: position.abs().toString() }
          return { state: n, orderLists: [{ kind: "oco", orders: [{ ...exit, type: "limit", limitPrice: price(long ? 1.005 : 0.995) }, { ...exit, type: "stop", stopPrice: price(long ? 0.995 : 1.005) }] }] }
        }
        if (n % 4 === 3) return { state: n, orders: [{ symbol: q.symbol, side, type: "market", quantity: qty * 7 }] }
        const resting = view.openOrders().find((o) => (o.status === "accepted" || o.status === "partiallyFilled") && o.type === "limit" && o.orderList === null)
        return resting !== undefined ? { state: n, cancels: [resting.id] } : { state: n, targetWeights: { [q.symbol]: n % 8 === 0 ? -0.3 : 0.4 } }
      }
    }
    const configs = fc
      .tuple(simulationConfigArb({ symbols: ["AAA", "BBB"] }), fc.constantFrom(0.05, 0.3, 1))
      .map(([config, volumeParticipation]) => ({ ...config, volumeParticipation }))
    // Small volumes, so the caps bite and orders spend updates partly filled.
    const thin = marketArb({ symbols: ["AAA", "BBB"], shape: "mixed", maxSegments: 4 }).map((m) =>
      m.map((u) => ("bars" in u && u.bars !== undefined ? { ...u, bars: Object.fromEntries(Object.entries(u.bars).map(([s, b]) => [s, { ...b, volume: Number(b.volume ?? 0) % 7 }])) } : u))
    )
    checkStrategy(churner, { symbols: ["AAA", "BBB"], config: configs, market: thin, checks: ["invariants", "determinism", "crash"], numRuns: 12, seed: 7 })
  })

  // Found by the session 10 adversarial review (fixed): the lookAhead check compares the orders placed up
  // to update t as they are at the END of each run, so a later, causal replace (re-quoting a resting
  // limit to 2 % under the current close) is reported as look-ahead. Expected: it passes.
  it("lookAhead passes a strategy that re-quotes its resting limit on every update", () => {
    const requoter: TradingModel<boolean> = {
      initialState: false,
      onUpdate(placed, { quotes, view }) {
        const limitPrice = Math.round(quotes[0]!.close * 0.98 * 100) / 100
        if (!placed) return { state: true, orders: [{ symbol: "AAA", side: "buy", type: "limit", quantity: 1, limitPrice, timeInForce: "gtc", clientOrderId: "mine" }] }
        const open = view.openOrders().some((o) => o.clientOrderId === "mine")
        return { state: true, ...(open ? { replaces: [{ order: "mine", changes: { limitPrice } }] } : {}) }
      }
    }
    const market = [100, 101, 103, 104].map((close, i) => bar(T0 + i * 60_000, close))
    checkStrategy(requoter, { symbols: ["AAA"], config: { symbols: ["AAA"] }, market: fc.constant(market), checks: ["lookAhead"], numRuns: 30, seed: 3 })
  })

  // Found by the session 10 adversarial review (fixed): a bracket's children are placed with the entry,
  // but the engine later sizes them to what the entry filled; the lookAhead check sees that later
  // quantity (4 with the real future, 10 with a mirrored one) and reports look-ahead. Expected: passes.
  it("lookAhead passes a strategy that places one bracket whose day entry fills in part", () => {
    const bracketOnce: TradingModel<boolean> = {
      initialState: false,
      onUpdate: (done) =>
        done
          ? { state: true }
          : {
              state: true,
              orderLists: [{ kind: "bracket", entry: { symbol: "AAA", side: "buy", type: "limit", quantity: 10, limitPrice: 99, timeInForce: "day" }, takeProfit: { limitPrice: 120 }, stopLoss: { type: "stop", stopPrice: 80 } }]
            }
    }
    // 10 % of a 40-share bar fills 4; the next day's first update expires the entry.
    const market = [bar(T0, 100), { time: T0 + 60_000, bars: { AAA: { open: 99, high: 99, low: 98, close: 98, volume: 40 } } }, bar(T0 + 86_400_000, 97)]
    checkStrategy(bracketOnce, { symbols: ["AAA"], config: { symbols: ["AAA"], volumeParticipation: 0.1 }, market: fc.constant(market), checks: ["lookAhead"], numRuns: 30, seed: 3 })
  })
})

describe("checkStrategy's own options, hostile", () => {
  const thrower: TradingModel<null> = {
    initialState: null,
    onUpdate: () => {
      throw new Error("always")
    }
  }

  // Found by the session 10 adversarial review (fixed): numRuns NaN, -1 or 0 runs no case and passes
  // silently (a strategy that always throws "passes"); numRuns 2.5 never ends (fast-check counts
  // runs up to it and never equals it: not run here, it hangs). Expected: a typed error naming numRuns.
  it("numRuns NaN is refused, naming numRuns", () => {
    expect(() => checkStrategy(thrower, { numRuns: Number.NaN })).toThrow(/numRuns/)
  })

  it("numRuns -1 is refused, naming numRuns", () => {
    expect(() => checkStrategy(thrower, { numRuns: -1 })).toThrow(/numRuns/)
  })

  // Found by the session 10 adversarial review (fixed): an unknown check name (a typo: "lookahead") is
  // accepted and that check silently does not run; a peeking strategy passes. Expected: refused, naming checks.
  it("a misspelt check name is refused rather than silently skipped", () => {
    const peeking = (market: ReadonlyArray<unknown>): TradingModel<number> => ({
      initialState: 0,
      onUpdate(seen, { quotes }) {
        const next = market[seen + 1] as { bars?: Record<string, { close: number }>; prices?: Record<string, number> } | undefined
        return { state: seen + 1, orders: quotes.filter((q) => (next?.bars?.[q.symbol]?.close ?? next?.prices?.[q.symbol] ?? 0) > q.close).map((q) => marketBuy(q.symbol)) }
      }
    })
    expect(() => checkStrategy(peeking, { checks: ["lookahead" as "lookAhead"], numRuns: 30, seed: 1 })).toThrow(/checks|lookahead/)
  })

  // Found by the session 10 adversarial review (fixed): README: `symbols` defaults to "the config's"; with
  // a config ARBITRARY over ["X"] (and a market over ["X"]) the configs' symbols are silently
  // replaced by ["AAA", "BBB"] and every case fails with "bars.X must be one of the configured symbols".
  it("a config arbitrary's own symbols are kept when symbols is not given", () => {
    const flat: TradingModel<null> = { initialState: null, onUpdate: (state) => ({ state }) }
    checkStrategy(flat, { config: simulationConfigArb({ symbols: ["X"] }), market: marketArb({ symbols: ["X"] }), numRuns: 5, seed: 1 })
  })

  it("an invalid fixed config is reported naming its field (holds)", () => {
    const flat: TradingModel<null> = { initialState: null, onUpdate: (state) => ({ state }) }
    const e = failure(flat, { config: { symbols: ["AAA"], commissionRate: -1 }, numRuns: 3 })
    expect(e.check).toBe("error")
    expect(e.detail).toMatch(/commissionRate must be/)
  })
})
