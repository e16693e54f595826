import { Effect, Schema } from "effect"
import type { OrderRequest } from "../../domain/order.ts"
import type { ModelInput, ModelOutput, TradingModel } from "../../engine/trading-model.ts"
import { defineModelKind } from "../model-kind.ts"
import { entryOf, symbolRecord } from "./symbol-record.ts"
import { FiniteNumber, PositiveNumber, WholeNumber } from "./params.ts"

export const meanReversionParamsSchema = Schema.Struct({
  /** Closes in the mean and standard deviation. */
  window: WholeNumber(2, 10_000).pipe(Schema.withDecodingDefaultKey(Effect.succeed(20))),
  /** Buy when the z-score falls below −entryZ. */
  entryZ: PositiveNumber.pipe(Schema.withDecodingDefaultKey(Effect.succeed(1.5))),
  /** Sell when the z-score rises above −exitZ; less than entryZ (it may be negative: exit above the mean). */
  exitZ: FiniteNumber.pipe(Schema.withDecodingDefaultKey(Effect.succeed(0.5))),
  /** Shares bought on an entry. */
  quantity: PositiveNumber.pipe(Schema.withDecodingDefaultKey(Effect.succeed(100)))
}).check(
  Schema.makeFilter((p) => (p.exitZ < p.entryZ ? undefined : { path: ["exitZ"], issue: `must be less than entryZ (${p.entryZ})` }))
)

export type MeanReversionParams = typeof meanReversionParamsSchema.Type

export interface MeanReversionState {
  /** Each symbol's last `window` closes (fewer at the start), oldest first. */
  readonly symbols: Readonly<Record<string, ReadonlyArray<number>>>
}

/** (close − mean) / standard deviation of the closes (the population one, over the window); null when they are all equal. */
export const zScore = (closes: ReadonlyArray<number>): number | null => {
  const n = closes.length
  let sum = 0
  for (const c of closes) sum += c
  const mean = sum / n
  let squares = 0
  for (const c of closes) squares += (c - mean) * (c - mean)
  const sd = Math.sqrt(squares / n)
  return sd === 0 ? null : (closes[n - 1]! - mean) / sd
}

/**
 * Long-only mean reversion, per symbol. After each close, z = (close − SMA) / σ over the last
 * `window` closes (this one included; σ is the population standard deviation). When flat and z
 * is below −entryZ, buy `quantity` at market; when long and z rises above −exitZ, sell the whole
 * position. Nothing happens while the symbol has an open order (one still waiting for its fill),
 * before `window` closes are seen, or while the window's closes are all equal. It never goes short.
 */
export const meanReversion = (params: MeanReversionParams): TradingModel<MeanReversionState> => ({
  initialState: { symbols: {} },
  onUpdate(state: MeanReversionState, input: ModelInput): ModelOutput<MeanReversionState> {
    const symbols = symbolRecord(state.symbols)
    const orders: OrderRequest[] = []
    let openOrders: ReadonlySet<string> | undefined
    for (const quote of input.quotes) {
      const closes = [...(entryOf(symbols, quote.symbol) ?? []), quote.close]
      if (closes.length > params.window) closes.shift()
      symbols[quote.symbol] = closes
      if (closes.length < params.window) continue
      const z = zScore(closes)
      if (z === null) continue
      openOrders ??= new Set(input.view.openOrders().map((o) => o.symbol))
      if (openOrders.has(quote.symbol)) continue
      const position = input.view.positionOf(quote.symbol)
      if (position.isZero() && z < -params.entryZ) {
        orders.push({ symbol: quote.symbol, side: "buy", type: "market", quantity: params.quantity, tag: `mean reversion: z ${z.toFixed(2)}` })
      } else if (position.greaterThan(0) && z > -params.exitZ) {
        orders.push({ symbol: quote.symbol, side: "sell", type: "market", quantity: position, tag: `mean reversion: z ${z.toFixed(2)}` })
      }
    }
    return orders.length > 0 ? { state: { symbols }, orders } : { state: { symbols } }
  }
})

export const meanReversionKind = defineModelKind({
  kind: "mean-reversion",
  description:
    "Long-only mean reversion per symbol: buy `quantity` when the z-score of the close over the last `window` closes falls below −entryZ; sell the position when it rises above −exitZ.",
  paramsSchema: meanReversionParamsSchema,
  create: (params) => meanReversion(params)
})
