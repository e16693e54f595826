// submitOnce (operations applied exactly once through the store) and the "onDemand" recovery mode runners use.
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Fiber } from "effect"
import { UnknownOrderError } from "../../src/domain/errors.ts"
import { readJournal } from "../../src/runtime/journal-record.ts"
import { takenKeysOf } from "../../src/runtime/store-errors.ts"
import { decodeRecord } from "../../src/runtime/record-codec.ts"
import {
  cancelOrder,
  config,
  fingerprint,
  fingerprintOf,
  freshStore,
  inProcess,
  journalKeysOf,
  makeLogCapture,
  referenceRun,
  snapshotKeysOf,
  start,
  storeEntries,
  submitOrder,
  trend,
  update
} from "./fixtures.ts"

const quiet = makeLogCapture().layer
const spec = (id: string) => ({ id, config, model: { kind: "trend", params: { every: 2, quantity: 3 } } })
const buy = submitOrder({ symbol: "AAA", side: "buy", type: "market", quantity: 2 })
const updates = (from: number, count: number) => Array.from({ length: count }, (_, i) => update(from + i, 10 + ((from + i) % 5)))

describe("SimulationSupervisor.submitOnce", () => {
  it.live("an operation sent twice applies once; the repeat answers the first's results (the order id) and no events", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      yield* inProcess(memory, {}, (sup) =>
        Effect.gen(function* () {
          yield* sup.create(spec("s"))
          const first = yield* sup.submitOnce("s", "client-1:1", [start, update(0, 10), buy])
          assert.deepStrictEqual(first.results.map((r) => r.ok), [true, true, true])
          assert.isTrue(first.events.some((e) => e.type === "orderSubmitted"))
          const orderId = (first.results[2] as { value: unknown }).value
          assert.isString(orderId)
          const before = yield* fingerprintOf(sup, "s")
          const again = yield* sup.submitOnce("s", "client-1:1", [start, update(0, 10), buy])
          assert.deepStrictEqual(again.results, first.results)
          assert.deepStrictEqual(again.events, [])
          assert.deepStrictEqual(yield* fingerprintOf(sup, "s"), before)
          // A new operation id applies.
          const other = yield* sup.submitOnce("s", "client-1:2", [update(1, 11)])
          assert.isTrue(other.results[0]!.ok)
          assert.strictEqual(other.seq, first.seq + 1)
        }))
    }).pipe(Effect.provide(quiet)))

  it.live("a refusal inside an operation comes back from the store as the same typed error", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      yield* inProcess(memory, {}, (sup) =>
        Effect.gen(function* () {
          yield* sup.create(spec("s"))
          const first = yield* sup.submitOnce("s", "op-1", [start, cancelOrder("no-such-order"), update(0, 10)])
          assert.isFalse(first.results[1]!.ok)
        }))
      // Another process over the same store: the answer is read back from the journal.
      yield* inProcess(memory, {}, (sup) =>
        Effect.gen(function* () {
          const again = yield* sup.submitOnce("s", "op-1", [start, cancelOrder("no-such-order"), update(0, 10)])
          const refusal = again.results[1]!
          assert.isFalse(refusal.ok)
          const error = (refusal as { error: unknown }).error
          assert.instanceOf(error, UnknownOrderError)
          assert.strictEqual((error as UnknownOrderError).orderId, "no-such-order")
          assert.strictEqual((yield* sup.inspect("s", (i) => i.engine.updateCount)), 1)
        }))
    }).pipe(Effect.provide(quiet)))

  it.live("operations stay exactly once across restarts, snapshots and journal pruning: the window travels in the snapshot", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      const options = { snapshotEvery: 3, keepSnapshots: 1 }
      const sent: Array<readonly [string, ReadonlyArray<ReturnType<typeof update>>]> = []
      yield* inProcess(memory, options, (sup) =>
        Effect.gen(function* () {
          yield* sup.create(spec("s"))
          yield* sup.send("s", start)
          for (let i = 0; i < 10; i++) {
            const batch = updates(i * 2, 2)
            sent.push([`op-${i}`, batch])
            yield* sup.submitOnce("s", `op-${i}`, batch)
          }
        }))
      // Pruning left only the newest snapshot and the records after it: early operations are known from the snapshot alone.
      assert.strictEqual(snapshotKeysOf(memory, "s").length, 1)
      assert.isFalse(journalKeysOf(memory, "s").some((key) => key.endsWith(":000000000002")))
      const reference = referenceRun(trend({ every: 2, quantity: 3 }), [start, ...sent.flatMap(([, batch]) => batch)]).instance
      yield* inProcess(memory, options, (sup) =>
        Effect.gen(function* () {
          // Every operation resent (in a shuffled order): nothing applies twice.
          for (const [id, batch] of [...sent].reverse()) {
            const again = yield* sup.submitOnce("s", id, batch)
            assert.deepStrictEqual(again.results.map((r) => r.ok), [true, true])
            assert.deepStrictEqual(again.events, [])
          }
          assert.deepStrictEqual(yield* fingerprintOf(sup, "s"), fingerprint(reference))
        }))
    }).pipe(Effect.provide(quiet)))

  it.live("an operation id sent again with other inputs: each refused naming operationId, nothing applied; with its own inputs it still answers as first", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      yield* inProcess(memory, {}, (sup) =>
        Effect.gen(function* () {
          yield* sup.create(spec("s"))
          const first = yield* sup.submitOnce("s", "op-1", [start, update(0, 10)])
          const before = yield* fingerprintOf(sup, "s")
          const other = yield* sup.submitOnce("s", "op-1", [update(1, 11), update(2, 12)])
          assert.strictEqual(other.results.length, 2)
          for (const r of other.results) {
            assert.isFalse(r.ok)
            const error = (r as { error: { _tag: string; issues: ReadonlyArray<{ field: string; value: unknown }> } }).error
            assert.strictEqual(error._tag, "ValidationError")
            assert.deepStrictEqual([error.issues[0]!.field, error.issues[0]!.value], ["operationId", "op-1"])
          }
          assert.deepStrictEqual(yield* fingerprintOf(sup, "s"), before)
          assert.deepStrictEqual((yield* sup.submitOnce("s", "op-1", [start, update(0, 10)])).results, first.results)
        }))
    }).pipe(Effect.provide(quiet)))

  it.live("an operation whose write failed was not applied: sent again, it applies (once)", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      yield* inProcess(memory, {}, (sup) =>
        Effect.gen(function* () {
          yield* sup.create(spec("s"))
          yield* sup.send("s", start)
          memory.control.failNextWrites(1)
          const failed = yield* Effect.exit(sup.submitOnce("s", "op-1", [update(0, 10), update(1, 11)]))
          assert.isTrue(Exit.isFailure(failed))
          assert.strictEqual(yield* sup.inspect("s", (i) => i.engine.updateCount), 0)
          yield* sup.submitOnce("s", "op-1", [update(0, 10), update(1, 11)])
          yield* sup.submitOnce("s", "op-1", [update(0, 10), update(1, 11)])
          assert.strictEqual(yield* sup.inspect("s", (i) => i.engine.updateCount), 2)
        }))
    }).pipe(Effect.provide(quiet)))

  it.live("an operation whose every input was refused changed nothing and is not remembered", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      yield* inProcess(memory, {}, (sup) =>
        Effect.gen(function* () {
          yield* sup.create(spec("s"))
          const journal = () => storeEntries(memory).filter(([key]) => key.startsWith("journal:s:")).length
          const refused = yield* sup.submitOnce("s", "op-1", [update(0, 10)])
          assert.instanceOf((refused.results[0] as { error: unknown }).error, Error)
          assert.strictEqual(journal(), 0)
          yield* sup.send("s", start)
          // The same id again is a new operation: it applies now that the simulation runs.
          const applied = yield* sup.submitOnce("s", "op-1", [update(0, 10)])
          assert.isTrue(applied.results[0]!.ok)
        }))
    }).pipe(Effect.provide(quiet)))

  it.live("a bad operation id is refused and nothing is applied", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      yield* inProcess(memory, {}, (sup) =>
        Effect.gen(function* () {
          yield* sup.create(spec("s"))
          for (const bad of ["", "a b", "x".repeat(129), "é", 42 as unknown as string]) {
            const exit = yield* Effect.exit(sup.submitOnce("s", bad, [start]))
            assert.isTrue(Exit.isFailure(exit))
            assert.strictEqual(Exit.isFailure(exit) ? (exit.cause.reasons[0] as { error?: { _tag?: string } } | undefined)?.error?._tag : undefined, "InvalidOperationIdError")
          }
          assert.strictEqual(yield* sup.inspect("s", (i) => i.engine.status), "deployed")
        }))
    }).pipe(Effect.provide(quiet)))

  it.live("the journal record names the operations whose inputs it holds", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      yield* inProcess(memory, {}, (sup) =>
        Effect.gen(function* () {
          yield* sup.create(spec("s"))
          yield* sup.submitOnce("s", "op-a", [start, update(0, 10)])
        }))
      const [key, value] = storeEntries(memory).find(([k]) => k.startsWith("journal:s:"))!
      const record = readJournal(decodeRecord(key, value))
      const operations = "operations" in record ? record.operations : undefined
      assert.deepStrictEqual(operations?.map(([id, results]) => [id, results]), [["op-a", 2]])
      assert.match(operations?.[0]?.[2] ?? "", /^[A-Za-z0-9_-]{22}$/)
    }).pipe(Effect.provide(quiet)))
})

