import { Decimal, decimalOf, decimalString, ZERO } from "../domain/decimal.ts"
import { add, compare, divide, multiply, plus, subtract } from "../domain/decimal-arithmetic.ts"
import { tradeIdFromSeq, type TradeId } from "../domain/ids.ts"
import type { Trade } from "../domain/trade.ts"
import { TradeLog, type TradeFigures } from "./history/trade-log.ts"
import type { FillLegs } from "./ledger.ts"

/**
 * The fills on one side of a trade (entries or exits): their quantity, and their value, or while
 * there has been only one fill, its price and the fill's strings of its price and quantity. A
 * single fill's average is its price, so the value (a product) is only made once a second fill
 * needs it, and the average's string (and the size's, for a trade opened by one fill) is the one
 * the fill already wrote.
 */
interface FillSum {
  readonly quantity: Decimal
  readonly value: Decimal
  readonly onlyPrice: Decimal | null
  readonly onlyPriceText: string | null
  readonly onlyQuantityText: string | null
}

const NO_FILLS: FillSum = { quantity: ZERO, value: ZERO, onlyPrice: null, onlyPriceText: null, onlyQuantityText: null }

const addFill = (sum: FillSum, price: Decimal, priceText: string, quantity: Decimal, quantityText: string): FillSum =>
  sum.quantity.isZero()
    ? { quantity, value: ZERO, onlyPrice: price, onlyPriceText: priceText, onlyQuantityText: quantityText }
    : {
        quantity: add(sum.quantity, quantity),
        value: add(sum.onlyPrice === null ? sum.value : multiply(sum.onlyPrice, sum.quantity), multiply(price, quantity)),
        onlyPrice: null,
        onlyPriceText: null,
        onlyQuantityText: null
      }

/** The fills' average price: the only fill's string, or the quotient; null for no fills. */
const averageOf = (sum: FillSum): string | Decimal | null => (sum.quantity.isZero() ? null : (sum.onlyPriceText ?? divide(sum.value, sum.quantity)))

interface TradeRecord {
  readonly id: TradeId
  /** Its place among the open trades: the order in which they opened (see `TradeBook.#open`). */
  readonly opened: number
  readonly symbol: string
  readonly direction: "long" | "short"
  readonly entryTime: number | null
  size: Decimal
  peakSize: Decimal
  entries: FillSum
  exits: FillSum
  grossPnl: Decimal
  commission: Decimal
  exitTime: number | null
  open: boolean
}

/** A trade's figures: a closed one goes to the log as they are, whose columns read a Decimal's digits without writing it. */
const figuresOf = (t: TradeRecord): TradeFigures => ({
  id: t.id,
  symbol: t.symbol,
  direction: t.direction,
  open: t.open,
  entryTime: t.entryTime,
  exitTime: t.exitTime,
  // A trade opened by one fill peaks at that fill's quantity, whose string the fill wrote.
  quantity: t.peakSize === t.entries.quantity && t.entries.onlyQuantityText !== null ? t.entries.onlyQuantityText : t.peakSize,
  entryPrice: averageOf(t.entries)!,
  exitPrice: averageOf(t.exits),
  grossPnl: t.grossPnl,
  commission: t.commission,
  netPnl: subtract(t.grossPnl, t.commission)
})

const text = (figure: string | Decimal): string => (typeof figure === "string" ? figure : decimalString(figure))

/** An open trade as callers see it. */
const toTrade = (t: TradeRecord): Trade => {
  const f = figuresOf(t)
  return {
    ...f,
    quantity: text(f.quantity),
    entryPrice: text(f.entryPrice),
    exitPrice: f.exitPrice === null ? null : text(f.exitPrice),
    grossPnl: text(f.grossPnl),
    commission: text(f.commission),
    netPnl: text(f.netPnl)
  }
}

interface FillSumSnapshot {
  readonly quantity: string
  readonly value: string
  readonly onlyPrice: string | null
}

/** An open trade as plain data: its running sums as decimal strings. */
export interface OpenTradeSnapshot {
  readonly id: TradeId
  readonly symbol: string
  readonly direction: "long" | "short"
  readonly entryTime: number | null
  readonly size: string
  readonly peakSize: string
  readonly entries: FillSumSnapshot
  readonly exits: FillSumSnapshot
  readonly grossPnl: string
  readonly commission: string
}

/** The trade book as plain data: closed trades as they are, open ones with their running sums. */
export interface TradeBookSnapshot {
  readonly seq: number
  readonly closed: ReadonlyArray<Trade>
  readonly open: ReadonlyArray<OpenTradeSnapshot>
}

const sumToJson = (s: FillSum): FillSumSnapshot => ({ quantity: s.quantity.toString(), value: s.value.toString(), onlyPrice: s.onlyPrice?.toString() ?? null })
const sumFromJson = (s: FillSumSnapshot): FillSum => ({
  quantity: decimalOf(s.quantity),
  value: decimalOf(s.value),
  onlyPrice: s.onlyPrice === null ? null : decimalOf(s.onlyPrice),
  // The snapshot's string is decimal.js's, which `decimalString` writes too.
  onlyPriceText: s.onlyPrice,
  onlyQuantityText: null
})

