import { Result } from "effect"
import { ValidationError, type ValidationIssue } from "./errors.ts"
import { type OrderListKind, OrderListKinds, type OrderListRole, type OrderRequest, type OrderType, type ValidOrderRequest } from "./order.ts"
import { readPlainInput, unreadableIssue } from "./plain-input.ts"

/**
 * A child of an OTO or a bracket: an order without symbol, side or quantity, which it takes from
 * its entry (the same symbol, the other side, and what the entry filled). `type` defaults to
 * `limit` for a take-profit and `stop` for a stop-loss; its time in force to `gtc`.
 */
export type ChildOrderRequest = Omit<OrderRequest, "symbol" | "side" | "quantity" | "type"> & { readonly type?: OrderType }

/**
 * Orders submitted as one list, accepted or refused whole:
 * - `oco`: two or more orders in one symbol and of one quantity; when one fills (even in part), is
 *   cancelled, expires or is rejected, the others are cancelled (or reduced: `ocoOnPartialFill`);
 * - `oto`: an entry and one child (`takeProfit` or `stopLoss`), which works once the entry has filled;
 * - `bracket`: an entry and both children, which are an OCO pair once the entry has filled.
 */
export type OrderListRequest =
  | { readonly kind: "oco"; readonly orders: ReadonlyArray<OrderRequest> }
  | { readonly kind: "oto"; readonly entry: OrderRequest; readonly takeProfit?: ChildOrderRequest; readonly stopLoss?: ChildOrderRequest }
  | { readonly kind: "bracket"; readonly entry: OrderRequest; readonly takeProfit: ChildOrderRequest; readonly stopLoss: ChildOrderRequest }

/** One order of a valid list: its part, where it was in the request (for messages), and its validated fields. */
export interface ValidListOrder {
  readonly role: OrderListRole
  readonly path: string
  readonly order: ValidOrderRequest
}

/** A valid list: its orders in the order they are placed (an OTO's or a bracket's entry first). */
export interface ValidOrderList {
  readonly kind: OrderListKind
  readonly orders: ReadonlyArray<ValidListOrder>
}

const CHILD_TYPES: Readonly<Record<"takeProfit" | "stopLoss", ReadonlyArray<OrderType>>> = {
  takeProfit: ["limit"],
  stopLoss: ["stop", "stopLimit", "trailingStop"]
}
const FIELDS: Readonly<Record<OrderListKind, ReadonlyArray<string>>> = {
  oco: ["kind", "orders"],
  oto: ["kind", "entry", "takeProfit", "stopLoss"],
  bracket: ["kind", "entry", "takeProfit", "stopLoss"]
}
/** What a child takes from its entry, so it may not give. */
const FROM_ENTRY = ["symbol", "side", "quantity"] as const

const isRecord = (u: unknown): u is Record<string, unknown> => u !== null && typeof u === "object" && !Array.isArray(u)

type OrderValidator = (input: unknown) => Result.Result<ValidOrderRequest, ValidationError>

/**
 * Validates an order list in one pass: every order by the order rules (issues named by their path
 * in the list, e.g. `stopLoss.stopPrice`), plus the list's own rules. Every issue is reported.
 * The input is read once into plain data first: the children take the entry's symbol and side from
 * a second look at it, which a getter could otherwise answer differently.
 */