describe("SimulationSupervisor, recovery onDemand", () => {
  const onDemand = { recovery: "onDemand" as const }
  /** "a", created and started at its first price. */
  const createdAndStarted = (sup: Parameters<Parameters<typeof inProcess>[2]>[0]) =>
    Effect.andThen(sup.create(spec("a")), sup.submit("a", [start, update(0, 10)]))

  it.live("nothing is recovered at start; a simulation is recovered when used, released, and recovered again exactly", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      const inputs = [start, ...updates(0, 12)]
      yield* inProcess(memory, { snapshotEvery: 5 }, (sup) =>
        Effect.gen(function* () {
          yield* sup.create(spec("a"))
          yield* sup.create(spec("b"))
          yield* sup.submit("a", inputs)
        }))
      const reference = referenceRun(trend({ every: 2, quantity: 3 }), inputs).instance
      yield* inProcess(memory, onDemand, (sup) =>
        Effect.gen(function* () {
          assert.deepStrictEqual(yield* sup.list, [])
          assert.deepStrictEqual(sup.recovered, [])
          assert.deepStrictEqual(yield* fingerprintOf(sup, "a"), fingerprint(reference))
          assert.deepStrictEqual(yield* sup.list, ["a"])
          yield* sup.release("a")
          assert.deepStrictEqual(yield* sup.list, [])
          yield* sup.submit("a", [update(12, 13)])
          reference.apply(update(12, 13))
          assert.deepStrictEqual(yield* fingerprintOf(sup, "a"), fingerprint(reference))
          const unknown = yield* Effect.exit(sup.hold("nope"))
          assert.isTrue(Exit.isFailure(unknown) && String(Exit.isFailure(unknown) ? unknown.cause : "").includes("UnknownSimulationError"))
          // Concurrent first uses recover once.
          yield* Effect.all([sup.hold("b"), sup.hold("b"), sup.inspect("b", (i) => i.engine.status)], { concurrency: "unbounded" })
          assert.deepStrictEqual([...(yield* sup.list)].sort(), ["a", "b"])
          // Creating an id the store holds (not held here) is refused.
          const exists = yield* Effect.exit(sup.create(spec("a")))
          assert.isTrue(Exit.isFailure(exists))
        }))
    }).pipe(Effect.provide(quiet)))

  it.live("a release refuses the inputs waiting for the simulation, and its next use recovers what was durable", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      yield* inProcess(memory, onDemand, (sup) =>
        Effect.gen(function* () {
          yield* createdAndStarted(sup)
          // Many senders at once: some are waiting in the mailbox when it is released.
          const fibers = yield* Effect.forEach(Array.from({ length: 50 }, (_, i) => i), (i) => Effect.forkChild(Effect.exit(sup.submitOnce("a", `op-${i}`, [update(1 + i, 11)]))))
          yield* sup.release("a")
          const exits = yield* Effect.forEach(fibers, Fiber.join)
          const refused = exits.filter((e) => Exit.isFailure(e))
          for (const e of refused) {
            assert.include(String(Exit.isFailure(e) ? e.cause : ""), "SimulationUnavailableError")
            assert.strictEqual(Exit.isFailure(e) ? (Cause.squash(e.cause) as { released?: unknown }).released : undefined, true)
          }
          // Sent again in order, every operation ends applied exactly once: the acknowledged ones answer from the store.
          for (let i = 0; i < 50; i++) {
            const again = yield* sup.submitOnce("a", `op-${i}`, [update(1 + i, 11)])
            assert.isTrue(again.results[0]!.ok, `op-${i}`)
          }
          assert.strictEqual(yield* sup.inspect("a", (i) => i.engine.updateCount), 51)
        }))
    }).pipe(Effect.provide(quiet)))

  it.live("an instance whose journal record another process took first fails naming it and reloads; sent again, the operation that process applied is answered from the store, and a new one applies after it", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      yield* inProcess(memory, onDemand, createdAndStarted)
      // Two runners hold "a" at once, as when a shard moved while its old runner was busy: both recovered it at seq 2.
      yield* inProcess(memory, onDemand, (old) =>
        inProcess(memory, onDemand, (moved) =>
          Effect.gen(function* () {
            yield* old.hold("a")
            yield* moved.hold("a")
            const first = yield* old.submitOnce("a", "op-1", [update(1, 11)])
            // The same operation sent to where the simulation now is: its record is taken, nothing is applied, and it
            // reloads; sent again (as the cluster client does), it is answered from the store, not applied again.
            const taken = yield* Effect.exit(moved.submitOnce("a", "op-1", [update(1, 11)]))
            assert.deepStrictEqual(Exit.isFailure(taken) ? takenKeysOf(Cause.squash(taken.cause)) : [], ["journal:a:000000000003"])
            const again = yield* moved.submitOnce("a", "op-1", [update(1, 11)])
            assert.deepStrictEqual(again.results, first.results)
            assert.strictEqual(again.seq, first.seq)
            // Another operation goes on after what the old runner wrote.
            const next = yield* moved.submitOnce("a", "op-2", [update(2, 12)])
            assert.isTrue(next.results[0]!.ok)
            assert.strictEqual(next.seq, first.seq + 1)
            assert.strictEqual(yield* moved.inspect("a", (i) => i.engine.updateCount), 3)
            // The other holder has not written since: a read there checks the store and reloads, rather than answer what it held.
            assert.strictEqual((yield* old.summary("a")).seq, next.seq)
            assert.strictEqual(yield* old.inspect("a", (i) => i.engine.updateCount), 3)
          })))
      const reference = referenceRun(trend({ every: 2, quantity: 3 }), [start, update(0, 10), update(1, 11), update(2, 12)]).instance
      yield* inProcess(memory, onDemand, (sup) => Effect.gen(function* () {
        assert.deepStrictEqual(yield* fingerprintOf(sup, "a"), fingerprint(reference))
      }))
    }).pipe(Effect.provide(quiet)))
})

