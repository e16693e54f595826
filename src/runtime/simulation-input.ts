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

export interface JournalForm {
  readonly json: string
  readonly input: SimulationInput
}

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
export const journalForm = (input: SimulationInput): JournalForm => {
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

const isInputObject = (value: unknown): boolean => value !== null && typeof value === "object" && !Array.isArray(value)

/** A caller's inputs in journal form: each input's form, or its refusal; `json` is all of them as one JSON array's items when each has a form. */
export interface JournalBatch {
  readonly forms: ReadonlyArray<SimulationInput | ValidationError>
  readonly json: string | null
}

/**
 * A caller's inputs in journal form, the usual batch made JSON and read back once as a whole
 * (one call each way costs far less than one per input). A batch where some input has no JSON
 * form, or one that is not an object, is taken input by input, so that only those are refused.
 */
export const journalBatch = (inputs: ReadonlyArray<SimulationInput>): JournalBatch => {
  let json: string | undefined
  try {
    json = JSON.stringify(inputs)
  } catch {
    json = undefined
  }
  const forms = json === undefined ? undefined : (JSON.parse(json) as unknown[])
  if (json !== undefined && forms !== undefined && forms.length === inputs.length && forms.every(isInputObject))
    return { forms: forms as SimulationInput[], json: json.slice(1, -1) }
  return {
    forms: inputs.map((input) => {
      try {
        return journalForm(input).input
      } catch (e) {
        if (e instanceof ValidationError) return e
        throw e
      }
    }),
    json: null
  }
}
