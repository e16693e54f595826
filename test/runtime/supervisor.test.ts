import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { ValidationError } from "../../src/domain/errors.ts"
import { decodeRecord } from "../../src/runtime/record-codec.ts"
import { InvalidSimulationIdError, SimulationExistsError, UnknownModelError, UnknownSimulationError } from "../../src/runtime/runtime-errors.ts"
import type { SimulationInput } from "../../src/runtime/simulation-input.ts"
import type { SupervisedEvent } from "../../src/runtime/simulation-supervisor.ts"
import {
  buyOnce,
  cancelOrder,
  config,
  fingerprint,
  fingerprintOf,
  freshStore,
  inProcess,
  journalOf,
  makeLogCapture,
  referenceRun,
  snapshotKeysOf,
  start,
  minute,
  statusOf,
  stop,
  storeEntries,
  submitOrder,
  subscribeEvents,
  T0,
  trend,
  update
} from "./fixtures.ts"

const quiet = makeLogCapture().layer

const tags = (events: ReadonlyArray<SupervisedEvent>) => events.map((e) => `${e.simulationId}:${e.event.type}`)

describe("SimulationSupervisor", () => {
  it.live("create (deployed) → start → updates: the model's order is accepted and fills, and every input is journaled", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      yield* inProcess(memory, {}, (supervisor) =>
        Effect.gen(function* () {
          yield* supervisor.create({ id: "sim-1", config, model: { kind: "buyOnce", params: { quantity: 10 } } })
          assert.deepStrictEqual(yield* supervisor.list, ["sim-1"])
          assert.strictEqual(yield* statusOf(supervisor, "sim-1"), "deployed")
          assert.isTrue(storeEntries(memory).some(([key]) => key === "meta:sim-1"))

          yield* supervisor.send("sim-1", start)
          assert.strictEqual(yield* statusOf(supervisor, "sim-1"), "running")
          const results = yield* supervisor.submit("sim-1", [update(0, 10), update(1, 11), update(2, 12)])
          assert.deepStrictEqual(results.map((r) => r.ok), [true, true, true])

          const fills = yield* supervisor.inspect("sim-1", (i) => i.engine.getFills())
          assert.strictEqual(fills.length, 1)
          assert.strictEqual(fills[0]!.side, "buy")
          assert.strictEqual(fills[0]!.quantity, "10")
          assert.strictEqual(fills[0]!.marketPrice, "11")
          assert.strictEqual((yield* supervisor.inspect("sim-1", (i) => i.engine.positionOf("AAA"))).toString(), "10")

          // The journal holds exactly the acknowledged inputs, in order.
          const inputs = [start, update(0, 10), update(1, 11), update(2, 12)]
          assert.deepStrictEqual(journalOf(memory, "sim-1"), inputs.map((input, i) => ({ seq: i + 1, input })))
          // And the supervised run is the uninterrupted run.
          const reference = referenceRun(buyOnce({ quantity: 10 }), inputs)
          assert.deepStrictEqual(yield* fingerprintOf(supervisor, "sim-1"), fingerprint(reference.instance))
        })
      )
    }).pipe(Effect.provide(quiet)))

  it.live("order commands: submit returns the order id, a resting limit is cancelled, a market order fills on the next update", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      yield* inProcess(memory, {}, (supervisor) =>
        Effect.gen(function* () {
          yield* supervisor.create({ id: "manual", config, model: { kind: "idle" } })
          yield* supervisor.submit("manual", [start, update(0, 50)])
          const limit = yield* supervisor.send("manual", submitOrder({ symbol: "AAA", side: "buy", type: "limit", quantity: 5, limitPrice: 40, timeInForce: "gtc" }))
          assert.strictEqual(limit, "O-000001")
          yield* supervisor.send("manual", update(1, 50))
          assert.deepStrictEqual(yield* supervisor.inspect("manual", (i) => i.engine.getOpenOrders().map((o) => [o.id, o.status])), [["O-000001", "accepted"]])
          yield* supervisor.send("manual", cancelOrder("O-000001"))
          assert.strictEqual(yield* supervisor.inspect("manual", (i) => i.engine.getOrder("O-000001").status), "cancelled")

          const market = yield* supervisor.send("manual", submitOrder({ symbol: "AAA", side: "buy", type: "market", quantity: 2 }))
          assert.strictEqual(market, "O-000002")
          yield* supervisor.send("manual", update(2, 51))
          assert.strictEqual(yield* supervisor.inspect("manual", (i) => i.engine.getOrder("O-000002").status), "filled")
        })
      )
    }).pipe(Effect.provide(quiet)))

  it.live("refused inputs return their typed error, change nothing and write nothing", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      yield* inProcess(memory, {}, (supervisor) =>
        Effect.gen(function* () {
          yield* supervisor.create({ id: "r", config, model: { kind: "trend" } })

          // Before start: an update is a state error.
          let entries = storeEntries(memory)
          let writes = memory.control.writeCount()
          const early = yield* Effect.flip(supervisor.send("r", update(0, 10)))
          assert.strictEqual(early._tag, "SimulationStateError")
          assert.deepStrictEqual(storeEntries(memory), entries)
          assert.strictEqual(memory.control.writeCount(), writes)

          yield* supervisor.submit("r", [start, update(0, 10), update(1, 11)])
          entries = storeEntries(memory)
          writes = memory.control.writeCount()
          const before = yield* fingerprintOf(supervisor, "r")

          const badUpdate = yield* Effect.flip(supervisor.send("r", { type: "marketUpdate", update: { time: 0, prices: { ZZZ: -1 } } }))
          assert.instanceOf(badUpdate, ValidationError)
          const backwards = yield* Effect.flip(supervisor.send("r", update(0, 12)))
          assert.instanceOf(backwards, ValidationError)
          const unknownOrder = yield* Effect.flip(supervisor.send("r", cancelOrder("O-999999")))
          assert.strictEqual(unknownOrder._tag, "UnknownOrderError")
          const badOrder = yield* Effect.flip(supervisor.send("r", submitOrder({ symbol: "AAA", side: "buy", type: "limit", quantity: 1 })))
          assert.instanceOf(badOrder, ValidationError)
          assert.isTrue(badOrder instanceof ValidationError && badOrder.issues.some((i) => i.field === "limitPrice"))

          assert.deepStrictEqual(storeEntries(memory), entries)
          assert.strictEqual(memory.control.writeCount(), writes)
          assert.deepStrictEqual(yield* fingerprintOf(supervisor, "r"), before)

          // Mixed with good inputs in one submit: only the good ones are applied and journaled.
          const mixed = yield* supervisor.submit("r", [update(2, 12), cancelOrder("nope"), update(3, 13)])
          assert.deepStrictEqual(mixed.map((r) => r.ok), [true, false, true])
          const refused = mixed[1]!
          assert.isTrue(!refused.ok && refused.error._tag === "UnknownOrderError")
          assert.deepStrictEqual(
            journalOf(memory, "r").map((e) => e.input),
            [start, update(0, 10), update(1, 11), update(2, 12), update(3, 13)]
          )
          assert.strictEqual(memory.control.writeCount(), writes + 1)
        })
      )
    }).pipe(Effect.provide(quiet)))

  // What the journal cannot hold (a bigint, a cycle, a getter that throws) passed validation and
  // then failed the batch's encoding: every caller in the batch failed, and the simulation broke.
  it.live("an input the journal cannot hold is that input's ValidationError; the others in its batch go through", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      yield* inProcess(memory, {}, (supervisor) =>
        Effect.gen(function* () {
          yield* supervisor.create({ id: "j", config, model: { kind: "trend" } })
          yield* supervisor.submit("j", [start, update(0, 10)])
          const cyclic: Record<string, unknown> = { open: 11, high: 11, low: 11, close: 11 }
          cyclic["self"] = cyclic
          const throwing = { open: 11, high: 11, low: 11, close: 11, get junk(): number { throw new Error("no junk") } }
          const hostile = [{ open: 11, high: 11, low: 11, close: 11, junk: 10n }, cyclic, throwing]
          for (const [k, bar] of hostile.entries()) {
            const bad: SimulationInput = { type: "marketUpdate", update: { time: T0 + (10 * k + 2) * minute, bars: { AAA: bar as never } } }
            const results = yield* supervisor.submit("j", [update(10 * k + 1, 12), bad, update(10 * k + 3, 13)])
            assert.deepStrictEqual(results.map((r) => r.ok), [true, false, true])
            const refused = results[1]!
            assert.isTrue(!refused.ok && refused.error instanceof ValidationError && refused.error.subject === "marketUpdate")
            assert.isTrue(!refused.ok && refused.error instanceof ValidationError && refused.error.issues[0]!.rule.startsWith("must be plain JSON"))
            // The next batch is served: the simulation did not break.
            const sent = yield* Effect.exit(supervisor.send("j", { type: "pause" }))
            assert.isTrue(Exit.isSuccess(sent))
            yield* supervisor.send("j", { type: "resume" })
          }
          assert.deepStrictEqual(
            journalOf(memory, "j").filter((e) => e.input.type === "marketUpdate").length,
            1 + 2 * hostile.length
          )
        })
      )
    }).pipe(Effect.provide(quiet)))

  it.live("an unknown simulation is a typed error", () =>
    Effect.gen(function* () {
      yield* inProcess(freshStore(), {}, (supervisor) =>
        Effect.gen(function* () {
          const sent = yield* Effect.flip(supervisor.send("ghost", start))
          assert.instanceOf(sent, UnknownSimulationError)
          const inspected = yield* Effect.flip(supervisor.inspect("ghost", (i) => i.engine.status))
          assert.instanceOf(inspected, UnknownSimulationError)
        })
      )
    }).pipe(Effect.provide(quiet)))

  it.live("stop cancels open orders, writes a snapshot with the journal entry, and later inputs are refused", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      yield* inProcess(memory, { snapshotEvery: 1_000 }, (supervisor) =>
        Effect.gen(function* () {
          yield* supervisor.create({ id: "s", config, model: { kind: "idle" } })
          yield* supervisor.submit("s", [start, update(0, 10), submitOrder({ symbol: "AAA", side: "buy", type: "limit", quantity: 1, limitPrice: 5, timeInForce: "gtc" }), update(1, 10)])
          assert.deepStrictEqual(snapshotKeysOf(memory, "s"), [])
          const writes = memory.control.writeCount()
          yield* supervisor.send("s", stop)
          assert.strictEqual(memory.control.writeCount(), writes + 1) // journal entry and snapshot in one batch
          assert.deepStrictEqual(snapshotKeysOf(memory, "s"), ["snapshot:s:000000000005"])
          assert.strictEqual(yield* statusOf(supervisor, "s"), "stopped")
          assert.strictEqual(yield* supervisor.inspect("s", (i) => i.engine.getOrder("O-000001").status), "cancelled")
          const after = yield* Effect.flip(supervisor.send("s", update(2, 10)))
          assert.strictEqual(after._tag, "SimulationStateError")
        })
      )
    }).pipe(Effect.provide(quiet)))

  describe("group commit", () => {
    it.live("N inputs submitted together are written in one batch, and acknowledged once in the store", () =>
      Effect.gen(function* () {
        const memory = freshStore()
        yield* inProcess(memory, {}, (supervisor) =>
          Effect.gen(function* () {
            yield* supervisor.create({ id: "g", config, model: { kind: "trend" } })
            const inputs: SimulationInput[] = [start, ...Array.from({ length: 20 }, (_, i) => update(i, 100 + (i % 5)))]
            const writes = memory.control.writeCount()
            const results = yield* supervisor.submit("g", inputs)
            assert.strictEqual(results.length, 21)
            assert.strictEqual(memory.control.writeCount(), writes + 1)
            // Read right after the acknowledgement: all of it is in the store.
            assert.deepStrictEqual(journalOf(memory, "g").map((e) => e.input), inputs)
          })
        )
      }).pipe(Effect.provide(quiet)))

    it.live("concurrent sends to one simulation share commits; each is in the store when its sender resumes", () =>
      Effect.gen(function* () {
        const memory = freshStore()
        yield* inProcess(memory, { mailboxCapacity: 64 }, (supervisor) =>
          Effect.gen(function* () {
            yield* supervisor.create({ id: "c", config, model: { kind: "idle" } })
            yield* supervisor.send("c", start)
            yield* supervisor.send("c", update(0, 100))
            const writes = memory.control.writeCount()
            const n = 30
            const orders = Array.from({ length: n }, (_, i) => submitOrder({ symbol: "AAA", side: "buy", type: "limit", quantity: 1, limitPrice: 50 + i, tag: `t${i}` }))
            const ids = yield* Effect.all(
              orders.map((order) =>
                Effect.gen(function* () {
                  const id = yield* supervisor.send("c", order)
                  // Acknowledged ⇒ durable: the journal already holds this very order.
                  assert.isTrue(journalOf(memory, "c").some((e) => JSON.stringify(e.input) === JSON.stringify(order)))
                  return id
                })
              ),
              { concurrency: "unbounded" }
            )
            assert.strictEqual(new Set(ids).size, n)
            const used = memory.control.writeCount() - writes
            assert.isAbove(used, 0)
            assert.isBelow(used, n)
          })
        )
      }).pipe(Effect.provide(quiet)))

    it.live("several simulations submitting concurrently: fewer store writes than inputs, every ack after its write", () =>
      Effect.gen(function* () {
        const memory = freshStore()
        const ids = ["a", "b", "c", "d", "e"]
        yield* inProcess(memory, {}, (supervisor) =>
          Effect.gen(function* () {
            for (const id of ids) yield* supervisor.create({ id, config, model: { kind: "trend" } })
            const writes = memory.control.writeCount()
            const batches = (id: string) => [start, update(0, 10 + id.charCodeAt(0)), update(1, 11 + id.charCodeAt(0)), update(2, 9 + id.charCodeAt(0))]
            yield* Effect.all(
              ids.map((id) =>
                Effect.gen(function* () {
                  const results = yield* supervisor.submit(id, batches(id))
                  assert.isTrue(results.every((r) => r.ok))
                  assert.deepStrictEqual(journalOf(memory, id).map((e) => e.input), batches(id))
                })
              ),
              { concurrency: "unbounded" }
            )
            const used = memory.control.writeCount() - writes
            assert.isAbove(used, 0)
            assert.isAtMost(used, ids.length)
            assert.isBelow(used, ids.length * 4)
            // Each simulation is exactly its own uninterrupted run.
            for (const id of ids)
              assert.deepStrictEqual(yield* fingerprintOf(supervisor, id), fingerprint(referenceRun(trend(undefined), batches(id)).instance))
          })
        )
      }).pipe(Effect.provide(quiet)))

    it.live("a mailbox of one still serves many concurrent senders (they wait), in order per sender", () =>
      Effect.gen(function* () {
        const memory = freshStore()
        yield* inProcess(memory, { mailboxCapacity: 1 }, (supervisor) =>
          Effect.gen(function* () {
            yield* supervisor.create({ id: "m", config, model: { kind: "idle" } })
            yield* supervisor.submit("m", [start, update(0, 100)])
            const results = yield* Effect.all(
              Array.from({ length: 25 }, (_, i) => supervisor.send("m", submitOrder({ symbol: "AAA", side: "sell", type: "limit", quantity: 1, limitPrice: 200 + i }))),
              { concurrency: "unbounded" }
            )
            assert.strictEqual(new Set(results).size, 25)
            assert.strictEqual(journalOf(memory, "m").length, 27)
          })
        )
      }).pipe(Effect.provide(quiet)))
  })

  it.live("events: status and order events, tagged with their simulation, published once durable", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      yield* inProcess(memory, {}, (supervisor) =>
        Effect.gen(function* () {
          const events = yield* subscribeEvents(supervisor)
          yield* supervisor.create({ id: "ev-1", config, model: { kind: "buyOnce", params: { quantity: 3 } } })
          yield* supervisor.create({ id: "ev-2", config, model: { kind: "idle" } })

          yield* supervisor.send("ev-1", start)
          const started = yield* events.next(1)
          assert.deepStrictEqual(started.map((e) => e.event), [{ type: "simulationStatusChanged", from: "deployed", to: "running", reason: null }])
          assert.strictEqual(started[0]!.simulationId, "ev-1")

          // A refused input publishes nothing: the next event is the next good input's.
          yield* Effect.flip(supervisor.send("ev-2", update(0, 10)))
          yield* supervisor.send("ev-2", start)
          assert.deepStrictEqual(tags(yield* events.next(1)), ["ev-2:simulationStatusChanged"])

          yield* supervisor.submit("ev-1", [update(0, 10), update(1, 11)])
          const orderEvents = yield* events.next(3)
          assert.deepStrictEqual(tags(orderEvents), ["ev-1:orderSubmitted", "ev-1:orderAccepted", "ev-1:orderFilled"])
          const filled = orderEvents[2]!.event
          assert.isTrue(filled.type === "orderFilled" && filled.fill.quantity === "3" && filled.order.status === "filled")
          // Published after the commit: what an observer sees is already in the journal.
          assert.strictEqual(journalOf(memory, "ev-1").length, 3)

          yield* supervisor.send("ev-2", stop)
          const stopped = yield* events.next(1)
          assert.deepStrictEqual(stopped.map((e) => [e.simulationId, e.event]), [["ev-2", { type: "simulationStatusChanged", from: "running", to: "stopped", reason: null }]])
        })
      )
    }).pipe(Effect.provide(quiet)))

  it.live("a batch's events are published before its acknowledgement: a later subscriber sees only later events", () =>
    Effect.gen(function* () {
      yield* inProcess(freshStore(), {}, (supervisor) =>
        Effect.gen(function* () {
          yield* supervisor.create({ id: "late", config, model: { kind: "buyOnce", params: { quantity: 2 } } })
          yield* supervisor.submit("late", [start, update(0, 10), update(1, 11)])
          const events = yield* subscribeEvents(supervisor)
          yield* supervisor.send("late", stop)
          assert.deepStrictEqual((yield* events.next(1)).map((e) => e.event), [{ type: "simulationStatusChanged", from: "running", to: "stopped", reason: null }])
        })
      )
    }).pipe(Effect.provide(quiet)))

  describe("logging", () => {
    // A batch is logged right after its acknowledgement: at Debug, the session waits for the last one.
    const session = (level?: "Debug" | "Info") =>
      Effect.gen(function* () {
        const logs = makeLogCapture()
        yield* inProcess(freshStore(), level === undefined ? {} : { logLevel: level }, (supervisor) =>
          Effect.gen(function* () {
            yield* supervisor.create({ id: "log", config, model: { kind: "idle" } })
            yield* supervisor.submit("log", [start, update(0, 10)])
            yield* supervisor.send("log", stop)
            if (level === "Debug") yield* logs.waitFor((l) => l.message.includes("journal at 3"))
          })
        ).pipe(Effect.provide(logs.layer))
        return logs.lines
      })

    it.live("quiet by default: nothing below Warn is logged", () =>
      Effect.gen(function* () {
        const lines = yield* session()
        assert.deepStrictEqual(lines, [])
      }))

    it.live("logLevel Info shows Info lines (the creation) but no Debug", () =>
      Effect.gen(function* () {
        const lines = yield* session("Info")
        assert.isTrue(lines.some((l) => l.level === "Info" && l.message.includes("created log")))
        assert.isFalse(lines.some((l) => l.level === "Debug"))
      }))

    it.live("logLevel Debug shows every batch, annotated with its simulation", () =>
      Effect.gen(function* () {
        const lines = yield* session("Debug")
        assert.isTrue(lines.some((l) => l.level === "Info" && l.message.includes("created log")))
        const batches = lines.filter((l) => l.level === "Debug")
        assert.isAtLeast(batches.length, 2)
        assert.isTrue(batches.every((l) => l.annotations["simulation"] === "log"))
        assert.isTrue(batches.some((l) => l.message.includes("journal at 3")))
      }))
  })

  describe("create errors write nothing", () => {
    it.live("invalid id, duplicate id, unknown model kind, bad config", () =>
      Effect.gen(function* () {
        const memory = freshStore()
        yield* inProcess(memory, {}, (supervisor) =>
          Effect.gen(function* () {
            yield* supervisor.create({ id: "taken", config, model: { kind: "idle" } })
            const entries = storeEntries(memory)
            const writes = memory.control.writeCount()
            const unchanged = () => {
              assert.deepStrictEqual(storeEntries(memory), entries)
              assert.strictEqual(memory.control.writeCount(), writes)
            }

            for (const id of ["", "has space", "slash/id", "x".repeat(65), "colon:id"]) {
              const error = yield* Effect.flip(supervisor.create({ id, config, model: { kind: "idle" } }))
              assert.instanceOf(error, InvalidSimulationIdError)
              assert.strictEqual(error.simulationId, id)
              unchanged()
            }

            const duplicate = yield* Effect.flip(supervisor.create({ id: "taken", config, model: { kind: "trend" } }))
            assert.instanceOf(duplicate, SimulationExistsError)
            assert.strictEqual(duplicate.simulationId, "taken")
            unchanged()

            const unknown = yield* Effect.flip(supervisor.create({ id: "new-1", config, model: { kind: "nope" } }))
            assert.instanceOf(unknown, UnknownModelError)
            assert.strictEqual(unknown.kind, "nope")
            assert.include(unknown.known, "trend")
            unchanged()

            const badCapital = yield* Effect.flip(supervisor.create({ id: "new-2", config: { ...config, initialCapital: -5 }, model: { kind: "idle" } }))
            assert.instanceOf(badCapital, ValidationError)
            assert.isTrue(badCapital instanceof ValidationError && badCapital.subject === "config" && badCapital.issues.some((i) => i.field === "initialCapital"))
            unchanged()

            const badSymbols = yield* Effect.flip(supervisor.create({ id: "new-3", config: { symbols: [] }, model: { kind: "idle" } }))
            assert.isTrue(badSymbols instanceof ValidationError && badSymbols.issues.some((i) => i.field === "symbols"))
            unchanged()

            assert.deepStrictEqual(yield* supervisor.list, ["taken"])
          })
        )
      }).pipe(Effect.provide(quiet)))

    it.live("a simulation that exists only in the store (from an earlier process) is a duplicate too", () =>
      Effect.gen(function* () {
        const memory = freshStore()
        yield* inProcess(memory, {}, (supervisor) => supervisor.create({ id: "old", config, model: { kind: "idle" } }))
        yield* inProcess(memory, {}, (supervisor) =>
          Effect.gen(function* () {
            const error = yield* Effect.flip(supervisor.create({ id: "old", config, model: { kind: "idle" } }))
            assert.instanceOf(error, SimulationExistsError)
          })
        )
      }).pipe(Effect.provide(quiet)))

    it.live("two concurrent creates of one id: one succeeds, the other is a duplicate", () =>
      Effect.gen(function* () {
        const memory = freshStore()
        yield* inProcess(memory, {}, (supervisor) =>
          Effect.gen(function* () {
            const exits = yield* Effect.all(
              [
                Effect.exit(supervisor.create({ id: "race", config, model: { kind: "idle" } })),
                Effect.exit(supervisor.create({ id: "race", config, model: { kind: "buyOnce" } }))
              ],
              { concurrency: "unbounded" }
            )
            assert.strictEqual(exits.filter(Exit.isSuccess).length, 1)
            const failure = exits.find(Exit.isFailure)
            assert.isDefined(failure)
            assert.deepStrictEqual(yield* supervisor.list, ["race"])
            // The stored record and the running simulation agree.
            const [key, value] = storeEntries(memory).find(([k]) => k === "meta:race")!
            const stored = decodeRecord(key, value) as { model: { kind: string } }
            yield* supervisor.send("race", start)
            const bought = yield* supervisor.submit("race", [update(0, 10), update(1, 10)])
            assert.isTrue(bought.every((r) => r.ok))
            const fills = yield* supervisor.inspect("race", (i) => i.engine.getFills().length)
            assert.strictEqual(fills, stored.model.kind === "buyOnce" ? 1 : 0)
          })
        )
      }).pipe(Effect.provide(quiet)))
  })

  it.live("a model's order that the engine rejects at the check is a rejection, not a failure", () =>
    Effect.gen(function* () {
      yield* inProcess(freshStore(), {}, (supervisor) =>
        Effect.gen(function* () {
          // 100,000 capital cannot buy 1,000,000 shares at 10.
          yield* supervisor.create({ id: "big", config, model: { kind: "buyOnce", params: { quantity: 1_000_000 } } })
          yield* supervisor.submit("big", [start, update(0, 10), update(1, 10)])
          assert.strictEqual(yield* statusOf(supervisor, "big"), "running")
          assert.strictEqual(yield* supervisor.inspect("big", (i) => i.engine.getOrder("O-000001").status), "rejected")
          assert.deepStrictEqual(
            yield* fingerprintOf(supervisor, "big"),
            fingerprint(referenceRun(buyOnce({ quantity: 1_000_000 }), [start, update(0, 10), update(1, 10)]).instance)
          )
        })
      )
    }).pipe(Effect.provide(quiet)))
})
