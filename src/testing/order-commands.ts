import { Decimal } from "../domain/decimal.ts"
import type { OrderId } from "../domain/ids.ts"
import type { OrderRequest, OrderType, ReplaceRequest, TimeInForce } from "../domain/order.ts"
import type { ChildOrderRequest, OrderListRequest } from "../domain/order-list.ts"
import { orderTypes } from "../domain/order-types.ts"
import type { OrderView } from "../engine/order-entry.ts"
import type { TradingSimulationEngine } from "../engine/trading-simulation-engine.ts"
import { BASE_TIME, type ListSpec, type OrderPick, type QuantitySpec, type ReplaceSpec, type SubmitSpec } from "./engine-scenario.ts"

/**
 * Resolving a scenario's relative order commands against an engine as it stands: prices from the
 * last price, quantities from the account, targets from the orders so far. Every resolution is a
 * valid request (the engine may still refuse it, as it would a strategy's).
 */

/** Rounds a price to 4 decimals (its shortest string then has at most 4), at least 0.0001. */
const round4 = (x: number): number => Math.max(0.0001, Math.round(x * 10_000) / 10_000)

/** A price `bp` basis points from `base`, as a number or a 4-decimal string. */
export const offsetPrice = (base: number, bp: number, asString: boolean): number | string => {
  const p = round4(base * (1 + bp / 10_000))
  return asString ? p.toFixed(4) : p
}

/** The order a cancel or replace targets: the `pick`-th (mod their number) of the open orders, or of `all` so far. */
export const pickOrder = (engine: TradingSimulationEngine, target: OrderPick, all: ReadonlyArray<OrderId>): OrderId | undefined => {
  const ids = target.among === "open" ? engine.getOpenOrders().map((o) => o.id) : all
  return ids.length === 0 ? undefined : ids[target.pick % ids.length]
}

/** A quantity spec against the account now; a sized quantity is at least 1 (or 0.5 of a position). */
export const resolveQuantity = (engine: TradingSimulationEngine, spec: QuantitySpec, symbol: string, last: number): number | string => {
  switch (spec.kind) {
    case "literal":
      return spec.value
    case "position": {
      const position = engine.positionOf(symbol).abs()
      return position.isZero() ? 1 : position.times(spec.factor).toString()
    }
    case "equity": {
      const equity = engine.getPortfolio().totalValue.toNumber()
      return Math.max(1, Math.floor((equity * spec.percent) / 100 / last))
    }
    case "cap": {
      // The room left under the position-size limit and under buying power, at the last price.
      const { totalValue, buyingPower } = engine.getPortfolio()
      const { maxPositionSize, slippageRate, commissionRate } = engine.config
      const held = engine.positionOf(symbol).abs().toNumber() * last
      const room = Math.min(totalValue.toNumber() * maxPositionSize - held, buyingPower.toNumber() / ((1 + slippageRate) * (1 + commissionRate)))
      return Math.max(1, Math.floor((room * spec.percent) / 100 / last))
    }
  }
}

/**
 * A price and a quantity moved onto the symbol's instrument, if it has one: the price to the
 * nearest tick (at least one), the quantity down to whole lots and up to the minimum.
 */
const onInstrument = (engine: TradingSimulationEngine, symbol: string) => {
  const instrument = engine.config.instruments?.[symbol]
  return {
    price: <P extends number | string>(price: P): P | string => {
      const tick = instrument?.tickSize
      if (tick === undefined) return price
      return Decimal.max(new Decimal(price).dividedBy(tick).round(), 1).times(tick).toString()
    },
    quantity: (quantity: number | string): number | string => {
      if (instrument === undefined) return quantity
      const lot = instrument.lotSize === undefined ? null : new Decimal(instrument.lotSize)
      let q = new Decimal(quantity)
      if (lot !== null) q = Decimal.max(q.dividedBy(lot).floor(), 1).times(lot)
      if (instrument.minQuantity !== undefined && q.lessThan(instrument.minQuantity))
        q = lot === null ? new Decimal(instrument.minQuantity) : new Decimal(instrument.minQuantity).dividedBy(lot).ceil().times(lot)
      return q.toString()
    }
  }
}

/** opg and cls trade at one price of a bar and cannot wait for a trigger: a stop's spec asking for them gets `day`. */
const timeInForceFor = (type: OrderType, timeInForce: TimeInForce | undefined): TimeInForce | undefined =>
  (timeInForce === "opg" || timeInForce === "cls") && orderTypes[type].isStop ? "day" : timeInForce

