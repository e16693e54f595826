import { fc, test } from "@fast-check/vitest"
import { describe, expect, it } from "vitest"
import type { ModelInput, ModelOutput, TradingModel } from "../../src/index.ts"
import {
  barMoveArb,
  type EngineCommand,
  engineCommands,
  type EngineModel,
  EngineUnderTest,
  MarketUpdateCommand,
  portfolioViewOf,
  processUpdate,
  runEngineCommands,
  runModel,
  simulationConfigArb,
  SubmitCommand,
  verifyEngine
} from "../../src/testing/index.ts"

/** A user's strategy, run as its own command: one update, then the strategy's orders. */
const buyTheDip: TradingModel<{ readonly last: number | null }> = {
  initialState: { last: null },
  onUpdate(state, { quotes }: ModelInput): ModelOutput<{ readonly last: number | null }> {
    const close = quotes.find((q) => q.symbol === "AAA")?.close ?? state.last
    const dip = state.last !== null && close !== null && close < state.last
    return { state: { last: close }, orders: dip ? [{ symbol: "AAA", side: "buy", type: "limit", limitPrice: close!, quantity: 1 }] : [] }
  }
}

/** The strategy's state per engine under test: commands are values that fast-check may replay, so they hold none. */
const states = new WeakMap<EngineUnderTest, { readonly last: number | null }>()

class StrategyStepCommand implements EngineCommand {
  readonly move: MarketUpdateCommand
  constructor(move: MarketUpdateCommand) {
    this.move = move
  }
  check = (m: Readonly<EngineModel>) => this.move.check(m)
  run(m: EngineModel, r: EngineUnderTest): void {
    this.move.run(m, r)
    const before = r.engine.getOrders().length
    // A tick at the bar's close, then the strategy, as a deployed simulation runs it.
    const update = processUpdate(m, r, { time: r.time, prices: { AAA: r.price("AAA") } })
    states.set(r, runModel(r.engine, buyTheDip, states.get(r) ?? buyTheDip.initialState, portfolioViewOf(r.engine), update))
    m.submitted += r.engine.getOrders().length - before
    verifyEngine(m, r, update)
  }
  toString = () => `strategy step after ${this.move.toString()}`
}

describe("the engine's command model", () => {
  it("a sample of runs trades: fills, halts and pauses happen", () => {
    let fills = 0
    const statuses = new Set<string>()
    for (const [config, commands] of fc.sample(fc.tuple(simulationConfigArb(), engineCommands()), { seed: 7, numRuns: 60 })) {
      const { engine } = runEngineCommands(config, commands)
      fills += engine.getFills().length
      statuses.add(engine.status)
    }
    expect(fills).toBeGreaterThan(20)
    expect([...statuses].sort()).toEqual(expect.arrayContaining(["paused", "running", "stopped"]))
  })

  test.prop([simulationConfigArb({ symbols: ["AAA", "BBB"] }), engineCommands()], { numRuns: 30 })("every command keeps the model and every invariant", (config, commands) => {
    runEngineCommands(config, commands)
  })

  test.prop(
    [simulationConfigArb({ symbols: ["AAA"] }), engineCommands({ commands: [barMoveArb.map((m) => new StrategyStepCommand(new MarketUpdateCommand(m)))] })],
    { numRuns: 20 }
  )("extends with a strategy's own command", (config, commands) => {
    runEngineCommands(config, commands)
  })

  it("catches an engine that breaks the model: a run whose model expects another order count fails", () => {
    const real = new EngineUnderTest({ symbols: ["AAA"] })
    const model: EngineModel = { submitted: 0, updates: 0, status: "running", day: null, haltedDay: null }
    new SubmitCommand({
      kind: "submit",
      symbol: 0,
      side: "buy",
      type: "market",
      quantity: { kind: "literal", value: 1 },
      limitBp: 0,
      stopBp: 0,
      stopBeyondMarket: true,
      timeInForce: undefined,
      priceAsString: false
    }).run(model, real)
    expect(() => verifyEngine({ ...model, submitted: 2 }, real)).toThrow(/1 orders, the model expects 2/)
    expect(() => verifyEngine({ ...model, status: "paused" }, real)).toThrow(/status running, the model expects paused/)
  })
})


