import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { MemoryStore, MemoryStoreControl, compareKeys } from "../../../src/runtime/memory-store.ts"
import { SimulationStore } from "../../../src/runtime/simulation-store.ts"
import type { StoreWrite } from "../../../src/runtime/simulation-store.ts"
import { StoreReadError, StoreWriteError } from "../../../src/runtime/store-errors.ts"
import { storeContract } from "./store-contract.ts"

storeContract("MemoryStore", () => MemoryStore.layer())

const put = (key: string, value: string): StoreWrite => ({ type: "put", key, value })
const del = (key: string): StoreWrite => ({ type: "del", key })

describe("MemoryStore fault injection and inspection", () => {
  it.effect("a failing write surfaces as StoreWriteError and nothing of the batch is visible", () =>
    Effect.gen(function*() {
      const store = yield* SimulationStore
      const control = yield* MemoryStoreControl
      yield* store.write([put("a", "1"), put("b", "2")])
      const before = control.entries()

      control.failNextWrites()
      const error = yield* Effect.flip(store.write([put("a", "changed"), del("b"), put("c", "3")]))
      assert.instanceOf(error, StoreWriteError)
      assert.strictEqual(error._tag, "StoreWriteError")
      assert.strictEqual(error.location, "memory")
      assert.match(error.message, /memory.*nothing of the batch was written.*Injected write failure/)

      assert.deepStrictEqual(control.entries(), before)
      assert.strictEqual(yield* store.get("a"), "1")
      assert.strictEqual(yield* store.get("b"), "2")
      assert.strictEqual(yield* store.get("c"), undefined)
      assert.strictEqual(control.writeCount(), 1)

      // The fault was for one write only.
      yield* store.write([put("c", "3")])
      assert.strictEqual(yield* store.get("c"), "3")
      assert.strictEqual(control.writeCount(), 2)
    }).pipe(Effect.provide(MemoryStore.layer())))

  it.effect("failNextWrites(n) fails exactly the next n writes", () =>
    Effect.gen(function*() {
      const store = yield* SimulationStore
      const control = yield* MemoryStoreControl
      control.failNextWrites(2)
      const first = yield* Effect.result(store.write([put("a", "1")]))
      const second = yield* Effect.result(store.write([put("a", "2")]))
      const third = yield* Effect.result(store.write([put("a", "3")]))
      assert.deepStrictEqual([first._tag, second._tag, third._tag], ["Failure", "Failure", "Success"])
      assert.deepStrictEqual(control.entries(), [["a", "3"]])
    }).pipe(Effect.provide(MemoryStore.layer())))

  it.effect("the failWrites option fails the batches it selects, atomically", () =>
    Effect.gen(function*() {
      const store = yield* SimulationStore
      yield* store.write([put("journal/1", "ok")])
      const error = yield* Effect.flip(store.write([put("journal/2", "x"), put("snapshot/1", "big")]))
      assert.instanceOf(error, StoreWriteError)
      assert.deepStrictEqual(yield* store.range({ gte: "", lt: "~" }), [["journal/1", "ok"]])
    }).pipe(Effect.provide(MemoryStore.layer({
      failWrites: (batch) => batch.some((op) => op.key.startsWith("snapshot/"))
    }))))

  it.effect("failNextReads makes get and range fail with StoreReadError", () =>
    Effect.gen(function*() {
      const store = yield* SimulationStore
      const control = yield* MemoryStoreControl
      yield* store.write([put("a", "1")])
      control.failNextReads(2)
      const getError = yield* Effect.flip(store.get("a"))
      assert.instanceOf(getError, StoreReadError)
      assert.strictEqual(getError.key, "a")
      assert.match(getError.message, /"a".*memory/)
      const rangeError = yield* Effect.flip(store.range({ gte: "", lt: "~" }))
      assert.instanceOf(rangeError, StoreReadError)
      assert.strictEqual(rangeError.key, undefined)
      assert.strictEqual(yield* store.get("a"), "1")
    }).pipe(Effect.provide(MemoryStore.layer())))

  it.effect("corrupt and remove tamper with raw contents; entries() is a copy in key order", () =>
    Effect.gen(function*() {
      const store = yield* SimulationStore
      const control = yield* MemoryStoreControl
      yield* store.write([put("s/2", "good2"), put("s/1", "good1"), put("s/3", "good3")])
      control.corrupt("s/2", "{\"torn")
      control.remove("s/3")
      control.corrupt("s/0", "planted")
      assert.strictEqual(yield* store.get("s/2"), "{\"torn")
      assert.strictEqual(yield* store.get("s/3"), undefined)
      const entries = control.entries()
      assert.deepStrictEqual(entries, [["s/0", "planted"], ["s/1", "good1"], ["s/2", "{\"torn"]])
      ;(entries as Array<unknown>).length = 0
      assert.strictEqual(control.entries().length, 3)
      assert.deepStrictEqual((yield* store.range({ gte: "s/", lt: "s0", reverse: true, limit: 1 }))[0], ["s/2", "{\"torn"])
    }).pipe(Effect.provide(MemoryStore.layer())))

  it.effect("MemoryStore.make keeps its data across layer builds (a simulated restart)", () =>
    Effect.gen(function*() {
      const instance = MemoryStore.make({ entries: [["seed", "0"]] })
      yield* SimulationStore.use((store) => store.write([put("a", "1")])).pipe(Effect.provide(instance.layer))
      const after = yield* SimulationStore.use((store) => store.range({ gte: "", lt: "~" })).pipe(
        Effect.provide(instance.layer)
      )
      assert.deepStrictEqual(after, [["a", "1"], ["seed", "0"]])
      assert.deepStrictEqual(instance.control.entries(), after)
      assert.strictEqual(instance.store.location, "memory")
    }))

  it.effect("MemoryStore.layer gives a fresh store per build", () =>
    Effect.gen(function*() {
      const layer = MemoryStore.layer()
      yield* SimulationStore.use((store) => store.write([put("a", "1")])).pipe(Effect.provide(layer))
      const value = yield* SimulationStore.use((store) => store.get("a")).pipe(Effect.provide(layer))
      assert.strictEqual(value, undefined)
    }))

  it("compareKeys matches UTF-8 byte order", () => {
    const keys = ["", "a", "ab", "b", "\u007f", "\u0080", "\uD7FF", "\uE000", "\uFFFF", "\u{10000}", "\u{1F600}", "\u{10FFFF}"]
    for (const a of keys) {
      for (const b of keys) {
        const expected = Math.sign(Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8")))
        assert.strictEqual(Math.sign(compareKeys(a, b)), expected, `${JSON.stringify(a)} vs ${JSON.stringify(b)}`)
      }
    }
  })
})
