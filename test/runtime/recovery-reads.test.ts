import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import { byKeyOrder, readStoredSimulations } from "../../src/runtime/recovery.ts"
import { SimulationSupervisor } from "../../src/runtime/simulation-supervisor.ts"
import { SimulationStore } from "../../src/runtime/simulation-store.ts"
import { StoreReadError } from "../../src/runtime/store-errors.ts"
import { keys } from "../../src/runtime/store-keys.ts"
import { catalogLayer, config, fingerprint, fingerprintOf, freshStore, inProcess, makeLogCapture, referenceRun, start, trend, update } from "./fixtures.ts"

const quiet = makeLogCapture().layer

// Ids whose records' keys sort apart from the ids themselves: "a.b:" < "a:" although "a" < "a.b".
const tricky = ["a", "a.b", "a-b", "a_b", "ab", "a0", "A", "a.b.c", "b"]

describe("recovery reads many simulations' records at once", () => {
  it.effect("each simulation gets exactly its own records, whatever ids sit next to it in key order", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      const ordered = byKeyOrder(tricky)
      assert.deepStrictEqual(ordered, [...tricky].sort((x, y) => (`${x}:` < `${y}:` ? -1 : 1)))
      const writes = tricky.flatMap((id, n) => [
        { type: "put" as const, key: keys.snapshot(id, 1), value: `s ${id}` },
        { type: "put" as const, key: keys.history(id, 1), value: `h ${id}` },
        ...Array.from({ length: n + 1 }, (_, i) => ({ type: "put" as const, key: keys.journal(id, i + 2), value: `j ${id} ${i}` }))
      ])
      yield* memory.store.write(writes)
      // Chunks as the supervisor makes them: adjacent in key order, here of 4.
      for (let at = 0; at < ordered.length; at += 4) {
        const ids = ordered.slice(at, at + 4)
        const read = yield* readStoredSimulations(ids).pipe(Effect.provideService(SimulationStore, memory.store))
        assert.deepStrictEqual([...read.keys()], ids)
        for (const id of ids) {
          const n = tricky.indexOf(id)
          const stored = read.get(id)!
          assert.deepStrictEqual(stored.snapshots, [[keys.snapshot(id, 1), `s ${id}`]])
          assert.deepStrictEqual(stored.histories, [[keys.history(id, 1), `h ${id}`]])
          assert.deepStrictEqual(stored.journal, Array.from({ length: n + 1 }, (_, i) => [keys.journal(id, i + 2), `j ${id} ${i}`]))
        }
      }
    }))

  it.live("a store of more simulations than one read takes, with ids that sort apart, recovers each as its own uninterrupted run", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      const ids = [...tricky, ...Array.from({ length: 140 }, (_, k) => `sim.${k}`)]
      const inputsOf = (k: number) => [start, ...Array.from({ length: 5 + (k % 7) }, (_, i) => update(i, 100 + ((i * 3 + k) % 11)))]
      yield* inProcess(memory, { snapshotEvery: 4 }, (supervisor) =>
        Effect.forEach(ids, (id, k) => Effect.andThen(supervisor.create({ id, config, model: { kind: "trend" } }), supervisor.submit(id, inputsOf(k))), { discard: true })
      )
      yield* inProcess(memory, { snapshotEvery: 4 }, (supervisor) =>
        Effect.gen(function* () {
          assert.deepStrictEqual(supervisor.unrecoverable, [])
          assert.strictEqual(supervisor.recovered.length, ids.length)
          for (const [k, id] of ids.entries()) {
            assert.strictEqual(supervisor.recovered.find((r) => r.id === id)?.seq, inputsOf(k).length)
            assert.deepStrictEqual(yield* fingerprintOf(supervisor, id), fingerprint(referenceRun(trend(undefined), inputsOf(k)).instance), id)
          }
        })
      )
    }).pipe(Effect.provide(quiet)))

  it.live("a chunk whose read fails is read simulation by simulation: only the one whose own read fails is not recovered", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      yield* inProcess(memory, { snapshotEvery: 2 }, (supervisor) =>
        Effect.forEach(["a", "b"], (id) => Effect.andThen(supervisor.create({ id, config, model: { kind: "trend" } }), supervisor.submit(id, [start, update(0, 10), update(1, 11)])), { discard: true })
      )
      // Reads of snapshots that take in "a" fail: the chunk's ("a" and "b") and then "a"'s own.
      const failing = SimulationStore.of({
        ...memory.store,
        range: (query) =>
          query.gte.startsWith("snapshot:a:") ? Effect.fail(new StoreReadError({ location: memory.store.location, cause: "injected" })) : memory.store.range(query)
      })
      const layer = SimulationSupervisor.layer({ snapshotEvery: 2 }).pipe(Layer.provide(Layer.merge(Layer.succeed(SimulationStore, failing), catalogLayer)))
      const supervisor = yield* Effect.scoped(Effect.map(Layer.build(layer), (context) => Context.get(context, SimulationSupervisor)))
      assert.deepStrictEqual(supervisor.unrecoverable.map((u) => [u.simulationId, u.error._tag]), [["a", "StoreReadError"]])
      assert.deepStrictEqual(supervisor.recovered.map((r) => [r.id, r.seq]), [["b", 3]])
    }).pipe(Effect.provide(quiet)))
})
