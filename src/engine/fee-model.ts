import { Decimal, ZERO } from "../domain/decimal.ts"
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
export const proportionalFee = (rate: number, minimumPerOrder: Decimal = ZERO): FeeModel => {
  const r = new Decimal(rate)
  return {
    commission: ({ notional }, _order, chargedSoFar) => {
      const proportional = multiply(r, notional)
      if (minimumPerOrder.isZero()) return proportional
      const topUp = subtract(minimumPerOrder, chargedSoFar)
      return compare(topUp, proportional) > 0 ? topUp : proportional
    }
  }
}
