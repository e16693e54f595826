import type { Decimal } from "../domain/decimal.ts"
import type { Quote } from "../domain/market-update.ts"
import type { OrderRequest, ReplaceRequest } from "../domain/order.ts"
import type { OrderListRequest } from "../domain/order-list.ts"
import type { Portfolio } from "../domain/portfolio.ts"
import type { OrderView } from "./order-entry.ts"
import type { SessionMark } from "./session-clock.ts"

/** What a model may read of its simulation: nothing it could change. */
export interface PortfolioView {
  readonly positionOf: (symbol: string) => Decimal
  readonly portfolio: () => Portfolio
  readonly openOrders: () => ReadonlyArray<OrderView>
}

/** One processed market update, as a model sees it. */
export interface ModelInput {
  /** ms since the epoch, or null for updates without a time. */
  readonly time: number | null
  readonly quotes: ReadonlyArray<Quote>
  readonly view: PortfolioView
  /** With an exchange calendar: the update's session, and whether it is inside it (nothing trades outside). */
  readonly session?: SessionMark
}

export interface ModelOutput<S> {
  readonly state: S
  /** Order intents: submitted as they are, through the engine's validation and risk rules like any other. */
  readonly orders?: ReadonlyArray<OrderRequest>
  /**
   * Target weights: the fraction of equity each symbol should hold (negative for a short). Each
   * becomes a market order for the whole-share difference between the target and the position
   * plus what open orders will still add; a symbol not named is left as it is.
   */
  readonly targetWeights?: Readonly<Record<string, number>>
  /**
   * Orders to cancel, each by its order id (`O-000123`) or its client order id (which never has
   * that form). Applied first, then `replaces`, `orders`, `orderLists` and the target weights.
   */
  readonly cancels?: ReadonlyArray<string>
  /** Changes to working orders (as `replaceOrder` takes them), each order named as in `cancels`. A refused change is not a failure. */
  readonly replaces?: ReadonlyArray<ModelReplace>
  /** Order lists (OCO groups, OTOs, brackets), as `submitOrderList` takes them. */
  readonly orderLists?: ReadonlyArray<OrderListRequest>
}

export interface ModelReplace {
  /** The order's id, or its client order id. */
  readonly order: string
  readonly changes: ReplaceRequest
}

/**
 * A trading model as a pure reducer: its state is plain JSON and each update gives the next
 * state. That is what lets a simulation's model live in a snapshot and be replayed exactly after
 * a crash. A model that throws is contained: the simulation fails with the error as its cause.
 */
export interface TradingModel<S = unknown> {
  readonly initialState: S
  onUpdate(state: S, input: ModelInput): ModelOutput<S>
}
