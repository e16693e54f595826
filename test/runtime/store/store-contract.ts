// The behaviour every SimulationStore layer must have; run against each implementation.
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect } from "effect"
import type { Layer } from "effect"
import { SimulationStore } from "../../../src/runtime/simulation-store.ts"
import type { StoreWrite } from "../../../src/runtime/simulation-store.ts"
import { takenKeysOf } from "../../../src/runtime/store-errors.ts"

const put = (key: string, value: string): StoreWrite => ({ type: "put", key, value })
const del = (key: string): StoreWrite => ({ type: "del", key })

const pad = (n: number): string => String(n).padStart(6, "0")

/** `makeLayer` must give a fresh, empty store on every build. */
export const storeContract = (name: string, makeLayer: () => Layer.Layer<SimulationStore, unknown>): void => {
  const run = <A, E>(body: Effect.Effect<A, E, SimulationStore>) => Effect.provide(body, makeLayer())

  describe(`SimulationStore contract: ${name}`, () => {
    it.effect("an empty store has no keys and names its location", () =>
      run(Effect.gen(function*() {
        const store = yield* SimulationStore
        assert.isTrue(store.location.length > 0)
        assert.strictEqual(yield* store.get("missing"), undefined)
        assert.deepStrictEqual(yield* store.range({ gte: "", lt: "\uffff" }), [])
      })))

    it.effect("puts are readable; a later put overwrites; values round-trip exactly", () =>
      run(Effect.gen(function*() {
        const store = yield* SimulationStore
        const json = JSON.stringify({ price: "101.25", note: "ünïcødé ✓ 😀", nested: [1, 2, { x: null }] })
        yield* store.write([put("a", "1"), put("b", json), put("big", "x".repeat(100_000))])
        assert.strictEqual(yield* store.get("a"), "1")
        assert.strictEqual(yield* store.get("b"), json)
        assert.strictEqual((yield* store.get("big"))?.length, 100_000)
        yield* store.write([put("a", "2")])
        assert.strictEqual(yield* store.get("a"), "2")
        yield* store.write([put("empty", "")])
        assert.strictEqual(yield* store.get("empty"), "")
      })))

    it.effect("deletes remove keys; deleting a missing key is not an error", () =>
      run(Effect.gen(function*() {
        const store = yield* SimulationStore
        yield* store.write([put("k1", "v1"), put("k2", "v2"), put("k3", "v3")])
        yield* store.write([del("k2"), del("never-there")])
        assert.strictEqual(yield* store.get("k2"), undefined)
        assert.deepStrictEqual(yield* store.range({ gte: "k", lt: "l" }), [["k1", "v1"], ["k3", "v3"]])
      })))

    it.effect("operations of a batch apply in order: the later one on a key wins", () =>
      run(Effect.gen(function*() {
        const store = yield* SimulationStore
        yield* store.write([put("x", "1"), del("x"), del("y"), put("y", "2"), put("z", "a"), put("z", "b")])
        assert.strictEqual(yield* store.get("x"), undefined)
        assert.strictEqual(yield* store.get("y"), "2")
        assert.strictEqual(yield* store.get("z"), "b")
      })))

    it.effect("an empty batch is accepted and changes nothing", () =>
      run(Effect.gen(function*() {
        const store = yield* SimulationStore
        yield* store.write([put("a", "1")])
        yield* store.write([])
        assert.deepStrictEqual(yield* store.range({ gte: "", lt: "~" }), [["a", "1"]])
      })))

    it.effect("range: gte inclusive, lt exclusive, ascending key order, other prefixes excluded", () =>
      run(Effect.gen(function*() {
        const store = yield* SimulationStore
        const journal = [5, 1, 10, 3, 2].map((n) => put(`sim/s1/journal/${pad(n)}`, `e${n}`))
        yield* store.write([
          ...journal,
          put("sim/s1/snapshot/000001", "snap"),
          put("sim/s10/journal/000001", "other"),
          put("sim/s0/journal/000001", "before")
        ])
        const all = yield* store.range({ gte: "sim/s1/journal/", lt: "sim/s1/journal/\uffff" })
        assert.deepStrictEqual(all.map(([, v]) => v), ["e1", "e2", "e3", "e5", "e10"])
        assert.deepStrictEqual(all[0], ["sim/s1/journal/000001", "e1"])
        const window = yield* store.range({ gte: `sim/s1/journal/${pad(2)}`, lt: `sim/s1/journal/${pad(5)}` })
        assert.deepStrictEqual(window.map(([k]) => k), [`sim/s1/journal/${pad(2)}`, `sim/s1/journal/${pad(3)}`])
      })))

    it.effect("range: reverse gives descending order; limit caps from the start of that order", () =>
      run(Effect.gen(function*() {
        const store = yield* SimulationStore
        yield* store.write([1, 2, 3, 4, 5].map((n) => put(`snap/${pad(n)}`, `s${n}`)))
        const q = { gte: "snap/", lt: "snap/\uffff" }
        assert.deepStrictEqual((yield* store.range({ ...q, reverse: true })).map(([, v]) => v), ["s5", "s4", "s3", "s2", "s1"])
        assert.deepStrictEqual(yield* store.range({ ...q, reverse: true, limit: 1 }), [["snap/000005", "s5"]])
        assert.deepStrictEqual((yield* store.range({ ...q, reverse: true, limit: 2 })).map(([, v]) => v), ["s5", "s4"])
        assert.deepStrictEqual((yield* store.range({ ...q, limit: 2 })).map(([, v]) => v), ["s1", "s2"])
        assert.deepStrictEqual((yield* store.range({ ...q, limit: 50 })).length, 5)
        assert.deepStrictEqual(
          (yield* store.range({ gte: "snap/000002", lt: "snap/000004", reverse: true })).map(([, v]) => v),
          ["s3", "s2"]
        )
      })))

    it.effect("range: limit 0 and empty or inverted bounds give nothing; a negative limit means no cap", () =>
      run(Effect.gen(function*() {
        const store = yield* SimulationStore
        yield* store.write([put("a", "1"), put("b", "2"), put("c", "3")])
        assert.deepStrictEqual(yield* store.range({ gte: "a", lt: "z", limit: 0 }), [])
        assert.deepStrictEqual(yield* store.range({ gte: "b", lt: "b" }), [])
        assert.deepStrictEqual(yield* store.range({ gte: "c", lt: "a" }), [])
        assert.deepStrictEqual(yield* store.range({ gte: "c", lt: "a", reverse: true }), [])
        assert.strictEqual((yield* store.range({ gte: "a", lt: "z", limit: -1 })).length, 3)
      })))

    it.effect("keys order by UTF-8 bytes (code points), as LevelDB orders them", () =>
      run(Effect.gen(function*() {
        const store = yield* SimulationStore
        const keys = ["k/\u{1F600}", "k/\uFFFD", "k/é", "k/z", "k/Z", "k/10", "k/9", "k/", "k/\u{10000}", "k/\uE000"]
        yield* store.write(keys.map((k) => put(k, k)))
        const expected = [...keys].sort((a, b) => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8")))
        assert.deepStrictEqual((yield* store.range({ gte: "k/", lt: "k0" })).map(([k]) => k), expected)
        assert.deepStrictEqual(
          (yield* store.range({ gte: "k/\uFFFD", lt: "k/\u{1F600}" })).map(([k]) => k),
          ["k/\uFFFD", "k/\u{10000}"]
        )
      })))

    it.effect("a large batch becomes visible as a whole", () =>
      run(Effect.gen(function*() {
        const store = yield* SimulationStore
        yield* store.write(Array.from({ length: 1_000 }, (_, i) => put(`j/${pad(i)}`, `v${i}`)))
        const all = yield* store.range({ gte: "j/", lt: "j0" })
        assert.strictEqual(all.length, 1_000)
        assert.deepStrictEqual(all[999], [`j/${pad(999)}`, "v999"])
      })))

    it.effect("marks are acknowledged with their batch: the highest per simulation, in the map and asked one by one", () =>
      run(Effect.gen(function*() {
        const store = yield* SimulationStore
        assert.strictEqual(yield* store.acknowledgedOf("s1"), undefined)
        yield* store.write([put("journal:s1:1", "a")], [["s1", 1], ["s2", 4]])
        yield* store.write([put("journal:s1:2", "b")], [["s1", 2]])
        // A lower mark never takes an acknowledgement back.
        yield* store.write([], [["s2", 3]])
        assert.strictEqual(yield* store.acknowledgedOf("s1"), 2)
        assert.strictEqual(yield* store.acknowledgedOf("s2"), 4)
        assert.strictEqual(store.acknowledged.get("s1"), 2)
        assert.strictEqual(yield* store.acknowledgedOf("never"), undefined)
      })))

    it.effect("an insert writes a new key; of a key that exists, it fails the whole batch where processes share the store (one process's store writes it)", () =>
      run(Effect.gen(function*() {
        const store = yield* SimulationStore
        yield* store.write([{ type: "insert", key: "journal:s:1", value: "first" }], [["s", 1]])
        assert.strictEqual(yield* store.get("journal:s:1"), "first")
        const second = yield* Effect.exit(store.write([put("other", "x"), { type: "insert", key: "journal:s:1", value: "second" }], [["s", 2]]))
        if (store.location.startsWith("/")) {
          // LevelDB: one process owns it under its lock, so an insert is a put.
          assert.isTrue(second._tag === "Success")
          return
        }
        assert.isTrue(second._tag === "Failure")
        // It says which keys were taken, so that only their writers fail.
        assert.deepStrictEqual(second._tag === "Failure" ? takenKeysOf(Cause.squash(second.cause)) : [], ["journal:s:1"])
        assert.strictEqual(yield* store.get("journal:s:1"), "first")
        assert.strictEqual(yield* store.get("other"), undefined)
        assert.strictEqual(yield* store.acknowledgedOf("s"), 1)
      })))
  })
}
