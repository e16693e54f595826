import { Decimal, decimalOf, isAboveZero, isBelowZero, toNumberExact, ZERO } from "../domain/decimal.ts"
import { absolute, add, compare, divide, multiply, plus, subtract } from "../domain/decimal-arithmetic.ts"
import type { OrderSide } from "../domain/order.ts"
import type { Valuation } from "./equity-curve.ts"

/**
 * Each symbol's exact mark, zero without one (the engine's Marks). An object rather than a function:
 * one engine's closure would be inlined into the compiled code of every engine after it, and
 * dropped from it when that engine is collected (see ./shape-keeper.ts).
 */
export interface DecimalMarks {
  orZero(symbol: string): Decimal
}

/** What the per-update valuation reads of the marks (the engine's Marks). */
export interface MarkReader {
  /** The symbol's mark as a float, undefined without one. */
  find(symbol: string): { readonly number: number } | undefined
}

interface PositionState {
  readonly symbol: string
  quantity: Decimal
  /** quantity as a float, for the per-update equity estimate. */
  quantityNumber: number
  averageCost: Decimal
  realizedPnl: Decimal
}

/** The ledger as plain data: decimals as strings, positions in first-traded order (flat ones keep their realised P&L). */
export interface LedgerSnapshot {
  readonly cash: string
  readonly totalCommission: string
  readonly realizedPnl: string
  readonly positions: ReadonlyArray<{ readonly symbol: string; readonly quantity: string; readonly averageCost: string; readonly realizedPnl: string }>
}

/** How a fill splits against the position it meets, with its share of the commission. */
export interface FillLegs {
  readonly closingQuantity: Decimal
  readonly openingQuantity: Decimal
  readonly closingCommission: Decimal
  readonly openingCommission: Decimal
  /** Realised P&L of the closing part, before commission. */
  readonly realizedPnl: Decimal
}

