import type { TradeId } from "./ids.ts"

/**
 * A round trip in one symbol, from flat to flat. A reversal closes one trade and opens the next.
 * Decimals are strings; times are ms since the epoch (null for updates that carried no time).
 */
export interface Trade {
  readonly id: TradeId
  readonly symbol: string
  readonly direction: "long" | "short"
  /** True while the position is still open: such a trade has no exit time (an exit price only if it was partly reduced). */
  readonly open: boolean
  readonly entryTime: number | null
  readonly exitTime: number | null
  /** The largest absolute size the position reached. */
  readonly quantity: string
  /** Average price of the fills that opened or added to the position. */
  readonly entryPrice: string
  /** Average price of the fills that reduced or closed it; null until one has. */
  readonly exitPrice: string | null
  /** Realised P&L before commissions. */
  readonly grossPnl: string
  /** Commissions of every fill of the trade, both sides. */
  readonly commission: string
  /** grossPnl − commission. */
  readonly netPnl: string
}
