import { assert, describe, it } from "@effect/vitest"
import { fc } from "@fast-check/vitest"
import { Effect } from "effect"
import { it as vitestIt, vi } from "vitest"
import { Decimal } from "../../src/domain/decimal.ts"
import { ValidationError } from "../../src/domain/errors.ts"
import { NOT_SHAPED, readShaped, shapeOf } from "../../src/runtime/input-shape.ts"
import { encodeJournal, JOURNAL_FORMAT, readJournal } from "../../src/runtime/journal-record.ts"
import { decodeRecord, encodeJson } from "../../src/runtime/record-codec.ts"
import { journalBatch, journalForm, type SimulationInput } from "../../src/runtime/simulation-input.ts"
import { config, fingerprint, fingerprintOf, freshStore, idle, inProcess, journalOf, makeLogCapture, referenceRun, start, stop, submitOrder, update } from "./fixtures.ts"

const quiet = makeLogCapture().layer

/** What JSON gives back for a value: the journal form every check compares with. */
const viaJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value))

/** Exact equality with key order, which deepStrictEqual does not check. */
const sameJson = (a: unknown, b: unknown) => {
  assert.deepStrictEqual(a, b)
  assert.strictEqual(JSON.stringify(a), JSON.stringify(b))
}

const leaf = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.string(), fc.boolean(), fc.constant(null))
const key = fc.oneof(fc.constantFrom("AAA", "BBB", "1", "0", "10", "constructor", "__proto__", "toJSON", "time", "type", ""), fc.string({ maxLength: 4 }))
/** JSON-ish values as a caller may send them, arrays, odd keys and all. */
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small", withCrossShrink: true }, leaf, tie("object"), fc.array(tie("value"), { maxLength: 3 })),
  object: fc.dictionary(key, tie("value"), { maxKeys: 4 })
})).value
const priceUpdate = fc.record({ time: fc.integer({ min: 0, max: 2e12 }), prices: fc.dictionary(fc.constantFrom("AAA", "BBB", "CCC"), fc.double({ min: 1, max: 1e6, noNaN: true }), { minKeys: 1 }) })
const input: fc.Arbitrary<SimulationInput> = fc.oneof(
  { weight: 6, arbitrary: priceUpdate.map((u) => ({ type: "marketUpdate", update: u }) as SimulationInput) },
  { weight: 2, arbitrary: value.map((u) => ({ type: "marketUpdate", update: u }) as SimulationInput) },
  { weight: 1, arbitrary: fc.dictionary(key, value).map((o) => o as unknown as SimulationInput) },
  { weight: 1, arbitrary: fc.constantFrom<SimulationInput>({ type: "start" }, { type: "stop" }, { type: "cancelOrder", orderId: "ord-1" }) }
)

