import { Schema } from "effect"
import type { OrderRequest } from "../../domain/order.ts"
import { symbolRuleBroken } from "../../domain/simulation-config.ts"
import type { ModelInput, ModelOutput, TradingModel } from "../../engine/trading-model.ts"
import { defineModelKind } from "../model-kind.ts"
import { entryOf, symbolRecord } from "./symbol-record.ts"
import { PositiveNumber, Weight } from "./params.ts"

// Keys checked by the record's own filter, not a key schema: Effect drops a key its schema refuses instead of reporting it.
const SymbolWeights = Schema.Record(Schema.String, Weight).check(
  Schema.makeFilter((weights) =>
    Object.keys(weights).flatMap((symbol) => {
      const broken = symbolRuleBroken(symbol)
      return broken === undefined ? [] : [{ path: [symbol], issue: broken }]
    })
  )
)

export const buyAndHoldParamsSchema = Schema.Struct({
  /** Target weights by symbol, set once; symbols not named are not bought. Their sum is at most 1. */
  weights: Schema.optionalKey(SymbolWeights),
  /** Instead of `weights`: shares of every symbol bought once (100 when neither is given). */
  quantity: Schema.optionalKey(PositiveNumber)
}).check(
  Schema.makeFilter((p) => {
    const issues: Array<Schema.FilterIssue> = []
    if (p.weights !== undefined && p.quantity !== undefined) issues.push({ path: ["quantity"], issue: "cannot be given together with weights" })
    if (p.weights !== undefined) {
      const total = Object.values(p.weights).reduce((a, b) => a + b, 0)
      if (Object.keys(p.weights).length === 0) issues.push({ path: ["weights"], issue: "must name at least one symbol" })
      else if (total > 1 + 1e-12) issues.push({ path: ["weights"], issue: `must add up to at most 1 (they add up to ${total})` })
    }
    return issues
  })
)

export type BuyAndHoldParams = typeof buyAndHoldParamsSchema.Type

export const DEFAULT_BUY_AND_HOLD_QUANTITY = 100

export interface BuyAndHoldState {
  /** The symbols bought so far, in the order they were bought. */
  readonly bought: ReadonlyArray<string>
}

/**
 * Buys once and holds. With `weights`, each named symbol gets its target weight of equity (a
 * market order for the whole shares) on the first update that quotes it; with `quantity`, every
 * symbol is bought `quantity` shares at market on the first update that quotes it. After that
 * the model never trades that symbol again, even if the order was refused.
 */
export const buyAndHold = (params: BuyAndHoldParams): TradingModel<BuyAndHoldState> => {
  const weights = params.weights
  const quantity = params.quantity ?? DEFAULT_BUY_AND_HOLD_QUANTITY
  return {
    initialState: { bought: [] },
    onUpdate(state: BuyAndHoldState, input: ModelInput): ModelOutput<BuyAndHoldState> {
      let bought: string[] | undefined
      const orders: OrderRequest[] = []
      const targets = symbolRecord<number>()
      for (const quote of input.quotes) {
        const symbol = quote.symbol
        if (state.bought.includes(symbol) || bought?.includes(symbol) === true) continue
        if (weights === undefined) {
          orders.push({ symbol, side: "buy", type: "market", quantity, tag: "buy and hold" })
        } else {
          const weight = entryOf(weights, symbol)
          if (weight === undefined) continue
          targets[symbol] = weight
        }
        ;(bought ??= [...state.bought]).push(symbol)
      }
      if (bought === undefined) return { state }
      return {
        state: { bought },
        ...(orders.length > 0 ? { orders } : {}),
        ...(Object.keys(targets).length > 0 ? { targetWeights: targets } : {})
      }
    }
  }
}

export const buyAndHoldKind = defineModelKind({
  kind: "buy-and-hold",
  description:
    "Buys once and holds: each symbol in `weights` is set to its target weight of equity on its first quote, or (with `quantity`, 100 by default) every quoted symbol is bought that many shares once.",
  paramsSchema: buyAndHoldParamsSchema,
  create: (params) => buyAndHold(params)
})
