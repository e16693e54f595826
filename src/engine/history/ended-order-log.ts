import type { OrderContext, OrderStatus } from "../../../machines/index.ts"
import { ZERO } from "../../domain/decimal.ts"
import { type OrderId, orderIdFromSeq } from "../../domain/ids.ts"
import type { OrderSide, OrderSpec, OrderType, TimeInForce } from "../../domain/order.ts"
import type { EndedOrder } from "../ended-order.ts"
import { ChoiceColumn, DecimalColumn, NumberColumn, SequenceIdColumn, SparseColumn } from "./columns.ts"
import { hasKeysInOrder, RecordLog } from "./record-log.ts"

/**
 * The orders that ended in this run, in the order they ended, kept in columns (see ./columns.ts):
 * an order is written back as the engine left it, its spec and machine context field for field
 * and in their key order. An order of another form is kept as it is: one in a list (its link), one
 * with a replace or cancel still pending, more than one reason, a list entry that closed a
 * position, or a context restored from a hand-made snapshot in another key order.
 */
export class EndedOrderLog extends RecordLog<EndedOrder> {
  readonly #status = new ChoiceColumn<OrderStatus>()
  readonly #endedTime = new NumberColumn()
  // The spec.
  readonly #id = new SequenceIdColumn<OrderId>("O-", orderIdFromSeq)
  readonly #symbol = new ChoiceColumn<string>()
  readonly #side = new ChoiceColumn<OrderSide>()
  readonly #type = new ChoiceColumn<OrderType>()
  readonly #timeInForce = new ChoiceColumn<TimeInForce>()
  readonly #quantity = new DecimalColumn()
  readonly #limitPrice = new DecimalColumn()
  readonly #stopPrice = new DecimalColumn()
  readonly #tag = new SparseColumn<string>()
  /** Null when it is the order's own id (an order given none). */
  readonly #clientOrderId = new SparseColumn<string>()
  readonly #trailAmount = new SparseColumn<string>()
  readonly #trailPercent = new SparseColumn<string>()
  readonly #trailWatermark = new SparseColumn<string>()
  readonly #submittedAfterUpdate = new NumberColumn()
  readonly #submittedTime = new NumberColumn()
  /** Null when the spec has none (every time in force but `gtd`). */
  readonly #expireAt = new NumberColumn()
  // The context.
  readonly #filledQuantity = new DecimalColumn()
  readonly #averageFillPrice = new DecimalColumn()
  readonly #commission = new DecimalColumn()
  /** 1, or null (not triggered: most orders, so the column's chunks are mostly never made). */
  readonly #triggered = new NumberColumn()
  readonly #sessionDay = new NumberColumn()
  readonly #reason = new SparseColumn<string>()
  /** Null when the context has none (every order but a rejected one). */
  readonly #rejectionCode = new SparseColumn<string>()

  protected readonly empty = EMPTY
  protected readonly keys = RECORD_KEYS

  get length(): number {
    return this.#endedTime.length
  }

  push(o: EndedOrder): void {
    const c = o.context
    const s = c.order
    this.#status.push(o.status)
    this.#endedTime.push(o.endedTime)
    this.#id.push(s.id)
    this.#symbol.push(s.symbol)
    this.#side.push(s.side)
    this.#type.push(s.type)
    this.#timeInForce.push(s.timeInForce)
    this.#quantity.push(s.quantity)
    this.#limitPrice.push(s.limitPrice)
    this.#stopPrice.push(s.stopPrice)
    this.#tag.push(s.tag)
    this.#clientOrderId.push(s.clientOrderId === s.id ? null : s.clientOrderId)
    this.#trailAmount.push(s.trailAmount)
    this.#trailPercent.push(s.trailPercent)
    this.#trailWatermark.push(s.trailWatermark)
    this.#submittedAfterUpdate.push(s.submittedAfterUpdate)
    this.#submittedTime.push(s.submittedTime)
    this.#expireAt.push(s.expireAt ?? null)
    this.#filledQuantity.push(c.filledQuantity)
    this.#averageFillPrice.push(c.averageFillPrice)
    this.#commission.push(c.commission)
    this.#triggered.push(c.triggered ? 1 : null)
    this.#sessionDay.push(c.sessionDay)
    this.#reason.push(c.reasons.length === 0 ? null : c.reasons[0]!)
    this.#rejectionCode.push(c.rejectionCode ?? null)
  }

  /** The id of the order at `row`, without writing the rest of it back. */
  idAt(row: number): OrderId {
    return this.isKept(row) ? this.at(row).context.order.id : this.#id.at(row)
  }

  protected fits(o: EndedOrder): boolean {
    return isColumnForm(o)
  }

  protected override hasShape(o: EndedOrder): boolean {
    const c = o.context
    return hasKeysInOrder(o, this.keys) && hasKeysInOrder(c, "rejectionCode" in c ? REJECTED_CONTEXT_KEYS : CONTEXT_KEYS) && hasKeysInOrder(c.order, "expireAt" in c.order ? GTD_SPEC_KEYS : SPEC_KEYS)
  }

