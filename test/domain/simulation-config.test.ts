import { test, fc } from "@fast-check/vitest"
import { Result } from "effect"
import { describe, expect, it } from "vitest"
import { defaultSimulationConfig, makeSimulationConfig, storedSimulationConfig, UpdateFrequencies } from "../../src/domain/simulation-config.ts"

const configInput = fc.record(
  {
    initialCapital: fc.oneof(fc.integer({ min: 1, max: 10_000_000 }), fc.constantFrom("1000.50", "250000")),
    commissionRate: fc.double({ min: 0, max: 0.05, noNaN: true }),
    minimumCommission: fc.oneof(fc.constant(0), fc.constant("1.00"), fc.integer({ min: 0, max: 20 })),
    slippageRate: fc.double({ min: 0, max: 0.05, noNaN: true }),
    maxPositionSize: fc.double({ min: 0.01, max: 1, noNaN: true }),
    dailyStopLoss: fc.option(fc.double({ min: 0.001, max: 0.5, noNaN: true }), { nil: null }),
    enableShorting: fc.boolean(),
    symbols: fc.uniqueArray(fc.stringMatching(/^[A-Z]{1,5}$/), { minLength: 1, maxLength: 4 }),
    updateFrequency: fc.constantFrom(...UpdateFrequencies)
  },
  { requiredKeys: [] }
)

describe("simulation config", () => {
  it("fills every default", () => {
    expect(makeSimulationConfig({})).toEqual(Result.succeed(defaultSimulationConfig))
  })

  // A stored config (deployments, snapshots) is fed back through validation when restored.
  test.prop([configInput])("a validated config validates to itself", (input) => {
    const first = makeSimulationConfig(input)
    expect(Result.isSuccess(first)).toBe(true)
    if (Result.isSuccess(first)) expect(makeSimulationConfig(first.success)).toEqual(first)
  })

  it("names every broken field and rule", () => {
    const result = makeSimulationConfig({ initialCapital: -1, maxPositionSize: 2, symbols: [], minimumCommission: "-1", colour: "red" })
    expect(Result.isFailure(result)).toBe(true)
    if (Result.isFailure(result))
      expect(result.failure.issues.map((i) => [i.field, i.rule])).toEqual(
        expect.arrayContaining([
          ["initialCapital", "must be greater than 0"],
          ["maxPositionSize", "must be a number above 0 and at most 1"],
          ["symbols", "must name at least one symbol"],
          ["minimumCommission", "must be greater than or equal to 0"],
          ["colour", "is not a known field"]
        ])
      )
  })
})

describe("symbols", () => {
  const RESERVED_RULE = "must not be a name every JavaScript object has (constructor, toString, __proto__ and the rest of Object.prototype)"

  // As keys of a plain object these would be Object's own machinery: symbols["constructor"] is Object.
  test.prop([fc.constantFrom(...Object.getOwnPropertyNames(Object.prototype))])("none is a name every object has", (name) => {
    const result = makeSimulationConfig({ symbols: ["AAPL", name] })
    expect(Result.isFailure(result) && result.failure.issues.map((i) => [i.field, i.rule, i.value])).toEqual([["symbols.1", RESERVED_RULE, name]])
  })

  it("names like them are symbols", () => {
    expect(Result.isSuccess(makeSimulationConfig({ symbols: ["Constructor", "proto", "__proto", "valueOf2", "TIME"] }))).toBe(true)
  })
})

describe("a validated config round-trips through JSON", () => {
  // What a snapshot stores is the JSON of the config: a restored simulation must see the same values.
  test.prop([configInput.map((c) => ({ ...c, commissionRate: -0, slippageRate: -0, riskFreeRate: -0, minimumCommission: "-0" }))])(
    "negative zeros included",
    (input) => {
      const config = makeSimulationConfig(input)
      if (Result.isFailure(config)) throw config.failure
      expect(config.success).toStrictEqual(JSON.parse(JSON.stringify(config.success)))
    }
  )

  it("so a fill under commissionRate -0 charges 0, live and after a restore", async () => {
    const { TradingSimulationEngine } = await import("../../src/index.ts")
    const engine = new TradingSimulationEngine({ symbols: ["AAPL"], commissionRate: -0, maxPositionSize: 1 })
    engine.processMarketUpdate({ time: Date.UTC(2024, 0, 2), prices: { AAPL: 100 } })
    engine.submitOrder({ symbol: "AAPL", side: "buy", type: "market", quantity: 1 })
    engine.processMarketUpdate({ time: Date.UTC(2024, 0, 3), prices: { AAPL: 100 } })
    const restored = TradingSimulationEngine.fromSnapshot(JSON.parse(JSON.stringify(engine.snapshot())))
    expect(engine.getPortfolio().totalCommission.toJSON()).toBe("0")
    expect(JSON.stringify(restored.snapshot())).toBe(JSON.stringify(engine.snapshot()))
  })
})

describe("a stored config", () => {
  const stored = (input: unknown): unknown => {
    const config = makeSimulationConfig(input)
    if (Result.isFailure(config)) throw config.failure
    return JSON.parse(JSON.stringify(config.success))
  }

  test.prop([configInput])("written as validation writes it is taken as validated: what validating it gives, given back as it is", (input) => {
    const text = stored(input)
    const config = storedSimulationConfig(text)
    expect(config).toStrictEqual(makeSimulationConfig(JSON.parse(JSON.stringify(text))).pipe(Result.getOrThrow))
    expect(Object.isFrozen(config)).toBe(true)
    expect(Result.getOrThrow(makeSimulationConfig(config))).toBe(config)
    // Met again (another simulation of the same config): the same one.
    expect(storedSimulationConfig(JSON.parse(JSON.stringify(text)))).toBe(config)
  })

  it("hand-edited so that it no longer validates, is refused as before, with the same error", () => {
    const edited = { ...(stored({ symbols: ["AAPL"] }) as object), maxPositionSize: 7 }
    expect(storedSimulationConfig(edited)).toBeUndefined()
    const error = makeSimulationConfig(edited)
    expect(Result.isFailure(error) && error.failure.issues.map((i) => i.field)).toEqual(["maxPositionSize"])
  })

  it("written otherwise than validation writes it (a missing default, another key order, not an object) is left to validation", () => {
    expect(storedSimulationConfig({ symbols: ["AAPL"] })).toBeUndefined()
    const { symbols, ...rest } = stored({ symbols: ["AAPL"] }) as { symbols: unknown }
    expect(storedSimulationConfig({ symbols, ...rest })).toBeUndefined()
    for (const odd of [null, "x", 1, [], new Date(0)]) expect(storedSimulationConfig(odd)).toBeUndefined()
    // A config equal to a validated one is still validated: only validation's own results are taken as they are.
    const copy = stored({ symbols: ["AAPL"] })
    expect(Result.getOrThrow(makeSimulationConfig(copy))).not.toBe(copy)
  })
})
