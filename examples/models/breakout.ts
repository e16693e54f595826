// A user model as a module: the registry imports it by path and pins its content by sha256 (see
// the module contract at the top of src/deploy/model-registry.ts). It must export `modelKind`.
import { Effect, Schema } from "effect"
import { defineModelKind } from "../../src/deploy/model-kind.ts"
import type { ModelInput, ModelOutput, TradingModel } from "../../src/engine/trading-model.ts"

const Whole = (min: number) =>
  Schema.Number.check(Schema.makeFilter((n) => (Number.isInteger(n) && n >= min && n <= 1000 ? undefined : `must be a whole number from ${min} to 1000`)))
const Fraction = Schema.Number.check(Schema.makeFilter((n) => (Number.isFinite(n) && n > 0 && n <= 1 ? undefined : "must be a number above 0 and at most 1")))

const paramsSchema = Schema.Struct({
  /** Buy when the close is above the highest of this many previous closes. */
  entry: Whole(2).pipe(Schema.withDecodingDefaultKey(Effect.succeed(20))),
  /** Sell when the close is below the lowest of this many previous closes. */
  exit: Whole(2).pipe(Schema.withDecodingDefaultKey(Effect.succeed(10))),
  /** The fraction of equity held while in a position. */
  weight: Fraction.pipe(Schema.withDecodingDefaultKey(Effect.succeed(0.1)))
})

/** Each symbol's previous closes, newest last (at most max(entry, exit) of them): plain JSON, so it lives in snapshots. */
interface State {
  readonly closes: Readonly<Record<string, ReadonlyArray<number>>>
}

/**
 * Channel breakout (Donchian), long-only, per symbol: go to `weight` of equity when the close
 * breaks above the highest of the last `entry` closes while flat; go flat when it breaks below
 * the lowest of the last `exit` closes while long. Pure: the same closes give the same signals.
 */
const breakout = (params: typeof paramsSchema.Type): TradingModel<State> => {
  const keep = Math.max(params.entry, params.exit)
  return {
    initialState: { closes: {} },
    onUpdate(state: State, { quotes, view }: ModelInput): ModelOutput<State> {
      const closes = { ...state.closes }
      const targetWeights: Record<string, number> = {}
      for (const { symbol, close } of quotes) {
        const previous = closes[symbol] ?? []
        const position = view.positionOf(symbol)
        if (previous.length >= params.entry && position.isZero() && close > Math.max(...previous.slice(-params.entry))) targetWeights[symbol] = params.weight
        else if (previous.length >= params.exit && position.greaterThan(0) && close < Math.min(...previous.slice(-params.exit))) targetWeights[symbol] = 0
        closes[symbol] = [...previous, close].slice(-keep)
      }
      return Object.keys(targetWeights).length === 0 ? { state: { closes } } : { state: { closes }, targetWeights }
    }
  }
}

export const modelKind = defineModelKind({
  kind: "channel-breakout",
  description: "Long-only channel breakout: `weight` of equity above the `entry`-close high, flat below the `exit`-close low.",
  paramsSchema,
  create: (params) => breakout(params)
})
