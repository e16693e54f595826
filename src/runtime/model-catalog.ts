import { Context, Effect, Layer } from "effect"
import type { TradingModel } from "../engine/trading-model.ts"
import { UnknownModelError } from "./runtime-errors.ts"

/** Which model a simulation runs: a kind and its parameters, stored with the simulation. */
export interface ModelSpec {
  readonly kind: string
  readonly params?: unknown
}

export type ModelFactory = (params: unknown) => TradingModel

/** Turns stored model specs back into models (at creation and at recovery). */
export class ModelCatalog extends Context.Service<
  ModelCatalog,
  { readonly resolve: (spec: ModelSpec) => Effect.Effect<TradingModel, UnknownModelError> }
>()("paperfloor/runtime/ModelCatalog") {
  static layer(factories: Readonly<Record<string, ModelFactory>>): Layer.Layer<ModelCatalog> {
    return Layer.succeed(ModelCatalog, {
      resolve: (spec) => {
        const factory = factories[spec.kind]
        return factory === undefined
          ? Effect.fail(new UnknownModelError({ kind: spec.kind, known: Object.keys(factories) }))
          : Effect.sync(() => factory(spec.params))
      }
    })
  }
}
