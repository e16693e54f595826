import type { Fill } from "../../domain/fill.ts"
import { type OrderId, orderIdFromSeq } from "../../domain/ids.ts"
import type { OrderSide } from "../../domain/order.ts"
import { ChoiceColumn, DecimalColumn, NumberColumn, SequenceIdColumn } from "./columns.ts"
import { RecordLog } from "./record-log.ts"

/**
 * Every fill of the run, in order, kept in columns (see ./columns.ts): a fill is written back as
 * the engine made it, field for field and in its key order. A restored fill of another form (a
 * snapshot made by hand) is kept as it is (see ./record-log.ts).
 */
export class FillLog extends RecordLog<Fill> {
  readonly #orderId = new SequenceIdColumn<OrderId>("O-", orderIdFromSeq)
  readonly #symbol = new ChoiceColumn<string>()
  readonly #side = new ChoiceColumn<OrderSide>()
  readonly #quantity = new DecimalColumn()
  readonly #price = new DecimalColumn()
  readonly #marketPrice = new DecimalColumn()
  readonly #commission = new DecimalColumn()
  readonly #closingQuantity = new DecimalColumn()
  readonly #openingQuantity = new DecimalColumn()
  readonly #time = new NumberColumn()
  readonly #updateIndex = new NumberColumn()

  static of(fills: ReadonlyArray<Fill>): FillLog {
    const log = new FillLog()
    for (const fill of fills) log.add(fill)
    return log
  }

  protected readonly empty = EMPTY
  protected readonly keys = Object.freeze(["orderId", "symbol", "side", "quantity", "price", "marketPrice", "commission", "closingQuantity", "openingQuantity", "time", "updateIndex"])

  get length(): number {
    return this.#time.length
  }

  push(f: Fill): void {
    this.#orderId.push(f.orderId)
    this.#symbol.push(f.symbol)
    this.#side.push(f.side)
    this.#quantity.push(f.quantity)
    this.#price.push(f.price)
    this.#marketPrice.push(f.marketPrice)
    this.#commission.push(f.commission)
    this.#closingQuantity.push(f.closingQuantity)
    this.#openingQuantity.push(f.openingQuantity)
    this.#time.push(f.time)
    this.#updateIndex.push(f.updateIndex)
  }

  protected fits(record: Fill): boolean {
    return isFillLike(record)
  }

  protected written(row: number): Fill {
    return Object.freeze({
      orderId: this.#orderId.at(row),
      symbol: this.#symbol.at(row)!,
      side: this.#side.at(row)!,
      quantity: this.#quantity.at(row)!,
      price: this.#price.at(row)!,
      marketPrice: this.#marketPrice.at(row)!,
      commission: this.#commission.at(row)!,
      closingQuantity: this.#closingQuantity.at(row)!,
      openingQuantity: this.#openingQuantity.at(row)!,
      time: this.#time.at(row),
      updateIndex: this.#updateIndex.at(row)!
    })
  }
}

/** What a row holds in its columns when its fill is kept as it is: every column moves on, so that rows stay aligned. */
const EMPTY: Fill = {
  orderId: "O-000000" as OrderId,
  symbol: "",
  side: "buy",
  quantity: "0",
  price: "0",
  marketPrice: "0",
  commission: "0",
  closingQuantity: "0",
  openingQuantity: "0",
  time: null,
  updateIndex: 0
}

/** Whether each field has the type the columns hold (a snapshot's fills are checked for shape, but not to this letter). */
const isFillLike = (f: Fill): boolean =>
  typeof f === "object" &&
  f !== null &&
  typeof f.orderId === "string" &&
  typeof f.symbol === "string" &&
  (f.side === "buy" || f.side === "sell") &&
  [f.quantity, f.price, f.marketPrice, f.commission, f.closingQuantity, f.openingQuantity].every((s) => typeof s === "string") &&
  (f.time === null || Number.isFinite(f.time)) &&
  Number.isFinite(f.updateIndex)
