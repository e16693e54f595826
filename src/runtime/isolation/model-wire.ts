// What crosses between the main thread and a model's worker: plain data only, decimals as their
// exact strings. Both sides are here so that what one writes, the other reads.
//
// An update carries the state, the quotes and the position in each quoted symbol (what most
// models read). The rest of the view (the portfolio, the open orders, other positions) is read
// from the engine when the model asks for it: the worker sends a view request and the main
// thread, which is waiting for the answer anyway, answers it. So a model pays only for what it
// reads, and reads exactly what the engine holds at that moment.
import type { MessagePort } from "node:worker_threads"
import { Decimal, isDecimal, toDecimalString } from "../../domain/decimal.ts"
import { isJsonValue, type JsonObject } from "../../domain/json.ts"
import type { Quote } from "../../domain/market-update.ts"
import { type PortfolioRecord, portfolioRecord, type PositionRecord, type PositionView } from "../../domain/portfolio.ts"
import type { SessionMark } from "../../engine/session-clock.ts"
import type { OrderView } from "../../engine/order-entry.ts"
import type { ModelInput, ModelOutput, PortfolioView } from "../../engine/trading-model.ts"

/** An artifact as `create` receives it; its content arrives in the worker as a Buffer. */
export interface IsolatedArtifact {
  readonly name: string
  readonly sha256: string
  readonly size: number
  readonly content: Uint8Array
}

/** Everything a worker needs to build its model: the module (checked by its sha256), the params and the artifacts. */
export interface WorkerStart {
  readonly module: { readonly path: string; readonly sha256: string }
  readonly params: JsonObject
  readonly artifacts: Readonly<Record<string, IsolatedArtifact>>
  readonly port: MessagePort
  readonly signal: Int32Array
}

/** One `onUpdate` call. */
export interface UpdateRequest {
  readonly state: unknown
  readonly time: number | null
  readonly quotes: ReadonlyArray<Omit<Quote, "decimals">>
  /** The position in each quoted symbol. */
  readonly positions: Readonly<Record<string, string>>
  readonly session?: SessionMark
}

/** A read of the view the worker asks the main thread for, during a call. */
export type ViewRequest =
  | { readonly type: "view"; readonly read: "portfolio" | "openOrders" }
  | { readonly type: "view"; readonly read: "positionOf"; readonly symbol: string }

export interface ViewAnswer {
  readonly value: PortfolioRecord | ReadonlyArray<OrderView> | string
}

/** What a thrown value was: an Error's name and message, or the text of anything else. */
export type Thrown = { readonly name: string; readonly message: string } | { readonly text: string }

export type WorkerAnswer =
  | { readonly type: "ready"; readonly initialState: unknown }
  | { readonly type: "startFailed"; readonly reason: string }
  | { readonly type: "output"; readonly output: unknown }
  | { readonly type: "threw"; readonly thrown: Thrown }
  | { readonly type: "unsendable"; readonly reason: string }
  | ViewRequest

const str = (d: Decimal) => d.toString()

// Main thread ------------------------------------------------------------------------------------

export const updateRequest = (state: unknown, { time, quotes, view, session }: ModelInput): UpdateRequest => ({
  state,
  time,
  quotes: quotes.map(({ symbol, open, high, low, close, source }) => ({ symbol, open, high, low, close, source })),
  positions: Object.fromEntries(quotes.map((q) => [q.symbol, str(view.positionOf(q.symbol))])),
  ...(session === undefined ? {} : { session })
})

export const viewAnswer = (view: PortfolioView, request: ViewRequest): ViewAnswer => {
  if (request.read === "positionOf") return { value: str(view.positionOf(request.symbol)) }
  return { value: request.read === "portfolio" ? portfolioRecord(view.portfolio()) : view.openOrders() }
}

/** The value to throw for what the model threw in its worker: the in-process driver then describes it in the same words. */
export const rethrown = (thrown: Thrown): unknown => ("text" in thrown ? thrown.text : Object.assign(new Error(thrown.message), { name: thrown.name }))

// Worker -----------------------------------------------------------------------------------------

/** As the model driver describes a thrown value. */
export const thrownOf = (e: unknown): Thrown => {
  if (e instanceof Error) return { name: e.name, message: e.message }
  try {
    return { text: String(e) }
  } catch {
    return { text: "a thrown value that cannot be described" }
  }
}

const positionView = (r: PositionRecord): PositionView => ({
  symbol: r.symbol,
  quantity: new Decimal(r.quantity),
  averageCost: new Decimal(r.averageCost),
  marketPrice: new Decimal(r.marketPrice),
  marketValue: new Decimal(r.marketValue),
  unrealizedPnl: new Decimal(r.unrealizedPnl),
  realizedPnl: new Decimal(r.realizedPnl)
})

