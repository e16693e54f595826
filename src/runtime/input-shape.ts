import { types } from "node:util"

/**
 * The shape of an input in journal form: its objects' keys in order down to the leaves (numbers,
 * strings, booleans, null), with the input's `type` kept as a constant. A feed's market updates
 * share one shape and differ only in their leaves, which is what lets the journal store a run of
 * them as the shape once and the leaves in one flat array, and lets a live input of a known shape
 * be read into its journal form without a JSON round trip.
 */
export type Shape =
  | { readonly kind: "leaf" }
  | { readonly kind: "constant"; readonly value: string }
  | { readonly kind: "object"; readonly keys: ReadonlyArray<string>; readonly children: ReadonlyArray<Shape> }

const LEAF: Shape = { kind: "leaf" }

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === "object" && !Array.isArray(value)

/** A shape and how many leaves it has. */
export interface CountedShape {
  readonly shape: Shape
  readonly leaves: number
}

/**
 * Walks a JSON value into a shape: `leaf` says what a leaf is (in an input, any non-object; in a
 * stored shape, 0). Not a shape (a string saying why): an array, a `__proto__` key (which
 * assignment would not make an own property), or no leaf at all.
 */
const walkShape = (root: unknown, isLeaf: (value: unknown) => boolean): CountedShape | string => {
  let leaves = 0
  const walk = (value: unknown, top: boolean): Shape | string => {
    if (isLeaf(value)) {
      leaves++
      return LEAF
    }
    if (!isObject(value)) return `a value ${Array.isArray(value) ? "that is an array" : JSON.stringify(value)}`
    const keys = Object.keys(value)
    const children: Shape[] = []
    for (const key of keys) {
      if (key === "__proto__") return "a __proto__ key"
      const child = value[key]
      const shape = top && key === "type" && typeof child === "string" ? { kind: "constant" as const, value: child } : walk(child, false)
      if (typeof shape === "string") return shape
      children.push(shape)
    }
    return { kind: "object", keys, children }
  }
  const shape = walk(root, true)
  if (typeof shape === "string") return shape
  return leaves === 0 ? "no leaf" : { shape, leaves }
}

/** The shape of an input in journal form (plain JSON data), or null when it has none. */
export const shapeOf = (input: unknown): Shape | null => {
  const read = walkShape(input, (value) => value === null || typeof value !== "object")
  return typeof read === "string" ? null : read.shape
}

/** A shape as the journal stores it (see `shapeJson`), or what is wrong with it. */
export const readShape = (json: unknown): CountedShape | string => walkShape(json, (value) => value === 0)

/** The shape as the journal stores it: the form with each leaf 0. */
export const shapeJson = (shape: Shape): unknown => {
  if (shape.kind === "leaf") return 0
  if (shape.kind === "constant") return shape.value
  const out: Record<string, unknown> = {}
  shape.keys.forEach((key, i) => {
    out[key] = shapeJson(shape.children[i]!)
  })
  return out
}

/** Pushes the leaves of a value in journal form when it has the shape; false (with some pushed) when it has not. */
export const collectLeaves = (shape: Shape, value: unknown, leaves: unknown[]): boolean => {
  if (shape.kind === "leaf") {
    if (value !== null && typeof value === "object") return false
    leaves.push(value)
    return true
  }
  if (shape.kind === "constant") return value === shape.value
  if (!isObject(value)) return false
  const { keys, children } = shape
  let i = 0
  for (const key in value) {
    if (key !== keys[i] || !collectLeaves(children[i]!, value[key], leaves)) return false
    i++
  }
  return i === keys.length
}

/** The value of `shape` whose leaves start at `leaves[at.i]`; moves `at.i` past them. */
export const buildShaped = (shape: Shape, leaves: ReadonlyArray<unknown>, at: { i: number }): unknown => {
  if (shape.kind === "leaf") return leaves[at.i++]
  if (shape.kind === "constant") return shape.value
  const out: Record<string, unknown> = {}
  const { keys, children } = shape
  for (let k = 0; k < keys.length; k++) out[keys[k]!] = buildShaped(children[k]!, leaves, at)
  return out
}

/** Builds the value of a shape from the leaves at `leaves[i]` on. */
export type ShapeBuilder = (leaves: ReadonlyArray<unknown>, i: number) => unknown

/**
 * A builder for the shape, made once per shape: recovery builds a million inputs of a few shapes,
 * and one object literal per shape (compiled, its keys written by JSON.stringify, so only string
 * literals and leaf indices make the code) builds each about 7× faster than `buildShaped`'s keyed
 * stores into empty objects. The literal makes the objects JSON.parse makes: the same own keys in
 * the same order (shapes hold no `__proto__` key, which a literal would take as the prototype).
 * Where code generation is disallowed (`--disallow-code-generation-from-strings`), `buildShaped`.
 */
export const shapeBuilder = (shape: Shape): ShapeBuilder => {
  let leaf = 0
  const literal = (s: Shape): string => {
    if (s.kind === "leaf") return `l[i + ${leaf++}]`
    if (s.kind === "constant") return JSON.stringify(s.value)
    return `{${s.keys.map((key, k) => `${JSON.stringify(key)}: ${literal(s.children[k]!)}`).join(", ")}}`
  }
  try {
    return new Function("l", "i", `return ${literal(shape)}`) as ShapeBuilder
  } catch (e) {
    if (!(e instanceof EvalError)) throw e
    return (leaves, i) => buildShaped(shape, leaves, { i })
  }
}

/** `readShaped`'s answer for a value it cannot read by the shape. */
export const NOT_SHAPED: unique symbol = Symbol("not shaped")

/**
 * A caller's value read into its journal form by a shape, which is what `JSON.parse(JSON.stringify(value))`
 * gives when the value is plain: objects with Object.prototype (no Proxy, class instance or null
 * prototype) whose enumerable keys are the shape's in order, leaves that are finite numbers
 * (-0 becomes 0, as JSON writes it), strings, booleans or null. Anything else is NOT_SHAPED and
 * goes the JSON way, which knows `toJSON`, Dates, non-finite numbers and refusals. Each property
 * is read once. A getter that throws throws.
 */
export const readShaped = (shape: Shape, value: unknown): unknown => {
  switch (shape.kind) {
    case "leaf":
      if (typeof value === "number") return Number.isFinite(value) ? value + 0 : NOT_SHAPED
      return typeof value === "string" || typeof value === "boolean" || value === null ? value : NOT_SHAPED
    case "constant":
      return value === shape.value ? value : NOT_SHAPED
    case "object": {
      if (typeof value !== "object" || value === null || types.isProxy(value) || Object.getPrototypeOf(value) !== Object.prototype) return NOT_SHAPED
      const { keys, children } = shape
      const out: Record<string, unknown> = {}
      let i = 0
      for (const key in value) {
        if (key !== keys[i]) return NOT_SHAPED
        const child = readShaped(children[i]!, (value as Record<string, unknown>)[key])
        if (child === NOT_SHAPED) return NOT_SHAPED
        out[key] = child
        i++
      }
      return i === keys.length ? out : NOT_SHAPED
    }
  }
}
