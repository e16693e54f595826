import { test, fc } from "@fast-check/vitest"
import { Result } from "effect"
import { describe, expect, it } from "vitest"
import { Decimal } from "../../src/domain/decimal.ts"
import { readPlainInput, unreadableIssue, walkPlainInput } from "../../src/domain/plain-input.ts"
import { type Hostile, hostileValue, materialize } from "../deploy/hostile-arbitraries.ts"

const throwing = (): never => {
  throw new Error("a getter that throws")
}

const read = (input: unknown): unknown => {
  const result = readPlainInput(input)
  if (Result.isFailure(result)) throw new Error(`could not read ${JSON.stringify(result.failure)}`)
  return result.success
}

const unreadable = (input: unknown) => {
  const result = readPlainInput(input)
  if (Result.isSuccess(result)) throw new Error("expected a part that cannot be read")
  return result.failure
}

/** Every plain object and array in a value (what the copy must not share with the input). */
const containers = (value: unknown, out = new Set<object>()): Set<object> => {
  if (value !== null && typeof value === "object" && !out.has(value)) {
    const proto: unknown = Object.getPrototypeOf(value)
    if (Array.isArray(value) || proto === Object.prototype || proto === null) {
      out.add(value)
      for (const v of Object.values(value)) containers(v, out)
    }
  }
  return out
}

describe("readPlainInput", () => {
  test.prop([fc.jsonValue()])("copies JSON as it is, sharing no object or array with the input", (input) => {
    const copy = read(input)
    expect(copy).toStrictEqual(input)
    const mine = containers(input)
    for (const c of containers(copy)) expect(mine.has(c)).toBe(false)
  })

  it("keeps what JSON keeps and what JSON would not: a __proto__ key, no prototype, holes, a value met twice, a cycle", () => {
    const shared = { n: 1 }
    const cycle: Record<string, unknown> = { shared, again: shared }
    cycle["self"] = cycle
    const copy = read(cycle) as typeof cycle
    expect(copy).not.toBe(cycle)
    expect(copy["self"]).toBe(copy)
    expect(copy["again"]).toBe(copy["shared"])

    const proto = read(JSON.parse('{ "__proto__": { "AAPL": 150 } }')) as object
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype)
    expect(Object.keys(proto)).toEqual(["__proto__"])
    expect(Object.getPrototypeOf(read(Object.create(null)))).toBe(null)

    const holes = read([1, , 3]) as unknown[]
    expect(holes.length).toBe(3)
    expect(1 in holes).toBe(false)
    expect((read(new Array(2 ** 32 - 1)) as unknown[]).length).toBe(2 ** 32 - 1)
  })

  it("takes primitives, functions and objects of other classes as they are", () => {
    const values = [new Date(0), new Decimal("1.5"), new Uint8Array([1]), new Map(), new Number(5), Object.create({ AAPL: 150 }), () => 1, 10n, Symbol("s")]
    for (const value of values) expect(read({ value })).toEqual({ value })
    for (const value of values) expect((read([value]) as unknown[])[0]).toBe(value)
  })

  it("copies only own enumerable string keys", () => {
    const input = Object.defineProperty({ a: 1, [Symbol("s")]: 2 }, "hidden", { value: 3, enumerable: false })
    expect(Reflect.ownKeys(read(input) as object)).toEqual(["a"])
    expect(Object.keys(read(Object.assign([1, 2], { extra: 3 })) as object)).toEqual(["0", "1"])
  })

  it("reads each getter once, so what is validated is what is used", () => {
    let reads = 0
    const input = {
      get commissionRate() {
        reads += 1
        return reads === 1 ? 0.001 : "not a number"
      }
    }
    const copy = read({ simulationConfig: input }) as { simulationConfig: { commissionRate: unknown } }
    expect(copy.simulationConfig.commissionRate).toBe(0.001)
    expect(copy.simulationConfig.commissionRate).toBe(0.001)
    expect(reads).toBe(1)
  })

  it("names the path of the first part that cannot be read, and what it threw", () => {
    const { proxy, revoke } = Proxy.revocable({}, {})
    revoke()
    expect(unreadable(proxy)).toEqual({ path: [], reason: "Cannot perform 'IsArray' on a proxy that has been revoked" })
    expect(unreadable({ simulationConfig: { get commissionRate(): number { return throwing() } } })).toEqual({
      path: ["simulationConfig", "commissionRate"],
      reason: "a getter that throws"
    })
    expect(unreadable({ updates: [{ AAPL: 150 }, new Proxy({}, { ownKeys: throwing })] })).toEqual({ path: ["updates", 1], reason: "a getter that throws" })
    expect(unreadable({ bars: { AAPL: new Proxy({ open: 1 }, { get: throwing }) } })).toEqual({ path: ["bars", "AAPL", "open"], reason: "a getter that throws" })
    expect(unreadable([new Proxy([], { get: throwing })])).toEqual({ path: [0], reason: "a getter that throws" })
    expect(unreadableIssue({ path: ["a"], reason: "boom" }, "a")).toEqual({ field: "a", rule: "could not be read (boom)", value: undefined })
  })

  it("reads any depth without overflowing the stack", () => {
    let deep: unknown = 1
    for (let i = 0; i < 200_000; i++) deep = i % 2 === 0 ? [deep] : { x: deep }
    let copy = read(deep)
    let depth = 0
    while (typeof copy === "object") {
      copy = Array.isArray(copy) ? copy[0] : (copy as { x: unknown }).x
      depth += 1
    }
    expect([depth, copy]).toEqual([200_000, 1])
  })

  test.prop([hostileValue, fc.constantFrom("AAPL", "__proto__", "constructor")])("never throws, whatever the input", (h, key) => {
    const input = materialize({ k: "object", entries: [[key, h]] })
    const result = readPlainInput(input)
    if (Result.isFailure(result)) expect(result.failure.path[0]).toBe(key)
  })
})

