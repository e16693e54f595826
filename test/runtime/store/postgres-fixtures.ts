/** Shared by the PostgreSQL store tests: the run's server (test/postgres-setup.ts) and tables of their own per store. */
import { randomBytes } from "node:crypto"
import { inject } from "vitest"
import { Context, Effect, Exit, Layer, Scope } from "effect"
import { SimulationStore } from "../../../src/runtime/simulation-store.ts"

/** The throwaway PostgreSQL the global set-up started for this run. */
export const postgresUrl = (): string => inject("postgresUrl")

/**
 * A table prefix no other store in the run uses (test files run in parallel on one database), so
 * every store made with it starts empty.
 */
export const freshTablePrefix = (): string => `t${randomBytes(6).toString("hex")}_`

/**
 * Builds a store layer into a scope of its own, as a process that keeps its store open while
 * others work: `close` closes it, and so does the end of the test.
 */
export const openStore = (layer: Layer.Layer<SimulationStore, unknown>) =>
  Effect.gen(function*() {
    const scope = yield* Scope.make()
    yield* Effect.addFinalizer(() => Scope.close(scope, Exit.void))
    const store = Context.get(yield* Layer.buildWithScope(layer, scope), SimulationStore)
    return { store, close: Scope.close(scope, Exit.void) }
  })
