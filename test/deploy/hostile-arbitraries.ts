/**
 * Hostile inputs for the deployer fuzz suite (deployer-fuzz.test.ts).
 *
 * Arbitraries generate plain descriptors (`Hostile`), never the hostile values themselves: a
 * counterexample then prints readably, and every call gets fresh values (a revoked Proxy, a
 * getter that counts its reads). `materialize` builds the value, `defineHostile` puts one on an
 * object (as a getter where it is one); `plainOf` says what a descriptor means to a validity
 * oracle (`EXOTIC` for anything no field accepts).
 */
import fc from "fast-check"
import { Decimal } from "../../src/domain/decimal.ts"

export type ProxyTrap = "get" | "ownKeys" | "has" | "getPrototypeOf" | "getOwnPropertyDescriptor" | "revoked"

export type Hostile =
  | { readonly k: "num"; readonly v: number }
  | { readonly k: "str"; readonly v: string }
  | { readonly k: "hugeStr"; readonly len: number; readonly ch: string }
  | { readonly k: "bigint"; readonly v: bigint }
  | { readonly k: "bool"; readonly v: boolean }
  | { readonly k: "null" }
  | { readonly k: "undefined" }
  | { readonly k: "symbol" }
  | { readonly k: "function" }
  | { readonly k: "date"; readonly t: number }
  | { readonly k: "deep"; readonly depth: number; readonly array: boolean }
  | { readonly k: "cycle"; readonly array: boolean }
  | { readonly k: "nullProto"; readonly inner: Readonly<Record<string, number>> }
  | { readonly k: "proxy"; readonly trap: ProxyTrap; readonly array: boolean }
  | { readonly k: "array"; readonly items: ReadonlyArray<number> }
  | { readonly k: "sparse"; readonly length: number }
  | { readonly k: "boxed"; readonly v: number | string }
  | { readonly k: "instance"; readonly cls: "Map" | "Set" | "RegExp" | "Uint8Array" | "Error" | "Promise" | "WeakMap" }
  | { readonly k: "decimal"; readonly v: string }
  | { readonly k: "throwsOnConvert" }
  | { readonly k: "toJSONLie"; readonly json: Hostile }
  | { readonly k: "pollution"; readonly key: "__proto__" | "constructor" | "prototype"; readonly inner: number }
  | { readonly k: "inherited"; readonly key: string; readonly v: number }
  | { readonly k: "object"; readonly entries: ReadonlyArray<readonly [string, Hostile]> }
  /** An array of hostile items (a symbols list, an orders list). */
  | { readonly k: "list"; readonly items: ReadonlyArray<Hostile> }
  /** A property defined as a getter that throws (only meaningful where a value is set on an object). */
  | { readonly k: "throwingGetter" }
  /** A getter that gives `first` on its first read and `then` on every later one. */
  | { readonly k: "flaky"; readonly first: Hostile; readonly then: Hostile }

export const num = (v: number): Hostile => ({ k: "num", v })
export const str = (v: string): Hostile => ({ k: "str", v })

/** Numbers at and past every edge: not finite, signed zero, subnormal, past 2^53, past 1e15, near the Date range. */
export const edgeNumbers: ReadonlyArray<number> = [
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -0,
  0,
  1,
  -1,
  0.5,
  1e308,
  -1e308,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  -Number.MIN_VALUE,
  2 ** 53 + 2,
  1e15,
  1e15 + 1,
  1e16,
  1e300,
  8.64e15,
  8.64e15 + 1,
  -8.64e15,
  0.1 + 0.2,
  1 - Number.EPSILON / 2,
  0.9999999999999999
]

/** Strings that look like numbers, almost do, or are long or odd. */
export const edgeStrings: ReadonlyArray<string> = [
  "",
  " ",
  "150",
  " 150",
  "150 ",
  "1e3",
  "1E+3",
  ".5",
  "5.",
  "+5",
  "-5",
  "0x10",
  "0b1",
  "1_000",
  "NaN",
  "Infinity",
  "-Infinity",
  "1e308",
  "1e999999999999999999",
  "1e-999999999999999999",
  "1e-320",
  "1000000000000000.0000000001",
  "0.30000000000000004",
  "150.00000000000000000000000000000000000000001",
  "abc",
  "null",
  "undefined",
  "true",
  "[object Object]",
  "__proto__",
  "constructor",
  "toString",
  "2024-01-02T14:30:00Z",
  "2024-01-02",
  "+275760-09-13T00:00:00.000Z",
  "+275760-09-13T00:00:00.001Z",
  "-271821-04-20T00:00:00.000Z",
  "\u0000",
  "\ud800",
  "AAPL\n",
  "../..",
  "paper"
]