/** The order request a submit spec makes, priced from the symbol's last price (on its instrument's tick and lot). */
export const submitRequest = (engine: TradingSimulationEngine, spec: SubmitSpec, lastPrice: (symbol: string) => number): OrderRequest => {
  const symbols = engine.config.symbols
  const symbol = symbols[spec.symbol % symbols.length]!
  const last = lastPrice(symbol)
  const stopBp = spec.stopBeyondMarket ? Math.abs(spec.stopBp) * (spec.side === "buy" ? 1 : -1) : spec.stopBp
  const instrument = onInstrument(engine, symbol)
  const stop = instrument.price(offsetPrice(last, stopBp, spec.priceAsString))
  const limit = instrument.price(offsetPrice(spec.type === "stopLimit" ? Number(stop) : last, spec.limitBp, spec.priceAsString))
  const timeInForce = timeInForceFor(spec.type, spec.timeInForce)
  return {
    symbol,
    side: spec.side,
    type: spec.type,
    quantity: instrument.quantity(resolveQuantity(engine, spec.quantity, symbol, last)),
    tag: spec.quantity.kind,
    ...(timeInForce !== undefined ? { timeInForce } : {}),
    ...(timeInForce === "gtd" ? { expireAt: (engine.lastUpdateTime ?? BASE_TIME) + (spec.expireAfterMinutes ?? 60) * 60_000 } : {}),
    ...(spec.type === "limit" || spec.type === "stopLimit" ? { limitPrice: limit } : {}),
    ...(spec.type === "stop" || spec.type === "stopLimit" ? { stopPrice: stop } : {}),
    // A trailing stop by percent (|stopBp| / 100) or by amount (as far from the last price), from the last price.
    ...(spec.type === "trailingStop" ? trailFields(last, spec.stopBp, spec.priceAsString) : {})
  }
}

const trailFields = (last: number, bp: number, byPercent: boolean): { readonly trailPercent?: number; readonly trailAmount?: number | string; readonly trailReference: number } => {
  const distance = Math.max(1, Math.min(Math.abs(bp), 5000))
  return byPercent ? { trailPercent: distance / 100, trailReference: last } : { trailAmount: offsetPrice(last, distance - 10_000, false), trailReference: last }
}

/** The order list a list spec makes, priced from the symbol's last price (see `ListSpec`). */
export const listRequest = (engine: TradingSimulationEngine, spec: ListSpec, lastPrice: (symbol: string) => number): OrderListRequest => {
  const entry = submitRequest(engine, spec.entry, lastPrice)
  const last = lastPrice(entry.symbol)
  const instrument = onInstrument(engine, entry.symbol)
  const up = (bp: number) => instrument.price(offsetPrice(last, bp, false))
  const buy = entry.side === "buy"
  if (spec.list === "oco") {
    const limit: OrderRequest = { symbol: entry.symbol, side: entry.side, quantity: entry.quantity, type: "limit", limitPrice: up(buy ? -spec.limitBp : spec.limitBp) }
    const stop: OrderRequest =
      spec.stopType === "trailingStop"
        ? { symbol: entry.symbol, side: entry.side, quantity: entry.quantity, type: "trailingStop", ...trailFields(last, spec.stopBp, spec.entry.priceAsString) }
        : { symbol: entry.symbol, side: entry.side, quantity: entry.quantity, type: "stop", stopPrice: up(buy ? spec.stopBp : -spec.stopBp) }
    return { kind: "oco", orders: [limit, stop] }
  }
  // The children close the entry: a take profit beyond the price, a stop-loss behind it.
  const takeProfit: ChildOrderRequest = { limitPrice: up(buy ? spec.limitBp : -spec.limitBp) }
  const stopPrice = up(buy ? -spec.stopBp : spec.stopBp)
  const stopLoss: ChildOrderRequest =
    spec.stopType === "trailingStop"
      ? { type: "trailingStop", ...trailFields(last, spec.stopBp, spec.entry.priceAsString) }
      : spec.stopType === "stopLimit"
        ? { type: "stopLimit", stopPrice, limitPrice: instrument.price(offsetPrice(Number(stopPrice), buy ? -spec.limitBp / 10 : spec.limitBp / 10, false)) }
        : { stopPrice }
  if (spec.list === "bracket") return { kind: "bracket", entry, takeProfit, stopLoss }
  return spec.otoChild === "takeProfit" ? { kind: "oto", entry, takeProfit } : { kind: "oto", entry, stopLoss }
}

/**
 * The changes a replace spec makes to an order: only prices its type has (a trailing stop's
 * distance, of its kind, from its watermark); at least its quantity, unless its list sets it.
 */
export const replaceChanges = (engine: TradingSimulationEngine, order: OrderView, spec: ReplaceSpec, last: number): ReplaceRequest => {
  const hasLimit = order.type === "limit" || order.type === "stopLimit"
  const hasStop = order.type === "stop" || order.type === "stopLimit"
  const instrument = onInstrument(engine, order.symbol)
  const ownQuantity = order.orderList === null || order.orderList.role === "entry"
  const trail: ReturnType<typeof trailFields> | Record<string, undefined> = order.trailWatermark === null || spec.stopBp === null ? {} : trailFields(Number(order.trailWatermark), spec.stopBp, order.trailPercent !== null)
  const changes = {
    ...(spec.quantity !== null && ownQuantity ? { quantity: instrument.quantity(resolveQuantity(engine, spec.quantity, order.symbol, last)) } : {}),
    ...(hasLimit && spec.limitBp !== null ? { limitPrice: instrument.price(offsetPrice(last, spec.limitBp, false)) } : {}),
    ...(hasStop && spec.stopBp !== null ? { stopPrice: instrument.price(offsetPrice(last, spec.stopBp, true)) } : {}),
    ...(trail.trailPercent !== undefined ? { trailPercent: trail.trailPercent } : {}),
    ...(trail.trailAmount !== undefined ? { trailAmount: trail.trailAmount } : {})
  }
  return Object.keys(changes).length === 0 && ownQuantity ? { quantity: order.quantity } : changes
}