/** Splits a signed order quantity against a signed position into the part that closes it and the part that opens. */
export const splitAgainst = (position: Decimal, side: OrderSide, quantity: Decimal) => {
  const reduces = side === "buy" ? isBelowZero(position) : isAboveZero(position)
  if (!reduces) return { closingQuantity: ZERO, openingQuantity: quantity }
  // A sale reduces a long position, which is its own magnitude: no copy of it.
  const held = side === "sell" ? position : absolute(position)
  // Compared rather than Decimal.min, which returns a copy: the usual full close keeps `quantity` itself.
  return compare(quantity, held) <= 0
    ? { closingQuantity: quantity, openingQuantity: ZERO }
    : { closingQuantity: held, openingQuantity: subtract(quantity, held) }
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
  // The same states in an array: iterated every update, where a Map's entry iterator would allocate.
  readonly #positionList: PositionState[] = []
  /** How many positions are short: asked at every fill's check, so counted rather than looked for. */
  #shorts = 0

  constructor(initialCapital: Decimal) {
    this.#cash = initialCapital
    this.#cashNumber = initialCapital.toNumber()
  }

  snapshot(): LedgerSnapshot {
    return {
      cash: this.#cash.toString(),
      totalCommission: this.#totalCommission.toString(),
      realizedPnl: this.#realizedPnl.toString(),
      positions: this.#positionList.map((p) => ({
        symbol: p.symbol,
        quantity: p.quantity.toString(),
        averageCost: p.averageCost.toString(),
        realizedPnl: p.realizedPnl.toString()
      }))
    }
  }

  static fromSnapshot(s: LedgerSnapshot): Ledger {
    const ledger = new Ledger(decimalOf(s.cash))
    ledger.#totalCommission = decimalOf(s.totalCommission)
    ledger.#realizedPnl = decimalOf(s.realizedPnl)
    for (const p of s.positions) {
      const quantity = decimalOf(p.quantity)
      const state = { symbol: p.symbol, quantity, quantityNumber: quantity.toNumber(), averageCost: decimalOf(p.averageCost), realizedPnl: decimalOf(p.realizedPnl) }
      ledger.#positions.set(p.symbol, state)
      ledger.#positionList.push(state)
      if (state.quantityNumber < 0) ledger.#shorts += 1
    }
    return ledger
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

  /** How many symbols have a position or realised P&L. */
  get positionCount(): number {
    return this.#positionList.length
  }

  /** Whether any position is short: most accounts never are, and then short collateral is zero. */
  get hasShorts(): boolean {
    return this.#shorts > 0
  }

  /**
   * The non-zero positions into the first places of two columns, reused from call to call: their
   * quantities and their symbols; returns how many. The columns keep their length (what is past
   * the count is stale): one that shrank and grew again as a position closed and opened would
   * allocate its storage again each time.
   */
  holdingsInto(quantities: Decimal[], symbols: string[]): number {
    let n = 0
    for (let i = 0; i < this.#positionList.length; i++) {
      const state = this.#positionList[i]!
      if (state.quantityNumber === 0) continue
      quantities[n] = state.quantity
      symbols[n] = state.symbol
      n += 1
    }
    return n
  }

  realizedPnlOf(symbol: string): Decimal {
    return this.#positions.get(symbol)?.realizedPnl ?? ZERO
  }

  /** What cash would be after a fill's notional, before its commission: less it for a buy, plus it for a sale. */
  cashMovedBy(side: OrderSide, notional: Decimal): Decimal {
    return side === "buy" ? subtract(this.#cash, notional) : add(this.#cash, notional)
  }

  /** How the last fill split: one object rewritten by each `applyFill` rather than one per fill. */
  readonly #legs = { closingQuantity: ZERO, openingQuantity: ZERO, closingCommission: ZERO, openingCommission: ZERO, realizedPnl: ZERO }

  /**
   * Applies one fill (split against the position by `splitAgainst`); returns how it split, valid
   * until the next call (the engine reads it at once).
   * `cashAfter` is `cashMovedBy(side, notional)` less the commission: the caller has checked it already.
   */
  applyFill(
    symbol: string,
    side: OrderSide,
    { quantity, price, commission, cashAfter }: { readonly quantity: Decimal; readonly price: Decimal; readonly commission: Decimal; readonly cashAfter: Decimal },
    { closingQuantity, openingQuantity }: { readonly closingQuantity: Decimal; readonly openingQuantity: Decimal }
  ): FillLegs {
    let state = this.#positions.get(symbol)
    if (state === undefined) {
      state = { symbol, quantity: ZERO, quantityNumber: 0, averageCost: ZERO, realizedPnl: ZERO }
      this.#positions.set(symbol, state)
      this.#positionList.push(state)
    }
    const before = state.quantity
    const averageCostBefore = state.averageCost
    // Each part carries its share of the commission; the shares add up to it exactly.
    const closingCommission = closingQuantity.isZero()
      ? ZERO
      : openingQuantity.isZero()
        ? commission
        : divide(multiply(commission, closingQuantity), quantity)
    const openingCommission = closingQuantity.isZero() ? commission : subtract(commission, closingCommission)
    const realizedPnl = closingQuantity.isZero()
      ? ZERO
      : isBelowZero(before)
        ? multiply(subtract(averageCostBefore, price), closingQuantity)
        : multiply(subtract(price, averageCostBefore), closingQuantity)
    const after = side === "buy" ? plus(before, quantity) : subtract(before, quantity)
    if (after.isZero()) state.averageCost = ZERO
    else if (!openingQuantity.isZero()) {
      // What is left of the position before the opening part: nothing after a reversal or from flat.
      const left = before.isZero() || !closingQuantity.isZero() ? ZERO : absolute(before)
      state.averageCost = left.isZero()
        ? price
        : // Adding to a position: weighted by size.
          divide(add(multiply(averageCostBefore, left), multiply(price, openingQuantity)), add(left, openingQuantity))
    }
    state.quantity = after
    const wasShort = state.quantityNumber < 0
    state.quantityNumber = toNumberExact(after)
    if (wasShort !== state.quantityNumber < 0) this.#shorts += wasShort ? -1 : 1
    if (!closingQuantity.isZero()) {
      state.realizedPnl = plus(state.realizedPnl, realizedPnl)
      this.#realizedPnl = plus(this.#realizedPnl, realizedPnl)
    }
    this.#totalCommission = plus(this.#totalCommission, commission)
    this.#cash = cashAfter
    this.#cashNumber = toNumberExact(cashAfter)
    const legs = this.#legs
    legs.closingQuantity = closingQuantity
    legs.openingQuantity = openingQuantity
    legs.closingCommission = closingCommission
    legs.openingCommission = openingCommission
    legs.realizedPnl = realizedPnl
    return legs
  }

  /** The last valuation estimate, rewritten by each call: one object for the whole run rather than one per update. */
  readonly #valuation = { equity: 0, longValue: 0, shortValue: 0 }

  /** Equity and each side's market value as floats from float marks: the per-update valuation for the equity curve (valid until the next call). */
  valuationEstimate(marks: MarkReader): Valuation {
    // Equity sums in position order, as it always has, so that curves stay bit-identical across versions.
    let equity = this.#cashNumber
    let longValue = 0
    let shortValue = 0
    for (let i = 0; i < this.#positionList.length; i++) {
      const state = this.#positionList[i]!
      if (state.quantityNumber === 0) continue
      // Not `find(…)?.number ?? 0`: the compiler boxes a float it merges with undefined, a new object on every update.
      const mark = marks.find(state.symbol)
      const value = mark === undefined ? 0 : state.quantityNumber * mark.number
      equity += value
      if (value > 0) longValue += value
      else shortValue -= value
    }
    const valuation = this.#valuation
    valuation.equity = equity
    valuation.longValue = longValue
    valuation.shortValue = shortValue
    return valuation
  }

  /** Exact equity: cash + Σ position × mark. */
  equity(marks: DecimalMarks): Decimal {
    let equity = this.#cash
    // Over the list, in the map's order: a Map's entry iterator would allocate at every check.
    for (let i = 0; i < this.#positionList.length; i++) {
      const state = this.#positionList[i]!
      if (!state.quantity.isZero()) equity = add(equity, multiply(state.quantity, marks.orZero(state.symbol)))
    }
    return equity
  }

  /** Σ |short position| × mark: the collateral shorts hold. */
  shortMarketValue(marks: DecimalMarks): Decimal {
    let value = ZERO
    for (let i = 0; i < this.#positionList.length; i++) {
      const state = this.#positionList[i]!
      if (isBelowZero(state.quantity)) value = add(value, multiply(absolute(state.quantity), marks.orZero(state.symbol)))
    }
    return value
  }
}
