import { isDeepStrictEqual } from "node:util"
import { fc, test } from "@fast-check/vitest"
import { Result } from "effect"
import { describe, expect, it } from "vitest"
import { firstNotJson, isJsonValue } from "../../src/domain/json.ts"
import { readPlainInput } from "../../src/domain/plain-input.ts"
import { hostileValue, materialize } from "../deploy/hostile-arbitraries.ts"

describe("isJsonValue", () => {
  it("takes plain JSON, shared branches included", () => {
    const shared = { a: [1, "x", null, true] }
    expect(isJsonValue({ left: shared, right: shared, n: -1.5, list: [[], {}] })).toBe(true)
    expect(isJsonValue(Object.assign(Object.create(null), { a: 1 }))).toBe(true)
  })

  it.each([
    ["a bigint", { n: 10n }],
    ["NaN", [Number.NaN]],
    ["Infinity", { x: Number.POSITIVE_INFINITY }],
    ["undefined", { x: undefined }],
    ["a function", { f: () => 1 }],
    ["a Date", { at: new Date(0) }],
    ["a Map", new Map()]
  ])("refuses %s", (_, value) => expect(isJsonValue(value)).toBe(false))

  it("refuses a cycle, a getter that throws and absurd depth, without throwing", () => {
    const cyclic: Record<string, unknown> = {}
    cyclic["self"] = { back: cyclic }
    expect(isJsonValue(cyclic)).toBe(false)
    expect(isJsonValue({ get x(): number { throw new Error("no") } })).toBe(false)
    let deep: unknown = 1
    for (let i = 0; i < 10_000; i++) deep = [deep]
    expect(isJsonValue(deep)).toBe(false)
  })
})

describe("firstNotJson", () => {
  const cycle: Record<string, unknown> = { a: 1 }
  cycle["b"] = { c: [cycle] }
  const holey = [1, , 3]

  it.each([
    ["a bigint", { orders: [{ quantity: 1n }] }, ["orders", 0, "quantity"], "a bigint"],
    ["a function (a toJSON among them)", { bar: { toJSON: () => 1 } }, ["bar", "toJSON"], "a function"],
    ["a symbol", { tag: Symbol("x") }, ["tag"], "a symbol"],
    ["a cycle, named where it closes", cycle, ["b", "c", 0], "a cycle"],
    ["a hole in an array", { list: holey }, ["list", 1], "undefined in an array"],
    ["undefined in an array", [0, undefined], [1], "undefined in an array"],
    ["a boxed number", { volume: new Number(5) }, ["volume"], "a boxed primitive"],
    ["a boxed string", { time: new String("2024") }, ["time"], "a boxed primitive"]
  ] as const)("names %s with its path", (_, value, path, reason) => {
    expect(firstNotJson(value)).toEqual({ path, reason })
  })

  it("passes plain JSON, undefined object fields (JSON drops them, as an absent field) and class instances, left to their own JSON form", () => {
    expect(firstNotJson({ a: [1, "x", null, { b: true }], c: undefined, d: new Date(0), e: Object.create(null) })).toBeUndefined()
  })

  it("refuses nesting deeper than its bound at the path where it passes it, in time linear in the depth", () => {
    let deep: unknown = 1
    for (let i = 0; i < 200_000; i++) deep = [deep]
    const found = firstNotJson({ AAPL: deep })
    expect(found?.reason).toBe("nesting deeper than 32 levels")
    expect(found?.path).toEqual(["AAPL", ...Array<number>(31).fill(0)])
    expect(firstNotJson({ a: { b: 1 } }, 2)).toBeUndefined()
    expect(firstNotJson({ a: { b: { c: 1 } } }, 2)).toEqual({ path: ["a", "b"], reason: "nesting deeper than 2 levels" })
  })

  test.prop([hostileValue])("what it passes, JSON gives back unchanged (apart from undefined fields, which it drops)", (h) => {
    const read = readPlainInput(materialize(h))
    fc.pre(Result.isSuccess(read))
    const value = Result.getOrThrow(read)
    if (firstNotJson(value) !== undefined) return
    fc.pre(!hasClassInstance(value))
    const json = JSON.stringify(value)
    if (json === undefined) return // the value itself is undefined
    // node's deep equality, not vitest's: vitest reads an own `constructor` key as the object's class.
    expect(isDeepStrictEqual(JSON.parse(json), withoutUndefinedFields(value))).toBe(true)
  })
})

/** Whether anything in a value is an object other than a plain object or an array. */
const hasClassInstance = (value: unknown, seen = new Set<object>()): boolean => {
  if (value === null || typeof value !== "object" || seen.has(value)) return false
  seen.add(value)
  const proto: unknown = Object.getPrototypeOf(value)
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return true
  return Object.values(value).some((v) => hasClassInstance(v, seen))
}

/** A value as JSON would give it back: undefined object fields gone, -0 a 0, every object a plain one. */
const withoutUndefinedFields = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(withoutUndefinedFields)
  if (Object.is(value, -0)) return 0
  if (value === null || typeof value !== "object") return value
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, withoutUndefinedFields(v)]))
}
