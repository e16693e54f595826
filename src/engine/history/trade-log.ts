import type { Decimal } from "../../domain/decimal.ts"
import { type TradeId, tradeIdFromSeq } from "../../domain/ids.ts"
import type { Trade } from "../../domain/trade.ts"
import { ChoiceColumn, DecimalColumn, NumberColumn, SequenceIdColumn } from "./columns.ts"
import { RecordLog } from "./record-log.ts"

type Figures = "quantity" | "entryPrice" | "grossPnl" | "commission" | "netPnl"

/** A trade with its figures as the trade book has them: a fill's string where one wrote it, else the Decimal it computed (written only when read). */
export type TradeFigures = Omit<Trade, Figures | "exitPrice"> & { readonly [K in Figures]: string | Decimal } & { readonly exitPrice: string | Decimal | null }

/** Pushes a figure as a string, or a Decimal from its digits. */
const pushFigure = (column: DecimalColumn, figure: string | Decimal | null): void => {
  if (typeof figure === "string" || figure === null) column.push(figure)
  else column.pushDecimal(figure)
}

/**
 * The closed trades of the run, in the order they closed, kept in columns (see ./columns.ts): a
 * trade is written back as the trade book made it, field for field and in its key order. A
 * restored trade of another form (a snapshot made by hand) is kept as it is.
 */
export class TradeLog extends RecordLog<Trade> {
  readonly #id = new SequenceIdColumn<TradeId>("T-", tradeIdFromSeq)
  readonly #symbol = new ChoiceColumn<string>()
  readonly #direction = new ChoiceColumn<Trade["direction"]>()
  readonly #entryTime = new NumberColumn()
  readonly #exitTime = new NumberColumn()
  readonly #quantity = new DecimalColumn()
  readonly #entryPrice = new DecimalColumn()
  readonly #exitPrice = new DecimalColumn()
  readonly #grossPnl = new DecimalColumn()
  readonly #commission = new DecimalColumn()
  readonly #netPnl = new DecimalColumn()

  protected readonly empty = EMPTY
  protected readonly keys = Object.freeze(["id", "symbol", "direction", "open", "entryTime", "exitTime", "quantity", "entryPrice", "exitPrice", "grossPnl", "commission", "netPnl"])

  get length(): number {
    return this.#entryTime.length
  }

  push(t: TradeFigures): void {
    this.#id.push(t.id)
    this.#symbol.push(t.symbol)
    this.#direction.push(t.direction)
    this.#entryTime.push(t.entryTime)
    this.#exitTime.push(t.exitTime)
    pushFigure(this.#quantity, t.quantity)
    pushFigure(this.#entryPrice, t.entryPrice)
    pushFigure(this.#exitPrice, t.exitPrice)
    pushFigure(this.#grossPnl, t.grossPnl)
    pushFigure(this.#commission, t.commission)
    pushFigure(this.#netPnl, t.netPnl)
  }

  protected fits(record: Trade): boolean {
    return isTradeLike(record)
  }

  protected written(row: number): Trade {
    return Object.freeze({
      id: this.#id.at(row),
      symbol: this.#symbol.at(row)!,
      direction: this.#direction.at(row)!,
      open: false,
      entryTime: this.#entryTime.at(row),
      exitTime: this.#exitTime.at(row),
      quantity: this.#quantity.at(row)!,
      entryPrice: this.#entryPrice.at(row)!,
      exitPrice: this.#exitPrice.at(row),
      grossPnl: this.#grossPnl.at(row)!,
      commission: this.#commission.at(row)!,
      netPnl: this.#netPnl.at(row)!
    })
  }
}

/** What a row holds in its columns when its trade is kept as it is: every column moves on, so that rows stay aligned. */
const EMPTY: Trade = {
  id: "T-000000" as TradeId,
  symbol: "",
  direction: "long",
  open: false,
  entryTime: null,
  exitTime: null,
  quantity: "0",
  entryPrice: "0",
  exitPrice: null,
  grossPnl: "0",
  commission: "0",
  netPnl: "0"
}

/** Whether each field has the type the columns hold (a closed trade is never open). */
const isTradeLike = (t: Trade): boolean =>
  typeof t === "object" &&
  t !== null &&
  typeof t.id === "string" &&
  typeof t.symbol === "string" &&
  (t.direction === "long" || t.direction === "short") &&
  t.open === false &&
  (t.entryTime === null || Number.isFinite(t.entryTime)) &&
  (t.exitTime === null || Number.isFinite(t.exitTime)) &&
  (t.exitPrice === null || typeof t.exitPrice === "string") &&
  [t.quantity, t.entryPrice, t.grossPnl, t.commission, t.netPnl].every((s) => typeof s === "string")
