import { finalOrderStatuses, OrderStatuses, SimulationStatuses } from "../../machines/index.ts"
import { isDecimalString } from "../domain/decimal.ts"
import type { ValidationIssue } from "../domain/errors.ts"

/**
 * Where a snapshot breaks the shape the engine writes: the first field missing or of the wrong
 * kind, with its path (`orders[3].context.filledQuantity`) and the rule. A restore checks the live
 * state always, and the history (which grows with the run) only once reading it has failed, so
 * that a long run's restore does not pay for it; the config is the engine's constructor's to
 * check, and the format version is checked before.
 */

/** The issue of a value, its field a path relative to the value (empty for the value itself): paths are made only for an issue. */
type Check = (value: unknown) => ValidationIssue | null

/** `issue`, its field under `step` (a key, or `[i]`). */
const under = (step: string, issue: ValidationIssue): ValidationIssue => ({
  ...issue,
  field: issue.field === "" ? step : issue.field.startsWith("[") ? `${step}${issue.field}` : `${step}.${issue.field}`
})

const rule =
  (test: (v: unknown) => boolean, what: string): Check =>
  (value) =>
    test(value) ? null : { field: "", rule: `must be ${what}`, value }

const decimal = rule((v) => typeof v === "string" && isDecimalString(v), "a decimal string")
const text = rule((v) => typeof v === "string", "a string")
const flag = rule((v) => typeof v === "boolean", "true or false")
const finite = rule((v) => typeof v === "number" && Number.isFinite(v), "a finite number")
const count = rule((v) => Number.isSafeInteger(v) && (v as number) >= 0, "a whole number of at least 0")
const oneOf = (values: ReadonlyArray<string>): Check => rule((v) => values.includes(v as string), `one of ${values.join(", ")}`)
const side = oneOf(["buy", "sell"])

const orNull =
  (check: Check): Check =>
  (value) =>
    value === null ? null : check(value)

const orAbsent =
  (check: Check): Check =>
  (value) =>
    value === undefined ? null : check(value)

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v)

const struct = (fields: Readonly<Record<string, Check>>): Check => {
  const entries = Object.entries(fields)
  return (value) => {
    if (!isRecord(value)) return { field: "", rule: "must be an object", value }
    for (const [key, check] of entries) {
      const issue = check(value[key])
      if (issue !== null) return under(key, issue)
    }
    return null
  }
}

const list =
  (check: Check): Check =>
  (value) => {
    if (!Array.isArray(value)) return { field: "", rule: "must be an array", value }
    for (let i = 0; i < value.length; i++) {
      const issue = check(value[i])
      if (issue !== null) return under(`[${i}]`, issue)
    }
    return null
  }

/** An array of exactly these elements. */
const tuple =
  (...checks: ReadonlyArray<Check>): Check =>
  (value) => {
    if (!Array.isArray(value) || value.length !== checks.length) return { field: "", rule: `must be an array of ${checks.length}`, value }
    for (let i = 0; i < checks.length; i++) {
      const issue = checks[i]!(value[i])
      if (issue !== null) return under(`[${i}]`, issue)
    }
    return null
  }

const time = orNull(finite)
/** A price as the caller gave it: a number, or a decimal string. */
const priceInput = rule((v) => (typeof v === "number" && Number.isFinite(v)) || (typeof v === "string" && isDecimalString(v)), "a finite number or a decimal string")

const orderSpec = struct({ id: text, symbol: text, side, type: text, quantity: decimal, limitPrice: orNull(decimal), stopPrice: orNull(decimal), timeInForce: text })

const orderEntry = struct({
  status: oneOf(OrderStatuses),
  context: struct({ order: orderSpec, filledQuantity: decimal, averageFillPrice: orNull(decimal), commission: decimal, triggered: flag, reasons: list(text) }),
  positionCap: orNull(struct({ referencePrice: decimal, maxValue: decimal })),
  reservation: decimal,
  reservedFor: decimal,
  endedTime: orAbsent(finite),
  closedQuantity: orAbsent(decimal)
})

const fill = struct({
  orderId: text,
  symbol: text,
  side,
  quantity: decimal,
  price: decimal,
  marketPrice: decimal,
  commission: decimal,
  closingQuantity: decimal,
  openingQuantity: decimal,
  time,
  updateIndex: count
})

const direction = oneOf(["long", "short"])
const fillSum = struct({ quantity: decimal, value: decimal, onlyPrice: orNull(decimal) })

/** What every restore checks: all but the history, which grows with the run (orders past their status, fills, closed trades, equity points). */
const liveParts = {
  simulation: struct({ status: oneOf(SimulationStatuses), context: struct({ haltReason: orNull(text), haltedDay: orNull(finite), failureCause: orNull(text) }) }),
  orderSeq: count,
  updateIndex: count,
  lastTime: time,
  day: orNull(finite),
  pending: list(text),
  working: list(text),
  ledger: struct({
    cash: decimal,
    totalCommission: decimal,
    realizedPnl: decimal,
    positions: list(struct({ symbol: text, quantity: decimal, averageCost: decimal, realizedPnl: decimal }))
  }),
  marks: list(struct({ symbol: text, price: finite, source: priceInput })),
  dayStart: struct({ estimate: finite, cash: decimal, holdings: list(tuple(decimal, priceInput)) }),
  sessionDay: orAbsent(orNull(finite))
}

const openTrade = struct({ id: text, symbol: text, direction, entryTime: time, size: decimal, peakSize: decimal, entries: fillSum, exits: fillSum, grossPnl: decimal, commission: decimal })

const orderStatus = struct({ status: oneOf(OrderStatuses) })
const finalStatuses: ReadonlySet<unknown> = finalOrderStatuses

/** An open order whole (it trades again, and there are few), an ended one by its status (there are as many as the run made). */
const liveOrder: Check = (value) => orderStatus(value) ?? (finalStatuses.has((value as { status: unknown }).status) ? null : orderEntry(value))

const liveShape = struct({
  ...liveParts,
  orders: list(liveOrder),
  trades: struct({ seq: count, open: list(openTrade) })
})

const snapshotShape = struct({
  ...liveParts,
  orders: list(orderEntry),
  trades: struct({
    seq: count,
    closed: list(
      struct({ id: text, symbol: text, direction, open: flag, entryTime: time, exitTime: time, quantity: decimal, entryPrice: decimal, exitPrice: orNull(decimal), grossPnl: decimal, commission: decimal, netPnl: decimal })
    ),
    open: list(openTrade)
  }),
  fills: list(fill),
  equityCurve: struct({ times: list(time), equity: list(finite), longValue: list(finite), shortValue: list(finite) })
})

/** `issue` with the whole snapshot named as `(snapshot)`. */
const named = (issue: ValidationIssue | null): ValidationIssue | null => (issue === null || issue.field !== "" ? issue : { ...issue, field: "(snapshot)" })

/**
 * The first field of the live state (everything but the history) out of shape, or null: checked on
 * every restore, for a live state that reads without throwing may still be nonsense (a count as a
 * string, an unknown status) that fails later, half way through an update.
 */
export const liveStateIssue = (snapshot: unknown): ValidationIssue | null => named(liveShape(snapshot))

/** The first field of `snapshot` that breaks the shape the engine writes, or null when none does. */
export const snapshotIssue = (snapshot: unknown): ValidationIssue | null => named(snapshotShape(snapshot))
