import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Schedule } from "effect"
import type { ValidationError } from "../../src/domain/errors.ts"
import type { MemoryStoreInstance } from "../../src/runtime/memory-store.ts"
import { decodeRecord, encodeRecord } from "../../src/runtime/record-codec.ts"
import { SimulationExistsError, SimulationNotRecoveredError, UnknownSimulationError, AcknowledgedInputsLostError } from "../../src/runtime/runtime-errors.ts"
import { SimulationInstance } from "../../src/runtime/simulation-instance.ts"
import { journalForm, type SimulationInput } from "../../src/runtime/simulation-input.ts"
import type { SnapshotRecord } from "../../src/runtime/simulation-record.ts"
import type { SupervisorOptions } from "../../src/runtime/simulation-supervisor.ts"
import { StoreWriteError } from "../../src/runtime/store-errors.ts"
import {
  alwaysThrows,
  breakEnginesAt,
  config,
  fingerprint,
  fingerprintOf,
  freshStore,
  idle,
  inProcess,
  journalKeysOf,
  journalOf,
  makeLogCapture,
  referenceRun,
  snapshotKeysOf,
  start,
  statusOf,
  stop,
  storeEntries,
  submitOrder,
  subscribeEvents,
  throwsAt,
  trend,
  update
} from "./fixtures.ts"

const quiet = makeLogCapture().layer

const params = { every: 1, quantity: 3 }
const model = trend(params)
const prices = [100, 102, 101, 104, 106, 103, 99, 101, 105, 108, 104, 102, 107]
/** start, then one update per price. */
const inputs: SimulationInput[] = [start, ...prices.map((p, i) => update(i, p))]

/** Creates `id` and submits each input on its own (one journal record, and a batch end, per input). */
const seed = (memory: MemoryStoreInstance, options: SupervisorOptions, id: string, these: ReadonlyArray<SimulationInput>) =>
  inProcess(memory, options, (supervisor) =>
    Effect.gen(function* () {
      yield* supervisor.create({ id, config, model: { kind: "trend", params } })
      for (const input of these) yield* supervisor.submit(id, [input])
    })
  )

const errorOf = <A, E>(exit: Exit.Exit<A, E>): unknown => (Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined)

const expectedAfter = (n: number) => fingerprint(referenceRun(model, inputs.slice(0, n)).instance)