describe("SimulationSupervisor.create with an operation id", () => {
  it.live("a creation sent again succeeds (in this process and in the next); any other creation of the id is refused", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      yield* inProcess(memory, {}, (sup) =>
        Effect.gen(function* () {
          yield* sup.create(spec("s"), "create-1")
          yield* sup.create(spec("s"), "create-1")
          const other = yield* Effect.exit(sup.create(spec("s"), "create-2"))
          assert.include(String(Exit.isFailure(other) ? other.cause : ""), "SimulationExistsError")
          const plain = yield* Effect.exit(sup.create(spec("s")))
          assert.include(String(Exit.isFailure(plain) ? plain.cause : ""), "SimulationExistsError")
        }))
      yield* inProcess(memory, { recovery: "onDemand" }, (sup) =>
        Effect.gen(function* () {
          // Not held here: the stored record says which operation made it.
          yield* sup.create(spec("s"), "create-1")
          const other = yield* Effect.exit(sup.create(spec("s"), "create-2"))
          assert.include(String(Exit.isFailure(other) ? other.cause : ""), "SimulationExistsError")
          const bad = yield* Effect.exit(sup.create(spec("t"), "bad id"))
          assert.include(String(Exit.isFailure(bad) ? bad.cause : ""), "InvalidOperationIdError")
          assert.deepStrictEqual([...(yield* sup.list)], [])
        }))
    }).pipe(Effect.provide(quiet)))
})
