import { Context, Effect, Layer } from "effect"
import { ModelCatalog, type ModelSpec } from "../runtime/model-catalog.ts"
import { LocalArtifactStore } from "./artifact-store.ts"
import type { ModelKind } from "./model-kind.ts"
import { ModelRegistry } from "./model-registry.ts"

/**
 * The runtime's model catalog over the registry at a storage root, for a process that runs
 * simulations deployed by another (a cluster runner): a spec naming a model it does not know yet
 * (a version registered after this process read the registry) reads the registry again before it
 * is refused.
 */
export const registryCatalogLayer = (storageRoot: string, kinds: ReadonlyArray<ModelKind> = []) =>
  Layer.effect(
    ModelCatalog,
    Effect.gen(function* () {
      const scope = yield* Effect.scope
      const load = Effect.gen(function* () {
        const registry = new ModelRegistry({ artifactStore: new LocalArtifactStore({ storageRoot }), kinds })
        const factories = yield* registry.effect.catalog()
        return yield* Layer.buildWithScope(ModelCatalog.layer(factories), scope)
      }).pipe(Effect.map((context) => Context.get(context, ModelCatalog)))
      let current = yield* load
      const resolve = (spec: ModelSpec) =>
        current.resolve(spec).pipe(
          Effect.catchTag("UnknownModelError", (unknown) =>
            load.pipe(
              // Reading the registry failed: the model stays unknown, as it was.
              Effect.catch(() => Effect.fail(unknown)),
              Effect.flatMap((reloaded) => {
                current = reloaded
                return reloaded.resolve(spec)
              })
            )
          )
        )
      return ModelCatalog.of({ resolve })
    })
  )
