import { finalOrderStatuses } from "../../machines/index.ts"
import { Decimal, ZERO } from "../domain/decimal.ts"
import type { Portfolio } from "../domain/portfolio.ts"
import type { TradingSimulationEngine } from "../engine/trading-simulation-engine.ts"

/** The engine's invariants, by name (see `checkPortfolioInvariants` and `InvariantMonitor`). */
export type InvariantName =
  // Hold in any single state (checkPortfolioInvariants):
  | "equity"
  | "marketValue"
  | "cash"
  | "commission"
  | "filledQuantity"
  | "filledStatus"
  | "openOrders"
  | "noShort"
  | "noNegativeCash"
  | "metricsFinite"
  | "tradesPnl"
  | "fillSums"
  // Relate a state to the ones before it (InvariantMonitor):
  | "filledMonotonic"
  | "finalFrozen"
  | "dayOrderExpiry"
  | "fillOnCommand"
  | "fillEvents"
  | "fillShape"
  | "fillPrice"
  | "fillCommission"
  | "positionCap"
  | "haltedNoOpening"
  | "haltEndsOnNewDay"
  | "noLookAhead"

/** One broken invariant: which, and what the figures were. */
export interface InvariantViolation {
  readonly invariant: InvariantName
  readonly detail: string
}

const NOT_FINITE: ReadonlySet<string> = new Set(["NaN", "Infinity", "-Infinity"])

/** Every number in a metrics value (nested records and series included) that is NaN or ±Infinity. */
const nonFinite = (value: unknown, path: string, out: string[]): void => {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) out.push(`${path} = ${value}`)
  } else if (typeof value === "string") {
    if (NOT_FINITE.has(value)) out.push(`${path} = ${JSON.stringify(value)}`)
  } else if (Array.isArray(value)) value.forEach((v, i) => nonFinite(v, `${path}[${i}]`, out))
  else if (value !== null && typeof value === "object") for (const [k, v] of Object.entries(value)) nonFinite(v, path === "" ? k : `${path}.${k}`, out)
}

/**
 * Checks a simulation's books against the invariants that hold in every state, after every
 * update and every command, whatever the strategy. Call it in your own property tests after each
 * step; it returns the violations (none when all hold). Exact: decimals, not floats.
 * - equity: total value = cash + Σ position × mark; marketValue: each position's = quantity × mark;
 * - cash: initial capital − Σ bought notional + Σ sold notional − Σ commission, over every fill;
 *   commission: total commission = Σ fill commissions;
 * - filledQuantity: 0 ≤ filled ≤ quantity; filledStatus: a filled order is filled in full;
 *   openOrders: the open orders are exactly the non-final ones;
 * - noShort, noNegativeCash: with shorting disabled, no position below zero and cash never below zero;
 * - metricsFinite: no metric is NaN or ±Infinity (undefined ones are null);
 * - tradesPnl: realised P&L = Σ trade gross P&L, net = gross − commission, one open trade per held symbol and none other
 *   (to 30 significant digits: average costs are 40-digit roundings, summed in different groupings);
 * - fillSums: each order's filled quantity and commission are the sums of its fills; each
 *   position is the sum of its fills.
 * Pass `only` to check some of them.
 */
