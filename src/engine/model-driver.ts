import { Decimal } from "../domain/decimal.ts"
import { DuplicateClientOrderIdError, IllegalOrderTransitionError, SimulationStateError, UnknownOrderError, ValidationError } from "../domain/errors.ts"
import type { NormalizedUpdate, Quote } from "../domain/market-update.ts"
import { isEngineOrderId, type OrderRequest } from "../domain/order.ts"
import type { OrderListRequest } from "../domain/order-list.ts"
import { Result } from "effect"
import { fieldOf } from "../domain/input-path.ts"
import { firstNotJson, isJsonValue } from "../domain/json.ts"
import { readPlainInput } from "../domain/plain-input.ts"
import type { ModelOutput, ModelReplace, PortfolioView, TradingModel } from "./trading-model.ts"
import type { SessionMark } from "./session-clock.ts"
import type { TradingSimulationEngine } from "./trading-simulation-engine.ts"

/** A caller's mistake: the input was refused and nothing changed. */
export type InputError = ValidationError | UnknownOrderError | IllegalOrderTransitionError | SimulationStateError | DuplicateClientOrderIdError

export const isInputError = (e: unknown): e is InputError =>
  e instanceof ValidationError ||
  e instanceof UnknownOrderError ||
  e instanceof IllegalOrderTransitionError ||
  e instanceof SimulationStateError ||
  e instanceof DuplicateClientOrderIdError

/** What a model may read of an engine. Make one per engine: a model may key memory on it. */
export const portfolioViewOf = (engine: TradingSimulationEngine): PortfolioView => ({
  positionOf: (symbol) => engine.positionOf(symbol),
  portfolio: () => engine.getPortfolio(),
  openOrders: () => engine.getOpenOrders()
})

const describe = (e: unknown): string => (e instanceof Error ? `${e.name}: ${e.message}` : String(e))

/** Market orders that move each named symbol to its target weight of equity, in whole shares. */
export const targetWeightOrders = (
  engine: TradingSimulationEngine,
  weights: Readonly<Record<string, number>>,
  quotes: ReadonlyArray<Quote>
): OrderRequest[] => {
  const portfolio = engine.getPortfolio()
  const open = engine.getOpenOrders()
  const orders: OrderRequest[] = []
  for (const [symbol, weight] of Object.entries(weights)) {
    const price = quotes.find((q) => q.symbol === symbol)?.close
    if (price === undefined || !Number.isFinite(weight)) continue
    const target = portfolio.totalValue.times(weight).dividedBy(price).toDecimalPlaces(0, Decimal.ROUND_DOWN)
    let expected = engine.positionOf(symbol)
    // A held child does not trade before its entry has filled, and of an OCO group (or a
    // bracket's children) only one member's quantity can: it is counted once.
    const groups = new Set<string>()
    for (const o of open) {
      if (o.symbol !== symbol || o.status === "held") continue
      if (o.orderList !== null && o.orderList.role !== "entry") {
        if (groups.has(o.orderList.id)) continue
        groups.add(o.orderList.id)
      }
      const rest = new Decimal(o.quantity).minus(o.filledQuantity)
      expected = o.side === "buy" ? expected.plus(rest) : expected.minus(rest)
    }
    const delta = target.minus(expected)
    if (delta.isZero()) continue
    orders.push({ symbol, side: delta.greaterThan(0) ? "buy" : "sell", type: "market", quantity: delta.abs(), tag: `target weight ${weight}` })
  }
  return orders
}

/** A weight beyond this (100 × equity, long or short) is a model's mistake, not a position. */
const MAX_WEIGHT = 100

const weightProblem = (weights: unknown): string | undefined => {
  if (weights === null || typeof weights !== "object" || Array.isArray(weights)) return "targetWeights that are not a record of finite numbers"
  for (const [symbol, w] of Object.entries(weights))
    if (typeof w !== "number" || !Number.isFinite(w) || Math.abs(w) > MAX_WEIGHT)
      return `targetWeights.${symbol} of ${typeof w === "number" ? w : typeof w}: a weight must be a finite number from -${MAX_WEIGHT} to ${MAX_WEIGHT}`
  return undefined
}

/** A model's output as plain data, read once: what it asks for cannot change, or throw, while it is checked and applied. */
interface ReadOutput<S> {
  readonly state: S
  readonly orders: ReadonlyArray<OrderRequest>
  readonly targetWeights: Readonly<Record<string, number>> | undefined
  readonly cancels: ReadonlyArray<string>
  readonly replaces: ReadonlyArray<ModelReplace>
  readonly orderLists: ReadonlyArray<OrderListRequest>
}

const isRecord = (u: unknown): u is Record<string, unknown> => u !== null && typeof u === "object" && !Array.isArray(u)

