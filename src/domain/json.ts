import { type InputPath, type PathStep, pathOf } from "./input-path.ts"

/** Plain JSON: what a record on disk, a model's params and a model's state are made of. */
export type JsonValue = null | boolean | number | string | ReadonlyArray<JsonValue> | JsonObject
export interface JsonObject {
  readonly [key: string]: JsonValue
}

/** The ancestors of a value that is not an object: none, and none are added. */
const NO_ANCESTORS: Set<object> = new Set()

/** Deeper than any record, params or model state needs; deeper values are refused, not walked. */
const MAX_DEPTH = 512

const walk = (value: unknown, ancestors: Set<object>, depth: number): boolean => {
  if (value === null || typeof value === "boolean" || typeof value === "string") return true
  if (typeof value === "number") return Number.isFinite(value)
  // A cycle has no JSON form; a value met twice on different branches is fine (it is written twice).
  if (typeof value !== "object" || depth > MAX_DEPTH || ancestors.has(value)) return false
  const isArray = Array.isArray(value)
  const proto = Object.getPrototypeOf(value)
  if (!isArray && proto !== Object.prototype && proto !== null) return false
  ancestors.add(value)
  const ok = (isArray ? value : Object.values(value)).every((v) => walk(v, ancestors, depth + 1))
  ancestors.delete(value)
  return ok
}

/**
 * Whether a value is plain JSON that survives `JSON.stringify` and `JSON.parse` unchanged: no
 * undefined, functions, bigints, class instances (a Date), NaN or Infinity, and no cycles. A
 * getter that throws makes it not JSON rather than throwing here.
 */
export const isJsonValue = (value: unknown): value is JsonValue => {
  // A model's state is often a primitive (or null), checked at every update: no set of ancestors for it.
  if (value === null || typeof value !== "object") return walk(value, NO_ANCESTORS, 0)
  try {
    return walk(value, new Set(), 0)
  } catch {
    return false
  }
}

/** JSON with object keys sorted: equal values give equal strings, whatever their key order. */
export const canonicalJson = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]))
      : v
  )

/** Where a value has no JSON form that gives it back, and why. */
export interface NotJson {
  readonly path: InputPath
  readonly reason: string
}

const notJsonReason = (value: unknown, inArray: boolean): string | undefined => {
  if (typeof value === "bigint") return "a bigint"
  if (typeof value === "symbol") return "a symbol"
  if (typeof value === "function") return "a function"
  // JSON writes these as null in an array, so they would come back as a different value.
  if (inArray && value === undefined) return "undefined in an array"
  if (typeof value === "number" && !Number.isFinite(value)) return `${value}, which JSON writes as null`
  // JSON unboxes these: what is stored would not be what was given.
  if (value instanceof Number || value instanceof String || value instanceof Boolean) return "a boxed primitive"
  return undefined
}

type Step = { readonly value: unknown; readonly at: PathStep | undefined; readonly inArray: boolean; readonly depth: number } | { readonly exit: object }

/** Deeper than any input a caller hands over (an update is three levels deep, an order one): JSON would overflow the stack long before it ran out. */
const MAX_INPUT_DEPTH = 32

/**
 * The first place in plain data (as `readPlainInput` gives it: no code of the caller's runs here)
 * that `JSON.stringify` cannot write back as it is: NaN or ±Infinity, a bigint, a symbol, a function (a `toJSON`
 * among them, whose answer JSON would write instead), undefined or a hole in an array, a boxed
 * primitive, a cycle, or nesting deeper than `maxDepth` levels. Class instances (a Date, a Decimal) are left to their own JSON form. Undefined when
 * there is none. Iterative, and linear in the size of the value at any depth.
 */
export const firstNotJson = (value: unknown, maxDepth = MAX_INPUT_DEPTH): NotJson | undefined => {
  const ancestors = new Set<object>()
  const pending: Step[] = [{ value, at: undefined, inArray: false, depth: 0 }]
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if ("exit" in next) {
      ancestors.delete(next.exit)
      continue
    }
    const v = next.value
    const reason = notJsonReason(v, next.inArray)
    if (reason !== undefined) return { path: pathOf(next.at), reason }
    if (v === null || typeof v !== "object") continue
    if (ancestors.has(v)) return { path: pathOf(next.at), reason: "a cycle" }
    if (next.depth >= maxDepth) return { path: pathOf(next.at), reason: `nesting deeper than ${maxDepth} levels` }
    const isArray = Array.isArray(v)
    const proto: unknown = Object.getPrototypeOf(v)
    if (!isArray && proto !== Object.prototype && proto !== null) continue
    ancestors.add(v)
    pending.push({ exit: v })
    const record = v as Record<string, unknown>
    if (isArray) {
      // Indices, holes included (a hole reads as undefined).
      for (let i = v.length - 1; i >= 0; i--) pending.push({ value: record[i], at: { parent: next.at, key: i }, inArray: true, depth: next.depth + 1 })
    } else {
      const keys = Object.keys(v)
      for (let i = keys.length - 1; i >= 0; i--) pending.push({ value: record[keys[i]!], at: { parent: next.at, key: keys[i]! }, inArray: false, depth: next.depth + 1 })
    }
  }
  return undefined
}

