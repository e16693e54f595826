import { ValidationError } from "../domain/errors.ts"
import type { MarketUpdateInput } from "../domain/market-update.ts"
import type { OrderRequest, ReplaceRequest } from "../domain/order.ts"
import type { OrderListRequest } from "../domain/order-list.ts"
import { NOT_SHAPED, readShaped, type Shape, shapeOf } from "./input-shape.ts"

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
  return { input: JSON.parse(json) as SimulationInput }
}

const isInputObject = (value: unknown): boolean => value !== null && typeof value === "object" && !Array.isArray(value)

/** The input's journal form, or its refusal. */
const formOrRefusal = (input: SimulationInput): SimulationInput | ValidationError => {
  try {
    return journalForm(input).input
  } catch (e) {
    if (e instanceof ValidationError) return e
    throw e
  }
}

/**
 * A caller's inputs in journal form: each input's form, or its refusal. An input of the same
 * shape as the one before it (a feed's next market update) is read by that shape, straight into
 * its form (`readShaped`); any other goes through JSON, and its form's shape is the next one's.
 */
export const journalBatch = (inputs: ReadonlyArray<SimulationInput>): ReadonlyArray<SimulationInput | ValidationError> => {
  const forms: Array<SimulationInput | ValidationError> = []
  let shape: Shape | null = null
  for (const input of inputs) {
    if (shape !== null) {
      let form: unknown = NOT_SHAPED
      try {
        form = readShaped(shape, input)
      } catch {
        // A getter that throws: the JSON way refuses the input, naming why.
      }
      if (form !== NOT_SHAPED) {
        forms.push(form as SimulationInput)
        continue
      }
    }
    const form = formOrRefusal(input)
    forms.push(form)
    shape = form instanceof ValidationError || !isInputObject(form) ? null : shapeOf(form)
  }
  return forms
}