/** Round trips per symbol, flat to flat, built from the ledger's fill legs. */
export class TradeBook {
  // Closed trades are kept in columns: a long run holds them all, and objects would cost the garbage collector far more.
  readonly #closed = new TradeLog()
  /**
   * Each traded symbol's open trade, null once it closed: the slot stays, since a Map's delete
   * costs several times its set (it shrinks the table), and a one-symbol run closes a trade every
   * other fill. The open trades are listed in the order they opened (`opened`).
   */
  readonly #open = new Map<string, TradeRecord | null>()
  #opened = 0
  #seq = 0

  /** A fill's legs at `price`, with the fill's strings of the price and of each leg's quantity. */
  record(
    symbol: string,
    side: "buy" | "sell",
    price: Decimal,
    texts: { readonly price: string; readonly closingQuantity: string; readonly openingQuantity: string },
    legs: FillLegs,
    time: number | null
  ): void {
    const current = this.#open.get(symbol) ?? null
    if (current !== null && !legs.closingQuantity.isZero()) {
      current.exits = addFill(current.exits, price, texts.price, legs.closingQuantity, texts.closingQuantity)
      current.grossPnl = plus(current.grossPnl, legs.realizedPnl)
      current.commission = plus(current.commission, legs.closingCommission)
      current.size = compare(current.size, legs.closingQuantity) === 0 ? ZERO : subtract(current.size, legs.closingQuantity)
      if (current.size.isZero()) {
        current.open = false
        current.exitTime = time
        this.#closed.push(figuresOf(current))
        this.#open.set(symbol, null)
      }
    }
    if (legs.openingQuantity.isZero()) return
    let trade = this.#open.get(symbol) ?? null
    if (trade === null) {
      this.#seq += 1
      trade = {
        id: tradeIdFromSeq(this.#seq),
        opened: this.#opened++,
        symbol,
        direction: side === "buy" ? "long" : "short",
        entryTime: time,
        size: ZERO,
        peakSize: ZERO,
        entries: NO_FILLS,
        exits: NO_FILLS,
        grossPnl: ZERO,
        commission: ZERO,
        exitTime: null,
        open: true
      }
      this.#open.set(symbol, trade)
    }
    trade.entries = addFill(trade.entries, price, texts.price, legs.openingQuantity, texts.openingQuantity)
    trade.commission = plus(trade.commission, legs.openingCommission)
    trade.size = plus(trade.size, legs.openingQuantity)
    trade.peakSize = compare(trade.size, trade.peakSize) > 0 ? trade.size : trade.peakSize
  }

  /** How many trades have closed. */
  get closedCount(): number {
    return this.#closed.length
  }

  /** The book as plain data, with the closed trades from the `closedFrom`th on (a checkpoint holds only the new ones). */
  snapshot(closedFrom = 0): TradeBookSnapshot {
    const open = this.#openTrades().map(
      (t): OpenTradeSnapshot => ({
        id: t.id,
        symbol: t.symbol,
        direction: t.direction,
        entryTime: t.entryTime,
        size: t.size.toString(),
        peakSize: t.peakSize.toString(),
        entries: sumToJson(t.entries),
        exits: sumToJson(t.exits),
        grossPnl: t.grossPnl.toString(),
        commission: t.commission.toString()
      })
    )
    return { seq: this.#seq, closed: this.#closed.slice(closedFrom), open }
  }

  static fromSnapshot(s: TradeBookSnapshot): TradeBook {
    const book = new TradeBook()
    book.#seq = s.seq
    // A loop, not push(...closed): a spread of 100,000+ arguments overflows the call stack.
    for (const trade of s.closed) book.#closed.add(trade)
    for (const t of s.open)
      book.#open.set(t.symbol, {
        id: t.id,
        opened: book.#opened++,
        symbol: t.symbol,
        direction: t.direction,
        entryTime: t.entryTime,
        size: decimalOf(t.size),
        peakSize: decimalOf(t.peakSize),
        entries: sumFromJson(t.entries),
        exits: sumFromJson(t.exits),
        grossPnl: decimalOf(t.grossPnl),
        commission: decimalOf(t.commission),
        exitTime: null,
        open: true
      })
    return book
  }

  /** Closed trades in the order they closed, then the open ones. */
  trades(): ReadonlyArray<Trade> {
    return [...this.#closed.slice(), ...this.#openTrades().map(toTrade)]
  }

  /** The open trades in the order they opened. */
  #openTrades(): TradeRecord[] {
    const open: TradeRecord[] = []
    for (const t of this.#open.values()) if (t !== null) open.push(t)
    return open.sort((a, b) => a.opened - b.opened)
  }
}
