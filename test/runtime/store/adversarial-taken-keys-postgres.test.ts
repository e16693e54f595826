// Adversarial tests of taken journal keys on the PostgreSQL store (the run's server).
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Layer } from "effect"
import { makeGroupCommitter } from "../../../src/runtime/group-commit.ts"
import { PostgresStore } from "../../../src/runtime/postgres-store.ts"
import { SimulationStore } from "../../../src/runtime/simulation-store.ts"
import { StoreWriteError, takenKeysOf } from "../../../src/runtime/store-errors.ts"
import { freshTablePrefix, openStore, postgresUrl } from "./postgres-fixtures.ts"

describe("PostgresStore: taken keys, adversarially", () => {
  it.effect("a batch inserting one key twice fails whole (the second insert finds it taken), rather than keeping the last", () =>
    Effect.gen(function*() {
      const { store } = yield* openStore(PostgresStore.layer({ url: postgresUrl(), tablePrefix: freshTablePrefix() }))
      const exit = yield* Effect.exit(store.write([
        { type: "insert", key: "journal:a:3", value: "first" },
        { type: "insert", key: "journal:a:3", value: "second" }
      ], [["a", 3]]))
      assert.isTrue(Exit.isFailure(exit))
      assert.strictEqual(yield* store.get("journal:a:3"), undefined)
    }))

  it.effect("several processes' keys taken in one group: each writer fails with exactly its keys named, the rest is written", () =>
    Effect.gen(function*() {
      const layer = PostgresStore.layer({ url: postgresUrl(), tablePrefix: freshTablePrefix() })
      const other = yield* openStore(layer)
      const mine = yield* openStore(layer)
      yield* other.store.write([{ type: "insert", key: "journal:m1:1", value: "theirs" }, { type: "insert", key: "journal:m2:5", value: "theirs" }], [["m1", 1], ["m2", 5]])
      const ids = ["m1", "s1", "m2", "s2"]
      const exits = yield* Effect.scoped(
        Effect.gen(function*() {
          const committer = yield* makeGroupCommitter
          return yield* Effect.all(
            ids.map((id) =>
              Effect.exit(committer.commit(
                [
                  { type: "put", key: `snapshot:${id}:9`, value: "snap" },
                  { type: "insert", key: id === "m2" ? "journal:m2:5" : `journal:${id}:1`, value: "mine" }
                ],
                [[id, 9]]
              ))
            ),
            { concurrency: "unbounded" }
          )
        })
      ).pipe(Effect.provide(Layer.succeed(SimulationStore, mine.store)))
      const byId = new Map(ids.map((id, i) => [id, exits[i]!]))
      for (const id of ["m1", "m2"]) {
        const exit = byId.get(id)!
        assert.isTrue(Exit.isFailure(exit), id)
        const error = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined
        assert.instanceOf(error, StoreWriteError)
        assert.include(takenKeysOf(error), id === "m1" ? "journal:m1:1" : "journal:m2:5")
        assert.strictEqual(yield* mine.store.get(`snapshot:${id}:9`), undefined)
        assert.strictEqual(yield* mine.store.acknowledgedOf(id), id === "m1" ? 1 : 5)
      }
      for (const id of ["s1", "s2"]) {
        assert.isTrue(Exit.isSuccess(byId.get(id)!), id)
        assert.strictEqual(yield* mine.store.get(`journal:${id}:1`), "mine")
        assert.strictEqual(yield* mine.store.acknowledgedOf(id), 9)
      }
      assert.strictEqual(yield* mine.store.get("journal:m1:1"), "theirs")
    }))
})
