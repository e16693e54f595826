import { Decimal, decimalOf, ZERO } from "../domain/decimal.ts"
import { compare, multiply, subtract } from "../domain/decimal-arithmetic.ts"
import type { WorkingOrder } from "./fill-model.ts"

/** The commission of one fill (its notional is price × quantity), given what the order has been charged so far. */
export interface FeeModel {
  commission(
    fill: { readonly quantity: Decimal; readonly price: Decimal; readonly notional: Decimal },
    order: WorkingOrder,
    chargedSoFar: Decimal
  ): Decimal
}

/**
 * rate × |quantity| × price per fill; with a minimum, the order as a whole pays at least the
 * minimum (its first fills top up to it, later ones pay the rate).
 */
export const proportionalFee = (rate: number, minimumPerOrder: Decimal = ZERO): FeeModel => new ProportionalFee(decimalOf(rate), minimumPerOrder)

// A class rather than a closure per engine: every engine's fills then call one function, which the
// compiled fill path keeps inlined when an earlier engine is collected (see ./shape-keeper.ts).
class ProportionalFee implements FeeModel {
  readonly #rate: Decimal
  readonly #minimumPerOrder: Decimal

  constructor(rate: Decimal, minimumPerOrder: Decimal) {
    this.#rate = rate
    this.#minimumPerOrder = minimumPerOrder
  }

  commission({ notional }: { readonly notional: Decimal }, _order: WorkingOrder, chargedSoFar: Decimal): Decimal {
    const proportional = multiply(this.#rate, notional)
    if (this.#minimumPerOrder.isZero()) return proportional
    const topUp = subtract(this.#minimumPerOrder, chargedSoFar)
    return compare(topUp, proportional) > 0 ? topUp : proportional
  }
}