describe("journal records (format 2)", () => {
  vitestIt("property: any inputs in journal form read back exactly, keys in order", () =>
    fc.assert(
      fc.property(fc.array(input, { maxLength: 40 }), fc.integer({ min: 1, max: 1e9 }), (inputs, seq) => {
        const forms = inputs.map((i) => viaJson(i) as SimulationInput)
        const text = encodeJournal(seq, forms)
        const read = readJournal(JSON.parse(text))
        assert.ok("inputs" in read, JSON.stringify(read))
        assert.strictEqual(read.seq, seq)
        sameJson(read.inputs, forms)
        // What recovery sees of a key that assignment would turn into a prototype: an own property, as JSON made it.
        read.inputs.forEach((r, i) => assert.deepStrictEqual(Object.getOwnPropertyNames(r), Object.getOwnPropertyNames(forms[i])))
      }),
      { numRuns: 300 }
    ))

  vitestIt("keys that assignment treats apart (__proto__, integer-like keys) come back as JSON made them", () => {
    const odd = [
      '{"type":"marketUpdate","update":{"__proto__":5,"A":1}}',
      '{"type":"marketUpdate","update":{"__proto__":{"x":1},"A":1}}',
      '{"type":"marketUpdate","update":{"b":1,"10":2,"2":3}}'
    ].map((json) => JSON.parse(json) as SimulationInput)
    const forms = [odd[0]!, odd[0]!, odd[1]!, odd[1]!, odd[2]!, odd[2]!]
    const read = readJournal(JSON.parse(encodeJournal(1, forms)))
    assert.ok("inputs" in read)
    sameJson(read.inputs, forms)
    read.inputs.forEach((r, i) => {
      const update = (r as { update: object }).update
      assert.deepStrictEqual(Object.getOwnPropertyNames(update), Object.getOwnPropertyNames((forms[i] as { update: object }).update))
      assert.strictEqual(Object.getPrototypeOf(update), Object.prototype)
    })
  })

  vitestIt("keys and types that a builder's code must quote read back exactly; the same without code generation", () => {
    const odd = ['"', "\\", "\u2028", "\u2029", "`${x}`", "*/", "'", "</script>", "\n", "0", "4294967295", "-1", "1.5", " "]
    const inputs = odd.map((key, i) => ({ type: `t${key}`, update: { [key]: i, [`${key}x`]: { [key]: -i, [`k${i}`]: `v${key}` } } }))
    const forms = inputs.flatMap((i) => [i, i]).map((i) => viaJson(i) as SimulationInput)
    const read = readJournal(JSON.parse(encodeJournal(1, forms)))
    assert.ok("inputs" in read)
    sameJson(read.inputs, forms)
    // Shapes not seen before (their builders are kept), read where `Function` refuses code as the flag makes it.
    const unseen = forms.map((f) => ({ ...f, unseen: 1 }) as unknown as SimulationInput)
    vi.stubGlobal("Function", function () {
      throw new EvalError("Code generation from strings disallowed for this context")
    })
    try {
      const fallback = readJournal(JSON.parse(encodeJournal(1, unseen)))
      assert.ok("inputs" in fallback)
      sameJson(fallback.inputs, unseen)
    } finally {
      vi.unstubAllGlobals()
    }
  })

  vitestIt("a feed's market updates are stored as one run: the shape once, then their numbers", () => {
    const inputs = Array.from({ length: 50 }, (_, i) => update(i, 100 + i))
    const text = encodeJournal(7, inputs.map((i) => viaJson(i) as SimulationInput))
    const body = JSON.parse(text) as { format: number; inputs: unknown[] }
    assert.strictEqual(body.format, JOURNAL_FORMAT)
    assert.strictEqual(body.inputs.length, 1)
    assert.ok(text.length < JSON.stringify(inputs).length / 2, `${text.length} bytes`)
  })

  vitestIt("format 1 records (stores written before) read as they are; a newer format is told apart; a broken run is a problem", () => {
    const inputs = [start, update(0, 100), stop]
    sameJson(readJournal({ seq: 3, inputs }), { seq: 3, inputs })
    assert.deepStrictEqual(readJournal({ seq: 3, format: 3, inputs: [] }), { newer: 3 })
    for (const bad of [[[{ type: "marketUpdate", update: { time: 0, A: 0 } }, [1, 2, 3]]], [[{ type: "x", a: 0 }, [{}]]], [[{ a: [0] }, [1]]], [[{ a: 0 }]]])
      assert.ok("problem" in readJournal({ seq: 1, format: 2, inputs: bad }), JSON.stringify(bad))
  })
})

describe("reading a live input by its shape", () => {
  const shape = shapeOf(viaJson(update(0, 100, 50)))!

  vitestIt("property: a plain input of the shape reads as JSON would make it", () =>
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), (aaa, minute) => {
        const raw = update(minute, aaa, -0)
        sameJson(readShaped(shape, raw), viaJson(raw))
      })
    ))

  vitestIt("what JSON would change or refuse is not read by shape", () => {
    const base = update(0, 100, 50) as { type: "marketUpdate"; update: { time: number; bars: Record<string, unknown> } }
    const withBar = (bar: unknown) => ({ ...base, update: { ...base.update, bars: { ...base.update.bars, BBB: bar } } })
    const bar = base.update.bars["BBB"] as Record<string, unknown>
    const cases: Record<string, unknown> = {
      NaN: withBar({ ...bar, close: Number.NaN }),
      Infinity: withBar({ ...bar, close: Infinity }),
      Decimal: withBar({ ...bar, close: new Decimal(50) }),
      Date: { ...base, update: { ...base.update, time: new Date(0) } },
      "a Proxy": withBar(new Proxy(bar, {})),
      "a class instance": withBar(Object.assign(new (class Bar {})(), bar)),
      "a null prototype": withBar(Object.assign(Object.create(null), bar)),
      "a toJSON": withBar({ ...bar, toJSON: () => 1 }),
      "a missing key": withBar({ open: 50, high: 50, low: 50, close: 50 }),
      "an extra key": withBar({ ...bar, extra: 1 }),
      "keys in another order": withBar({ high: 50, open: 50, low: 50, close: 50, volume: 100 }),
      "another type": { ...base, type: "submitOrder" },
      "an array": withBar([50, 50, 50, 50, 100]),
      undefined: withBar({ ...bar, volume: undefined })
    }
    for (const [what, raw] of Object.entries(cases)) assert.strictEqual(readShaped(shape, raw), NOT_SHAPED, what)
  })

  vitestIt("a batch's forms are JSON's, each getter read once, and what JSON refuses is refused", () => {
    let reads = 0
    const counted = update(1, 101) as { update: { time: number } }
    const getter = { ...counted, update: { ...counted.update, get time() { return ++reads } } }
    const throwing = { ...counted, update: { ...counted.update, get time(): number { throw new Error("no time") } } }
    const inputs = [update(0, 100), getter, update(2, 102), { ...update(3, 103), extra: 10n }, throwing, update(5, 105)] as unknown as SimulationInput[]
    const forms = journalBatch(inputs)
    assert.strictEqual(reads, 1)
    assert.ok(forms[3] instanceof ValidationError && forms[4] instanceof ValidationError)
    for (const i of [0, 1, 2, 5]) sameJson(forms[i], journalForm(i === 1 ? ({ ...getter, update: { ...getter.update, time: 1 } } as unknown as SimulationInput) : inputs[i]!).input)
  })
})