export const validateOrderList = (list: unknown, validateOrder: OrderValidator): Result.Result<ValidOrderList, ValidationError> => {
  const issues: ValidationIssue[] = []
  const fail = (): Result.Result<ValidOrderList, ValidationError> => Result.fail(new ValidationError({ subject: "orderList", issues }))
  const read = readPlainInput(list)
  if (Result.isFailure(read)) {
    issues.push(unreadableIssue(read.failure, read.failure.path.length === 0 ? "(input)" : read.failure.path.join(".")))
    return fail()
  }
  const input = read.success
  if (!isRecord(input)) {
    issues.push({ field: "(input)", rule: "must be an order list ({ kind, … })", value: input })
    return fail()
  }
  const kind = input["kind"]
  if (!(OrderListKinds as ReadonlyArray<unknown>).includes(kind)) {
    issues.push({ field: "kind", rule: `must be one of ${OrderListKinds.join(", ")}`, value: kind })
    return fail()
  }
  const listKind = kind as OrderListKind
  for (const key of Object.keys(input)) if (!FIELDS[listKind].includes(key)) issues.push({ field: key, rule: `is not a field of an ${listKind} list`, value: input[key] })
  const validate = (path: string, order: unknown): ValidOrderRequest | null => {
    const result = validateOrder(order)
    if (Result.isSuccess(result)) return result.success
    for (const i of result.failure.issues) issues.push({ ...i, field: i.field === "(input)" ? path : `${path}.${i.field}` })
    return null
  }
  const orders: ValidListOrder[] = []
  if (listKind === "oco") {
    const members = input["orders"]
    if (!Array.isArray(members) || members.length < 2) {
      issues.push({ field: "orders", rule: "must be an array of at least two orders", value: members })
      return fail()
    }
    // A hole is a missing member, not one to skip past the group's rules (counted by the members
    // present, so that a vast sparse array costs no more than its members).
    const present = Object.keys(members).length
    if (present !== members.length) {
      issues.push({ field: "orders", rule: "must have no holes (missing members)", value: `${present} members in an array of length ${members.length}` })
      return fail()
    }
    members.forEach((m, i) => {
      const order = validate(`orders.${i}`, m)
      if (order !== null) orders.push({ role: "member", path: `orders.${i}`, order })
    })
    const first = orders[0]
    if (first !== undefined && first.path === "orders.0")
      for (const o of orders.slice(1)) {
        if (o.order.symbol !== first.order.symbol) issues.push({ field: `${o.path}.symbol`, rule: `must be the group's symbol, ${first.order.symbol}`, value: o.order.symbol })
        if (o.order.quantity !== first.order.quantity) issues.push({ field: `${o.path}.quantity`, rule: `must be the group's quantity, ${first.order.quantity}`, value: o.order.quantity })
      }
  } else {
    const entryInput = input["entry"]
    const entry = validate("entry", entryInput)
    if (entry !== null) orders.push({ role: "entry", path: "entry", order: entry })
    const roles = (["takeProfit", "stopLoss"] as const).filter((role) => input[role] !== undefined)
    if (listKind === "bracket")
      for (const role of ["takeProfit", "stopLoss"] as const) if (!roles.includes(role)) issues.push({ field: role, rule: "is required for a bracket", value: undefined })
    if (listKind === "oto" && roles.length !== 1) issues.push({ field: "takeProfit", rule: "or stopLoss (exactly one of them) is required for an oto", value: roles })
    for (const role of roles) {
      const child = input[role]
      if (!isRecord(child)) {
        issues.push({ field: role, rule: "must be an order without symbol, side or quantity", value: child })
        continue
      }
      for (const field of FROM_ENTRY) if (child[field] !== undefined) issues.push({ field: `${role}.${field}`, rule: "is taken from the entry and cannot be given", value: child[field] })
      const type = child["type"] ?? CHILD_TYPES[role][0]
      if (!CHILD_TYPES[role].includes(type as OrderType)) {
        issues.push({ field: `${role}.type`, rule: `must be ${CHILD_TYPES[role].join(", ")} for a ${role}`, value: type })
        continue
      }
      const raw = isRecord(entryInput) ? entryInput : {}
      const side = raw["side"] === "buy" ? "sell" : "buy"
      const before = issues.length
      const order = validate(role, { timeInForce: "gtc", ...child, type, symbol: raw["symbol"], side, quantity: raw["quantity"] })
      // The entry's own fields are reported once, at the entry.
      const own = issues.splice(before).filter((i) => !FROM_ENTRY.some((f) => i.field === `${role}.${f}`))
      issues.push(...own)
      if (order !== null && own.length === 0) orders.push({ role, path: role, order })
    }
  }
  const seen = new Map<string, string>()
  for (const o of orders) {
    const id = o.order.clientOrderId
    if (id === null) continue
    const earlier = seen.get(id)
    if (earlier !== undefined) issues.push({ field: `${o.path}.clientOrderId`, rule: `must differ from ${earlier}.clientOrderId in the same list`, value: id })
    else seen.set(id, o.path)
  }
  return issues.length > 0 ? fail() : Result.succeed({ kind: listKind, orders })
}