  protected written(row: number): EndedOrder {
    const id = this.#id.at(row)
    const head = {
      symbol: this.#symbol.at(row)!,
      side: this.#side.at(row)!,
      type: this.#type.at(row)!,
      quantity: this.#quantity.at(row)!,
      limitPrice: this.#limitPrice.at(row),
      stopPrice: this.#stopPrice.at(row),
      timeInForce: this.#timeInForce.at(row)!,
      tag: this.#tag.at(row),
      clientOrderId: this.#clientOrderId.at(row) ?? id,
      trailAmount: this.#trailAmount.at(row),
      trailPercent: this.#trailPercent.at(row)
    }
    const expireAt = this.#expireAt.at(row)
    const tail = { trailWatermark: this.#trailWatermark.at(row), id, submittedAfterUpdate: this.#submittedAfterUpdate.at(row)!, submittedTime: this.#submittedTime.at(row), orderList: null }
    // The keys in the order the engine makes them: a gtd order's expiry between its trail and its watermark (withExpireAt).
    const order: OrderSpec = expireAt === null ? { ...head, ...tail } : { ...head, expireAt, ...tail }
    const reason = this.#reason.at(row)
    const rejectionCode = this.#rejectionCode.at(row)
    const context: OrderContext = {
      order,
      filledQuantity: this.#filledQuantity.at(row)!,
      averageFillPrice: this.#averageFillPrice.at(row),
      commission: this.#commission.at(row)!,
      triggered: this.#triggered.at(row) === 1,
      sessionDay: this.#sessionDay.at(row),
      reasons: reason === null ? [] : [reason],
      resumeStatus: null,
      pendingChanges: null,
      // A rejection's code comes last, as the machine adds it.
      ...(rejectionCode === null ? {} : { rejectionCode })
    }
    return { status: this.#status.at(row)!, context, endedTime: this.#endedTime.at(row), closedQuantity: ZERO }
  }
}

const RECORD_KEYS = Object.freeze(["status", "context", "endedTime", "closedQuantity"])
const CONTEXT_KEYS = Object.freeze(["order", "filledQuantity", "averageFillPrice", "commission", "triggered", "sessionDay", "reasons", "resumeStatus", "pendingChanges"])
const REJECTED_CONTEXT_KEYS = Object.freeze([...CONTEXT_KEYS, "rejectionCode"])
const SPEC_HEAD = ["symbol", "side", "type", "quantity", "limitPrice", "stopPrice", "timeInForce", "tag", "clientOrderId", "trailAmount", "trailPercent"]
const SPEC_TAIL = ["trailWatermark", "id", "submittedAfterUpdate", "submittedTime", "orderList"]
const SPEC_KEYS = Object.freeze([...SPEC_HEAD, ...SPEC_TAIL])
const GTD_SPEC_KEYS = Object.freeze([...SPEC_HEAD, "expireAt", ...SPEC_TAIL])

const isText = (x: unknown): x is string => typeof x === "string"
const isTextOrNull = (x: unknown): boolean => x === null || typeof x === "string"
/** A number a NumberColumn gives back as it is (NaN stands for null there). */
const isFiniteOrNull = (x: unknown): boolean => x === null || Number.isFinite(x)

/** Whether the columns hold this ended order's fields: each of its column's type, and nothing the columns have no place for (its keys are `hasShape`'s). */
const isColumnForm = (o: EndedOrder): boolean => {
  if (typeof o !== "object" || o === null || !isText(o.status) || !isFiniteOrNull(o.endedTime) || !o.closedQuantity.isZero()) return false
  const c = o.context
  if (typeof c !== "object" || c === null) return false
  if (!isText(c.filledQuantity) || !isTextOrNull(c.averageFillPrice) || !isText(c.commission) || typeof c.triggered !== "boolean" || !isFiniteOrNull(c.sessionDay)) return false
  if (c.resumeStatus !== null || c.pendingChanges !== null || (c.rejectionCode !== undefined && !isText(c.rejectionCode))) return false
  const reasons = c.reasons
  if (!Array.isArray(reasons) || reasons.length > 1 || (reasons.length === 1 && !isText(reasons[0]))) return false
  const s = c.order
  if (typeof s !== "object" || s === null) return false
  return (
    isText(s.id) &&
    isText(s.symbol) &&
    isText(s.side) &&
    isText(s.type) &&
    isText(s.timeInForce) &&
    isText(s.quantity) &&
    isTextOrNull(s.limitPrice) &&
    isTextOrNull(s.stopPrice) &&
    isTextOrNull(s.tag) &&
    isText(s.clientOrderId) &&
    isTextOrNull(s.trailAmount) &&
    isTextOrNull(s.trailPercent) &&
    isTextOrNull(s.trailWatermark) &&
    Number.isFinite(s.submittedAfterUpdate) &&
    isFiniteOrNull(s.submittedTime) &&
    (s.expireAt === undefined || Number.isFinite(s.expireAt)) &&
    s.orderList === null
  )
}

/** What a row holds in its columns when its order is kept as it is: every column moves on, so that rows stay aligned. */
const EMPTY: EndedOrder = {
  status: "cancelled",
  context: {
    order: {
      symbol: "",
      side: "buy",
      type: "market",
      quantity: "0",
      limitPrice: null,
      stopPrice: null,
      timeInForce: "day",
      tag: null,
      clientOrderId: "O-000000",
      trailAmount: null,
      trailPercent: null,
      trailWatermark: null,
      id: "O-000000" as OrderId,
      submittedAfterUpdate: 0,
      submittedTime: null,
      orderList: null
    },
    filledQuantity: "0",
    averageFillPrice: null,
    commission: "0",
    triggered: false,
    sessionDay: null,
    reasons: [],
    resumeStatus: null,
    pendingChanges: null
  },
  endedTime: null,
  closedQuantity: ZERO
}
