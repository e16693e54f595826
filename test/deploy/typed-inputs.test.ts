// Typed inputs at the deployment API: a misspelt config key or model param fails `npm run
// typecheck` (the `@ts-expect-error` lines below fail it if they ever compile), and is refused at
// run time all the same, for callers without types.
import { Effect, Schema } from "effect"
import { describe, expect, expectTypeOf, it } from "vitest"
import { z } from "zod"
import {
  type BuiltInModelParams,
  builtInModelKindsByName,
  defineModelKind,
  type ModelParams,
  type ModelParamsInput,
  momentumKind,
  movingAverageCrossoverKind
} from "../../src/deploy/index.ts"
import { ValidationError } from "../../src/domain/errors.ts"
import { useStacks } from "./deployer-fixtures.ts"
import { rejection, useTempDirs } from "./helpers.ts"

const tempDir = useTempDirs()
const stack = useStacks()

const fieldsOf = (e: ValidationError) => e.issues.map((i) => [i.field, i.rule])

describe("typed inputs", () => {
  it("the deployer's simulationConfig is a SimulationConfigInput: a misspelt key or a wrong value does not compile", async () => {
    const { registry, paper, deployments } = stack(await tempDir())
    await registry.registerModel({ modelId: "m", version: "v1", kind: "momentum" })
    const deploy = { modelId: "m", modelVersion: "v1" }

    // @ts-expect-error: maxPositonSize is not a config field
    const typo = await rejection(paper.deployToPaperTrading({ ...deploy, simulationConfig: { maxPositonSize: 0.2 } }))
    expect(typo).toBeInstanceOf(ValidationError)
    expect(fieldsOf(typo)).toEqual([["simulationConfig.maxPositonSize", "is not a known field"]])
    // @ts-expect-error: "2min" is not an update frequency
    const frequency = await rejection(paper.deployToPaperTrading({ ...deploy, simulationConfig: { updateFrequency: "2min" } }))
    expect(fieldsOf(frequency)).toEqual([["simulationConfig.updateFrequency", expect.stringContaining('"1min"')]])
    // @ts-expect-error: symbols are a list
    const symbols = await rejection(deployments.createDeployment({ ...deploy, simulationConfig: { symbols: "AAPL" } }))
    expect(fieldsOf(symbols)[0]![0]).toBe("simulationConfig.symbols")

    // What compiles: a decimal as a number or a string, null to turn the stop-loss off.
    const id = await paper.deployToPaperTrading({ ...deploy, simulationConfig: { initialCapital: "25000.50", dailyStopLoss: null, symbols: ["AAPL"] } })
    expect((await deployments.getDeployment(id)).config).toMatchObject({ initialCapital: "25000.5", dailyStopLoss: null, symbols: ["AAPL"] })
    // Nothing was recorded for the refused calls.
    expect((await deployments.listDeployments()).map((d) => d.id)).toEqual([id])
  })

  it("a built-in kind's params are typed from its schema: a misspelt or mistyped param does not compile", async () => {
    const { registry } = stack(await tempDir())
    // @ts-expect-error: lookbak is not a momentum param
    const typo = await rejection(registry.registerModel({ modelId: "m", version: "v1", kind: "momentum", params: { lookbak: 20 } }))
    expect(fieldsOf(typo)).toEqual([["params.lookbak", "is not a known field"]])
    // @ts-expect-error: fast is a number
    const mistyped = await rejection(registry.registerModel({ modelId: "m", version: "v1", kind: "moving-average-crossover", params: { fast: "10" } }))
    expect(fieldsOf(mistyped)).toEqual([["params.fast", "must be number"]])
    // @ts-expect-error: weights are by symbol
    await rejection(registry.registerModel({ modelId: "m", version: "v1", kind: "buy-and-hold", params: { weights: [0.5] } }))
    expect(await registry.listModels()).toEqual([])

    // Fields with defaults may be left out; the registry stores them filled in.
    const version = await registry.registerModel({ modelId: "m", version: "v1", kind: "mean-reversion", params: { window: 10 } })
    expect(version.params).toEqual({ window: 10, entryZ: 1.5, exitZ: 0.5, quantity: 100 })
    // A kind that is not built in takes any params (its schema checks them when it is registered).
    await rejection(registry.registerModel({ modelId: "m", version: "v2", kind: "my-own", params: { anything: 1 } }))

    expectTypeOf<BuiltInModelParams["momentum"]>().toEqualTypeOf<{ readonly lookback?: number; readonly threshold?: number; readonly weight?: number }>()
    expectTypeOf<ModelParams<typeof momentumKind>>().toEqualTypeOf<{ readonly lookback: number; readonly threshold: number; readonly weight: number }>()
    expectTypeOf<ModelParamsInput<typeof movingAverageCrossoverKind>>().toEqualTypeOf<BuiltInModelParams["moving-average-crossover"]>()
  })

  it("the built-in params map is keyed by each kind's name", () => {
    for (const [name, kind] of Object.entries(builtInModelKindsByName)) expect(kind.kind).toBe(name)
  })

  it("defineModelKind infers params from a zod schema or an Effect struct: create gets the output, callers give the input", async () => {
    const zodKind = defineModelKind({
      kind: "zod-typed",
      description: "typed by zod",
      paramsSchema: z.object({ window: z.number().int().default(20), symbol: z.string() }).strict(),
      create: (params) => {
        expectTypeOf(params).toEqualTypeOf<{ window: number; symbol: string }>()
        return { initialState: params.window, onUpdate: (state: number) => ({ state }) }
      }
    })
    expectTypeOf<ModelParamsInput<typeof zodKind>>().toEqualTypeOf<{ window?: number | undefined; symbol: string }>()

    const effectKind = defineModelKind({
      kind: "effect-typed",
      description: "typed by Effect Schema",
      paramsSchema: Schema.Struct({ window: Schema.Number.pipe(Schema.withDecodingDefaultKey(Effect.succeed(20))) }),
      create: (params) => {
        expectTypeOf(params).toEqualTypeOf<{ readonly window: number }>()
        return { initialState: params.window, onUpdate: (state: number) => ({ state }) }
      }
    })
    expectTypeOf<ModelParamsInput<typeof effectKind>>().toEqualTypeOf<{ readonly window?: number }>()

    const { registry } = stack(await tempDir(), { kinds: [zodKind, effectKind] })
    const params = { symbol: "AAPL" } satisfies ModelParamsInput<typeof zodKind>
    // @ts-expect-error: windw is not a param of zodKind
    const checked = { symbol: "AAPL", windw: 5 } satisfies ModelParamsInput<typeof zodKind>
    expect((await registry.registerModel({ modelId: "z", version: "v1", kind: "zod-typed", params })).params).toEqual({ window: 20, symbol: "AAPL" })
    expect(fieldsOf(await rejection(registry.registerModel({ modelId: "z", version: "v2", kind: "zod-typed", params: checked })))).toEqual([
      ["params", 'Unrecognized key: "windw"']
    ])
    expect((await registry.loadModel("z", "v1")).initialState).toBe(20)
    expect((await registry.registerModel({ modelId: "e", version: "v1", kind: "effect-typed" })).params).toEqual({ window: 20 })
  })
})
