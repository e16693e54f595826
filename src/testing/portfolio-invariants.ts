import { Decimal, ZERO } from "../domain/decimal.ts"
import type { TradingSimulationEngine } from "../engine/trading-simulation-engine.ts"

/** One broken invariant: which, and what the figures were. */
export interface InvariantViolation {
  readonly invariant: "equity" | "cash" | "filledQuantity" | "noShort" | "noNegativeCash"
  readonly detail: string
}

/**
 * Checks a simulation's books against invariants that hold after every update and every command,
 * whatever the strategy. Call it in your own property tests, after each step; it returns the
 * violations (none when all hold).
 * - equity: total value = cash + Σ position × mark, exactly;
 * - cash: initial capital − Σ bought notional + Σ sold notional − Σ commission, over every fill;
 * - filledQuantity: no order has filled more than its quantity;
 * - noShort, noNegativeCash: with shorting disabled, no position below zero and cash never below zero.
 */
export const checkPortfolioInvariants = (engine: TradingSimulationEngine): ReadonlyArray<InvariantViolation> => {
  const violations: InvariantViolation[] = []
  const portfolio = engine.getPortfolio()
  const marked = portfolio.positions.reduce((sum, p) => sum.plus(p.quantity.times(p.marketPrice)), portfolio.cash)
  if (!marked.equals(portfolio.totalValue))
    violations.push({ invariant: "equity", detail: `total value ${portfolio.totalValue} ≠ cash + Σ position × mark = ${marked}` })
  const fromFills = engine.getFills().reduce((cash, f) => {
    const notional = new Decimal(f.price).times(f.quantity)
    return (f.side === "buy" ? cash.minus(notional) : cash.plus(notional)).minus(f.commission)
  }, new Decimal(engine.config.initialCapital))
  if (!fromFills.equals(portfolio.cash)) violations.push({ invariant: "cash", detail: `cash ${portfolio.cash} ≠ ${fromFills} from the fills` })
  for (const order of engine.getOrders())
    if (new Decimal(order.filledQuantity).greaterThan(order.quantity))
      violations.push({ invariant: "filledQuantity", detail: `order ${order.id} filled ${order.filledQuantity} of ${order.quantity}` })
  if (!engine.config.enableShorting) {
    for (const p of portfolio.positions)
      if (p.quantity.lessThan(ZERO)) violations.push({ invariant: "noShort", detail: `${p.symbol} is ${p.quantity} with shorting disabled` })
    if (portfolio.cash.lessThan(ZERO)) violations.push({ invariant: "noNegativeCash", detail: `cash ${portfolio.cash} with shorting disabled` })
  }
  return violations
}