const leaf: fc.Arbitrary<Hostile> = fc.oneof(
  fc.constantFrom(...edgeNumbers).map(num),
  fc.double().map(num),
  fc.constantFrom(...edgeStrings).map(str),
  fc.string({ maxLength: 12 }).map(str),
  fc.record({ len: fc.constantFrom(10_000, 1_000_000), ch: fc.constantFrom("9", "a", "é") }).map((r): Hostile => ({ k: "hugeStr", ...r })),
  fc.constantFrom(0n, 10n, -(2n ** 70n)).map((v): Hostile => ({ k: "bigint", v })),
  fc.boolean().map((v): Hostile => ({ k: "bool", v })),
  fc.constantFrom<Hostile>({ k: "null" }, { k: "undefined" }, { k: "symbol" }, { k: "function" }, { k: "throwsOnConvert" }),
  fc.constantFrom(Date.UTC(2024, 0, 2, 15), Number.NaN, 8.64e15, -8.64e15, 0).map((t): Hostile => ({ k: "date", t })),
  fc.record({ depth: fc.constantFrom(50, 5_000, 200_000), array: fc.boolean() }).map((r): Hostile => ({ k: "deep", ...r })),
  fc.boolean().map((array): Hostile => ({ k: "cycle", array })),
  fc.dictionary(fc.constantFrom("AAPL", "open", "close", "x"), fc.double(), { maxKeys: 2 }).map((inner): Hostile => ({ k: "nullProto", inner })),
  fc
    .record({ trap: fc.constantFrom<ProxyTrap>("get", "ownKeys", "has", "getPrototypeOf", "getOwnPropertyDescriptor", "revoked"), array: fc.boolean() })
    .map((r): Hostile => ({ k: "proxy", ...r })),
  fc.array(fc.double(), { maxLength: 3 }).map((items): Hostile => ({ k: "array", items })),
  fc.integer({ min: 1, max: 3 }).map((length): Hostile => ({ k: "sparse", length })),
  fc.oneof(fc.constant(150), fc.constant("AAPL")).map((v): Hostile => ({ k: "boxed", v })),
  fc.constantFrom("Map", "Set", "RegExp", "Uint8Array", "Error", "Promise", "WeakMap" as const).map((cls): Hostile => ({ k: "instance", cls })),
  fc.constantFrom("150", "-1", "1e16", "0.000001").map((v): Hostile => ({ k: "decimal", v })),
  fc
    .record({ key: fc.constantFrom("__proto__", "constructor", "prototype" as const), inner: fc.constantFrom(150, 1e308) })
    .map((r): Hostile => ({ k: "pollution", ...r })),
  fc.record({ key: fc.constantFrom("AAPL", "open", "symbols", "time"), v: fc.constantFrom(150, 1e308) }).map((r): Hostile => ({ k: "inherited", ...r }))
)

/** Any hostile value: a leaf, or one wrapped in a lying toJSON, a throwing getter, a flaky getter or a small object. */
export const hostileValue: fc.Arbitrary<Hostile> = fc.oneof(
  { weight: 12, arbitrary: leaf },
  { weight: 1, arbitrary: leaf.map((json): Hostile => ({ k: "toJSONLie", json })) },
  { weight: 2, arbitrary: fc.constant<Hostile>({ k: "throwingGetter" }) },
  { weight: 1, arbitrary: fc.record({ first: leaf, then: leaf }).map((r): Hostile => ({ k: "flaky", ...r })) },
  {
    weight: 1,
    arbitrary: fc
      .array(fc.tuple(fc.constantFrom("AAPL", "open", "high", "x", "__proto__", "toString"), leaf), { maxLength: 3 })
      .map((entries): Hostile => ({ k: "object", entries }))
  }
)

const deep = (depth: number, array: boolean): unknown => {
  let v: unknown = 1
  for (let i = 0; i < depth; i++) v = array ? [v] : { x: v }
  return v
}

const trapThrows = () => {
  throw new Error("hostile proxy trap")
}

const proxyOf = (trap: ProxyTrap, array: boolean): unknown => {
  const target = array ? [150] : { AAPL: 150, open: 1, high: 1, low: 1, close: 1 }
  if (trap === "revoked") {
    const { proxy, revoke } = Proxy.revocable(target, {})
    revoke()
    return proxy
  }
  return new Proxy(target, { [trap]: trapThrows })
}

const instanceOf = (cls: Extract<Hostile, { k: "instance" }>["cls"]): unknown => {
  switch (cls) {
    case "Map":
      return new Map([["AAPL", 150]])
    case "Set":
      return new Set([150])
    case "RegExp":
      return /150/
    case "Uint8Array":
      return new Uint8Array([1, 5, 0])
    case "Error":
      return new Error("150")
    case "Promise":
      return Promise.resolve(150)
    case "WeakMap":
      return new WeakMap()
  }
}

