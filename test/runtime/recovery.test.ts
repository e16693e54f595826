import { assert, describe, it } from "@effect/vitest"
import { fc } from "@fast-check/vitest"
import { Effect } from "effect"
import { it as vitestIt } from "vitest"
import type { OrderType, TimeInForce } from "../../src/domain/order.ts"
import { orderIdFromSeq } from "../../src/domain/ids.ts"
import type { MemoryStoreInstance } from "../../src/runtime/memory-store.ts"
import type { ApplyResult } from "../../src/runtime/simulation-instance.ts"
import { SimulationInstance } from "../../src/runtime/simulation-instance.ts"
import { journalForm, type SimulationInput } from "../../src/runtime/simulation-input.ts"
import type { SupervisorOptions } from "../../src/runtime/simulation-supervisor.ts"
import {
  buyOnce,
  config,
  fingerprint,
  fingerprintOf,
  freshStore,
  inProcess,
  journalKeysOf,
  makeLogCapture,
  minute,
  referenceRun,
  snapshotKeysOf,
  start,
  statusOf,
  stop,
  submitOrder,
  T0,
  trend,
  update
} from "./fixtures.ts"

const quiet = makeLogCapture().layer

// ── The scenario: relative steps, materialised into concrete inputs ─────

type Step =
  | { readonly kind: "update"; readonly moveBp: number; readonly nextDay: boolean; readonly withBbb: boolean }
  | {
      readonly kind: "order"
      readonly symbol: "AAA" | "BBB"
      readonly side: "buy" | "sell"
      readonly type: OrderType
      readonly quantity: number
      readonly offsetBp: number
      readonly timeInForce: TimeInForce
    }
  | { readonly kind: "cancel"; readonly order: number }
  | { readonly kind: "pause" }
  | { readonly kind: "resume" }
  | { readonly kind: "stop" }

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 16,
    arbitrary: fc.record({
      kind: fc.constant("update" as const),
      moveBp: fc.integer({ min: -300, max: 300 }),
      nextDay: fc.integer({ min: 0, max: 7 }).map((n) => n === 0),
      withBbb: fc.boolean()
    })
  },
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant("order" as const),
      symbol: fc.constantFrom("AAA" as const, "BBB" as const),
      side: fc.constantFrom("buy" as const, "sell" as const),
      type: fc.constantFrom<OrderType>("market", "limit", "stop", "stopLimit"),
      quantity: fc.integer({ min: 1, max: 40 }),
      offsetBp: fc.integer({ min: -400, max: 400 }),
      timeInForce: fc.constantFrom<TimeInForce>("day", "gtc")
    })
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("cancel" as const), order: fc.integer({ min: 1, max: 12 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: "pause" as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: "resume" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "stop" as const }) }
)

const price = (p: number) => Math.round(p * 100) / 100

/** Concrete inputs: prices walk from 100 (AAA) and 50 (BBB); order prices sit around the last price. */
const materialize = (steps: ReadonlyArray<Step>): SimulationInput[] => {
  let aaa = 100
  let bbb = 50
  let minutes = 0
  let i = 0
  return steps.map((step): SimulationInput => {
    switch (step.kind) {
      case "update": {
        aaa = Math.max(1, price(aaa * (1 + step.moveBp / 10_000)))
        bbb = Math.max(1, price(bbb * (1 - step.moveBp / 20_000)))
        minutes += step.nextDay ? 24 * 60 : 1
        i += 1
        return {
          type: "marketUpdate",
          update: {
            time: T0 + minutes * minute,
            bars: {
              AAA: { open: aaa, high: price(aaa * 1.01), low: price(aaa * 0.99), close: aaa, volume: 1_000 },
              ...(step.withBbb ? { BBB: { open: bbb, high: price(bbb * 1.01), low: price(bbb * 0.99), close: bbb, volume: 1_000 } } : {})
            }
          }
        }
      }
      case "order": {
        const last = step.symbol === "AAA" ? aaa : bbb
        const at = Math.max(0.01, price(last * (1 + step.offsetBp / 10_000)))
        const limitPrice = step.type === "limit" || step.type === "stopLimit" ? at : undefined
        const stopPrice = step.type === "stop" || step.type === "stopLimit" ? at : undefined
        return submitOrder({
          symbol: step.symbol,
          side: step.side,
          type: step.type,
          quantity: step.quantity,
          ...(limitPrice === undefined ? {} : { limitPrice }),
          ...(stopPrice === undefined ? {} : { stopPrice }),
          timeInForce: step.timeInForce
        })
      }
      case "cancel":
        return { type: "cancelOrder", orderId: orderIdFromSeq(step.order) }
      case "pause":
        return { type: "pause" }
      case "resume":
        return { type: "resume" }
      case "stop":
        return stop
    }
  })
}

