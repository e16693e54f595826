import type { Quote } from "../domain/market-update.ts"
import { type MatchResult, orderTypes, type WorkingOrder } from "../domain/order-types.ts"

export { comparePrice, type MatchResult, type WorkingOrder } from "../domain/order-types.ts"

/** Decides, for one working order and one update of its symbol, whether it triggers and what fills. */
export interface FillModel {
  match(order: WorkingOrder, quote: Quote): MatchResult
}

/** The default fill rules for bars and ticks (DESIGN.md, execution semantics): each order type's own rule. Orders fill whole. */
export const barFillModel: FillModel = {
  match: (order, quote) => orderTypes[order.spec.type].match(order, quote)
}
