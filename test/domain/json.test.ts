import { describe, expect, it } from "vitest"
import { isJsonValue } from "../../src/domain/json.ts"

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