/**
 * What a read gives, as plain JSON that `toEqual` can compare exactly: each object's prototype
 * (plain, none or other), own keys in order (a `__proto__` key included), holes, and each object
 * met again by the number it was first met as (a cycle or a shared part).
 */
const shapeOf = (value: unknown, seen = new Map<unknown, number>()): unknown => {
  if (typeof value === "bigint" || typeof value === "symbol" || typeof value === "function" || value === undefined)
    return { kind: typeof value, text: String(typeof value === "function" ? "fn" : value) }
  if (typeof value === "number") return { number: Object.is(value, -0) ? "-0" : String(value) }
  if (value === null || typeof value !== "object") return value
  const again = seen.get(value)
  if (again !== undefined) return { again }
  seen.set(value, seen.size)
  const proto: unknown = Object.getPrototypeOf(value)
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return { other: value }
  const own = Reflect.ownKeys(value).filter((k): k is string => typeof k === "string" && k !== "length")
  return {
    array: Array.isArray(value) ? (value as unknown[]).length : false,
    nullProto: proto === null,
    entries: own.map((k) => [k, shapeOf(Object.getOwnPropertyDescriptor(value, k)?.value, seen)])
  }
}

const outcome = (result: Result.Result<unknown, unknown>): unknown =>
  Result.isSuccess(result) ? { read: shapeOf(result.success) } : { failed: result.failure }

/** A value built anew for each reader, each object and array behind a Proxy that logs every trap it answers. */
const logged = (value: unknown, log: string[], path = "$"): unknown => {
  if (value === null || typeof value !== "object") return value
  const inner: object = Array.isArray(value) ? value.map((v, i) => logged(v, log, `${path}[${i}]`)) : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, logged(v, log, `${path}.${k}`)]))
  const note = (trap: string, key?: PropertyKey) => log.push(`${trap} ${path} ${String(key ?? "")}`)
  return new Proxy(inner, {
    get: (t, k, r) => (note("get", k), Reflect.get(t, k, r)),
    ownKeys: (t) => (note("ownKeys"), Reflect.ownKeys(t)),
    getPrototypeOf: (t) => (note("getPrototypeOf"), Reflect.getPrototypeOf(t)),
    getOwnPropertyDescriptor: (t, k) => (note("getOwnPropertyDescriptor", k), Reflect.getOwnPropertyDescriptor(t, k))
  })
}

// The comparison's own walk recurses: deep values stay within its stack (the walk's depth has its own test above).
const shallow = (h: Hostile): Hostile => {
  switch (h.k) {
    case "deep":
      return { ...h, depth: Math.min(h.depth, 300) }
    case "flaky":
      return { ...h, first: shallow(h.first), then: shallow(h.then) }
    case "toJSONLie":
      return { ...h, json: shallow(h.json) }
    case "object":
      return { ...h, entries: h.entries.map(([k, v]) => [k, shallow(v)] as const) }
    case "list":
      return { ...h, items: h.items.map(shallow) }
    default:
      return h
  }
}

const hostileTree: fc.Arbitrary<Hostile> = fc.letrec<{ tree: Hostile }>((tie) => ({
  tree: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    hostileValue.map(shallow),
    fc.array(fc.tuple(fc.constantFrom("state", "orders", "__proto__", "0", "x"), tie("tree")), { maxLength: 4 }).map((entries): Hostile => ({ k: "object", entries })),
    fc.array(tie("tree"), { maxLength: 4 }).map((items): Hostile => ({ k: "list", items }))
  )
})).tree

describe("readPlainInput's flat read", () => {
  test.prop([hostileTree])("gives what the general walk gives, hostile values included (each reader on a fresh value)", (h) => {
    expect(outcome(readPlainInput(materialize(h)))).toEqual(outcome(walkPlainInput(materialize(h))))
  })

  test.prop([fc.jsonValue({ maxDepth: 3 })])("makes the general walk's reads, in its order (every Proxy trap logged)", (json) => {
    const fast: string[] = []
    const general: string[] = []
    const a = readPlainInput(logged(json, fast))
    const b = walkPlainInput(logged(json, general))
    expect(fast).toEqual(general)
    expect(outcome(a)).toEqual(outcome(b))
    expect(Result.isSuccess(a) && a.success).toStrictEqual(json)
  })

  it("reads a model's usual output, a cycle to the root and a hole like the walk", () => {
    const cyclic: Record<string, unknown> = { state: null }
    cyclic["self"] = cyclic
    const holey = [1, , 3]
    const proto = JSON.parse('{"__proto__": 1, "state": null}') as unknown
    const withToJSON = { state: 1, toJSON: () => "lie" }
    for (const input of [{ state: null }, cyclic, holey, proto, withToJSON, Object.create(null) as object]) {
      expect(outcome(readPlainInput(input))).toEqual(outcome(walkPlainInput(input)))
    }
    const copy = read(cyclic) as Record<string, unknown>
    expect(copy["self"]).toBe(copy)
    expect(1 in (read(holey) as unknown[])).toBe(false)
  })

  it("reports a getter that throws at its path, in the flat part and after it", () => {
    const flat = Object.defineProperty({ state: null }, "orders", { get: throwing, enumerable: true })
    expect(unreadable(flat).path).toEqual(["orders"])
    const after = Object.defineProperty({ state: { a: 1 } }, "orders", { get: throwing, enumerable: true })
    expect(unreadable(after).path).toEqual(["orders"])
    const inner = { state: Object.defineProperty([1], "0", { get: throwing, enumerable: true }) }
    expect(unreadable(inner).path).toEqual(["state", 0])
  })
})
