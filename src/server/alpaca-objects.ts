/**
 * What the broker API returns, in Alpaca's shapes (snake_case, decimals as strings, times as
 * ISO-8601), read from an account's simulation. Times are the simulation's: an order's submission
 * is the time of the last update before it, a fill the time of the update it happened on.
 */
import { createHash } from "node:crypto"
import type { OrderStatus } from "../../machines/index.ts"
import { Decimal } from "../domain/decimal.ts"
import { calendarOf } from "../domain/calendar/exchange-calendar.ts"
import type { CalendarSpec } from "../domain/calendar/calendar-spec.ts"
import type { OrderView } from "../engine/order-entry.ts"
import type { TradingSimulationEngine } from "../engine/trading-simulation-engine.ts"
import { ALPACA_TYPES } from "./alpaca-order-request.ts"
import type { Account } from "./account-book.ts"

/** The order machine's statuses in Alpaca's words. A held bracket child is Alpaca's `held`. */
export const ALPACA_STATUS: Readonly<Record<OrderStatus, string>> = {
  submitted: "pending_new",
  accepted: "new",
  triggered: "new",
  partiallyFilled: "partially_filled",
  pendingCancel: "pending_cancel",
  pendingReplace: "pending_replace",
  held: "held",
  filled: "filled",
  rejected: "rejected",
  cancelled: "canceled",
  expired: "expired"
}

const MS_PER_DAY = 86_400_000

/** When the trading day of `time` began: its session's open with a calendar, else UTC midnight. */
const dayStartOf = (engine: TradingSimulationEngine, time: number): number => {
  const input = engine.config.calendar
  const session = input === undefined ? undefined : calendarOf(input).positionOf(time)?.session
  return session?.open ?? Math.floor(time / MS_PER_DAY) * MS_PER_DAY
}

/** Alpaca's `last_equity`: the equity at the end of the previous trading day (the initial capital on the first). */
const lastEquityOf = (engine: TradingSimulationEngine): string => {
  const curve = engine.getEquityCurve()
  const latest = engine.lastUpdateTime
  if (latest === null) return String(engine.config.initialCapital)
  const start = dayStartOf(engine, latest)
  for (let i = curve.length - 1; i >= 0; i--) {
    const point = curve[i]!
    if (point.time !== null && point.time < start) return String(point.equity)
  }
  return String(engine.config.initialCapital)
}

const iso = (ms: number | null | undefined): string | null => (ms === null || ms === undefined ? null : new Date(ms).toISOString())

