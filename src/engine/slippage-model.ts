import { Decimal, decimalOf, ownDigits } from "../domain/decimal.ts"
import { multiply } from "../domain/decimal-arithmetic.ts"
import type { Quote } from "../domain/market-update.ts"
import type { WorkingOrder } from "./fill-model.ts"

/** Moves a market price to the price the trader actually gets. The engine then caps it at a limit price. */
export interface SlippageModel {
  adjust(marketPrice: Decimal, order: WorkingOrder, quote: Quote): Decimal
}

/** Against the trader by a fixed fraction: buys pay price × (1 + rate), sells get price × (1 − rate). */
export const proportionalSlippage = (rate: number): SlippageModel => new ProportionalSlippage(rate)

// A class rather than a closure per engine, as the proportional fee (./fee-model.ts).
class ProportionalSlippage implements SlippageModel {
  readonly #none: boolean
  readonly #up: Decimal
  readonly #down: Decimal

  constructor(rate: number) {
    this.#none = rate === 0
    this.#up = ownDigits(decimalOf(1).plus(rate))
    this.#down = ownDigits(decimalOf(1).minus(rate))
  }

  adjust(price: Decimal, order: WorkingOrder): Decimal {
    return this.#none ? price : multiply(price, order.spec.side === "buy" ? this.#up : this.#down)
  }
}