describe("fault 2: damaged snapshots and journal", () => {
  const options = { snapshotEvery: 2, keepSnapshots: 3 }
  // 11 inputs: snapshots at 2, 4, 6, 8, 10, of which 6, 8 and 10 are kept; the journal from 7 on.
  const first = inputs.slice(0, 11)

  const damageNewestSnapshot = (damage: (key: string, value: string) => string) =>
    Effect.gen(function* () {
      const memory = freshStore()
      yield* seed(memory, options, "s", first)
      assert.deepStrictEqual(snapshotKeysOf(memory, "s"), ["snapshot:s:000000000006", "snapshot:s:000000000008", "snapshot:s:000000000010"])
      assert.deepStrictEqual(journalKeysOf(memory, "s")[0], "journal:s:000000000007")
      const newest = "snapshot:s:000000000010"
      const value = storeEntries(memory).find(([k]) => k === newest)![1]
      memory.control.corrupt(newest, damage(newest, value))
      const logs = makeLogCapture()
      yield* inProcess(memory, options, (supervisor) =>
        Effect.gen(function* () {
          // Restored from snapshot 8 and a replay of 9–11: the same state as the uninterrupted run.
          assert.deepStrictEqual(supervisor.recovered, [{ id: "s", seq: 11, badSnapshots: [newest], tornTail: [] }])
          assert.deepStrictEqual(yield* fingerprintOf(supervisor, "s"), expectedAfter(11))
          // And it carries on as the uninterrupted run does.
          for (const input of inputs.slice(11)) yield* supervisor.submit("s", [input])
          assert.deepStrictEqual(yield* fingerprintOf(supervisor, "s"), expectedAfter(inputs.length))
        })
      ).pipe(Effect.provide(logs.layer))
      // The skipped snapshot is reported as a warning, visible at the default level.
      assert.isTrue(logs.lines.some((l) => l.level === "Warn" && l.message.includes(newest)))
      // The damaged snapshot is eventually replaced by good ones.
      yield* inProcess(memory, options, (supervisor) =>
        Effect.gen(function* () {
          assert.deepStrictEqual(supervisor.recovered, [{ id: "s", seq: inputs.length, badSnapshots: [], tornTail: [] }])
          assert.deepStrictEqual(yield* fingerprintOf(supervisor, "s"), expectedAfter(inputs.length))
        })
      ).pipe(Effect.provide(quiet))
    })

  it.live("a corrupted newest snapshot (bad checksum) is skipped for the older one and a longer replay", () =>
    damageNewestSnapshot((_key, value) => value.replace(/"updateIndex":\d+/, '"updateIndex":999')))

  it.live("a newest snapshot whose config was hand-edited past validation (valid checksum): validated as ever, refused with the ValidationError naming the field", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      yield* seed(memory, options, "s", first)
      const newest = "snapshot:s:000000000010"
      const record = decodeRecord(newest, storeEntries(memory).find(([k]) => k === newest)![1]) as SnapshotRecord
      const engine = { ...record.instance.engine, config: { ...record.instance.engine.config, maxPositionSize: 7 } }
      memory.control.corrupt(newest, encodeRecord({ ...record, instance: { ...record.instance, engine } }))
      yield* inProcess(memory, options, (supervisor) =>
        Effect.sync(() => {
          assert.deepStrictEqual(supervisor.recovered, [])
          const [refused] = supervisor.unrecoverable
          assert.strictEqual(refused?.error._tag, "ValidationError")
          assert.deepStrictEqual((refused?.error as ValidationError).issues.map((i) => i.field), ["maxPositionSize"])
        })
      ).pipe(Effect.provide(quiet))
    }))

  it.live("a truncated newest snapshot is skipped", () => damageNewestSnapshot((_key, value) => value.slice(0, Math.floor(value.length / 2))))

  it.live("a newest snapshot of another format version (valid checksum) is skipped", () =>
    damageNewestSnapshot((key, value) => encodeRecord({ ...(decodeRecord(key, value) as SnapshotRecord), formatVersion: 2 })))

  it.live("all snapshots unreadable but the journal still complete: a replay from the start", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      // Fewer snapshots than kept: nothing was pruned.
      yield* seed(memory, { snapshotEvery: 2, keepSnapshots: 3 }, "s", inputs.slice(0, 5))
      assert.deepStrictEqual(snapshotKeysOf(memory, "s"), ["snapshot:s:000000000002", "snapshot:s:000000000004"])
      for (const key of snapshotKeysOf(memory, "s")) memory.control.corrupt(key, "garbage")
      yield* inProcess(memory, options, (supervisor) =>
        Effect.gen(function* () {
          assert.deepStrictEqual(supervisor.recovered.map((r) => [r.id, r.seq, r.badSnapshots.length]), [["s", 5, 2]])
          assert.deepStrictEqual(yield* fingerprintOf(supervisor, "s"), expectedAfter(5))
        })
      ).pipe(Effect.provide(quiet))
    }))

  it.live("all snapshots corrupt and the journal pruned: not recovered, the error names it, the others recover", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      yield* seed(memory, options, "s", first)
      yield* seed(memory, options, "other", inputs.slice(0, 4))
      for (const key of snapshotKeysOf(memory, "s")) memory.control.corrupt(key, "00000000:{}")
      const before = storeEntries(memory)
      const logs = makeLogCapture()
      yield* inProcess(memory, options, (supervisor) =>
        Effect.gen(function* () {
          assert.deepStrictEqual(supervisor.recovered.map((r) => [r.id, r.seq]), [["other", 4]])
          assert.deepStrictEqual(yield* supervisor.list, ["other"])
          // Its inputs are refused with the real cause.
          const refused = yield* Effect.flip(supervisor.send("s", update(20, 100)))
          assert.instanceOf(refused, SimulationNotRecoveredError)
          // Every snapshot is unreadable and the journal starts after them: what was acknowledged is gone.
          assert.instanceOf((refused as SimulationNotRecoveredError).reason, AcknowledgedInputsLostError)
          assert.deepStrictEqual(supervisor.unrecoverable.map((u) => [u.simulationId, u.error._tag]), [["s", "AcknowledgedInputsLostError"]])
          // Its data is not overwritten by a new simulation of the same id.
          assert.instanceOf(yield* Effect.flip(supervisor.create({ id: "s", config, model: { kind: "idle" } })), SimulationNotRecoveredError)
          // The other one works.
          yield* supervisor.submit("other", inputs.slice(4, 6))
          assert.deepStrictEqual(yield* fingerprintOf(supervisor, "other"), expectedAfter(6))
        })
      ).pipe(Effect.provide(logs.layer))
      const error = logs.lines.find((l) => l.level === "Error")
      assert.isDefined(error)
      assert.include(error!.message + error!.cause, "simulation s not recovered")
      assert.match(error!.message + error!.cause, /11 inputs were acknowledged but the store holds them only through 0/)
      // Nothing of the unrecoverable simulation was deleted or changed.
      const mine = (entries: ReadonlyArray<readonly [string, string]>) => entries.filter(([k]) => k.includes(":s:") || k === "meta:s")
      assert.deepStrictEqual(mine(storeEntries(memory)), mine(before))
    }))

  it.live("a torn journal tail is dropped: the acknowledged prefix is kept and the recovered seq is the prefix's", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      const noSnapshots = { snapshotEvery: 1_000 }
      yield* inProcess(memory, noSnapshots, (supervisor) =>
        Effect.gen(function* () {
          yield* supervisor.create({ id: "t", config, model: { kind: "trend", params } })
          yield* supervisor.submit("t", inputs.slice(0, 3))
          yield* supervisor.submit("t", inputs.slice(3, 5))
          yield* supervisor.submit("t", inputs.slice(5, 8)) // the torn one
        })
      )
      const keys = journalKeysOf(memory, "t")
      const tail = keys.at(-1)!
      assert.strictEqual(tail, "journal:t:000000000006")
      const value = storeEntries(memory).find(([k]) => k === tail)![1]
      // The last batch reached the store torn, and the crash came before it was acknowledged.
      memory.control.corrupt(tail, value.slice(0, value.length - 7))
      memory.control.setAcknowledged("t", 5)
      const logs = makeLogCapture()
      yield* inProcess(memory, noSnapshots, (supervisor) =>
        Effect.gen(function* () {
          assert.deepStrictEqual(supervisor.recovered, [{ id: "t", seq: 5, badSnapshots: [], tornTail: [tail] }])
          assert.deepStrictEqual(yield* fingerprintOf(supervisor, "t"), expectedAfter(5))
          assert.deepStrictEqual(journalKeysOf(memory, "t"), keys.slice(0, -1))
          // The journal continues from the prefix.
          yield* supervisor.submit("t", inputs.slice(5, 9))
        })
      ).pipe(Effect.provide(logs.layer))
      assert.isTrue(logs.lines.some((l) => l.level === "Warn" && l.message.includes("torn")))
      yield* inProcess(memory, noSnapshots, (supervisor) =>
        Effect.gen(function* () {
          assert.deepStrictEqual(supervisor.recovered, [{ id: "t", seq: 9, badSnapshots: [], tornTail: [] }])
          assert.deepStrictEqual(yield* fingerprintOf(supervisor, "t"), expectedAfter(9))
          assert.deepStrictEqual(journalOf(memory, "t").map((e) => e.input), inputs.slice(0, 9))
        })
      ).pipe(Effect.provide(quiet))
    }))

  it.live("a torn last batch (its record and the snapshot written with it both unreadable) is dropped as a whole", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      yield* seed(memory, options, "tb", inputs.slice(0, 10))
      // The 10th input's batch wrote journal record 10 and snapshot 10 together.
      memory.control.corrupt("journal:tb:000000000010", "torn")
      memory.control.corrupt("snapshot:tb:000000000010", "torn")
      memory.control.setAcknowledged("tb", 9)
      yield* inProcess(memory, options, (supervisor) =>
        Effect.gen(function* () {
          assert.deepStrictEqual(supervisor.recovered, [
            { id: "tb", seq: 9, badSnapshots: ["snapshot:tb:000000000010"], tornTail: ["journal:tb:000000000010"] }
          ])
          assert.deepStrictEqual(yield* fingerprintOf(supervisor, "tb"), expectedAfter(9))
        })
      ).pipe(Effect.provide(quiet))
    }))

  it.live("a corrupt journal entry with good ones after it is not silently dropped: the simulation is unrecoverable", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      yield* seed(memory, { snapshotEvery: 1_000 }, "m", inputs.slice(0, 6))
      memory.control.corrupt("journal:m:000000000003", "deadbeef:{\"seq\":3}")
      const before = storeEntries(memory)
      const logs = makeLogCapture()
      yield* inProcess(memory, {}, (supervisor) =>
        Effect.gen(function* () {
          assert.deepStrictEqual(supervisor.recovered, [])
          assert.deepStrictEqual(yield* supervisor.list, [])
        })
      ).pipe(Effect.provide(logs.layer))
      assert.deepStrictEqual(storeEntries(memory), before)
      const error = logs.lines.find((l) => l.level === "Error")
      assert.isDefined(error)
      assert.match(error!.message + error!.cause, /journal:m:000000000003/)
    }))

  it.live("a missing journal entry (a gap before the last one) is not mistaken for a torn tail", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      yield* seed(memory, { snapshotEvery: 1_000 }, "g", inputs.slice(0, 6))
      memory.control.remove("journal:g:000000000005")
      const before = storeEntries(memory)
      yield* inProcess(memory, {}, (supervisor) =>
        Effect.gen(function* () {
          // Replaying 1–4 and dropping 6 would silently lose two acknowledged inputs.
          assert.deepStrictEqual(supervisor.recovered, [])
        })
      ).pipe(Effect.provide(quiet))
      assert.deepStrictEqual(storeEntries(memory), before)
    }))

  it.live("snapshots gone and the journal pruned: not replayed from scratch", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      yield* seed(memory, options, "p", first)
      for (const key of snapshotKeysOf(memory, "p")) memory.control.remove(key)
      const before = storeEntries(memory)
      yield* inProcess(memory, options, (supervisor) => Effect.sync(() => assert.deepStrictEqual(supervisor.recovered, []))).pipe(Effect.provide(quiet))
      assert.deepStrictEqual(storeEntries(memory), before)
    }))

  it.live("the newest snapshot unreadable and the journal after the older one missing: not silently behind", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      yield* seed(memory, options, "b", first)
      memory.control.corrupt("snapshot:b:000000000010", "garbage")
      for (const key of journalKeysOf(memory, "b")) if (key > "journal:b:000000000008") memory.control.remove(key)
      yield* inProcess(memory, options, (supervisor) => Effect.sync(() => assert.deepStrictEqual(supervisor.recovered, []))).pipe(Effect.provide(quiet))
    }))
})

