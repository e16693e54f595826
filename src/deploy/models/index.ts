import type { ModelKind } from "../model-kind.ts"
import { buyAndHoldKind } from "./buy-and-hold.ts"
import { meanReversionKind } from "./mean-reversion.ts"
import { momentumKind } from "./momentum.ts"
import { movingAverageCrossoverKind } from "./moving-average-crossover.ts"

export * from "./buy-and-hold.ts"
export * from "./mean-reversion.ts"
export * from "./momentum.ts"
export * from "./moving-average-crossover.ts"

/** The model kinds every registry knows. */
export const builtInModelKinds: ReadonlyArray<ModelKind> = [movingAverageCrossoverKind, momentumKind, meanReversionKind, buyAndHoldKind]