/** Sets `key` on `target` as an own, enumerable property, whatever the key (`__proto__` included) and however `h` says. */
export const defineHostile = (target: object, key: string, h: Hostile): void => {
  if (h.k === "throwingGetter") {
    Object.defineProperty(target, key, { enumerable: true, configurable: true, get: trapThrows })
    return
  }
  if (h.k === "flaky") {
    let reads = 0
    const first = materialize(h.first)
    Object.defineProperty(target, key, { enumerable: true, configurable: true, get: () => (reads++ === 0 ? first : materialize(h.then)) })
    return
  }
  Object.defineProperty(target, key, { value: materialize(h), enumerable: true, configurable: true, writable: true })
}

/** The value a descriptor stands for, made fresh. */
export const materialize = (h: Hostile): unknown => {
  switch (h.k) {
    case "num":
    case "str":
    case "bigint":
    case "bool":
      return h.v
    case "hugeStr":
      return h.ch.repeat(h.len)
    case "null":
      return null
    case "undefined":
      return undefined
    case "symbol":
      return Symbol("hostile")
    case "function":
      return () => 150
    case "date":
      return new Date(h.t)
    case "deep":
      return deep(h.depth, h.array)
    case "cycle": {
      if (h.array) {
        const a: unknown[] = [1]
        a.push(a)
        return a
      }
      const o: Record<string, unknown> = { AAPL: 150 }
      o["self"] = o
      return o
    }
    case "nullProto":
      return Object.assign(Object.create(null) as object, h.inner)
    case "proxy":
      return proxyOf(h.trap, h.array)
    case "array":
      return [...h.items]
    case "sparse":
      return new Array(h.length)
    case "boxed":
      // Boxed primitives are what is hostile here.
      return typeof h.v === "number" ? new Number(h.v) : new String(h.v)
    case "instance":
      return instanceOf(h.cls)
    case "decimal":
      return new Decimal(h.v)
    case "throwsOnConvert":
      return {
        toString: trapThrows,
        valueOf: trapThrows,
        toJSON: trapThrows,
        [Symbol.toPrimitive]: trapThrows
      }
    case "toJSONLie": {
      const json = materialize(h.json)
      return { AAPL: 150, open: 150, high: 150, low: 150, close: 150, toJSON: () => json }
    }
    case "pollution":
      return JSON.parse(`{"${h.key}": {"AAPL": ${h.inner}, "polluted": true}}`) as unknown
    case "inherited":
      return Object.create({ [h.key]: h.v }) as unknown
    case "object": {
      const o: Record<string, unknown> = {}
      for (const [key, value] of h.entries) defineHostile(o, key, value)
      return o
    }
    case "list": {
      const a: unknown[] = []
      h.items.forEach((item, i) => defineHostile(a, String(i), item))
      return a
    }
    case "throwingGetter":
    case "flaky":
      // Meant as properties; as a bare value a flaky getter stands for its first value, a throwing one for nothing.
      return h.k === "flaky" ? materialize(h.first) : undefined
  }
}

/** What no field accepts as it is: a value that is not a plain string, number, boolean, null, array or plain object. */
export const EXOTIC: unique symbol = Symbol("exotic")

/**
 * A descriptor's meaning for an oracle: the plain value a well-behaved caller would have given,
 * or EXOTIC. A flaky getter means its first value (the oracle treats flaky fields as "either").
 */
export const plainOf = (h: Hostile): unknown => {
  switch (h.k) {
    case "num":
    case "str":
    case "bool":
    case "hugeStr":
    case "null":
    case "undefined":
    case "array":
    case "decimal":
    case "date":
      return materialize(h)
    case "flaky":
      return plainOf(h.first)
    case "list":
      return h.items.map(plainOf)
    default:
      return EXOTIC
  }
}

/** A descriptor given as the value itself rather than as a property: a flaky getter is its first value (as `materialize` makes it). */
export const bareOf = (h: Hostile): Hostile => (h.k === "flaky" ? bareOf(h.first) : h)

/** Whether reading a descriptor's value twice may give two different answers (a flaky getter somewhere in it). */
export const isFlaky = (h: Hostile): boolean =>
  h.k === "flaky" || (h.k === "toJSONLie" && isFlaky(h.json)) || (h.k === "list" && h.items.some(isFlaky)) || (h.k === "object" && h.entries.some(([, v]) => isFlaky(v)))

/** A short label for messages. */
export const describeHostile = (h: Hostile): string => {
  const text = JSON.stringify(h, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : typeof v === "number" && !Number.isFinite(v) ? String(v) : Object.is(v, -0) ? "-0" : v))
  return text.length > 200 ? `${text.slice(0, 200)}…` : text
}
