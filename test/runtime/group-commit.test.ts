import { assert, describe, it } from "@effect/vitest"
import { Cause, Deferred, Effect, Exit, Fiber, Layer } from "effect"
import { makeGroupCommitter } from "../../src/runtime/group-commit.ts"
import { MemoryStore } from "../../src/runtime/memory-store.ts"
import { SimulationStore } from "../../src/runtime/simulation-store.ts"
import { takenKeysOf } from "../../src/runtime/store-errors.ts"
import { countingGatedStore } from "./fixtures.ts"

describe("group commit", () => {
  it.live("a key another process took fails only the commit that wrote it; the others in its group are written", () =>
    Effect.gen(function* () {
      const memory = MemoryStore.make({ entries: [["journal:moved:1", "the other runner's"]] })
      const gate = yield* Deferred.make<void>()
      // Holds the first write until the rest are queued behind it, so that they go in one group.
      const { store, writes } = countingGatedStore(memory, gate)
      const exits = yield* Effect.scoped(
        Effect.gen(function* () {
          const committer = yield* makeGroupCommitter
          const first = yield* Effect.forkChild(Effect.exit(committer.commit([{ type: "put", key: "meta:first", value: "1" }])))
          yield* Effect.yieldNow
          const moved = yield* Effect.forkChild(Effect.exit(committer.commit([{ type: "insert", key: "journal:moved:1", value: "mine" }], [["moved", 1]])))
          const stayed = yield* Effect.forkChild(Effect.exit(committer.commit([{ type: "insert", key: "journal:stayed:1", value: "mine" }], [["stayed", 1]])))
          yield* Effect.yieldNow
          yield* Deferred.succeed(gate, undefined)
          return yield* Effect.forEach([first, moved, stayed], Fiber.join)
        })
      ).pipe(Effect.provide(Layer.succeed(SimulationStore, store)))
      const [first, moved, stayed] = exits
      assert.isTrue(Exit.isSuccess(first!))
      assert.isTrue(Exit.isFailure(moved!))
      assert.deepStrictEqual(Exit.isFailure(moved!) ? takenKeysOf(Cause.squash(moved.cause)) : [], ["journal:moved:1"])
      assert.isTrue(Exit.isSuccess(stayed!))
      // The group of two failed whole, then the innocent one was written alone.
      assert.deepStrictEqual(writes, [1, 2, 1])
      assert.strictEqual(yield* memory.store.get("journal:moved:1"), "the other runner's")
      assert.strictEqual(yield* memory.store.get("journal:stayed:1"), "mine")
      assert.strictEqual(yield* memory.store.acknowledgedOf("stayed"), 1)
      assert.strictEqual(yield* memory.store.acknowledgedOf("moved"), undefined)
    }))
})
