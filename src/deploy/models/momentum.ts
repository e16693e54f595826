import { Effect, Schema } from "effect"
import type { ModelInput, ModelOutput, TradingModel } from "../../engine/trading-model.ts"
import { defineModelKind } from "../model-kind.ts"
import { entryOf, symbolRecord } from "./symbol-record.ts"
import { FiniteNumber, Weight, WholeNumber } from "./params.ts"

export const momentumParamsSchema = Schema.Struct({
  /** Closes back to measure the return over. */
  lookback: WholeNumber(1, 10_000).pipe(Schema.withDecodingDefaultKey(Effect.succeed(20))),
  /** The return over `lookback` closes must be above this to hold the symbol. */
  threshold: FiniteNumber.pipe(Schema.withDecodingDefaultKey(Effect.succeed(0))),
  /** The fraction of equity held in a symbol while its momentum is on. */
  weight: Weight.pipe(Schema.withDecodingDefaultKey(Effect.succeed(0.1)))
})

export type MomentumParams = typeof momentumParamsSchema.Type

export interface MomentumSymbolState {
  /** The last `lookback + 1` closes (fewer at the start), oldest first. */
  readonly closes: ReadonlyArray<number>
  /** The target weight last asked for; null before the first full lookback. */
  readonly target: number | null
}

export interface MomentumState {
  readonly symbols: Readonly<Record<string, MomentumSymbolState>>
}

/**
 * Time-series momentum, long-only, per symbol: the return over the last `lookback` closes is
 * close / close `lookback` updates ago − 1. While it is above `threshold` the symbol's target
 * weight is `weight`, otherwise 0. Targets are set through `targetWeights` (market orders for
 * the whole-share difference) when the signal changes, not on every update, so the position is
 * not traded back and forth as equity drifts; an order the engine refuses (e.g. over
 * `maxPositionSize`) is therefore not repeated until the signal turns off and on again.
 */
export const momentum = (params: MomentumParams): TradingModel<MomentumState> => ({
  initialState: { symbols: {} },
  onUpdate(state: MomentumState, input: ModelInput): ModelOutput<MomentumState> {
    const symbols = symbolRecord(state.symbols)
    const weights = symbolRecord<number>()
    let changed = false
    for (const quote of input.quotes) {
      const previous = entryOf(symbols, quote.symbol)
      const closes = [...(previous?.closes ?? []), quote.close]
      if (closes.length > params.lookback + 1) closes.shift()
      let target = previous?.target ?? null
      if (closes.length === params.lookback + 1) {
        const ret = quote.close / closes[0]! - 1
        const wanted = ret > params.threshold ? params.weight : 0
        if (wanted !== target) {
          target = wanted
          weights[quote.symbol] = wanted
          changed = true
        }
      }
      symbols[quote.symbol] = { closes, target }
    }
    return changed ? { state: { symbols }, targetWeights: weights } : { state: { symbols } }
  }
})

export const momentumKind = defineModelKind({
  kind: "momentum",
  description:
    "Long-only time-series momentum per symbol: hold `weight` of equity while the return over the last `lookback` closes is above `threshold`, else nothing.",
  paramsSchema: momentumParamsSchema,
  create: (params) => momentum(params)
})
