import type { OrderId } from "./ids.ts"
import type { OrderSide } from "./order.ts"

/** One execution. Decimals are strings; `time` is the update's (ms since the epoch) or null. */
export interface Fill {
  readonly orderId: OrderId
  readonly symbol: string
  readonly side: OrderSide
  readonly quantity: string
  /** The price paid or received, slippage included. */
  readonly price: string
  /** The market's price before slippage: a price the update actually traded at. */
  readonly marketPrice: string
  readonly commission: string
  /** The part that reduced an existing position, and the part that opened or added to one. */
  readonly closingQuantity: string
  readonly openingQuantity: string
  readonly time: number | null
  /** 1-based index of the market update the fill happened on. */
  readonly updateIndex: number
}