/** A stable UUID-shaped id for a symbol: Alpaca's clients expect an asset id. */
export const assetIdOf = (symbol: string): string => {
  const h = createHash("sha256").update(`paperfloor:asset:${symbol}`).digest("hex")
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`
}

/** Per order, the time of its last fill. */
export const lastFillTimes = (engine: TradingSimulationEngine): ReadonlyMap<string, number | null> => {
  const times = new Map<string, number | null>()
  for (const fill of engine.getFills()) times.set(fill.orderId, fill.time)
  return times
}

const orderClassOf = (order: OrderView): string => order.orderList?.kind ?? "simple"

/** An order as Alpaca returns it; `legs` are its list's other orders (an entry's children, an OCO's stop-loss), when asked for. */
export const alpacaOrder = (
  order: OrderView,
  fills: ReadonlyMap<string, number | null>,
  createdAt: number,
  legs: ReadonlyArray<OrderView> | null
): Record<string, unknown> => {
  const submitted = order.submittedTime ?? createdAt
  const filledAt = order.status === "filled" ? (fills.get(order.id) ?? null) : null
  const lastFill = fills.get(order.id) ?? null
  // Its end, under the name Alpaca gives it (a rejected order's is `failed_at`); replaced orders keep their id here, so `replaced_at` stays null.
  const ended = (status: OrderView["status"]) => (order.status === status ? iso(order.endedTime) : null)
  return {
    id: order.id,
    client_order_id: order.clientOrderId,
    created_at: iso(submitted),
    updated_at: iso(Math.max(submitted, lastFill ?? submitted, order.endedTime ?? submitted)),
    submitted_at: iso(submitted),
    filled_at: iso(filledAt),
    expired_at: ended("expired"),
    canceled_at: ended("cancelled"),
    failed_at: ended("rejected"),
    replaced_at: null,
    replaced_by: null,
    replaces: null,
    asset_id: assetIdOf(order.symbol),
    symbol: order.symbol,
    asset_class: "us_equity",
    notional: null,
    qty: order.quantity,
    filled_qty: order.filledQuantity,
    filled_avg_price: order.averageFillPrice,
    order_class: orderClassOf(order),
    order_type: ALPACA_TYPES[order.type],
    type: ALPACA_TYPES[order.type],
    side: order.side,
    time_in_force: order.timeInForce,
    limit_price: order.limitPrice,
    stop_price: order.stopPrice,
    trail_price: order.trailAmount,
    trail_percent: order.trailPercent,
    hwm: order.trailWatermark,
    status: ALPACA_STATUS[order.status],
    extended_hours: false,
    legs: legs === null ? null : legs.map((leg) => alpacaOrder(leg, fills, createdAt, null)),
    commission: order.commission,
    // paperfloor's own, beside Alpaca's: why it was rejected or cancelled, and the rule's code.
    reject_reason: order.rejectionCode,
    reasons: order.reasons
  }
}

/** An order list's parent (an entry, or an OCO's first member) and the rest of it, its legs. */
export const legsOf = (order: OrderView, orders: ReadonlyArray<OrderView>): ReadonlyArray<OrderView> | null => {
  const list = order.orderList
  if (list === null) return null
  // A leg has no legs of its own.
  if (isLeg(order, orders)) return null
  return orders.filter((o) => o.orderList?.id === list.id && o.id !== order.id)
}

/** Whether an order is a leg under its list's parent (listed inside it with `nested`). */
export const isLeg = (order: OrderView, orders: ReadonlyArray<OrderView>): boolean => {
  const list = order.orderList
  if (list === null) return false
  return list.kind === "oco" ? orders.find((o) => o.orderList?.id === list.id)?.id !== order.id : list.role !== "entry"
}

export const alpacaAccount = (account: Account, engine: TradingSimulationEngine): Record<string, unknown> => {
  const portfolio = engine.getPortfolio()
  let long = portfolio.cash.minus(portfolio.cash)
  let short = long
  for (const p of portfolio.positions) {
    if (p.marketValue.isNegative()) short = short.plus(p.marketValue)
    else long = long.plus(p.marketValue)
  }
  const blocked = engine.status === "stopped" || engine.status === "failed"
  return {
    id: account.id,
    account_number: account.id,
    status: blocked ? "ACCOUNT_CLOSED" : "ACTIVE",
    crypto_status: "INACTIVE",
    currency: "USD",
    cash: portfolio.cash.toString(),
    portfolio_value: portfolio.totalValue.toString(),
    equity: portfolio.totalValue.toString(),
    last_equity: lastEquityOf(engine),
    buying_power: portfolio.buyingPower.toString(),
    regt_buying_power: portfolio.buyingPower.toString(),
    daytrading_buying_power: "0",
    non_marginable_buying_power: portfolio.buyingPower.toString(),
    long_market_value: long.toString(),
    short_market_value: short.toString(),
    initial_margin: "0",
    maintenance_margin: "0",
    last_maintenance_margin: "0",
    sma: "0",
    daytrade_count: 0,
    multiplier: "1",
    pattern_day_trader: false,
    trading_blocked: blocked || engine.status === "paused",
    transfers_blocked: true,
    account_blocked: blocked,
    trade_suspended_by_user: false,
    shorting_enabled: engine.config.enableShorting,
    created_at: account.createdAt,
    accrued_fees: "0",
    pending_transfer_in: "0",
    pending_transfer_out: "0",
    // paperfloor's own: the simulation's state (running, paused, halted, failed, stopped).
    simulation_status: engine.status
  }
}

/**
 * How much of the position in `symbol` is not already held for its open orders on the closing
 * side (Alpaca's `qty_available`): what a close may still sell (or buy back). An order list's
 * exits (a bracket's legs, an OCO pair) close the same shares, so each list counts once; legs
 * still held for their entry do not work yet.
 */
export const availableToClose = (engine: TradingSimulationEngine, symbol: string): Decimal => {
  const position = engine.positionOf(symbol)
  const closingSide = position.isNegative() ? "buy" : "sell"
  let held = new Decimal(0)
  const perList = new Map<string, Decimal>()
  for (const order of engine.getOpenOrders()) {
    if (order.symbol !== symbol || order.side !== closingSide || order.status === "held") continue
    const remaining = new Decimal(order.quantity).minus(order.filledQuantity)
    if (order.orderList === null) held = held.plus(remaining)
    else perList.set(order.orderList.id, Decimal.max(perList.get(order.orderList.id) ?? 0, remaining))
  }
  for (const remaining of perList.values()) held = held.plus(remaining)
  return Decimal.max(position.abs().minus(held), 0)
}

export const alpacaPositions = (engine: TradingSimulationEngine): ReadonlyArray<Record<string, unknown>> =>
  engine.getPortfolio().positions.map((p) => {
    const cost = p.averageCost.times(p.quantity)
    const plpc = cost.isZero() ? "0" : p.unrealizedPnl.dividedBy(cost.abs()).toDecimalPlaces(10).toString()
    const free = availableToClose(engine, p.symbol)
    return {
      asset_id: assetIdOf(p.symbol),
      symbol: p.symbol,
      exchange: exchangeOf(engine),
      asset_class: "us_equity",
      asset_marginable: true,
      // Signed as Alpaca's: a short's qty (and what of it is free to close) is negative.
      qty: p.quantity.toString(),
      qty_available: (p.quantity.isNegative() ? free.negated() : free).toString(),
      avg_entry_price: p.averageCost.toString(),
      side: p.quantity.isNegative() ? "short" : "long",
      market_value: p.marketValue.toString(),
      cost_basis: cost.toString(),
      unrealized_pl: p.unrealizedPnl.toString(),
      unrealized_plpc: plpc,
      unrealized_intraday_pl: p.unrealizedPnl.toString(),
      unrealized_intraday_plpc: plpc,
      current_price: p.marketPrice.toString(),
      lastday_price: p.marketPrice.toString(),
      change_today: "0"
    }
  })

const exchangeOf = (engine: TradingSimulationEngine): string => {
  const calendar = engine.config.calendar
  return calendar === undefined ? "PAPERFLOOR" : typeof calendar === "string" ? calendar : calendar.name
}

export const alpacaAsset = (engine: TradingSimulationEngine, symbol: string): Record<string, unknown> => {
  const lot = engine.config.instruments?.[symbol]?.lotSize
  return {
    id: assetIdOf(symbol),
    class: "us_equity",
    exchange: exchangeOf(engine),
    symbol,
    name: symbol,
    status: "active",
    tradable: true,
    marginable: true,
    shortable: engine.config.enableShorting,
    easy_to_borrow: engine.config.enableShorting,
    fractionable: lot === undefined,
    maintenance_margin_requirement: 100,
    attributes: []
  }
}

const dayOfIso = (date: string): number => Date.parse(`${date}T00:00:00Z`) / MS_PER_DAY

/** The account's clock: the simulation's time (its last update's; the wall clock before the first) against its calendar. */
export const alpacaClock = (engine: TradingSimulationEngine, wallClock: number): Record<string, unknown> => {
  const now = engine.lastUpdateTime ?? wallClock
  const input = engine.config.calendar
  if (input === undefined) {
    // No calendar: one session that never closes.
    return { timestamp: iso(now), is_open: true, next_open: iso(now), next_close: iso((Math.floor(now / MS_PER_DAY) + 1) * MS_PER_DAY) }
  }
  const calendar = calendarOf(input)
  const position = calendar.positionOf(now)
  if (position === undefined) return { timestamp: iso(now), is_open: false, next_open: null, next_close: null }
  const next = position.inSession ? calendar.positionOf(position.session.close)?.session : position.session
  return { timestamp: iso(now), is_open: position.inSession, next_open: iso(next?.open ?? null), next_close: iso(position.session.close) }
}

/** The account calendar's sessions from `start` to `end` (dates, inclusive), as GET /v2/calendar returns them. */
export const alpacaCalendar = (engine: TradingSimulationEngine, start: string, end: string): ReadonlyArray<Record<string, unknown>> | undefined => {
  const input = engine.config.calendar
  if (input === undefined) return undefined
  const calendar = calendarOf(input)
  const spec: CalendarSpec = calendar.spec
  const days: Record<string, unknown>[] = []
  for (let day = dayOfIso(start); day <= dayOfIso(end); day++) {
    const session = calendar.sessionOn(day)
    if (session === undefined) continue
    let settlement = day + 1
    while (calendar.sessionOn(settlement) === undefined && settlement < day + 15) settlement++
    days.push({
      date: session.date,
      open: spec.open,
      close: spec.earlyCloses?.[session.date] ?? spec.close,
      session_open: spec.open.replace(":", ""),
      session_close: (spec.earlyCloses?.[session.date] ?? spec.close).replace(":", ""),
      settlement_date: new Date(settlement * MS_PER_DAY).toISOString().slice(0, 10)
    })
  }
  return days
}