describe("fault 4: a model that throws", () => {
  const schedule = Schedule.spaced("1 millis").pipe(Schedule.upTo({ times: 2 }))

  it.live("malformed output (a state snapshots cannot hold) fails the model with a typed cause; snapshots and stop still work", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      const logs = makeLogCapture()
      yield* inProcess(memory, { restartSchedule: Schedule.recurs(0), snapshotEvery: 1 }, (supervisor) =>
        Effect.gen(function* () {
          yield* supervisor.create({ id: "odd", config, model: { kind: "bigintState" } })
          yield* supervisor.send("odd", start)
          yield* supervisor.send("odd", update(0, 10))
          yield* logs.waitFor((l) => l.level === "Error" && l.message.includes("given up"))
          assert.strictEqual(yield* statusOf(supervisor, "odd"), "failed")
          assert.match((yield* supervisor.inspect("odd", (i) => i.engine.statusReason)) ?? "", /^model returned a state that is not plain JSON/)
          const refused = yield* Effect.flip(supervisor.send("odd", update(1, 10)))
          assert.strictEqual(refused._tag, "SimulationStateError")
          yield* supervisor.send("odd", stop)
          assert.strictEqual(yield* statusOf(supervisor, "odd"), "stopped")
        })
      ).pipe(Effect.provide(logs.layer))
    }))

  it.live("always throwing: restarted per the schedule, then failed with its cause; another simulation carries on", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      const logs = makeLogCapture()
      const other = [start, update(0, 50), update(1, 52), update(2, 51), update(3, 55), update(4, 57), update(5, 54), update(6, 58)]
      yield* inProcess(memory, { restartSchedule: schedule }, (supervisor) =>
        Effect.gen(function* () {
          const events = yield* subscribeEvents(supervisor)
          const restarted = events.until((e) => e.simulationId === "bad" && e.event.type === "simulationStatusChanged" && e.event.from === "failed" && e.event.to === "running")
          yield* supervisor.create({ id: "bad", config, model: { kind: "alwaysThrows" } })
          yield* supervisor.create({ id: "good", config, model: { kind: "trend", params } })
          yield* supervisor.send("bad", start)
          yield* supervisor.send("good", other[0]!)

          // Failure 1 → restart 1; failure 2 → restart 2; failure 3 → given up.
          for (let attempt = 1; attempt <= 2; attempt++) {
            // The update that makes the model throw is itself accepted and journaled.
            yield* supervisor.send("bad", update(attempt, 10))
            yield* restarted
            assert.strictEqual(yield* statusOf(supervisor, "bad"), "running")
            yield* supervisor.send("good", other[attempt]!)
          }
          yield* supervisor.send("bad", update(3, 10))
          const givenUp = yield* logs.waitFor((l) => l.level === "Error" && l.message.includes("given up"))
          assert.include(givenUp.message, "model threw: Error: boom")
          assert.strictEqual(givenUp.annotations["simulation"], "bad")

          assert.strictEqual(yield* statusOf(supervisor, "bad"), "failed")
          assert.strictEqual(yield* supervisor.inspect("bad", (i) => i.engine.statusReason), "model threw: Error: boom")
          assert.deepStrictEqual(journalOf(memory, "bad").map((e) => e.input.type), ["start", "marketUpdate", "restart", "marketUpdate", "restart", "marketUpdate"])
          // Failed: updates are refused (typed), it is not restarted again, and it still serves stop.
          const refused = yield* Effect.flip(supervisor.send("bad", update(4, 10)))
          assert.strictEqual(refused._tag, "SimulationStateError")
          // The other simulation carried on meanwhile and carries on afterwards.
          for (const input of other.slice(3)) yield* supervisor.send("good", input)
          assert.deepStrictEqual(yield* fingerprintOf(supervisor, "good"), fingerprint(referenceRun(model, other).instance))
          yield* supervisor.send("bad", stop)
          assert.strictEqual(yield* statusOf(supervisor, "bad"), "stopped")
          assert.strictEqual(journalOf(memory, "bad").filter((e) => e.input.type === "restart").length, 2)
          // The state is the uninterrupted run of what was journaled.
          const journaled = journalOf(memory, "bad").map((e) => e.input)
          assert.deepStrictEqual(yield* fingerprintOf(supervisor, "bad"), fingerprint(referenceRun(alwaysThrows, journaled).instance))
        })
      ).pipe(Effect.provide(logs.layer))
      // Quiet by default: the restarts (Info) are not logged, the giving up (Error) is.
      assert.isFalse(logs.lines.some((l) => l.level === "Info"))
    }))

  it.live("throwing once: one restart, then it continues where the uninterrupted run (with that restart) would", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      const logs = makeLogCapture()
      yield* inProcess(memory, { restartSchedule: schedule, logLevel: "Info" }, (supervisor) =>
        Effect.gen(function* () {
          const events = yield* subscribeEvents(supervisor)
          yield* supervisor.create({ id: "once", config, model: { kind: "throwsAt", params: { price: 13 } } })
          yield* supervisor.submit("once", [start, update(0, 11), update(1, 12)])
          yield* supervisor.send("once", update(2, 13))
          const seen = yield* events.until((e) => e.event.type === "simulationStatusChanged" && e.event.from === "failed")
          const statuses = seen.flatMap((e) => (e.event.type === "simulationStatusChanged" ? [[e.event.from, e.event.to, e.event.reason]] : []))
          assert.deepStrictEqual(statuses.slice(-2), [
            ["running", "failed", "model threw: Error: no trading at 13"],
            ["failed", "running", null]
          ])
          yield* supervisor.submit("once", [update(3, 14), update(4, 15)])
          assert.strictEqual(yield* statusOf(supervisor, "once"), "running")
          assert.strictEqual(yield* supervisor.inspect("once", (i) => i.snapshot().modelState), 4)
          const journaled = journalOf(memory, "once").map((e) => e.input)
          assert.deepStrictEqual(journaled, [start, update(0, 11), update(1, 12), update(2, 13), { type: "restart" }, update(3, 14), update(4, 15)])
          assert.deepStrictEqual(yield* fingerprintOf(supervisor, "once"), fingerprint(referenceRun(throwsAt({ price: 13 }), journaled).instance))
        })
      ).pipe(Effect.provide(logs.layer))
      assert.isTrue(logs.lines.some((l) => l.level === "Info" && l.message.includes("restarted: running again")))
      assert.isFalse(logs.lines.some((l) => l.level === "Error"))
      // After a restart of the process the run is the same.
      yield* inProcess(memory, {}, (supervisor) =>
        Effect.gen(function* () {
          assert.deepStrictEqual(supervisor.recovered.map((r) => [r.id, r.seq]), [["once", 7]])
          assert.strictEqual(yield* statusOf(supervisor, "once"), "running")
        })
      ).pipe(Effect.provide(quiet))
    }))
})