/** What is wrong with the output's cancels, replaces and order lists, by field path (their contents are the engine's to judge). */
const commandProblem = (cancels: unknown, replaces: unknown, orderLists: unknown): string | undefined => {
  if (cancels !== undefined) {
    if (!Array.isArray(cancels)) return "cancels that are not an array"
    const bad = cancels.findIndex((c) => typeof c !== "string")
    if (bad >= 0) return `cancels[${bad}] that is not an order id or a client order id`
  }
  if (replaces !== undefined) {
    if (!Array.isArray(replaces)) return "replaces that are not an array"
    const bad = replaces.findIndex((r) => !isRecord(r) || typeof r["order"] !== "string" || !isRecord(r["changes"]))
    if (bad >= 0) return `replaces[${bad}] that is not { order, changes }`
  }
  if (orderLists !== undefined && !Array.isArray(orderLists)) return "orderLists that are not an array"
  return undefined
}

/** What an output does not ask for: one empty list for all (most updates ask for nothing). */
const NONE: ReadonlyArray<never> = Object.freeze([])

/**
 * A model's output, or what is wrong with it: a model is user code, and what it returns is
 * checked like any input, read once into plain data (no getter, Proxy or `toJSON` of the model's
 * runs after this). Its state must be plain JSON, since snapshots store it and a restored model
 * must see exactly it; its orders and weights hold nothing JSON cannot write, named by path.
 */
const readOutput = <S>(output: unknown): ReadOutput<S> | string => {
  const read = readPlainInput(output)
  if (Result.isFailure(read)) return `an output whose ${fieldOf(read.failure.path) || "root"} cannot be read (${read.failure.reason})`
  const plain = read.success
  if (plain === null || typeof plain !== "object" || Array.isArray(plain)) return "no output object ({ state, orders?, targetWeights? })"
  const { state, orders, targetWeights, cancels, replaces, orderLists } = plain as Partial<ModelOutput<S>>
  if (orders !== undefined && !Array.isArray(orders)) return "orders that are not an array"
  const commands = commandProblem(cancels, replaces, orderLists)
  if (commands !== undefined) return commands
  if (!isJsonValue(state)) return "a state that is not plain JSON (no bigint, NaN, Infinity, Date, class instance, function or cycle)"
  if (targetWeights !== undefined) {
    const problem = weightProblem(targetWeights)
    if (problem !== undefined) return problem
  }
  // Most updates ask for nothing: the walk is skipped for them (it cost more than the update itself).
  const asks = orders !== undefined || cancels !== undefined || replaces !== undefined || orderLists !== undefined
  const notJson = asks ? firstNotJson({ orders, cancels, replaces, orderLists }) : undefined
  if (notJson !== undefined) return `${fieldOf(notJson.path)} holding ${notJson.reason}`
  return { state: state as S, orders: orders ?? NONE, targetWeights, cancels: cancels ?? NONE, replaces: replaces ?? NONE, orderLists: orderLists ?? NONE }
}

/** The order id a model names: an order id as it is, a client order id looked up (an unknown one is an `UnknownOrderError`). */
const orderIdOf = (engine: TradingSimulationEngine, reference: string): string =>
  isEngineOrderId(reference) ? reference : engine.getOrderByClientOrderId(reference).id

/**
 * Runs a model on an update the engine has just processed, as every simulation runs its model:
 * only while it trades (running or halted). What it asks for is applied at once, in this order:
 * its cancels, its replaces, its orders, its order lists, then the orders its target weights make
 * (sized before its own orders are placed). A model that throws, or asks for something the engine
 * refuses as input (an unknown order, a cancel of a final order, an invalid order, a duplicate
 * client order id), fails the simulation; a replace the risk rules refuse does not. Returns the
 * model's next state (the same one when it threw).
 */
export const runModel = <S>(
  engine: TradingSimulationEngine,
  model: TradingModel<S>,
  state: S,
  view: PortfolioView,
  update: NormalizedUpdate & { readonly session?: SessionMark }
): S => {
  if (engine.status !== "running" && engine.status !== "halted") return state
  let output: ModelOutput<S>
  try {
    const { time, quotes, session } = update
    output = model.onUpdate(state, session === undefined ? { time, quotes, view } : { time, quotes, view, session })
  } catch (e) {
    engine.fail(`model threw: ${describe(e)}`)
    return state
  }
  const read = readOutput<S>(output)
  if (typeof read === "string") {
    engine.fail(`model returned ${read}`)
    return state
  }
  if (read.cancels.length === 0 && read.replaces.length === 0 && read.orders.length === 0 && read.orderLists.length === 0 && read.targetWeights === undefined) return read.state
  const apply = (what: string, command: () => unknown): boolean => {
    try {
      command()
      return true
    } catch (e) {
      if (!isInputError(e)) throw e
      engine.fail(`model asked for ${what} the engine refused: ${e.message}`)
      return false
    }
  }
  for (const reference of read.cancels) if (!apply("a cancel", () => engine.cancelOrder(orderIdOf(engine, reference), "cancelled by the model"))) return read.state
  for (const { order, changes } of read.replaces) if (!apply("a replace", () => engine.replaceOrder(orderIdOf(engine, order), changes))) return read.state
  const weighted = read.targetWeights === undefined ? [] : targetWeightOrders(engine, read.targetWeights, update.quotes)
  for (const request of read.orders) if (!apply("an order", () => engine.submitOrder(request))) return read.state
  for (const list of read.orderLists) if (!apply("an order list", () => engine.submitOrderList(list))) return read.state
  for (const request of weighted) if (!apply("an order", () => engine.submitOrder(request))) return read.state
  return read.state
}
