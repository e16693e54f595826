import { ValidationError } from "../domain/errors.ts"
import { fieldOf } from "../domain/input-path.ts"
import { firstNotJson } from "../domain/json.ts"
import type { SimulationConfigInput } from "../domain/simulation-config.ts"
import type { ModelSpec } from "./model-catalog.ts"

/** What a simulation is made from: its id, its config and its model. */
export interface SimulationSpec {
  readonly id: string
  readonly config?: SimulationConfigInput
  readonly model: ModelSpec
}

/**
 * The model's params as the store keeps them (plain JSON), checked before a simulation is made
 * from them: a cycle, a bigint or a function there is refused naming where it is, not thrown from
 * inside the store's write.
 */
export const modelParamsIssue = (spec: SimulationSpec): ValidationError | undefined => {
  const notJson = firstNotJson(spec.model.params)
  if (notJson === undefined) return undefined
  return new ValidationError({
    subject: "config",
    issues: [{ field: fieldOf(notJson.path, "model.params"), rule: `must be plain JSON, which the store keeps (it holds ${notJson.reason})`, value: undefined }]
  })
}