describe("supervision over time", () => {
  const schedule = Schedule.spaced("1 millis").pipe(Schedule.upTo({ times: 2 }))

  it.live("a model given up on stays given up across a process restart (not revived by recovery)", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      const logs = makeLogCapture()
      yield* inProcess(memory, { restartSchedule: schedule }, (supervisor) =>
        Effect.gen(function* () {
          const events = yield* subscribeEvents(supervisor)
          yield* supervisor.create({ id: "bad", config, model: { kind: "alwaysThrows" } })
          yield* supervisor.send("bad", start)
          for (let attempt = 1; attempt <= 2; attempt++) {
            const restarted = events.until((e) => e.event.type === "simulationStatusChanged" && e.event.from === "failed" && e.event.to === "running")
            yield* supervisor.send("bad", update(attempt, 10))
            yield* restarted
          }
          yield* supervisor.send("bad", update(3, 10))
          yield* logs.waitFor((l) => l.level === "Error" && l.message.includes("given up"))
          // The give-up is written after it is logged: wait for it while the process is still up.
          for (let i = 0; i < 1000 && !storeEntries(memory).some(([k, v]) => k === "meta:bad" && v.includes("gaveUp")); i++) yield* Effect.sleep("1 millis")
        })
      ).pipe(Effect.provide(logs.layer))
      const meta = storeEntries(memory).find(([k]) => k === "meta:bad")!
      assert.include(meta[1], `"gaveUp":"model threw: Error: boom"`)
      assert.strictEqual(journalOf(memory, "bad").filter((e) => e.input.type === "restart").length, 2)
      yield* inProcess(memory, { restartSchedule: schedule }, (supervisor) =>
        Effect.gen(function* () {
          // A revived simulation would be restarted at once (the restart is a forked send): give it
          // every chance to show, then check it did not.
          for (let i = 0; i < 50; i++) {
            yield* Effect.sleep("2 millis")
            assert.strictEqual(yield* statusOf(supervisor, "bad"), "failed")
          }
          // Still serves commands.
          yield* supervisor.send("bad", stop)
          assert.strictEqual(yield* statusOf(supervisor, "bad"), "stopped")
        })
      ).pipe(Effect.provide(quiet))
      assert.deepStrictEqual(journalOf(memory, "bad").map((e) => e.input.type), ["start", "marketUpdate", "restart", "marketUpdate", "restart", "marketUpdate", "stop"])
    }))

  it.live("healthy batches give a fresh schedule: failures far apart do not add up to a give-up", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      yield* inProcess(memory, { restartSchedule: schedule, healthyBatches: 3 }, (supervisor) =>
        Effect.gen(function* () {
          const events = yield* subscribeEvents(supervisor)
          yield* supervisor.create({ id: "flaky", config, model: { kind: "throwsAt", params: { price: 13 } } })
          yield* supervisor.send("flaky", start)
          // Five failures, each followed by healthy batches: more than the schedule's two restarts in all.
          for (let round = 0; round < 5; round++) {
            const restarted = events.until((e) => e.event.type === "simulationStatusChanged" && e.event.from === "failed" && e.event.to === "running")
            yield* supervisor.send("flaky", update(round * 10, 13))
            yield* restarted
            for (let i = 1; i <= 4; i++) yield* supervisor.send("flaky", update(round * 10 + i, 11))
          }
          assert.strictEqual(yield* statusOf(supervisor, "flaky"), "running")
          assert.strictEqual(journalOf(memory, "flaky").filter((e) => e.input.type === "restart").length, 5)
        })
      ).pipe(Effect.provide(quiet))
    }))

  it.live("an unreadable snapshot is dropped at recovery and no longer counts towards the snapshots kept", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      const inputsRun = [start, ...Array.from({ length: 12 }, (_, i) => update(i, 10 + (i % 3)))]
      yield* inProcess(memory, { snapshotEvery: 2, keepSnapshots: 2 }, (supervisor) =>
        Effect.gen(function* () {
          yield* supervisor.create({ id: "s", config, model: { kind: "trend", params } })
          for (const input of inputsRun.slice(0, 7)) yield* supervisor.send("s", input)
        })
      ).pipe(Effect.provide(quiet))
      const [older, newest] = snapshotKeysOf(memory, "s") as [string, string]
      memory.control.corrupt(newest, "garbage")
      yield* inProcess(memory, { snapshotEvery: 2, keepSnapshots: 2 }, (supervisor) =>
        Effect.gen(function* () {
          assert.deepStrictEqual(supervisor.recovered.map((r) => r.badSnapshots), [[newest]])
          assert.deepStrictEqual(snapshotKeysOf(memory, "s"), [older])
          for (const input of inputsRun.slice(7)) yield* supervisor.send("s", input)
          assert.deepStrictEqual(yield* fingerprintOf(supervisor, "s"), fingerprint(referenceRun(trend(params), inputsRun).instance))
        })
      ).pipe(Effect.provide(quiet))
      assert.strictEqual(snapshotKeysOf(memory, "s").length, 2)
    }))
})

