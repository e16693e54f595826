import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import type { TradingModel } from "../../src/engine/trading-model.ts"
import { ModelCatalog } from "../../src/runtime/model-catalog.ts"
import { UnknownModelError } from "../../src/runtime/runtime-errors.ts"

const idle: TradingModel = { initialState: null, onUpdate: (state) => ({ state }) }

const resolving = (kind: string) =>
  Effect.gen(function* () {
    const catalog = yield* ModelCatalog
    return yield* catalog.resolve({ kind })
  }).pipe(Effect.provide(ModelCatalog.layer({ idle: () => idle })))

describe("ModelCatalog", () => {
  it("resolves a kind it was given", async () => {
    expect(await Effect.runPromise(resolving("idle"))).toBe(idle)
  })

  // A plain object's inherited properties are not kinds: a stored spec naming one must not reach them.
  it.each(["toString", "constructor", "__proto__", "hasOwnProperty", "valueOf"])("refuses %s with UnknownModelError, naming the known kinds", async (kind) => {
    expect(await Effect.runPromise(Effect.flip(resolving(kind)))).toEqual(new UnknownModelError({ kind, known: ["idle"] }))
  })
})
