/**
 * Alpaca's Trading API v2 over one account's simulation. Each handler answers `{ status, body }`
 * or throws (see error-answer.ts); an order command is acknowledged once the deployer has
 * journaled it.
 */
import { Decimal } from "../domain/decimal.ts"
import { IllegalOrderTransitionError } from "../domain/errors.ts"
import { isEngineOrderId } from "../domain/order.ts"
import type { OrderView } from "../engine/order-entry.ts"
import type { TradingSimulationEngine } from "../engine/trading-simulation-engine.ts"
import type { Account } from "./account-book.ts"
import { alpacaAccount, alpacaAsset, availableToClose, alpacaCalendar, alpacaClock, alpacaOrder, alpacaPositions, isLeg, lastFillTimes, legsOf } from "./alpaca-objects.ts"
import { alpacaActivities, alpacaPortfolioHistory } from "./account-history.ts"
import { quantityForNotional, readOrderRequest, readReplaceRequest } from "./alpaca-order-request.ts"
import type { Broker } from "./broker.ts"
import { BrokerApiError, forbidden, notFound, unprocessable } from "./broker-error.ts"
import { errorAnswer } from "./error-answer.ts"
import { choiceParam, dateParam, timeParam } from "./query-params.ts"

export interface Answer {
  readonly status: number
  readonly body: unknown
}

export interface TradingRequest {
  readonly method: string
  /** The path's segments after `/v2/`. */
  readonly segments: ReadonlyArray<string>
  readonly query: URLSearchParams
  readonly body: () => Promise<unknown>
}

const ok = (body: unknown): Answer => ({ status: 200, body })

const MS_PER_DAY = 86_400_000

const decimalParam = (query: URLSearchParams, name: string): Decimal | null => {
  const value = query.get(name)
  if (value === null) return null
  if (!/^\d+(\.\d{1,9})?$/.test(value) || new Decimal(value).isZero()) throw unprocessable(`${name} must be a decimal number above 0, in up to nine decimals (got ${JSON.stringify(value)})`)
  return new Decimal(value)
}

