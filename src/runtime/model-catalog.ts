import { Context, Effect, Layer } from "effect"
import type { TradingModel } from "../engine/trading-model.ts"
import { releaseModel } from "./isolation/isolated-model.ts"
import { UnknownModelError } from "./runtime-errors.ts"

/** Which model a simulation runs: a kind and its parameters, stored with the simulation. */
export interface ModelSpec {
  readonly kind: string
  readonly params?: unknown
}

/** Builds a model from its params, at once or as a Promise (validating params may be asynchronous). */
export type ModelFactory = (params: unknown) => TradingModel | PromiseLike<TradingModel>

const isPromiseLike = (u: unknown): u is PromiseLike<unknown> => typeof (u as { then?: unknown } | null)?.then === "function"

/**
 * Turns stored model specs back into models (at creation and at recovery). A factory that throws
 * or rejects is a defect. When the layer closes, the models it made release what they hold (an
 * isolated model's worker).
 */
export class ModelCatalog extends Context.Service<
  ModelCatalog,
  { readonly resolve: (spec: ModelSpec) => Effect.Effect<TradingModel, UnknownModelError> }
>()("paperfloor/runtime/ModelCatalog") {
  static layer(factories: Readonly<Record<string, ModelFactory>>): Layer.Layer<ModelCatalog> {
    return Layer.effect(
      ModelCatalog,
      Effect.gen(function* () {
        const made = new Set<TradingModel>()
        yield* Effect.addFinalizer(() => Effect.sync(() => made.forEach(releaseModel)))
        return {
          resolve: (spec: ModelSpec) => {
            // Own kinds only: `toString` or `__proto__` in a stored spec must not reach Object.prototype.
            const factory = Object.hasOwn(factories, spec.kind) ? factories[spec.kind] : undefined
            if (factory === undefined) return Effect.fail(new UnknownModelError({ kind: spec.kind, known: Object.keys(factories) }))
            return Effect.flatMap(
              Effect.sync(() => factory(spec.params)),
              (model) => (isPromiseLike(model) ? Effect.promise(() => Promise.resolve(model)) : Effect.succeed(model))
            ).pipe(Effect.tap((model) => Effect.sync(() => made.add(model))))
          }
        }
      })
    )
  }
}
