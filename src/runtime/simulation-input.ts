import type { MarketUpdateInput } from "../domain/market-update.ts"
import type { OrderRequest, ReplaceRequest } from "../domain/order.ts"

/** Everything that can change a simulation: what its journal records, in order. */
export type SimulationInput =
  | { readonly type: "marketUpdate"; readonly update: MarketUpdateInput }
  | { readonly type: "submitOrder"; readonly request: OrderRequest }
  | { readonly type: "cancelOrder"; readonly orderId: string }
  | { readonly type: "replaceOrder"; readonly orderId: string; readonly changes: ReplaceRequest }
  | { readonly type: "start" }
  | { readonly type: "pause" }
  | { readonly type: "resume" }
  | { readonly type: "stop" }
  | { readonly type: "restart" }

/**
 * The input as the journal stores it. Live inputs are applied in this form too (a Decimal
 * becomes its string, a Date its ISO string), so a replay sees exactly what the live run saw.
 */
export const journalForm = (input: SimulationInput): { readonly json: string; readonly input: SimulationInput } => {
  const json = JSON.stringify(input)
  return { json, input: JSON.parse(json) as SimulationInput }
}
