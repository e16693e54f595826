import { Decimal, plus, ZERO } from "../domain/decimal.ts"
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
  /** The price of the only entry fill; while set, entryValue is not kept (see valueOf). */
  onlyEntryPrice: Decimal | null
  exitQuantity: Decimal
  exitValue: Decimal
  onlyExitPrice: Decimal | null
  grossPnl: Decimal
  commission: Decimal
  exitTime: number | null
  open: boolean
}

/** The value of fills so far: their only price × quantity while there was one fill, else the running sum. */
const valueOf = (onlyPrice: Decimal | null, quantity: Decimal, value: Decimal): Decimal => (onlyPrice === null ? value : onlyPrice.times(quantity))

const toTrade = (t: TradeRecord): Trade => ({
  id: t.id,
  symbol: t.symbol,
  direction: t.direction,
  open: t.open,
  entryTime: t.entryTime,
  exitTime: t.exitTime,
  quantity: t.peakSize.toString(),
  entryPrice: (t.onlyEntryPrice ?? t.entryValue.dividedBy(t.entryQuantity)).toString(),
  exitPrice: t.exitQuantity.isZero() ? null : (t.onlyExitPrice ?? t.exitValue.dividedBy(t.exitQuantity)).toString(),
  grossPnl: t.grossPnl.toString(),
  commission: t.commission.toString(),
  netPnl: t.grossPnl.minus(t.commission).toString()
})

type Strings<T> = { readonly [K in keyof T]: T[K] extends Decimal ? string : T[K] extends Decimal | null ? string | null : T[K] }

/** The trade book as plain data: closed trades as they are, open ones with their running sums. */
export interface TradeBookSnapshot {
  readonly seq: number
  readonly closed: ReadonlyArray<Trade>
  readonly open: ReadonlyArray<Strings<TradeRecord>>
}

const decimalKeys = ["size", "peakSize", "entryQuantity", "entryValue", "exitQuantity", "exitValue", "grossPnl", "commission"] as const
const optionalDecimalKeys = ["onlyEntryPrice", "onlyExitPrice"] as const

/** Round trips per symbol, flat to flat, built from the ledger's fill legs. */
export class TradeBook {
  // Closed trades are kept as strings: a long run holds them all, and decimals would cost the garbage collector far more.
  readonly #closed: Trade[] = []
  readonly #open = new Map<string, TradeRecord>()
  #seq = 0

  record(symbol: string, side: "buy" | "sell", price: Decimal, legs: FillLegs, time: number | null): void {
    const current = this.#open.get(symbol)
    if (current !== undefined && !legs.closingQuantity.isZero()) {
      if (current.exitQuantity.isZero()) current.onlyExitPrice = price
      else {
        current.exitValue = valueOf(current.onlyExitPrice, current.exitQuantity, current.exitValue).plus(price.times(legs.closingQuantity))
        current.onlyExitPrice = null
      }
      current.exitQuantity = plus(current.exitQuantity, legs.closingQuantity)
      current.grossPnl = plus(current.grossPnl, legs.realizedPnl)
      current.commission = plus(current.commission, legs.closingCommission)
      current.size = current.size.equals(legs.closingQuantity) ? ZERO : current.size.minus(legs.closingQuantity)
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
        onlyEntryPrice: null,
        exitQuantity: ZERO,
        exitValue: ZERO,
        onlyExitPrice: null,
        grossPnl: ZERO,
        commission: ZERO,
        exitTime: null,
        open: true
      }
      this.#open.set(symbol, trade)
    }
    // A single fill's average is its price: the value (a product) is only made once a second fill needs it.
    if (trade.entryQuantity.isZero()) trade.onlyEntryPrice = price
    else {
      trade.entryValue = valueOf(trade.onlyEntryPrice, trade.entryQuantity, trade.entryValue).plus(price.times(legs.openingQuantity))
      trade.onlyEntryPrice = null
    }
    trade.entryQuantity = plus(trade.entryQuantity, legs.openingQuantity)
    trade.commission = plus(trade.commission, legs.openingCommission)
    trade.size = plus(trade.size, legs.openingQuantity)
    trade.peakSize = trade.size.greaterThan(trade.peakSize) ? trade.size : trade.peakSize
  }

  snapshot(): TradeBookSnapshot {
    const open = [...this.#open.values()].map((t) => {
      const out: Record<string, unknown> = { ...t }
      for (const k of decimalKeys) out[k] = t[k].toString()
      for (const k of optionalDecimalKeys) out[k] = t[k]?.toString() ?? null
      return out as Strings<TradeRecord>
    })
    return { seq: this.#seq, closed: [...this.#closed], open }
  }

  static fromSnapshot(s: TradeBookSnapshot): TradeBook {
    const book = new TradeBook()
    book.#seq = s.seq
    book.#closed.push(...s.closed)
    for (const t of s.open) {
      const record: Record<string, unknown> = { ...t }
      for (const k of decimalKeys) record[k] = new Decimal(t[k])
      for (const k of optionalDecimalKeys) record[k] = t[k] === null ? null : new Decimal(t[k])
      book.#open.set(t.symbol, record as unknown as TradeRecord)
    }
    return book
  }

  /** Closed trades in the order they closed, then the open ones. */
  trades(): ReadonlyArray<Trade> {
    return [...this.#closed, ...[...this.#open.values()].map(toTrade)]
  }
}