describe("a simulation whose fiber breaks (a defect, not a model error)", () => {
  it.live("each broken batch is refused and rolled back; past the schedule the simulation is unavailable; others carry on", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      const logs = makeLogCapture()
      const schedule = Schedule.spaced("1 millis").pipe(Schedule.upTo({ times: 2 }))
      const unbreak = breakEnginesAt(13)
      yield* inProcess(memory, { restartSchedule: schedule }, (supervisor) =>
        Effect.gen(function* () {
          yield* supervisor.create({ id: "broken", config, model: { kind: "trend", params } })
          yield* supervisor.create({ id: "fine", config, model: { kind: "trend", params } })
          yield* supervisor.submit("broken", [start, update(0, 11)])
          yield* supervisor.submit("fine", inputs.slice(0, 3))
          const before = yield* fingerprintOf(supervisor, "broken")
          const entries = storeEntries(memory).filter(([k]) => k.includes("broken"))
          for (let attempt = 1; attempt <= 3; attempt++) {
            const error = yield* Effect.flip(supervisor.send("broken", update(attempt, 13)))
            assert.strictEqual(error._tag, "SimulationUnavailableError")
            assert.deepStrictEqual(yield* fingerprintOf(supervisor, "broken"), before)
            assert.deepStrictEqual(storeEntries(memory).filter(([k]) => k.includes("broken")), entries)
            yield* supervisor.submit("fine", [inputs[2 + attempt]!])
          }
          yield* logs.waitFor((l) => l.level === "Error" && l.message.includes("given up"))
          const refused = yield* Effect.flip(supervisor.send("broken", update(5, 11)))
          assert.strictEqual(refused._tag, "SimulationUnavailableError")
          yield* supervisor.submit("fine", inputs.slice(6, 8))
          assert.deepStrictEqual(yield* fingerprintOf(supervisor, "fine"), expectedAfter(8))
        })
      ).pipe(Effect.provide(logs.layer), Effect.ensuring(Effect.sync(unbreak)))
    }))
})

