import { Effect, Schema } from "effect"
import type { OrderRequest } from "../../domain/order.ts"
import type { ModelInput, ModelOutput, TradingModel } from "../../engine/trading-model.ts"
import { defineModelKind } from "../model-kind.ts"
import { entryOf, symbolRecord } from "./symbol-record.ts"
import { PositiveNumber, Weight, WholeNumber } from "./params.ts"

export const movingAverageCrossoverParamsSchema = Schema.Struct({
  /** Closes in the fast average. */
  fast: WholeNumber(1, 10_000).pipe(Schema.withDecodingDefaultKey(Effect.succeed(10))),
  /** Closes in the slow average; more than `fast`. */
  slow: WholeNumber(2, 10_000).pipe(Schema.withDecodingDefaultKey(Effect.succeed(30))),
  /** Shares bought on a cross up (100 when neither this nor `weight` is given). */
  quantity: Schema.optionalKey(PositiveNumber),
  /** Instead of `quantity`: the fraction of equity bought on a cross up, as a target weight. */
  weight: Schema.optionalKey(Weight)
}).check(
  Schema.makeFilter((p) => {
    const issues: Array<Schema.FilterIssue> = []
    if (p.fast >= p.slow) issues.push({ path: ["fast"], issue: `must be less than slow (${p.slow})` })
    if (p.quantity !== undefined && p.weight !== undefined) issues.push({ path: ["weight"], issue: "cannot be given together with quantity" })
    return issues
  })
)

export type MovingAverageCrossoverParams = typeof movingAverageCrossoverParamsSchema.Type

export const DEFAULT_CROSSOVER_QUANTITY = 100

/**
 * One symbol's averages, kept exactly as `SimpleMovingAverage` in
 * examples/strategies/moving-average-crossover.ts keeps them: a ring of the last N closes (zeros
 * before N closes are seen) and a running sum updated by `sum += close − ring[i]`. The same
 * floating-point operations in the same order give bit-identical averages, so the same signals.
 */
export interface CrossoverSymbolState {
  /** Closes seen. */
  readonly count: number
  readonly fastRing: ReadonlyArray<number>
  readonly slowRing: ReadonlyArray<number>
  readonly fastSum: number
  readonly slowSum: number
  /** The averages after the last close; null until `slow` closes are seen. */
  readonly fast: number | null
  readonly slow: number | null
}

export interface CrossoverState {
  readonly symbols: Readonly<Record<string, CrossoverSymbolState>>
}

const push = (ring: ReadonlyArray<number>, sum: number, count: number, close: number) => {
  const i = count % ring.length
  const next = ring.slice()
  const newSum = sum + (close - ring[i]!)
  next[i] = close
  return { ring: next, sum: newSum, average: count + 1 >= ring.length ? newSum / ring.length : null }
}

const emptySymbol = (p: MovingAverageCrossoverParams): CrossoverSymbolState => ({
  count: 0,
  fastRing: new Array<number>(p.fast).fill(0),
  slowRing: new Array<number>(p.slow).fill(0),
  fastSum: 0,
  slowSum: 0,
  fast: null,
  slow: null
})

/** Feeds one close; returns the new state and whether the fast average crossed the slow one. */
export const crossoverStep = (s: CrossoverSymbolState, close: number): { state: CrossoverSymbolState; up: boolean; down: boolean } => {
  const f = push(s.fastRing, s.fastSum, s.count, close)
  const sl = push(s.slowRing, s.slowSum, s.count, close)
  const slow = sl.average
  const fast = slow === null ? null : f.average
  const state: CrossoverSymbolState = { count: s.count + 1, fastRing: f.ring, slowRing: sl.ring, fastSum: f.sum, slowSum: sl.sum, fast, slow }
  const defined = s.fast !== null && s.slow !== null && fast !== null && slow !== null
  return {
    state,
    up: defined && s.fast! <= s.slow! && fast! > slow!,
    down: defined && s.fast! >= s.slow! && fast! < slow!
  }
}

/**
 * Long-only moving-average crossover, per symbol: after each close, when the fast average of the
 * closes crosses above the slow one while flat, buy `quantity` at market (or move to `weight` of
 * equity); when it crosses below while long, sell the whole position. Both averages count only
 * once `slow` closes are seen. The same rule, and the same trades, as the example strategy
 * (examples/strategies/moving-average-crossover.ts).
 */
export const movingAverageCrossover = (params: MovingAverageCrossoverParams): TradingModel<CrossoverState> => {
  const quantity = params.weight === undefined ? (params.quantity ?? DEFAULT_CROSSOVER_QUANTITY) : undefined
  return {
    initialState: { symbols: {} },
    onUpdate(state: CrossoverState, input: ModelInput): ModelOutput<CrossoverState> {
      const symbols = symbolRecord(state.symbols)
      const orders: OrderRequest[] = []
      const weights = symbolRecord<number>()
      let anyWeight = false
      for (const quote of input.quotes) {
        const step = crossoverStep(entryOf(symbols, quote.symbol) ?? emptySymbol(params), quote.close)
        symbols[quote.symbol] = step.state
        if (!step.up && !step.down) continue
        const position = input.view.positionOf(quote.symbol)
        if (step.up && position.isZero()) {
          if (quantity === undefined) {
            weights[quote.symbol] = params.weight!
            anyWeight = true
          } else orders.push({ symbol: quote.symbol, side: "buy", type: "market", quantity, tag: "crossover: fast above slow" })
        } else if (step.down && position.greaterThan(0)) {
          if (quantity === undefined) {
            weights[quote.symbol] = 0
            anyWeight = true
          } else orders.push({ symbol: quote.symbol, side: "sell", type: "market", quantity: position, tag: "crossover: fast below slow" })
        }
      }
      return { state: { symbols }, ...(orders.length > 0 ? { orders } : {}), ...(anyWeight ? { targetWeights: weights } : {}) }
    }
  }
}

export const movingAverageCrossoverKind = defineModelKind({
  kind: "moving-average-crossover",
  description:
    "Long-only moving-average crossover per symbol: buy `quantity` (or move to `weight` of equity) when the fast SMA of closes crosses above the slow one while flat; sell the position when it crosses below while long.",
  paramsSchema: movingAverageCrossoverParamsSchema,
  create: (params) => movingAverageCrossover(params)
})
