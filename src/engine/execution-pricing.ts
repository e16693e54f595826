import { Decimal } from "../domain/decimal.ts"
import { add, multiply } from "../domain/decimal-arithmetic.ts"
import { roundToTick } from "../domain/instrument.ts"
import type { Quote } from "../domain/market-update.ts"
import type { WorkingOrder } from "../domain/order-types.ts"
import type { FeeModel } from "./fee-model.ts"
import type { SlippageModel } from "./slippage-model.ts"

/**
 * What a trade costs, through the plugged-in slippage and fee models: the fill's price and
 * commission, and the pre-trade estimate of an order's opening part, priced the same way so that
 * an order the checks accept is not refused at its fill for a cost they did not see.
 */
export class ExecutionPricing {
  readonly #slippage: SlippageModel
  readonly #fees: FeeModel
  /** Each symbol's tick size, for those whose instrument has one. */
  readonly #ticks: ReadonlyMap<string, Decimal>

  constructor(slippage: SlippageModel, fees: FeeModel, ticks: ReadonlyMap<string, Decimal> = new Map()) {
    this.#slippage = slippage
    this.#fees = fees
    this.#ticks = ticks
  }

  /** The price after slippage, on its symbol's tick grid (rounded against the trader) when it has one. */
  #slipped(marketPrice: Decimal, order: WorkingOrder, quote: Quote): Decimal {
    const price = this.#slippage.adjust(marketPrice, order, quote)
    if (this.#ticks.size === 0) return price
    const tick = this.#ticks.get(order.spec.symbol)
    return tick === undefined ? price : roundToTick(price, tick, order.spec.side)
  }

  /** The price the trader gets for a market price: after slippage and the tick, never past the order's limit (itself on the tick). */
  fillPrice(marketPrice: Decimal, order: WorkingOrder, quote: Quote): Decimal {
    const price = this.#slipped(marketPrice, order, quote)
    const limit = order.limitPrice
    if (limit === null) return price
    return order.spec.side === "buy" ? Decimal.min(price, limit) : Decimal.max(price, limit)
  }

  commission(quantity: Decimal, price: Decimal, notional: Decimal, order: WorkingOrder, chargedSoFar: Decimal): Decimal {
    return this.#fees.commission({ quantity, price, notional }, order, chargedSoFar)
  }

  /**
   * What `quantity` of the order is expected to cost at a reference price: its notional after
   * slippage plus its commission. The limit is not assumed to improve the price: the estimate
   * stays on the side of caution.
   */
  estimate(quantity: Decimal, referencePrice: Decimal, order: WorkingOrder, quote: Quote, chargedSoFar: Decimal): Decimal {
    const price = this.#slipped(referencePrice, order, quote)
    const notional = multiply(price, quantity)
    return add(notional, this.#fees.commission({ quantity, price, notional }, order, chargedSoFar))
  }
}
