import { Decimal, ZERO } from "../domain/decimal.ts"
import { tradeIdFromSeq, type TradeId } from "../domain/ids.ts"
import type { Trade } from "../domain/trade.ts"
import type { FillLegs } from "./ledger.ts"

interface TradeRecord {
  readonly id: TradeId
  readonly symbol: string
  readonly direction: "long" | "short"
  readonly entryTime: number | null
  size: Decimal
  peakSize: Decimal
  entryQuantity: Decimal
  entryValue: Decimal
  exitQuantity: Decimal
  exitValue: Decimal
  grossPnl: Decimal
  commission: Decimal
  exitTime: number | null
  open: boolean
}

const toTrade = (t: TradeRecord): Trade => ({
  id: t.id,
  symbol: t.symbol,
  direction: t.direction,
  open: t.open,
  entryTime: t.entryTime,
  exitTime: t.exitTime,
  quantity: t.peakSize.toString(),
  entryPrice: t.entryValue.dividedBy(t.entryQuantity).toString(),
  exitPrice: t.exitQuantity.isZero() ? null : t.exitValue.dividedBy(t.exitQuantity).toString(),
  grossPnl: t.grossPnl.toString(),
  commission: t.commission.toString(),
  netPnl: t.grossPnl.minus(t.commission).toString()
})

/** Round trips per symbol, flat to flat, built from the ledger's fill legs. */
export class TradeBook {
  // Closed trades are kept as strings: a long run holds them all, and decimals would cost the garbage collector far more.
  readonly #closed: Trade[] = []
  readonly #open = new Map<string, TradeRecord>()
  #seq = 0

  record(symbol: string, side: "buy" | "sell", price: Decimal, legs: FillLegs, time: number | null): void {
    const current = this.#open.get(symbol)
    if (current !== undefined && !legs.closingQuantity.isZero()) {
      current.exitQuantity = current.exitQuantity.plus(legs.closingQuantity)
      current.exitValue = current.exitValue.plus(price.times(legs.closingQuantity))
      current.grossPnl = current.grossPnl.plus(legs.realizedPnl)
      current.commission = current.commission.plus(legs.closingCommission)
      current.size = current.size.minus(legs.closingQuantity)
      if (current.size.isZero()) {
        current.open = false
        current.exitTime = time
        this.#closed.push(toTrade(current))
        this.#open.delete(symbol)
      }
    }
    if (legs.openingQuantity.isZero()) return
    let trade = this.#open.get(symbol)
    if (trade === undefined) {
      this.#seq += 1
      trade = {
        id: tradeIdFromSeq(this.#seq),
        symbol,
        direction: side === "buy" ? "long" : "short",
        entryTime: time,
        size: ZERO,
        peakSize: ZERO,
        entryQuantity: ZERO,
        entryValue: ZERO,
        exitQuantity: ZERO,
        exitValue: ZERO,
        grossPnl: ZERO,
        commission: ZERO,
        exitTime: null,
        open: true
      }
      this.#open.set(symbol, trade)
    }
    trade.entryQuantity = trade.entryQuantity.plus(legs.openingQuantity)
    trade.entryValue = trade.entryValue.plus(price.times(legs.openingQuantity))
    trade.commission = trade.commission.plus(legs.openingCommission)
    trade.size = trade.size.plus(legs.openingQuantity)
    trade.peakSize = Decimal.max(trade.peakSize, trade.size)
  }

  /** Closed trades in the order they closed, then the open ones. */
  trades(): ReadonlyArray<Trade> {
    return [...this.#closed, ...[...this.#open.values()].map(toTrade)]
  }
}
