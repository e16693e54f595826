/** Plain JSON: what a record on disk, a model's params and a model's state are made of. */
export type JsonValue = null | boolean | number | string | ReadonlyArray<JsonValue> | JsonObject
export interface JsonObject {
  readonly [key: string]: JsonValue
}

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