describe("fault 5: a write error", () => {
  it.live("while the store cannot be read back, a simulation never shows the refused batch: inspect fails with the store's error, then shows what the store holds", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      yield* inProcess(memory, {}, (supervisor) =>
        Effect.gen(function* () {
          yield* supervisor.create({ id: "s", config, model: { kind: "trend", params } })
          yield* supervisor.submit("s", inputs.slice(0, 4))
          const before = yield* fingerprintOf(supervisor, "s")
          // The write fails and so does the reload after it (a store that went away).
          memory.control.failNextWrites(1)
          memory.control.failNextReads(2)
          assert.instanceOf(yield* Effect.flip(supervisor.submit("s", inputs.slice(4, 7))), StoreWriteError)
          // The reload after the failed write failed too; so does the one inspect asks for: its error, not the refused batch.
          const seen = yield* Effect.flip(supervisor.inspect("s", (instance) => instance.engine.updateCount))
          assert.strictEqual(seen._tag, "StoreWriteError")
          // Once the store answers, the simulation is what the store holds: the refused batch is not in it.
          assert.deepStrictEqual(yield* fingerprintOf(supervisor, "s"), before)
          assert.strictEqual(yield* supervisor.inspect("s", (instance) => instance.engine.updateCount), 3)
        })
      ).pipe(Effect.provide(quiet))
    }))

  it.live("the input is not acknowledged, the caller gets the error, nothing is half-applied, the next submit works", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      const failed = [...inputs.slice(4, 7), submitOrder({ symbol: "AAA", side: "buy", type: "limit", quantity: 1, limitPrice: 1 })]
      // The uninterrupted run without the failure, and the events of that batch in it.
      const reference = SimulationInstance.create(config, model)
      for (const input of inputs.slice(0, 4)) reference.apply(journalForm(input).input)
      reference.drainEvents()
      const expectedResults = failed.map((input) => reference.apply(journalForm(input).input))
      const expectedEvents = reference.drainEvents()
      assert.isAbove(expectedEvents.length, 2)
      yield* inProcess(memory, {}, (supervisor) =>
        Effect.gen(function* () {
          yield* supervisor.create({ id: "w", config, model: { kind: "trend", params } })
          yield* supervisor.submit("w", inputs.slice(0, 4))
          const before = yield* fingerprintOf(supervisor, "w")
          const entries = storeEntries(memory)
          const events = yield* subscribeEvents(supervisor)

          memory.control.failNextWrites(1)
          const error = yield* Effect.flip(supervisor.submit("w", failed))
          assert.instanceOf(error, StoreWriteError)
          assert.match(error.message, /nothing of the batch was written/)
          assert.deepStrictEqual(yield* fingerprintOf(supervisor, "w"), before)
          assert.deepStrictEqual(storeEntries(memory), entries)

          const retried = yield* supervisor.submit("w", failed)
          assert.deepStrictEqual(retried, expectedResults)
          assert.deepStrictEqual(journalOf(memory, "w").map((e) => e.input), [...inputs.slice(0, 4), ...failed])
          assert.deepStrictEqual(yield* fingerprintOf(supervisor, "w"), fingerprint(reference))
          // Nothing of the failed batch was published: the events seen are exactly the retry's.
          const seen = yield* events.next(expectedEvents.length)
          assert.deepStrictEqual(JSON.parse(JSON.stringify(seen.map((e) => e.event))), JSON.parse(JSON.stringify(expectedEvents)))
        })
      ).pipe(Effect.provide(quiet))
    }))

  it.live("a failed stop (its snapshot in the batch) leaves the simulation running and writes no snapshot", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      yield* inProcess(memory, {}, (supervisor) =>
        Effect.gen(function* () {
          yield* supervisor.create({ id: "st", config, model: { kind: "idle" } })
          yield* supervisor.submit("st", [start, update(0, 10)])
          memory.control.failNextWrites(1)
          assert.instanceOf(yield* Effect.flip(supervisor.send("st", stop)), StoreWriteError)
          assert.strictEqual(yield* statusOf(supervisor, "st"), "running")
          assert.deepStrictEqual(snapshotKeysOf(memory, "st"), [])
          yield* supervisor.send("st", stop)
          assert.strictEqual(yield* statusOf(supervisor, "st"), "stopped")
          assert.deepStrictEqual(snapshotKeysOf(memory, "st"), ["snapshot:st:000000000003"])
        })
      ).pipe(Effect.provide(quiet))
    }))

  it.live("concurrent simulations sharing a failed group commit all get the error and all stay consistent", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      const ids = ["x", "y", "z"]
      yield* inProcess(memory, {}, (supervisor) =>
        Effect.gen(function* () {
          for (const id of ids) {
            yield* supervisor.create({ id, config, model: { kind: "trend", params } })
            yield* supervisor.submit(id, inputs.slice(0, 3))
          }
          const before = yield* Effect.forEach(ids, (id) => fingerprintOf(supervisor, id))
          const entries = storeEntries(memory)
          const writes = memory.control.writeCount()

          memory.control.failNextWrites(1)
          const exits = yield* Effect.all(
            ids.map((id) => Effect.exit(supervisor.submit(id, inputs.slice(3, 6)))),
            { concurrency: "unbounded" }
          )
          // One failed write took all three down: they were in one group commit.
          for (const exit of exits) {
            assert.isTrue(Exit.isFailure(exit))
            assert.instanceOf(errorOf(exit), StoreWriteError)
          }
          assert.strictEqual(memory.control.writeCount(), writes)
          assert.deepStrictEqual(storeEntries(memory), entries)
          assert.deepStrictEqual(yield* Effect.forEach(ids, (id) => fingerprintOf(supervisor, id)), before)

          // All of them work again, and each is its uninterrupted run.
          yield* Effect.all(ids.map((id) => supervisor.submit(id, inputs.slice(3, 6))), { concurrency: "unbounded" })
          for (const id of ids) assert.deepStrictEqual(yield* fingerprintOf(supervisor, id), expectedAfter(6))
        })
      ).pipe(Effect.provide(quiet))
      // And what is stored recovers to the same.
      yield* inProcess(memory, {}, (supervisor) =>
        Effect.gen(function* () {
          assert.deepStrictEqual(supervisor.recovered.map((r) => [r.id, r.seq]), ids.map((id) => [id, 6]))
          for (const id of ids) assert.deepStrictEqual(yield* fingerprintOf(supervisor, id), expectedAfter(6))
        })
      ).pipe(Effect.provide(quiet))
    }))

  it.live("concurrent senders to one simulation: exactly the acknowledged inputs are stored and applied", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      yield* inProcess(memory, {}, (supervisor) =>
        Effect.gen(function* () {
          yield* supervisor.create({ id: "many", config, model: { kind: "idle" } })
          yield* supervisor.submit("many", [start, update(0, 100)])
          memory.control.failNextWrites(1)
          const orders = Array.from({ length: 12 }, (_, i) => submitOrder({ symbol: "AAA", side: "sell", type: "limit", quantity: 1, limitPrice: 150 + i }))
          const exits = yield* Effect.all(orders.map((o) => Effect.exit(supervisor.send("many", o))), { concurrency: "unbounded" })
          const failures = exits.filter(Exit.isFailure)
          assert.isAbove(failures.length, 0)
          for (const f of failures) assert.instanceOf(errorOf(f), StoreWriteError)
          const acknowledged = orders.filter((_, i) => Exit.isSuccess(exits[i]!))
          const stored = journalOf(memory, "many").map((e) => e.input).slice(2)
          assert.sameDeepMembers(stored, acknowledged)
          assert.deepStrictEqual(yield* fingerprintOf(supervisor, "many"), fingerprint(referenceRun(idle, [start, update(0, 100), ...stored]).instance))
        })
      ).pipe(Effect.provide(quiet))
    }))

  it.live("a write error and then a failing reload: the caller still gets the error, and what follows builds on the stored state", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      const lost = inputs.slice(3, 5)
      yield* inProcess(memory, { restartSchedule: Schedule.spaced("1 millis") }, (supervisor) =>
        Effect.gen(function* () {
          yield* supervisor.create({ id: "dbl", config, model: { kind: "trend", params } })
          yield* supervisor.submit("dbl", inputs.slice(0, 3))
          memory.control.failNextWrites(1)
          memory.control.failNextReads(1)
          assert.instanceOf(yield* Effect.flip(supervisor.submit("dbl", lost)), StoreWriteError)
          // The lost batch is not part of what comes next, in memory or in the store.
          const next = [update(3, 90), update(4, 91)]
          yield* supervisor.submit("dbl", next)
          const expected = fingerprint(referenceRun(model, [...inputs.slice(0, 3), ...next]).instance)
          assert.deepStrictEqual(yield* fingerprintOf(supervisor, "dbl"), expected)
          assert.deepStrictEqual(journalOf(memory, "dbl").map((e) => e.input), [...inputs.slice(0, 3), ...next])
        })
      ).pipe(Effect.provide(quiet))
      yield* inProcess(memory, {}, (supervisor) =>
        Effect.gen(function* () {
          assert.deepStrictEqual(supervisor.recovered.map((r) => [r.id, r.seq]), [["dbl", 5]])
          assert.deepStrictEqual(yield* fingerprintOf(supervisor, "dbl"), fingerprint(referenceRun(model, [...inputs.slice(0, 3), update(3, 90), update(4, 91)]).instance))
        })
      ).pipe(Effect.provide(quiet))
    }))

  it.live("a read error while preparing a snapshot: not acknowledged, nothing applied, the next submit works", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      // One snapshot kept: each new one prunes, which reads the journal keys first.
      yield* inProcess(memory, { snapshotEvery: 1, keepSnapshots: 1 }, (supervisor) =>
        Effect.gen(function* () {
          yield* supervisor.create({ id: "rd", config, model: { kind: "trend", params } })
          yield* supervisor.submit("rd", inputs.slice(0, 3))
          const before = yield* fingerprintOf(supervisor, "rd")
          const entries = storeEntries(memory)
          memory.control.failNextReads(1)
          const error = yield* Effect.flip(supervisor.submit("rd", inputs.slice(3, 5)))
          assert.strictEqual(error._tag, "SimulationUnavailableError")
          assert.deepStrictEqual(yield* fingerprintOf(supervisor, "rd"), before)
          assert.deepStrictEqual(storeEntries(memory), entries)
          yield* supervisor.submit("rd", inputs.slice(3, 5))
          assert.deepStrictEqual(yield* fingerprintOf(supervisor, "rd"), expectedAfter(5))
        })
      ).pipe(Effect.provide(quiet))
    }))

  it.live("a failed create leaves nothing behind and can be retried", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      yield* inProcess(memory, {}, (supervisor) =>
        Effect.gen(function* () {
          memory.control.failNextWrites(1)
          assert.instanceOf(yield* Effect.flip(supervisor.create({ id: "c", config, model: { kind: "idle" } })), StoreWriteError)
          assert.deepStrictEqual(yield* supervisor.list, [])
          assert.deepStrictEqual(storeEntries(memory), [])
          yield* supervisor.create({ id: "c", config, model: { kind: "idle" } })
          assert.deepStrictEqual(yield* supervisor.list, ["c"])
        })
      ).pipe(Effect.provide(quiet))
    }))
})
