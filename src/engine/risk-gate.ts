import { Decimal, isBelowZero, ZERO } from "../domain/decimal.ts"
import { add, divide, multiply, plus, subtract } from "../domain/decimal-arithmetic.ts"
import { formatThrown } from "../domain/format-value.ts"
import type { SimulationConfig } from "../domain/simulation-config.ts"
import type { Quote } from "../domain/market-update.ts"
import type { CheckRecord } from "./engine-events.ts"
import type { ExecutionPricing } from "./execution-pricing.ts"
import { type Ledger, splitAgainst } from "./ledger.ts"
import type { OrderEntry } from "./order-entry.ts"
import { type AccountView, builtInRiskRules, type RiskCheck, type RiskDecision, type RiskRule } from "./risk-rule.ts"
import type { WorkingTotals } from "./working-totals.ts"

/** Why a check refused an order: the rule's name as a stable code, beside its human reason. */
export interface Rejection {
  readonly code: string
  readonly reason: string
}

/** What a check needs of the simulation. */
export interface RiskInputs {
  readonly config: SimulationConfig
  readonly ledger: Ledger
  /** Running sums over the working orders. */
  readonly totals: WorkingTotals
  readonly markOf: (symbol: string) => Decimal | undefined
}

/**
 * The one gate every order passes: the built-in rules, then the user's, in order, at acceptance,
 * at replace, and at each fill that adds to a position. The first refusal is the order's.
 */
export class RiskGate {
  readonly #rules: ReadonlyArray<RiskRule>
  /** Prices an order check's opening part as its fills will be priced (its quote, the commission it has paid so far). */
  readonly #pricing: ExecutionPricing

  constructor(userRules: ReadonlyArray<RiskRule>, pricing: ExecutionPricing) {
    this.#rules = [...builtInRiskRules, ...userRules]
    this.#pricing = pricing
  }

  /**
   * The first rule's refusal, or null. A rule that throws: its error goes to the caller (a replace,
   * which then leaves the order as it was), or, inside a market update (`inUpdate`), the rule
   * refuses the order with what it threw, so that the update is still applied whole.
   */
  firstRejection(check: RiskCheck, inUpdate = false): Rejection | null {
    for (const rule of this.#rules) {
      let decision: RiskDecision
      try {
        decision = rule.check(check)
      } catch (thrown) {
        if (!inUpdate) throw thrown
        return { code: rule.name, reason: `${rule.name}: the rule threw (${formatThrown(thrown)}), which refuses the order` }
      }
      if (!decision.approved) return { code: rule.name, reason: decision.reason }
    }
    return null
  }

  /**
   * An order's check before it works (or before a change to it): `quantity` of it valued at the
   * reference price, against the account and every other working order on its side as if filled
   * (but its OCO siblings; a group of which only one can fill counts once). Its opening part is
   * priced by the models against `quote`, after the `chargedSoFar` the order has paid.
   */
  orderCheck(
    inputs: RiskInputs,
    entry: OrderEntry,
    quantity: Decimal,
    referencePrice: Decimal,
    account: AccountView,
    quote: Quote,
    chargedSoFar: Decimal
  ): RiskCheck {
    const { side, symbol } = entry.spec
    const position = inputs.ledger.position(symbol)
    // The others on its side: all that work but itself and its fill group (only one of them can fill what they share),
    // each group counted once, by its largest member.
    const others = inputs.totals.openQuantityBeside(entry)
    const projected = others.isZero() ? position : side === "buy" ? add(position, others) : subtract(position, others)
    const { closingQuantity, openingQuantity } = splitAgainst(projected, side, quantity)
    return {
      order: entry.spec,
      quantity,
      referencePrice,
      projectedPosition: projected,
      positionAfter: side === "buy" ? plus(projected, quantity) : subtract(projected, quantity),
      closingQuantity,
      openingQuantity,
      openingCost: openingQuantity.isZero() ? ZERO : this.#pricing.estimate(openingQuantity, referencePrice, entry, quote, chargedSoFar),
      account,
      config: inputs.config,
      fill: null
    }
  }

  /** A fill's check, just before it trades: the fill at its price, against the account as it is, and what the fill would leave. */
  fillCheck(
    inputs: RiskInputs,
    entry: OrderEntry,
    fill: { readonly quantity: Decimal; readonly price: Decimal; readonly commission: Decimal; readonly cashAfter: Decimal; readonly notional?: Decimal },
    account: AccountView
  ): RiskCheck {
    const { side, symbol } = entry.spec
    const { ledger } = inputs
    const { quantity, price, commission } = fill
    const position = ledger.position(symbol)
    const after = side === "buy" ? plus(position, quantity) : subtract(position, quantity)
    const { closingQuantity, openingQuantity } = splitAgainst(position, side, quantity)
    // The whole fill's notional when it only opens, as its pricing has it already.
    const openingNotional = openingQuantity === quantity && fill.notional !== undefined ? fill.notional : multiply(openingQuantity, price)
    return {
      order: entry.spec,
      quantity,
      referencePrice: price,
      projectedPosition: position,
      positionAfter: after,
      closingQuantity,
      openingQuantity,
      // The opening part's share of the commission: all of it in the usual fill that only opens.
      openingCost: openingQuantity === quantity ? add(openingNotional, commission) : add(openingNotional, divide(multiply(commission, openingQuantity), quantity)),
      account,
      config: inputs.config,
      fill: { commission, buyingPowerAfter: buyingPowerAfter(inputs, symbol, position, after, price, fill.cashAfter), positionCap: entry.positionCap }
    }
  }
}

/** Buying power once a fill has traded: its cash after, less twice the short market value after (the fill's symbol at its price). */
const buyingPowerAfter = (inputs: RiskInputs, symbol: string, position: Decimal, after: Decimal, price: Decimal, cashAfter: Decimal): Decimal => {
  const { ledger } = inputs
  if (!ledger.hasShorts && !isBelowZero(after)) return cashAfter
  const shortsAfter = ledger
    .shortMarketValue({ orZero: (s) => (s === symbol ? price : (inputs.markOf(s) ?? ZERO)) })
    .minus(Decimal.min(position, ZERO).abs().times(price))
    .plus(Decimal.min(after, ZERO).abs().times(price))
  return cashAfter.minus(shortsAfter.times(2))
}

/** What a passed check measured, for the `orderAccepted` and `orderReplaced` events. */
export const checkRecord = (check: RiskCheck): CheckRecord => ({
  referencePrice: check.referencePrice.toString(),
  equity: check.account.equity.toString(),
  maxPositionValue: check.account.maxPositionValue.toString()
})
