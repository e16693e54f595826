import { describe, expect, it } from "vitest"
import {
  buyAndHold,
  buyAndHoldKind,
  meanReversion,
  meanReversionKind,
  momentum,
  momentumKind,
  movingAverageCrossover,
  movingAverageCrossoverKind
} from "../../../src/deploy/index.ts"
import type { TradingModel } from "../../../src/engine/trading-model.ts"
import { decodeParamsNow, paramIssues, stepModel } from "../helpers.ts"

// A config refuses these as symbols; a model must still not mistake them for Object's own properties
// (symbols["constructor"] is Object, weights["__proto__"] = 0.1 sets a prototype), in its state or
// in its output, live or with its state read back from JSON.
const OBJECT_NAMES = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"]

const closes = [10, 10, 10, 10, 11, 12, 13, 12, 11, 10, 10, 9, 8, 9, 10, 11, 12, 13]
const positionOf = (i: number) => (i >= 6 ? 10 : 0)
const AT = 9

/** Every output and the last state, with the state sent through JSON after AT closes. */
const run = (model: TradingModel<unknown>, symbol: string): string => {
  const first = stepModel(model, closes.slice(0, AT), symbol, positionOf)
  const revived: unknown = JSON.parse(JSON.stringify(first.state))
  const rest = stepModel({ ...model, initialState: revived }, closes.slice(AT), symbol, (i) => positionOf(i + AT))
  return JSON.stringify([...first.outputs, ...rest.outputs])
}

const models: ReadonlyArray<readonly [string, (symbol: string) => TradingModel<unknown>]> = [
  ["moving-average-crossover", () => movingAverageCrossover(decodeParamsNow(movingAverageCrossoverKind, { fast: 2, slow: 4 })) as TradingModel<unknown>],
  ["moving-average-crossover by weight", () => movingAverageCrossover(decodeParamsNow(movingAverageCrossoverKind, { fast: 2, slow: 4, weight: 0.2 })) as TradingModel<unknown>],
  ["momentum", () => momentum(decodeParamsNow(momentumKind, { lookback: 3 })) as TradingModel<unknown>],
  ["mean-reversion", () => meanReversion(decodeParamsNow(meanReversionKind, { window: 3, entryZ: 1, exitZ: 0 })) as TradingModel<unknown>],
  ["buy-and-hold", () => buyAndHold(decodeParamsNow(buyAndHoldKind, {})) as TradingModel<unknown>],
  // Built directly: its params schema refuses these names.
  ["buy-and-hold by weight", (symbol) => buyAndHold({ weights: JSON.parse(`{ "${symbol}": 0.5 }`) as Record<string, number> }) as TradingModel<unknown>]
]

describe("the built-in models and symbols named like Object.prototype's properties", () => {
  it.each(models)("%s trades them as any other symbol", (_, make) => {
    const usual = run(make("AAA"), "AAA")
    expect(usual).toMatch(/"orders"|"targetWeights"/)
    for (const name of OBJECT_NAMES) expect(run(make(name), name)).toBe(usual.replaceAll('"AAA"', JSON.stringify(name)))
  })

  it("buy-and-hold refuses them as weights' symbols", () => {
    const rule = "must not be a name every JavaScript object has (constructor, toString, __proto__ and the rest of Object.prototype)"
    expect(paramIssues(buyAndHoldKind, { weights: JSON.parse('{ "AAA": 0.1, "__proto__": 0.05, "constructor": 0.05 }') })).toEqual([
      { field: "params.weights.__proto__", rule, value: 0.05 },
      { field: "params.weights.constructor", rule, value: 0.05 }
    ])
    expect(paramIssues(buyAndHoldKind, { weights: { AAA: 0.1, "A B": 0.2 } })).toEqual([
      { field: "params.weights.A B", rule: "must be 1–32 letters, digits or . _ : / -", value: 0.2 }
    ])
  })
})
