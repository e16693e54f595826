import { test, fc } from "@fast-check/vitest"
import { describe, expect, it } from "vitest"
import { Decimal } from "../../src/domain/decimal.ts"
import { formatValue, ValidationError } from "../../src/domain/errors.ts"
import { formatThrown } from "../../src/domain/format-value.ts"
import { defineHostile, hostileValue, materialize } from "../deploy/hostile-arbitraries.ts"

const throwing = (): never => {
  throw new Error("boom")
}

const revoked = () => {
  const { proxy, revoke } = Proxy.revocable({}, {})
  revoke()
  return proxy
}

/** 200 characters and the `…` that says a value was cut. */
const MAX_SHOWN = 201

describe("formatValue", () => {
  it("shows plain values as JSON, and says what the rest are", () => {
    expect(formatValue("AAPL")).toBe('"AAPL"')
    expect(formatValue(150)).toBe("150")
    expect(formatValue(-0)).toBe("-0")
    expect(formatValue(Number.NaN)).toBe("NaN")
    expect(formatValue(undefined)).toBe("nothing")
    expect(formatValue(null)).toBe("null")
    expect(formatValue({ a: [1, { b: "c" }], d: null, e: undefined, f: Number.POSITIVE_INFINITY })).toBe('{"a":[1,{"b":"c"}],"d":null,"e":undefined,"f":Infinity}')
    expect(formatValue(Object.assign(Object.create(null) as object, { AAPL: 150 }))).toBe('{"AAPL":150}')
    expect(formatValue(JSON.parse('{"__proto__": 1}'))).toBe('{"__proto__":1}')
    expect(formatValue(10n)).toBe("10n")
    expect(formatValue(Symbol("s"))).toBe('a symbol ("s")')
    expect(formatValue(() => 1)).toBe("a function")
    expect(formatValue(new Date(0))).toBe("a Date (1970-01-01T00:00:00.000Z)")
    expect(formatValue(new Date(Number.NaN))).toBe("an invalid Date")
    expect(formatValue(new Decimal("1e16"))).toBe("10000000000000000")
    expect(formatValue(new Decimal("1e9000000000"))).toBe("1e+9000000000")
    expect(formatValue(new Map())).toBe("a Map")
    expect(formatValue(new Error("x"))).toBe("an Error")
    expect(formatValue(new Uint8Array(2))).toBe("a Uint8Array")
  })

  it("never throws, and shows what it can of a value that cannot be read", () => {
    const cycle: Record<string, unknown> = { a: 1 }
    cycle["self"] = cycle
    expect(formatValue(revoked())).toBe("(unreadable)")
    expect(formatValue({ AAPL: new Proxy({}, { get: throwing }) })).toBe('{"AAPL":{}}')
    expect(formatValue(new Proxy({ AAPL: 150, MSFT: 300 }, { get: throwing }))).toBe('{"AAPL":(unreadable),"MSFT":(unreadable)}')
    expect(formatValue(new Proxy({}, { ownKeys: throwing }))).toBe("{(unreadable)")
    expect(formatValue(new Proxy({}, { getPrototypeOf: throwing }))).toBe("(unreadable)")
    expect(formatValue(Object.defineProperty({ b: 2 }, "a", { get: throwing, enumerable: true }))).toBe('{"b":2,"a":(unreadable)}')
    expect(formatValue(cycle)).toBe('{"a":1,"self":(itself, a cycle)}')
    // Its own conversions are not called: they would throw.
    expect(formatValue({ toString: throwing, valueOf: throwing, toJSON: throwing, [Symbol.toPrimitive]: throwing })).toBe(
      '{"toString":a function,"valueOf":a function,"toJSON":a function}'
    )
  })

  it("cuts a huge value short, in bounded time", () => {
    let deep: unknown = 1
    for (let i = 0; i < 200_000; i++) deep = [deep]
    const wide = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i]))
    for (const value of ["x".repeat(1_000_000), new Array(2 ** 32 - 1), deep, wide]) {
      const shown = formatValue(value)
      expect(shown.length).toBe(MAX_SHOWN)
      expect(shown.endsWith("…")).toBe(true)
    }
  })

  // Descriptors, made into values inside the property: fast-check itself cannot look at a revoked Proxy.
  test.prop([hostileValue])("is total and bounded for any hostile value", (h) => {
    expect(formatValue(materialize(h)).length).toBeLessThanOrEqual(MAX_SHOWN)
  })

  test.prop([fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true, withNullPrototype: true, withBoxedValues: true })])(
    "is total and bounded for any value",
    (value) => {
      expect(formatValue(value).length).toBeLessThanOrEqual(MAX_SHOWN)
    }
  )

  test.prop([fc.dictionary(fc.constantFrom("AAPL", "open", "__proto__", "toString"), hostileValue, { maxKeys: 3 })])(
    "a ValidationError's message can be read whatever the values it names",
    (entries) => {
      const holder: Record<string, unknown> = {}
      for (const [key, h] of Object.entries(entries)) defineHostile(holder, key, h)
      const issues = Object.keys(entries).map((field) => ({ field, rule: "must be a price", value: holder }))
      const message = new ValidationError({ subject: "marketUpdate", issues }).message
      for (const field of Object.keys(entries)) expect(message).toContain(`${field} must be a price (got `)
    }
  )
})

describe("formatThrown", () => {
  it("is an Error's message, else the thrown value, and never throws", () => {
    expect(formatThrown(new Error("boom"))).toBe("boom")
    expect(formatThrown("a string")).toBe('"a string"')
    expect(formatThrown(revoked())).toBe("an error whose message cannot be read")
    expect(formatThrown(Object.defineProperty(new Error(), "message", { get: throwing }))).toBe("an error whose message cannot be read")
    expect(formatThrown(new Error("x".repeat(10_000))).length).toBe(MAX_SHOWN)
  })
})