export const tradingRoutes = (broker: Broker, account: Account, now: () => Date) => {
  const paper = broker.paper
  const createdAt = Date.parse(account.createdAt)
  const read = <A>(f: (engine: TradingSimulationEngine) => A) => paper.inspectSimulation(account.id, f)

  /** An order as Alpaca returns it; a list's parent with its legs. */
  const orderAnswer = (engine: TradingSimulationEngine, order: OrderView, fills = lastFillTimes(engine)) =>
    alpacaOrder(order, fills, createdAt, legsOf(order, engine.getOrders()))

  const findOrder = (engine: TradingSimulationEngine, id: string): OrderView => {
    // Only the engine's own ids name orders here (a client order id has its own endpoint).
    if (!isEngineOrderId(id)) throw notFound(`order not found for ${id}`)
    return engine.getOrder(id)
  }

  const submit = async (body: unknown): Promise<Answer> => {
    const submission = readOrderRequest(body)
    if (submission instanceof BrokerApiError) throw submission
    let orderId: string
    if (submission.kind === "order") {
      let request = submission.request
      if (submission.notional !== null) {
        // The engine's last mark of the symbol (its snapshot is the public record of the marks).
        const mark = await read((engine) => engine.snapshot().marks.find((m) => m.symbol === request.symbol)?.price)
        if (mark === undefined) throw unprocessable(`notional needs a price of ${request.symbol}, which has had no update yet: give qty`)
        request = { ...request, quantity: quantityForNotional(submission.notional, new Decimal(mark)) }
      }
      orderId = await paper.submitOrder(account.id, request)
    } else {
      orderId = (await paper.submitOrderList(account.id, submission.request)).orderIds[0]!
    }
    return ok(await read((engine) => orderAnswer(engine, engine.getOrder(orderId))))
  }

  const listOrders = (query: URLSearchParams): Promise<Answer> => {
    const status = choiceParam(query, "status", ["open", "closed", "all"] as const, "open")
    const direction = choiceParam(query, "direction", ["asc", "desc"] as const, "desc")
    const nested = choiceParam(query, "nested", ["true", "false"] as const, "false") === "true"
    const side = query.get("side")
    if (side !== null && side !== "buy" && side !== "sell") throw unprocessable(`side must be one of buy, sell (got ${JSON.stringify(side)})`)
    const limitText = query.get("limit") ?? "50"
    const limit = Number(limitText)
    if (!/^\d+$/.test(limitText) || limit < 1 || limit > 500) throw unprocessable(`limit must be a whole number from 1 to 500 (got ${JSON.stringify(limitText)})`)
    const after = timeParam(query, "after")
    const until = timeParam(query, "until")
    const symbols = query.get("symbols")?.split(",").filter((s) => s !== "")
    return read((engine) => {
      const all = engine.getOrders()
      const open = new Set(engine.getOpenOrders().map((o) => o.id))
      const fills = lastFillTimes(engine)
      const matches = (o: OrderView) => status === "all" || (status === "open") === open.has(o.id)
      // Nested, an order list is listed under its parent while any of it matches: a bracket whose
      // entry has filled is still open in its legs.
      const members = new Map<string, OrderView[]>()
      if (nested) for (const o of all) if (o.orderList !== null) members.set(o.orderList.id, [...(members.get(o.orderList.id) ?? []), o])
      const chosen = all.filter((o) => {
        const submitted = o.submittedTime ?? createdAt
        return (
          (nested && o.orderList !== null ? members.get(o.orderList.id)!.some(matches) : matches(o)) &&
          (side === null || o.side === side) &&
          (symbols === undefined || symbols.includes(o.symbol)) &&
          (after === null || submitted > after) &&
          (until === null || submitted < until) &&
          !(nested && isLeg(o, all))
        )
      })
      const ordered = direction === "desc" ? chosen.reverse() : chosen
      return ok(ordered.slice(0, limit).map((o) => alpacaOrder(o, fills, createdAt, nested ? legsOf(o, all) : null)))
    })
  }

  const isOpen = (orderId: string) => read((engine) => engine.getOpenOrders().some((o) => o.id === orderId))

  /**
   * Cancels an open order; one that has ended in the meantime (a sibling's cancel took it, or a
   * concurrent request cancelled it between the look and the cancel) is left as it is.
   */
  const cancelIfOpen = async (orderId: string): Promise<boolean> => {
    if (!(await isOpen(orderId))) return false
    try {
      await paper.cancelOrder(account.id, orderId)
      return true
    } catch (e) {
      if (e instanceof IllegalOrderTransitionError && !(await isOpen(orderId))) return false
      throw e
    }
  }

  const cancelAll = async (): Promise<Answer> => {
    const ids = await read((engine) => engine.getOpenOrders().map((o) => o.id))
    const results: Array<{ id: string; status: number; body?: unknown }> = []
    for (const id of ids) {
      try {
        await cancelIfOpen(id)
        results.push({ id, status: 200 })
      } catch (e) {
        const answer = errorAnswer(e)
        results.push({ id, status: answer.status, body: { code: answer.code, message: answer.message } })
      }
    }
    return { status: 207, body: results }
  }

  // Closes run one at a time: each reads what is left to close, then places its order.
  let closing: Promise<unknown> = Promise.resolve()
  const oneCloseAtATime = <A>(f: () => Promise<A>): Promise<A> => {
    const run = closing.then(f)
    closing = run.catch(() => undefined)
    return run
  }

  /**
   * A market order that closes `quantity` (all of it when null) of the position in `symbol`, out
   * of what its open orders do not already hold (as Alpaca: a second close while the first works
   * is refused, and never opens the other side).
   */
  const closePosition = (symbol: string, quantity: Decimal | null, percentage: Decimal | null): Promise<Record<string, unknown>> =>
    oneCloseAtATime(async () => {
      const state = await read((engine) => (engine.config.symbols.includes(symbol) ? { held: engine.positionOf(symbol), available: availableToClose(engine, symbol) } : null))
      if (state === null || state.held.isZero()) throw notFound(`position does not exist: ${symbol}`)
      const { held, available } = state
      const size = held.abs()
      if (quantity !== null && quantity.greaterThan(size)) throw unprocessable(`qty must be at most the position's ${size.toString()} (got ${quantity.toString()})`)
      if (percentage !== null && percentage.greaterThan(100)) throw unprocessable(`percentage must be at most 100 (got ${percentage.toString()})`)
      // As Alpaca's, a percentage of a whole-share position closes whole shares.
      const places = size.isInteger() ? 0 : 9
      const qty = quantity ?? (percentage === null ? size : size.times(percentage).dividedBy(100).toDecimalPlaces(places, Decimal.ROUND_DOWN))
      if (qty.isZero()) throw unprocessable(`percentage leaves nothing to close of ${size.toString()}`)
      if (qty.greaterThan(available))
        throw forbidden(`qty ${qty.toString()} is more than is available to close: ${available.toString()} of ${size.toString()} (the rest is held for open orders)`)
      const orderId = await paper.submitOrder(account.id, { symbol, side: held.isNegative() ? "buy" : "sell", type: "market", quantity: qty.toString(), timeInForce: "day" })
      return read((engine) => orderAnswer(engine, engine.getOrder(orderId)))
    })

  const closeAll = async (query: URLSearchParams): Promise<Answer> => {
    const cancelOrders = choiceParam(query, "cancel_orders", ["true", "false"] as const, "false") === "true"
    if (cancelOrders) await cancelAll()
    const symbols = await read((engine) => engine.getPortfolio().positions.filter((p) => !p.quantity.isZero()).map((p) => p.symbol))
    const results: Array<{ symbol: string; status: number; body: unknown }> = []
    for (const symbol of symbols) {
      try {
        results.push({ symbol, status: 200, body: await closePosition(symbol, null, null) })
      } catch (e) {
        const answer = errorAnswer(e)
        results.push({ symbol, status: answer.status, body: { code: answer.code, message: answer.message } })
      }
    }
    return { status: 207, body: results }
  }

  const calendar = (query: URLSearchParams): Promise<Answer> =>
    read((engine) => {
      const today = new Date(engine.lastUpdateTime ?? now().getTime()).toISOString().slice(0, 10)
      const start = dateParam(query, "start", today)
      const end = dateParam(query, "end", new Date(Date.parse(`${start}T00:00:00Z`) + 30 * MS_PER_DAY).toISOString().slice(0, 10))
      if (end < start) throw unprocessable(`end must not be before start (${start}; got ${end})`)
      if (Date.parse(end) - Date.parse(start) > 3660 * MS_PER_DAY) throw unprocessable("end must be at most ten years after start")
      const days = alpacaCalendar(engine, start, end)
      if (days === undefined) throw notFound("the account's simulation has no exchange calendar (its config's calendar)")
      return ok(days)
    })

  /** Routes one request; undefined when no endpoint has this method and path. */
  return async (request: TradingRequest): Promise<Answer | undefined> => {
    const { method, segments, query } = request
    if (method === "GET" && segments[0] === "account" && segments[1] === "activities" && segments.length <= 3)
      return read((engine) => ok(alpacaActivities(engine, query, segments[2])))
    if (method === "GET" && segments.join("/") === "account/portfolio/history") return read((engine) => ok(alpacaPortfolioHistory(engine, query)))
    const [resource, id, ...rest] = segments
    if (rest.length > 0) return undefined
    switch (`${method} ${resource}${id === undefined ? "" : "/:id"}`) {
      case "GET account":
        return read((engine) => ok(alpacaAccount(account, engine)))
      case "POST orders":
        return submit(await request.body())
      case "GET orders":
        return listOrders(query)
      case "DELETE orders":
        return cancelAll()
      case "GET orders:by_client_order_id": {
        const clientOrderId = query.get("client_order_id")
        if (clientOrderId === null || clientOrderId === "") throw unprocessable("client_order_id is required")
        return read((engine) => ok(orderAnswer(engine, engine.getOrderByClientOrderId(clientOrderId))))
      }
      case "GET orders/:id":
        return read((engine) => ok(orderAnswer(engine, findOrder(engine, id!))))
      case "PATCH orders/:id": {
        const order = await read((engine) => findOrder(engine, id!))
        const changes = readReplaceRequest(await request.body(), order)
        if (changes instanceof BrokerApiError) throw changes
        const outcome = await paper.replaceOrder(account.id, order.id, changes)
        if (!outcome.replaced) throw new BrokerApiError({ status: 422, code: 42210000, message: `${outcome.code}: ${outcome.reason}` })
        return read((engine) => ok(orderAnswer(engine, engine.getOrder(order.id))))
      }
      case "DELETE orders/:id": {
        const order = await read((engine) => findOrder(engine, id!))
        await paper.cancelOrder(account.id, order.id)
        return { status: 204, body: undefined }
      }
      case "GET positions":
        return read((engine) => ok(alpacaPositions(engine)))
      case "DELETE positions":
        return closeAll(query)
      case "GET positions/:id":
        return read((engine) => {
          const position = alpacaPositions(engine).find((p) => p["symbol"] === id)
          if (position === undefined) throw notFound(`position does not exist: ${id}`)
          return ok(position)
        })
      case "DELETE positions/:id": {
        const [qty, percentage] = [decimalParam(query, "qty"), decimalParam(query, "percentage")]
        if (qty !== null && percentage !== null) throw unprocessable("qty cannot be given together with percentage: give one")
        return ok(await closePosition(id!, qty, percentage))
      }
      case "GET assets":
        return read((engine) => ok(engine.config.symbols.map((symbol) => alpacaAsset(engine, symbol))))
      case "GET assets/:id":
        return read((engine) => {
          if (!engine.config.symbols.includes(id!)) throw notFound(`asset not found for ${id}`)
          return ok(alpacaAsset(engine, id!))
        })
      case "GET clock":
        return read((engine) => ok(alpacaClock(engine, now().getTime())))
      case "GET calendar":
        return calendar(query)
      default:
        return undefined
    }
  }
}