/**
 * The call's state and input. The view asks the main thread (`ask`) for what the update did not
 * carry, once per call (the engine does not change during one), and gives fresh objects on every
 * read, as the engine's view does.
 */
export const modelCall = (request: UpdateRequest, ask: (request: ViewRequest) => ViewAnswer["value"]): { readonly state: unknown; readonly input: ModelInput } => {
  const positions = new Map(Object.entries(request.positions))
  let portfolio: PortfolioRecord | undefined
  let openOrders: ReadonlyArray<OrderView> | undefined
  const view: PortfolioView = {
    positionOf: (symbol) => {
      let quantity = positions.get(symbol)
      if (quantity === undefined) positions.set(symbol, (quantity = ask({ type: "view", read: "positionOf", symbol }) as string))
      return new Decimal(quantity)
    },
    portfolio: () => {
      const p = (portfolio ??= ask({ type: "view", read: "portfolio" }) as PortfolioRecord)
      return {
        cash: new Decimal(p.cash),
        buyingPower: new Decimal(p.buyingPower),
        totalValue: new Decimal(p.totalValue),
        realizedPnl: new Decimal(p.realizedPnl),
        unrealizedPnl: new Decimal(p.unrealizedPnl),
        totalCommission: new Decimal(p.totalCommission),
        positions: p.positions.map(positionView)
      }
    },
    openOrders: () => (openOrders ??= ask({ type: "view", read: "openOrders" }) as ReadonlyArray<OrderView>).map((o) => ({ ...o, reasons: [...o.reasons] }))
  }
  const { time, quotes, session } = request
  return { state: request.state, input: session === undefined ? { time, quotes, view } : { time, quotes, view, session } }
}

const isRecord = (u: unknown): u is Record<string, unknown> => u !== null && typeof u === "object"

/** An order request with its decimals as their exact strings (what the engine makes of them anyway). */
const plainRequest = (request: unknown): unknown => {
  if (!isRecord(request) || Array.isArray(request)) return request
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(request)) out[key] = isDecimal(value) ? (value.isFinite() ? toDecimalString(value) : value.toString()) : value
  return out
}

/** An order list with its orders' decimals as strings. */
const plainList = (list: unknown): unknown => {
  if (!isRecord(list) || Array.isArray(list)) return list
  const out: Record<string, unknown> = { ...list }
  if (Array.isArray(list["orders"])) out["orders"] = list["orders"].map(plainRequest)
  for (const part of ["entry", "takeProfit", "stopLoss"]) if (list[part] !== undefined) out[part] = plainRequest(list[part])
  return out
}

const cloneable = (u: unknown): boolean => typeof u !== "function" && typeof u !== "symbol"

/** Target weights that are a record of numbers, copied; anything else is refused by the driver as `null` is. */
const plainWeights = (weights: unknown): unknown =>
  isRecord(weights) && !Array.isArray(weights) && Object.values(weights).every((w) => typeof w === "number") ? { ...weights } : null

/**
 * A model's output in a form that can be posted, such that the main thread's model driver judges
 * it as it would have judged the original: a state that is not plain JSON is sent as `undefined`
 * and malformed orders or weights that cannot be cloned as `null` (both refused the same way),
 * and decimals in orders become strings. Throws (a getter, say) when the output cannot be read;
 * an order holding what cannot be cloned (a function) fails to post.
 */
export const sendableOutput = (output: unknown): unknown => {
  if (!isRecord(output)) return cloneable(output) ? output : null
  const { state, orders, targetWeights, cancels, replaces, orderLists } = output as Partial<ModelOutput<unknown>>
  const each = (list: unknown, plain: (item: unknown) => unknown) => (Array.isArray(list) ? list.map(plain) : cloneable(list) ? list : null)
  return {
    state: isJsonValue(state) ? state : undefined,
    ...(orders === undefined ? {} : { orders: each(orders, plainRequest) }),
    ...(targetWeights === undefined ? {} : { targetWeights: plainWeights(targetWeights) }),
    ...(cancels === undefined ? {} : { cancels: each(cancels, (c) => c) }),
    ...(replaces === undefined ? {} : { replaces: each(replaces, (r) => (isRecord(r) ? { ...r, changes: plainRequest(r["changes"]) } : r)) }),
    ...(orderLists === undefined ? {} : { orderLists: each(orderLists, plainList) })
  }
}
