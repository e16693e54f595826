import { Decimal, ZERO } from "../domain/decimal.ts"
import type { OrderSide } from "../domain/order.ts"

interface PositionState {
  quantity: Decimal
  /** quantity as a float, for the per-update equity estimate. */
  quantityNumber: number
  averageCost: Decimal
  realizedPnl: Decimal
}

/** How a fill splits against the position it meets, with its share of the commission. */
export interface FillLegs {
  readonly closingQuantity: Decimal
  readonly openingQuantity: Decimal
  readonly closingCommission: Decimal
  readonly openingCommission: Decimal
  /** Realised P&L of the closing part, before commission. */
  readonly realizedPnl: Decimal
  /** The position's average cost before the fill (what the closing part is measured against). */
  readonly averageCostBefore: Decimal
  readonly positionAfter: Decimal
}

const signed = (side: OrderSide, quantity: Decimal): Decimal => (side === "buy" ? quantity : quantity.negated())

/** Splits a signed order quantity against a signed position into the part that closes it and the part that opens. */
export const splitAgainst = (position: Decimal, side: OrderSide, quantity: Decimal) => {
  const reduces = side === "buy" ? position.isNegative() : position.isPositive()
  const closingQuantity = reduces ? Decimal.min(quantity, position.abs()) : ZERO
  return { closingQuantity, openingQuantity: quantity.minus(closingQuantity) }
}

/**
 * Cash, positions and realised P&L in exact decimals. Cash changes only by fills: the notional
 * and the commission, nothing else.
 */
export class Ledger {
  #cash: Decimal
  #cashNumber: number
  #totalCommission = ZERO
  #realizedPnl = ZERO
  readonly #positions = new Map<string, PositionState>()

  constructor(initialCapital: Decimal) {
    this.#cash = initialCapital
    this.#cashNumber = initialCapital.toNumber()
  }

  get cash(): Decimal {
    return this.#cash
  }
  get totalCommission(): Decimal {
    return this.#totalCommission
  }
  get realizedPnl(): Decimal {
    return this.#realizedPnl
  }

  position(symbol: string): Decimal {
    return this.#positions.get(symbol)?.quantity ?? ZERO
  }

  averageCost(symbol: string): Decimal {
    return this.#positions.get(symbol)?.averageCost ?? ZERO
  }

  /** Symbols with a position or realised P&L, in first-traded order. */
  symbols(): IterableIterator<string> {
    return this.#positions.keys()
  }

  realizedPnlOf(symbol: string): Decimal {
    return this.#positions.get(symbol)?.realizedPnl ?? ZERO
  }

  /** Applies one fill; returns how it split. */
  applyFill(symbol: string, side: OrderSide, quantity: Decimal, price: Decimal, commission: Decimal): FillLegs {
    let state = this.#positions.get(symbol)
    if (state === undefined) {
      state = { quantity: ZERO, quantityNumber: 0, averageCost: ZERO, realizedPnl: ZERO }
      this.#positions.set(symbol, state)
    }
    const before = state.quantity
    const averageCostBefore = state.averageCost
    const { closingQuantity, openingQuantity } = splitAgainst(before, side, quantity)
    // Each part carries its share of the commission; the shares add up to it exactly.
    const closingCommission = closingQuantity.isZero() ? ZERO : commission.times(closingQuantity).dividedBy(quantity)
    const openingCommission = commission.minus(closingCommission)
    const direction = before.isNegative() ? -1 : 1
    const realizedPnl = price.minus(averageCostBefore).times(closingQuantity).times(direction)
    const after = before.plus(signed(side, quantity))
    const openAfterClose = before.abs().minus(closingQuantity)
    state.averageCost = after.isZero()
      ? ZERO
      : openingQuantity.isZero()
        ? averageCostBefore
        : // Adding to (or opening after a reversal) a position: weighted by size.
          averageCostBefore.times(openAfterClose).plus(price.times(openingQuantity)).dividedBy(openAfterClose.plus(openingQuantity))
    state.quantity = after
    state.quantityNumber = after.toNumber()
    state.realizedPnl = state.realizedPnl.plus(realizedPnl)
    this.#realizedPnl = this.#realizedPnl.plus(realizedPnl)
    this.#totalCommission = this.#totalCommission.plus(commission)
    const notional = price.times(quantity)
    this.#cash = (side === "buy" ? this.#cash.minus(notional) : this.#cash.plus(notional)).minus(commission)
    this.#cashNumber = this.#cash.toNumber()
    return { closingQuantity, openingQuantity, closingCommission, openingCommission, realizedPnl, averageCostBefore, positionAfter: after }
  }

  /** Equity as a float from float marks: the per-update estimate for the equity curve. */
  equityEstimate(markNumbers: ReadonlyMap<string, number>): number {
    let equity = this.#cashNumber
    for (const [symbol, state] of this.#positions) {
      if (state.quantityNumber !== 0) equity += state.quantityNumber * (markNumbers.get(symbol) ?? 0)
    }
    return equity
  }

  /** Exact equity: cash + Σ position × mark. */
  equity(mark: (symbol: string) => Decimal): Decimal {
    let equity = this.#cash
    for (const [symbol, state] of this.#positions) {
      if (!state.quantity.isZero()) equity = equity.plus(state.quantity.times(mark(symbol)))
    }
    return equity
  }

  /** Σ |short position| × mark: the collateral shorts hold. */
  shortMarketValue(mark: (symbol: string) => Decimal): Decimal {
    let value = ZERO
    for (const [symbol, state] of this.#positions) {
      if (state.quantity.isNegative()) value = value.plus(state.quantity.abs().times(mark(symbol)))
    }
    return value
  }
}