/** Splits inputs into batches of the given sizes (cycled), each submitted at once. */
const batchesOf = <A>(items: ReadonlyArray<A>, sizes: ReadonlyArray<number>): A[][] => {
  const out: A[][] = []
  let at = 0
  for (let k = 0; at < items.length; k++) {
    const size = sizes[k % sizes.length]!
    out.push(items.slice(at, at + size))
    at += size
  }
  return out
}

const sameResults = (actual: ReadonlyArray<ApplyResult>, expected: ReadonlyArray<ApplyResult>) =>
  assert.deepStrictEqual(
    actual.map((r) => (r.ok ? { ok: true, value: r.value } : { ok: false, error: r.error._tag })),
    expected.map((r) => (r.ok ? { ok: true, value: r.value } : { ok: false, error: r.error._tag }))
  )

const scenarioArb = fc.record({
  steps: fc.array(stepArb, { minLength: 4, maxLength: 45 }),
  batchSizes: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 5 }),
  /** Before which batches the process is restarted (indices mod the batch count). */
  restarts: fc.uniqueArray(fc.nat({ max: 60 }), { minLength: 1, maxLength: 5 }),
  /** Batches whose first commit fails (a full disk): refused, then submitted again. */
  failedWrites: fc.uniqueArray(fc.nat({ max: 60 }), { maxLength: 3 }),
  snapshotEvery: fc.integer({ min: 1, max: 8 }),
  keepSnapshots: fc.integer({ min: 1, max: 3 }),
  every: fc.integer({ min: 1, max: 3 })
})

/**
 * Runs the batches through supervisor processes over one store, restarting before the chosen
 * batches; checks every acknowledgement against the uninterrupted run and every recovery against
 * the state the uninterrupted run had at that point.
 */
const runWithRestarts = (
  memory: MemoryStoreInstance,
  options: SupervisorOptions,
  modelParams: unknown,
  batches: ReadonlyArray<ReadonlyArray<SimulationInput>>,
  restartBefore: ReadonlySet<number>,
  failWriteOf: ReadonlySet<number> = new Set()
) =>
  Effect.gen(function* () {
    const model = trend(modelParams)
    // The uninterrupted run, advanced batch by batch alongside.
    const shadow = SimulationInstance.create(config, model)
    shadow.apply(journalForm(start).input)
    let accepted = 1
    yield* inProcess(memory, options, (supervisor) =>
      Effect.gen(function* () {
        yield* supervisor.create({ id: "p", config, model: { kind: "trend", params: modelParams } })
        yield* supervisor.send("p", start)
      })
    )
    let from = 0
    const segments: Array<[number, number]> = []
    for (let b = 1; b <= batches.length; b++) {
      if (b === batches.length || restartBefore.has(b)) {
        segments.push([from, b])
        from = b
      }
    }
    if (segments.length === 0) segments.push([0, 0])
    for (const [first, end] of segments) {
      yield* inProcess(memory, options, (supervisor) =>
        Effect.gen(function* () {
          // Recovery: the report's sequence, and exactly the uninterrupted run's state so far.
          assert.deepStrictEqual(supervisor.recovered.map((r) => [r.id, r.seq, r.badSnapshots.length, r.tornTail.length]), [["p", accepted, 0, 0]])
          assert.deepStrictEqual(yield* fingerprintOf(supervisor, "p"), fingerprint(shadow))
          for (let b = first; b < end; b++) {
            if (failWriteOf.has(b)) {
              // A failed write changes nothing: not the store, not the state; the same batch then goes through.
              const before = fingerprint(shadow)
              const entries = memory.control.entries()
              memory.control.failNextWrites(1)
              const failed = yield* Effect.result(supervisor.submit("p", batches[b]!))
              memory.control.failNextWrites(0)
              if (failed._tag === "Failure") {
                assert.strictEqual(failed.failure._tag, "StoreWriteError")
                assert.deepStrictEqual(memory.control.entries(), entries)
                assert.deepStrictEqual(yield* fingerprintOf(supervisor, "p"), before)
              } else {
                // Nothing to write (every input refused): nothing failed.
                assert.isTrue(failed.success.every((r) => !r.ok))
                batches[b]!.forEach((input) => shadow.apply(journalForm(input).input))
                continue
              }
            }
            const results = yield* supervisor.submit("p", batches[b]!)
            const expected = batches[b]!.map((input) => shadow.apply(journalForm(input).input))
            sameResults(results, expected)
            accepted += expected.filter((r) => r.ok).length
          }
        })
      )
    }
    // One more restart at the very end: the stored state is the final state.
    return yield* inProcess(memory, options, (supervisor) =>
      Effect.gen(function* () {
        assert.deepStrictEqual(supervisor.recovered.map((r) => [r.id, r.seq]), [["p", accepted]])
        return { final: yield* fingerprintOf(supervisor, "p"), shadow: fingerprint(shadow) }
      })
    )
  })

