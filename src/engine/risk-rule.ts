import { type Decimal, decimalString, isBelowZero } from "../domain/decimal.ts"
import { absolute, compare, multiply } from "../domain/decimal-arithmetic.ts"
import type { OrderSpec } from "../domain/order.ts"
import type { SimulationConfig } from "../domain/simulation-config.ts"

/** What the account looks like to a pre-trade check. */
export interface AccountView {
  /** cash + Σ position × mark, at the last marks. */
  readonly equity: Decimal
  readonly cash: Decimal
  /** cash − 2 × short market value − what other working opening orders hold back. */
  readonly buyingPower: Decimal
  /** maxPositionSize × equity: the most one symbol's position may be worth. */
  readonly maxPositionValue: Decimal
  readonly positionOf: (symbol: string) => Decimal
  /** The last price seen for a symbol, if any. */
  readonly markOf: (symbol: string) => Decimal | undefined
  readonly symbols: ReadonlyArray<string>
  /** Trading is halted by the daily stop-loss: only orders that reduce risk may pass. */
  readonly halted: boolean
}

/** What a fill would do, when a check runs at fill time. */
export interface FillCheck {
  /** The fill's commission, from the fee model. */
  readonly commission: Decimal
  /** Buying power once the fill has traded: cash after it, less twice the short market value after it. */
  readonly buyingPowerAfter: Decimal
  /** What the order's acceptance fixed: the value its position may reach, at the acceptance's reference price. */
  readonly positionCap: { readonly referencePrice: Decimal; readonly maxValue: Decimal } | null
}

/**
 * One order under a check. The same rules check it when it is accepted (or replaced), valued at a
 * reference price, and again when a fill with an opening part is about to trade (`fill` set),
 * valued at the fill's price.
 */
export interface RiskCheck {
  readonly order: OrderSpec
  readonly quantity: Decimal
  /** The price the check values the order at: the update's open when the order reaches the market, the last mark for a replace, the fill's price at fill time. */
  readonly referencePrice: Decimal
  /** The position if every working order on the same side filled first, signed (at fill time: the position). */
  readonly projectedPosition: Decimal
  /** The projected position after this order, signed. */
  readonly positionAfter: Decimal
  /** The part of this order that would reduce the projected position, and the part that would add. */
  readonly closingQuantity: Decimal
  readonly openingQuantity: Decimal
  /** What the opening part is expected to cost: notional at the reference price after the slippage model, plus the fee model's commission. */
  readonly openingCost: Decimal
  readonly account: AccountView
  readonly config: SimulationConfig
  /** Set when the check runs at fill time; null at acceptance and replace. */
  readonly fill: FillCheck | null
}

export type RiskDecision = { readonly approved: true } | { readonly approved: false; readonly reason: string }

/**
 * A risk check, run at acceptance, at replace, and at fill time for fills that add to a position.
 * Rules run in order; the first rejection is the order's, with the rule's name as its stable
 * `code` beside the reason.
 */
export interface RiskRule {
  /** The rejection code: stable, unique among the engine's rules. */
  readonly name: string
  check(check: RiskCheck): RiskDecision
}

export const approve: RiskDecision = { approved: true }
export const reject = (reason: string): RiskDecision => ({ approved: false, reason })

/** While halted by the daily stop-loss, only orders that reduce a position pass. */
export const dailyStopLossRule: RiskRule = {
  name: "dailyStopLoss",
  check: (c) =>
    c.account.halted && !c.openingQuantity.isZero()
      ? reject(`dailyStopLoss: trading is halted for the day; only orders that reduce a position are accepted (this one opens ${decimalString(c.openingQuantity)})`)
      : approve
}

export const shortingRule: RiskRule = {
  name: "shorting",
  check: (c) =>
    !c.config.enableShorting && isBelowZero(c.positionAfter)
      ? reject(`shorting: shorting is disabled and this order would take ${c.order.symbol} to ${decimalString(c.positionAfter)}`)
      : approve
}

export const maxPositionSizeRule: RiskRule = {
  name: "maxPositionSize",
  check: (c) => {
    if (c.openingQuantity.isZero()) return approve
    // (The position itself when it is long: only its value is read.)
    const after = c.positionAfter.s < 0 ? absolute(c.positionAfter) : c.positionAfter
    if (c.fill !== null) {
      // At fill time the limit is the one the acceptance fixed, valued at its reference price.
      const cap = c.fill.positionCap
      if (cap === null) return approve
      const value = multiply(after, cap.referencePrice)
      return compare(value, cap.maxValue) > 0
        ? reject(`maxPositionSize: this fill would take ${c.order.symbol} to ${decimalString(c.positionAfter)}, worth ${decimalString(value)} at the check's price ${decimalString(cap.referencePrice)}, over ${decimalString(cap.maxValue)}`)
        : approve
    }
    const value = multiply(after, c.referencePrice)
    return compare(value, c.account.maxPositionValue) > 0
      ? reject(
          `maxPositionSize: a position of ${decimalString(after)} ${c.order.symbol} at ${decimalString(c.referencePrice)} is worth ${decimalString(value)}, ` +
            `over ${c.config.maxPositionSize} × equity ${decimalString(c.account.equity)} = ${decimalString(c.account.maxPositionValue)}`
        )
      : approve
  }
}

export const cashRule: RiskRule = {
  name: "cash",
  check: (c) => {
    if (c.openingQuantity.isZero()) return approve
    if (c.fill !== null)
      return isBelowZero(c.fill.buyingPowerAfter)
        ? reject(`cash: the fill of ${decimalString(c.quantity)} ${c.order.symbol} at ${decimalString(c.referencePrice)} would leave buying power at ${decimalString(c.fill.buyingPowerAfter.toDecimalPlaces(2))}`)
        : approve
    return compare(c.openingCost, c.account.buyingPower) > 0
      ? reject(`cash: opening ${decimalString(c.openingQuantity)} ${c.order.symbol} needs about ${decimalString(c.openingCost.toDecimalPlaces(2))}, buying power is ${decimalString(c.account.buyingPower.toDecimalPlaces(2))}`)
      : approve
  }
}

/** The built-in rules, in their order of precedence. User rules run after them. */
export const builtInRiskRules: ReadonlyArray<RiskRule> = [dailyStopLossRule, shortingRule, maxPositionSizeRule, cashRule]
