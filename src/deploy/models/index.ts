import type { ModelKind, ModelParamsInput } from "../model-kind.ts"
import { buyAndHoldKind } from "./buy-and-hold.ts"
import { meanReversionKind } from "./mean-reversion.ts"
import { momentumKind } from "./momentum.ts"
import { movingAverageCrossoverKind } from "./moving-average-crossover.ts"

export * from "./buy-and-hold.ts"
export * from "./mean-reversion.ts"
export * from "./momentum.ts"
export * from "./moving-average-crossover.ts"

/** The built-in kinds by name (each key is its kind's `kind`). */
export const builtInModelKindsByName = {
  "moving-average-crossover": movingAverageCrossoverKind,
  momentum: momentumKind,
  "mean-reversion": meanReversionKind,
  "buy-and-hold": buyAndHoldKind
} as const

export type BuiltInModelKindName = keyof typeof builtInModelKindsByName

/** The params each built-in kind takes, as `registerModel` is given them (fields with defaults may be left out). */
export type BuiltInModelParams = { readonly [K in BuiltInModelKindName]: ModelParamsInput<(typeof builtInModelKindsByName)[K]> }

/** The model kinds every registry knows. */
export const builtInModelKinds: ReadonlyArray<ModelKind> = Object.values(builtInModelKindsByName)
