import { ValidationError } from "../domain/errors.ts"
import type { MarketUpdateInput } from "../domain/market-update.ts"
import type { OrderRequest, ReplaceRequest } from "../domain/order.ts"
import type { OrderListRequest } from "../domain/order-list.ts"

/** Everything that can change a simulation: what its journal records, in order. */
export type SimulationInput =
  | { readonly type: "marketUpdate"; readonly update: MarketUpdateInput }
  | { readonly type: "submitOrder"; readonly request: OrderRequest }
  | { readonly type: "submitOrderList"; readonly request: OrderListRequest }
  | { readonly type: "cancelOrder"; readonly orderId: string }
  | { readonly type: "replaceOrder"; readonly orderId: string; readonly changes: ReplaceRequest }
  | { readonly type: "start" }
  | { readonly type: "pause" }
  | { readonly type: "resume" }
  | { readonly type: "stop" }
  | { readonly type: "restart" }

const subjectOf = (input: unknown): ValidationError["subject"] => {
  const type = (input as { type?: unknown } | null)?.type
  return type === "marketUpdate" ? "marketUpdate" : type === "replaceOrder" ? "replace" : "order"
}

/**
 * The input as the journal stores it. Live inputs are applied in this form too (a Decimal
 * becomes its string, a Date its ISO string), so a replay sees exactly what the live run saw.
 * What JSON cannot hold (a bigint, a cycle, a getter that throws) throws that input's
 * `ValidationError`, as the engine does for bad input, before it can join, and fail, a batch of
 * other callers' inputs.
 */
export const journalForm = (input: SimulationInput): { readonly json: string; readonly input: SimulationInput } => {
  let json: string | undefined
  let reason = "it has no JSON form"
  try {
    json = JSON.stringify(input)
  } catch (e) {
    reason = e instanceof Error ? e.message : String(e)
  }
  if (json === undefined)
    throw new ValidationError({
      subject: subjectOf(input),
      issues: [{ field: subjectOf(input) === "marketUpdate" ? "(update)" : "(input)", rule: `must be plain JSON, which the journal stores (${reason})`, value: input }]
    })
  return { json, input: JSON.parse(json) as SimulationInput }
}
