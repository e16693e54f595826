import { Decimal } from "../domain/decimal.ts"
import { multiply } from "../domain/decimal-arithmetic.ts"
import type { Quote } from "../domain/market-update.ts"
import type { WorkingOrder } from "./fill-model.ts"

/** Moves a market price to the price the trader actually gets. The engine then caps it at a limit price. */
export interface SlippageModel {
  adjust(marketPrice: Decimal, order: WorkingOrder, quote: Quote): Decimal
}

/** Against the trader by a fixed fraction: buys pay price × (1 + rate), sells get price × (1 − rate). */
export const proportionalSlippage = (rate: number): SlippageModel => {
  const up = new Decimal(1).plus(rate)
  const down = new Decimal(1).minus(rate)
  return {
    adjust: (price, order) => (rate === 0 ? price : multiply(price, order.spec.side === "buy" ? up : down))
  }
}
