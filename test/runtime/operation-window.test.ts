import { describe, expect, it } from "vitest"
import { UnknownOrderError } from "../../src/domain/errors.ts"
import { decodeResults, encodeResults, OPERATIONS_KEPT, OperationWindow, readOperations } from "../../src/runtime/operation-window.ts"

describe("OperationWindow", () => {
  it("remembers the last OPERATIONS_KEPT operations, oldest forgotten first; a repeat id moves to the newest", () => {
    const window = new OperationWindow()
    for (let i = 0; i < OPERATIONS_KEPT + 5; i++) window.add([`op-${i}`, 1])
    expect(window.get("op-4")).toBeUndefined()
    expect(window.get("op-5")?.[1]).toBe(1)
    window.add(["op-5", 2])
    window.add(["op-new", 1])
    expect(window.get("op-5")?.[1]).toBe(2)
    expect(window.get("op-6")).toBeUndefined()
    expect(new OperationWindow(window.toJSON()).toJSON()).toEqual(window.toJSON())
  })

  it("results: plain successes are a count; values and typed refusals are kept exactly", () => {
    expect(encodeResults([{ ok: true, value: undefined }, { ok: true, value: undefined }])).toBe(2)
    const mixed = [{ ok: true as const, value: "order-1" }, { ok: false as const, error: new UnknownOrderError({ orderId: "x" }) }, { ok: true as const, value: undefined }]
    const back = decodeResults(JSON.parse(JSON.stringify(encodeResults(mixed))))
    expect(back[0]).toEqual({ ok: true, value: "order-1" })
    expect(back[1]!.ok ? undefined : back[1]!.error).toBeInstanceOf(UnknownOrderError)
    expect(back[2]).toEqual({ ok: true, value: undefined })
  })

  it("stored operations that are not [id, results] are refused, saying what is wrong", () => {
    expect(readOperations([["op", 2]])).toEqual([["op", 2]])
    expect(readOperations([["op", 2, "digest"]])).toEqual([["op", 2, "digest"]])
    expect(typeof readOperations([["op", 2, 7]])).toBe("string")
    for (const bad of [{}, [["op"]], [["bad id", 1]], [["op", -1]], [["op", [{ ok: "yes" }]]], [["op", [{ ok: false, error: {} }]]]]) expect(typeof readOperations(bad)).toBe("string")
  })
})
