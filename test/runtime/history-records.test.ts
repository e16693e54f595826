import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import type { MemoryStoreInstance } from "../../src/runtime/memory-store.ts"
import { SimulationNotRecoveredError } from "../../src/runtime/runtime-errors.ts"
import type { SimulationInput } from "../../src/runtime/simulation-input.ts"
import type { SupervisorOptions } from "../../src/runtime/simulation-supervisor.ts"
import { config, fingerprint, fingerprintOf, freshStore, inProcess, makeLogCapture, referenceRun, snapshotKeysOf, start, storeEntries, trend, update } from "./fixtures.ts"

const quiet = makeLogCapture().layer
const params = { every: 1, quantity: 3 }
const model = trend(params)
/** A market that rises and falls, so the model trades every few updates: orders end, fills and trades pile up. */
const inputs: SimulationInput[] = [start, ...Array.from({ length: 240 }, (_, i) => update(i, 100 + ((i * 7) % 11)))]
const expectedAfter = (n: number) => fingerprint(referenceRun(model, inputs.slice(0, n)).instance)

const seed = (memory: MemoryStoreInstance, options: SupervisorOptions, id: string, these: ReadonlyArray<SimulationInput>) =>
  inProcess(memory, options, (supervisor) =>
    Effect.gen(function* () {
      yield* supervisor.create({ id, config, model: { kind: "trend", params } })
      for (const input of these) yield* supervisor.submit(id, [input])
    })
  ).pipe(Effect.provide(quiet))

const valueOf = (memory: MemoryStoreInstance, key: string) => storeEntries(memory).find(([k]) => k === key)![1]
const historyKeysOf = (memory: MemoryStoreInstance, id: string) => storeEntries(memory).map(([key]) => key).filter((key) => key.startsWith(`history:${id}:`))

describe("snapshots hold the live state; the history is written once, a record per snapshot", () => {
  const options = { snapshotEvery: 20, keepSnapshots: 2 }

  it.live("a snapshot's size does not grow with the run, and the history records add up to the run", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      yield* seed(memory, options, "h", inputs)
      assert.deepStrictEqual(snapshotKeysOf(memory, "h"), ["snapshot:h:000000000220", "snapshot:h:000000000240"])
      // Every snapshot left its history behind, though only the last two snapshots are kept.
      assert.deepStrictEqual(historyKeysOf(memory, "h"), Array.from({ length: 12 }, (_, i) => `history:h:${String((i + 1) * 20).padStart(12, "0")}`))
      const whole = JSON.stringify(referenceRun(model, inputs).instance.snapshot())
      const live = valueOf(memory, "snapshot:h:000000000240").length
      assert.isBelow(live * 4, whole.length)
      assert.isBelow(live, 2 * valueOf(memory, "snapshot:h:000000000220").length)
      yield* inProcess(memory, options, (supervisor) =>
        Effect.gen(function* () {
          assert.deepStrictEqual(supervisor.recovered, [{ id: "h", seq: inputs.length, badSnapshots: [], tornTail: [] }])
          assert.deepStrictEqual(yield* fingerprintOf(supervisor, "h"), expectedAfter(inputs.length))
        })
      ).pipe(Effect.provide(quiet))
    }))

  it.live("a damaged newest history record: restored from the snapshot before it and a longer replay; its stray history is rewritten", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      const first = inputs.slice(0, 201)
      yield* seed(memory, options, "h", first)
      memory.control.corrupt("history:h:000000000200", "00000000:{}")
      yield* inProcess(memory, options, (supervisor) =>
        Effect.gen(function* () {
          assert.deepStrictEqual(supervisor.recovered, [{ id: "h", seq: 201, badSnapshots: ["snapshot:h:000000000200"], tornTail: [] }])
          assert.deepStrictEqual(yield* fingerprintOf(supervisor, "h"), expectedAfter(201))
          for (const input of inputs.slice(201)) yield* supervisor.submit("h", [input])
        })
      ).pipe(Effect.provide(quiet))
      yield* inProcess(memory, options, (supervisor) =>
        Effect.gen(function* () {
          assert.deepStrictEqual(supervisor.recovered, [{ id: "h", seq: inputs.length, badSnapshots: [], tornTail: [] }])
          assert.deepStrictEqual(yield* fingerprintOf(supervisor, "h"), expectedAfter(inputs.length))
        })
      ).pipe(Effect.provide(quiet))
    }))

  it.live("a damaged history record behind every kept snapshot, the journal pruned: not recovered, with the acknowledged loss named", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      yield* seed(memory, options, "h", inputs)
      yield* seed(memory, options, "other", inputs.slice(0, 30))
      memory.control.corrupt("history:h:000000000100", "garbage")
      yield* inProcess(memory, options, (supervisor) =>
        Effect.gen(function* () {
          assert.deepStrictEqual(supervisor.recovered.map((r) => r.id), ["other"])
          assert.deepStrictEqual(supervisor.unrecoverable.map((u) => [u.simulationId, u.error._tag]), [["h", "AcknowledgedInputsLostError"]])
          assert.instanceOf(yield* Effect.flip(supervisor.send("h", update(300, 100))), SimulationNotRecoveredError)
        })
      ).pipe(Effect.provide(quiet))
    }))
})