describe("recovery", () => {
  vitestIt("property: restarts (and failed writes) at random points give the uninterrupted run's state, byte for byte", async () => {
    const numRuns = process.env["FC_NUM_RUNS"] === undefined ? { numRuns: 20 } : {}
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (scenario) => {
        const inputs = materialize(scenario.steps)
        const batches = batchesOf(inputs, scenario.batchSizes)
        const restartBefore = new Set(scenario.restarts.map((r) => r % (batches.length + 1)))
        const options = { snapshotEvery: scenario.snapshotEvery, keepSnapshots: scenario.keepSnapshots }
        const params = { every: scenario.every, quantity: 5 }
        const memory = freshStore()
        const failWriteOf = new Set(scenario.failedWrites.map((f) => f % batches.length))
        const { final, shadow } = await Effect.runPromise(runWithRestarts(memory, options, params, batches, restartBefore, failWriteOf).pipe(Effect.provide(quiet)))
        const reference = referenceRun(trend(params), [start, ...inputs])
        const expected = fingerprint(reference.instance)
        assert.strictEqual(final.snapshot, expected.snapshot)
        assert.deepStrictEqual(final.fills, expected.fills)
        assert.deepStrictEqual(final.metrics, expected.metrics)
        assert.deepStrictEqual(final.trades, expected.trades)
        assert.strictEqual(shadow.snapshot, expected.snapshot)
        // The store keeps at most keepSnapshots snapshots.
        assert.isAtMost(snapshotKeysOf(memory, "p").length, scenario.keepSnapshots)
      }),
      { ...numRuns }
    )
  })

  it.live("a resting limit order keeps working across a restart and fills after it", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      const options = { snapshotEvery: 2, keepSnapshots: 2 }
      const before = [start, update(0, 100), submitOrder({ symbol: "AAA", side: "buy", type: "limit", quantity: 7, limitPrice: 95, timeInForce: "gtc" }), update(1, 99), update(2, 98)]
      yield* inProcess(memory, options, (supervisor) =>
        Effect.gen(function* () {
          yield* supervisor.create({ id: "rest", config, model: { kind: "idle" } })
          for (const input of before) yield* supervisor.send("rest", input)
          assert.deepStrictEqual(yield* supervisor.inspect("rest", (i) => i.engine.getOpenOrders().map((o) => [o.id, o.status])), [["O-000001", "accepted"]])
        })
      )
      // Recovered from a snapshot (taken at 4) plus the journal tail (5).
      assert.deepStrictEqual(snapshotKeysOf(memory, "rest"), ["snapshot:rest:000000000002", "snapshot:rest:000000000004"])
      yield* inProcess(memory, options, (supervisor) =>
        Effect.gen(function* () {
          assert.deepStrictEqual(supervisor.recovered, [{ id: "rest", seq: 5, badSnapshots: [], tornTail: [] }])
          assert.deepStrictEqual(yield* supervisor.inspect("rest", (i) => i.engine.getOpenOrders().map((o) => [o.id, o.status])), [["O-000001", "accepted"]])
          yield* supervisor.send("rest", update(3, 94))
          const order = yield* supervisor.inspect("rest", (i) => i.engine.getOrder("O-000001"))
          assert.strictEqual(order.status, "filled")
          const fills = yield* supervisor.inspect("rest", (i) => i.engine.getFills())
          assert.deepStrictEqual(fills.map((f) => [f.orderId, f.quantity, f.price]), [["O-000001", "7", "94.047"]])
        })
      )
    }).pipe(Effect.provide(quiet)))

  it.live("a model's open orders and its state come back: the run continues as if never interrupted", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      const options = { snapshotEvery: 3, keepSnapshots: 2 }
      const prices = [100, 101, 103, 102, 99, 98, 100, 104, 107, 105, 101, 100, 102, 106]
      const inputs = [start, ...prices.map((p, i) => update(i, p))]
      const params = { every: 1, quantity: 4 }
      for (const [from, to] of [[0, 4], [4, 5], [5, 11], [11, inputs.length]] as const) {
        yield* inProcess(memory, options, (supervisor) =>
          Effect.gen(function* () {
            if (from === 0) yield* supervisor.create({ id: "model", config, model: { kind: "trend", params } })
            else assert.deepStrictEqual(supervisor.recovered.map((r) => r.seq), [from])
            yield* supervisor.submit("model", inputs.slice(from, to))
          })
        )
      }
      yield* inProcess(memory, options, (supervisor) =>
        Effect.gen(function* () {
          const reference = referenceRun(trend(params), inputs)
          assert.isAbove(reference.instance.engine.getFills().length, 2)
          assert.deepStrictEqual(yield* fingerprintOf(supervisor, "model"), fingerprint(reference.instance))
          assert.deepStrictEqual(yield* supervisor.inspect("model", (i) => i.snapshot().modelState), reference.instance.snapshot().modelState)
        })
      )
    }).pipe(Effect.provide(quiet)))

  it.live("every simulation in the store is recovered on its own: deployed, running, stopped", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      yield* inProcess(memory, { snapshotEvery: 2 }, (supervisor) =>
        Effect.gen(function* () {
          yield* supervisor.create({ id: "deployed", config, model: { kind: "idle" } })
          yield* supervisor.create({ id: "running", config, model: { kind: "trend" } })
          yield* supervisor.create({ id: "stopped", config, model: { kind: "buyOnce" } })
          yield* supervisor.submit("running", [start, update(0, 10), update(1, 11), update(2, 12)])
          yield* supervisor.submit("stopped", [start, update(0, 10), update(1, 11), stop])
        })
      )
      assert.deepStrictEqual(journalKeysOf(memory, "deployed"), [])
      yield* inProcess(memory, { snapshotEvery: 2 }, (supervisor) =>
        Effect.gen(function* () {
          assert.deepStrictEqual(
            supervisor.recovered.map((r) => [r.id, r.seq]),
            [["deployed", 0], ["running", 4], ["stopped", 4]]
          )
          assert.deepStrictEqual([...(yield* supervisor.list)].sort(), ["deployed", "running", "stopped"])
          assert.strictEqual(yield* statusOf(supervisor, "deployed"), "deployed")
          assert.strictEqual(yield* statusOf(supervisor, "running"), "running")
          assert.strictEqual(yield* statusOf(supervisor, "stopped"), "stopped")
          assert.deepStrictEqual(
            yield* fingerprintOf(supervisor, "stopped"),
            fingerprint(referenceRun(buyOnce(undefined), [start, update(0, 10), update(1, 11), stop]).instance)
          )
          // The deployed one can still be started; journal numbering continues.
          yield* supervisor.submit("deployed", [start, update(0, 10)])
          yield* supervisor.submit("running", [update(3, 13)])
        })
      )
      yield* inProcess(memory, {}, (supervisor) =>
        Effect.sync(() => assert.deepStrictEqual(supervisor.recovered.map((r) => [r.id, r.seq]), [["deployed", 2], ["running", 5], ["stopped", 4]]))
      )
    }).pipe(Effect.provide(quiet)))
})