describe("stores written before format 2", () => {
  it.effect("a journal of format 1 records recovers, takes new records after them and recovers again as the uninterrupted run", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      const first = [start, ...Array.from({ length: 30 }, (_, i) => update(i, 100 + (i % 7))), submitOrder({ symbol: "AAA", side: "buy", type: "market", quantity: 3 })]
      const second = Array.from({ length: 20 }, (_, i) => update(30 + i, 104 - (i % 5)))
      const model = { kind: "idle" }
      yield* inProcess(memory, {}, (supervisor) =>
        Effect.gen(function* () {
          yield* supervisor.create({ id: "old", config, model })
          for (let i = 0; i < first.length; i += 8) yield* supervisor.submit("old", first.slice(i, i + 8))
        }))
      // The journal as the code before format 2 wrote it: each batch's inputs as plain objects.
      for (const [key, value] of memory.control.entries().filter(([key]) => key.startsWith("journal:old:"))) {
        const record = readJournal(decodeRecord(key, value))
        assert.ok("inputs" in record)
        memory.control.corrupt(key, encodeJson(`{"seq":${record.seq},"inputs":${JSON.stringify(record.inputs)}}`))
        assert.notInclude(memory.control.entries().find(([k]) => k === key)![1], `"format"`)
      }
      const got = yield* inProcess(memory, {}, (supervisor) =>
        Effect.gen(function* () {
          assert.deepStrictEqual(supervisor.recovered.map((r) => [r.id, r.seq, r.tornTail.length]), [["old", first.length, 0]])
          yield* supervisor.submit("old", second)
          return yield* fingerprintOf(supervisor, "old")
        }))
      const again = yield* inProcess(memory, {}, (supervisor) => fingerprintOf(supervisor, "old"))
      const reference = fingerprint(referenceRun(idle, [...first, ...second]).instance)
      assert.deepStrictEqual(got, reference)
      assert.deepStrictEqual(again, reference)
      sameJson(journalOf(memory, "old").map((e) => e.input), [...first, ...second].map((i) => viaJson(i)))
    }).pipe(Effect.provide(quiet)))

  it.effect("a record in a newer format stops that simulation's recovery with a typed error instead of dropping it", () =>
    Effect.gen(function* () {
      const memory = freshStore()
      yield* inProcess(memory, {}, (supervisor) =>
        Effect.gen(function* () {
          yield* supervisor.create({ id: "new", config, model: { kind: "idle" } })
          yield* supervisor.submit("new", [start, update(0, 100)])
        }))
      const [key] = memory.control.entries().find(([k]) => k.startsWith("journal:new:"))!
      memory.control.corrupt(key, encodeJson(`{"seq":1,"format":${JOURNAL_FORMAT + 1},"inputs":[]}`))
      const unrecoverable = yield* inProcess(memory, {}, (supervisor) => Effect.succeed(supervisor.unrecoverable))
      assert.strictEqual(unrecoverable[0]?.error._tag, "UnrecoverableSimulationError")
      assert.include(unrecoverable[0]!.error.message, `format ${JOURNAL_FORMAT + 1}`)
      assert.ok(memory.control.entries().some(([k]) => k === key))
    }).pipe(Effect.provide(quiet)))
})
