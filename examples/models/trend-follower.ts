// A model of your own, as a module: a pure reducer and its params, validated with zod (any
// Standard Schema works). The registry imports this file by path and pins its sha256; it must
// export `modelKind`. examples/your-own-model.ts registers, deploys and runs it.
import { z } from "zod"
import { defineModelKind, type ModelInput, type ModelOutput, type TradingModel } from "../../src/index.ts"

// The params: defaults fill what a caller leaves out, and .strict() refuses a misspelt field.
export const paramsSchema = z
  .object({
    /** Closes in the moving average. */
    window: z.number().int().min(2).max(1000).default(50),
    /** The fraction of equity held in a symbol while its close is above the average. */
    weight: z.number().gt(0).max(1).default(0.1)
  })
  .strict()

export type TrendParams = z.output<typeof paramsSchema>

// The state: plain JSON, so it lives in the simulation's snapshots and survives a restart.
interface TrendState {
  /** Each symbol's last `window` closes, oldest first. */
  readonly closes: Readonly<Record<string, ReadonlyArray<number>>>
}

// The reducer: each update's quotes and a read-only view of the portfolio in, the next state and
// what to trade out. Same inputs, same outputs: no clock, no randomness, no I/O.
export const trendFollower = (params: TrendParams): TradingModel<TrendState> => ({
  initialState: { closes: {} },
  onUpdate(state: TrendState, { quotes, view }: ModelInput): ModelOutput<TrendState> {
    const closes = { ...state.closes }
    const targetWeights: Record<string, number> = {}
    for (const { symbol, close } of quotes) {
      const recent = [...(closes[symbol] ?? []), close].slice(-params.window)
      closes[symbol] = recent
      if (recent.length < params.window) continue
      const average = recent.reduce((sum, c) => sum + c, 0) / recent.length
      const holding = view.positionOf(symbol).greaterThan(0)
      if (!holding && close > average) targetWeights[symbol] = params.weight
      else if (holding && close < average) targetWeights[symbol] = 0
    }
    return { state: { closes }, targetWeights }
  }
})

// What the registry imports: the kind's name, its params schema and how to build the model.
export const modelKind = defineModelKind({
  kind: "trend-follower",
  description: "Long-only trend following: `weight` of equity in a symbol while its close is above its `window`-close average, flat below.",
  paramsSchema,
  create: (params) => trendFollower(params)
})