export const checkPortfolioInvariants = (engine: TradingSimulationEngine, only?: ReadonlySet<InvariantName>): ReadonlyArray<InvariantViolation> => {
  const violations: InvariantViolation[] = []
  const fail = (invariant: InvariantName, detail: string) => violations.push({ invariant, detail })
  // Checking only some invariants skips the work of the rest (a property test checks one at a time).
  const wants = (...names: InvariantName[]) => only === undefined || names.some((n) => only.has(n))
  const portfolio = engine.getPortfolio()
  const fills = engine.getFills()
  const orders = engine.getOrders()

  const marked = portfolio.positions.reduce((sum, p) => sum.plus(p.quantity.times(p.marketPrice)), portfolio.cash)
  if (!marked.equals(portfolio.totalValue)) fail("equity", `total value ${portfolio.totalValue} ≠ cash + Σ position × mark = ${marked}`)
  for (const p of portfolio.positions)
    if (!p.marketValue.equals(p.quantity.times(p.marketPrice))) fail("marketValue", `${p.symbol} market value ${p.marketValue} ≠ ${p.quantity} × ${p.marketPrice}`)

  let cash = new Decimal(engine.config.initialCapital)
  let commission = ZERO
  const perOrder = new Map<string, { quantity: Decimal; commission: Decimal }>()
  const positions = new Map<string, Decimal>()
  for (const f of fills) {
    const notional = new Decimal(f.price).times(f.quantity)
    cash = (f.side === "buy" ? cash.minus(notional) : cash.plus(notional)).minus(f.commission)
    commission = commission.plus(f.commission)
    const acc = perOrder.get(f.orderId) ?? { quantity: ZERO, commission: ZERO }
    perOrder.set(f.orderId, { quantity: acc.quantity.plus(f.quantity), commission: acc.commission.plus(f.commission) })
    const position = positions.get(f.symbol) ?? ZERO
    positions.set(f.symbol, f.side === "buy" ? position.plus(f.quantity) : position.minus(f.quantity))
  }
  if (!cash.equals(portfolio.cash)) fail("cash", `cash ${portfolio.cash} ≠ ${cash} from the fills`)
  if (!commission.equals(portfolio.totalCommission)) fail("commission", `total commission ${portfolio.totalCommission} ≠ Σ fill commissions ${commission}`)

  const open = new Set(engine.getOpenOrders().map((o) => o.id as string))
  for (const o of orders) {
    const filled = new Decimal(o.filledQuantity)
    if (filled.greaterThan(o.quantity) || filled.lessThan(0)) fail("filledQuantity", `order ${o.id} filled ${o.filledQuantity} of ${o.quantity}`)
    if (o.status === "filled" && !filled.equals(o.quantity)) fail("filledStatus", `order ${o.id} is filled with ${o.filledQuantity} of ${o.quantity}`)
    if (finalOrderStatuses.has(o.status) === open.has(o.id)) fail("openOrders", `order ${o.id} is ${o.status} and ${open.has(o.id) ? "" : "not "}among the open orders`)
    const sums = perOrder.get(o.id) ?? { quantity: ZERO, commission: ZERO }
    if (!sums.quantity.equals(o.filledQuantity) || !sums.commission.equals(o.commission))
      fail("fillSums", `order ${o.id} filled ${o.filledQuantity} for ${o.commission} commission; its fills add up to ${sums.quantity} for ${sums.commission}`)
  }
  for (const symbol of engine.config.symbols) {
    const fromFills = positions.get(symbol) ?? ZERO
    const shown = portfolio.positions.find((p) => p.symbol === symbol)?.quantity ?? ZERO
    if (!fromFills.equals(shown) || !engine.positionOf(symbol).equals(shown))
      fail("fillSums", `${symbol}: the fills add up to ${fromFills}, the portfolio shows ${shown}, positionOf ${engine.positionOf(symbol)}`)
  }

  if (!engine.config.enableShorting && wants("noShort", "noNegativeCash")) {
    for (const p of portfolio.positions) if (p.quantity.lessThan(ZERO)) fail("noShort", `${p.symbol} is ${p.quantity} with shorting disabled`)
    if (portfolio.cash.lessThan(ZERO)) fail("noNegativeCash", `cash ${portfolio.cash} with shorting disabled`)
  }

  if (wants("metricsFinite")) {
    const bad: string[] = []
    nonFinite(engine.getPerformanceMetrics(), "", bad)
    engine.getEquityCurve().forEach((p, i) => nonFinite(p, `equityCurve[${i}]`, bad))
    for (const b of bad) fail("metricsFinite", b)
  }
  if (wants("tradesPnl")) checkTrades(engine, portfolio, fail)
  return only === undefined ? violations : violations.filter((v) => only.has(v.invariant))
}

/** tradesPnl: the trades add up to the account's realised P&L and commissions. */
const checkTrades = (engine: TradingSimulationEngine, portfolio: Portfolio, fail: (invariant: InvariantName, detail: string) => void): void => {
  const same = (a: Decimal, b: Decimal) => a.minus(b).abs().lessThanOrEqualTo(Decimal.max(1, a.abs()).times("1e-30"))
  let gross = ZERO
  let tradeCommission = ZERO
  let net = ZERO
  const openSymbols: string[] = []
  for (const t of engine.getTrades()) {
    gross = gross.plus(t.grossPnl)
    tradeCommission = tradeCommission.plus(t.commission)
    if (!new Decimal(t.netPnl).equals(new Decimal(t.grossPnl).minus(t.commission))) fail("tradesPnl", `trade ${t.id}: net ${t.netPnl} ≠ gross ${t.grossPnl} − commission ${t.commission}`)
    net = net.plus(t.open ? new Decimal(t.grossPnl).minus(t.commission) : t.netPnl)
    if (t.open) {
      openSymbols.push(t.symbol)
      if (t.exitTime !== null) fail("tradesPnl", `open trade ${t.id} has exit time ${t.exitTime}`)
    }
  }
  if (!same(portfolio.realizedPnl, gross)) fail("tradesPnl", `realised P&L ${portfolio.realizedPnl} ≠ Σ trade gross P&L ${gross}`)
  if (!same(portfolio.totalCommission, tradeCommission)) fail("tradesPnl", `total commission ${portfolio.totalCommission} ≠ Σ trade commission ${tradeCommission}`)
  if (!same(net, portfolio.realizedPnl.minus(portfolio.totalCommission))) fail("tradesPnl", `Σ trade net ${net} ≠ realised P&L − commissions`)
  if (new Set(openSymbols).size !== openSymbols.length) fail("tradesPnl", `two open trades in one symbol: ${openSymbols.join(", ")}`)
  for (const p of portfolio.positions) if (!openSymbols.includes(p.symbol)) fail("tradesPnl", `position in ${p.symbol} without an open trade`)
  for (const symbol of openSymbols) if (!portfolio.positions.some((p) => p.symbol === symbol)) fail("tradesPnl", `open trade in ${symbol} without a position`)
}
