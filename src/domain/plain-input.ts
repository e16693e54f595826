import { Result } from "effect"
import type { ValidationIssue } from "./errors.ts"
import { formatThrown } from "./format-value.ts"
import { type InputPath, type PathStep, pathOf } from "./input-path.ts"

export type { InputPath }

/** The part of a caller's input that could not be read, and what reading it threw. */
export interface UnreadableInput {
  /** From the input's root; empty for the input itself. */
  readonly path: InputPath
  /** The message of what was thrown: a getter's error, a Proxy trap's, a revoked Proxy's TypeError. */
  readonly reason: string
}

/** The issue a validation reports for an unreadable part, under the name the caller gives its path. */
export const unreadableIssue = (unreadable: UnreadableInput, field: string): ValidationIssue => ({
  field,
  rule: `could not be read (${unreadable.reason})`,
  value: undefined
})

type Copy = Record<string, unknown> | unknown[]

const isIndex = (key: string, length: number): boolean => {
  const i = Number(key)
  return Number.isInteger(i) && i >= 0 && i < length && String(i) === key
}

// Assignment would set the copy's prototype; a "__proto__" key stays a key.
const put = (to: Record<string, unknown>, key: string, value: unknown): void => {
  if (key === "__proto__") Object.defineProperty(to, key, { value, enumerable: true, writable: true, configurable: true })
  else to[key] = value
}

/**
 * Reads a caller's input once into plain data, so that what is validated is what is used, and no
 * code of the caller's runs after this: a getter that answers differently on its second read, a
 * Proxy's traps, a getter that throws. Plain objects (prototype `Object.prototype` or none) and
 * arrays are copied: their own enumerable string keys, each value read once, the copy keeping the
 * prototype (none stays none), a `__proto__` key staying an own key, holes staying holes.
 * Everything else is taken as it is: primitives, functions, and objects of any other class (a
 * Date, a Decimal, a Uint8Array, a Map), which validation refuses or takes by their class.
 * A value met twice is copied once (a cycle stays a cycle); the walk is iterative, so any depth
 * is read without overflowing the stack.
 *
 * Fails with the path of the first part that could not be read (a throwing getter or trap, a
 * revoked Proxy) and what it threw.
 *
 * Most inputs are small and flat (a model's `{ state: null }` on every update): those are read
 * without the walk's bookkeeping, by exactly the operations the walk would make, in its order;
 * the first nested object hands the rest over to the walk.
 */
export const readPlainInput = (input: unknown): Result.Result<unknown, UnreadableInput> => {
  if (input === null || typeof input !== "object") return Result.succeed(input)
  let to: Copy | undefined
  let key: string | undefined
  try {
    if (Array.isArray(input)) to = new Array<unknown>(input.length)
    else {
      const proto: unknown = Object.getPrototypeOf(input)
      if (proto !== Object.prototype && proto !== null) return Result.succeed(input)
      to = proto === null ? (Object.create(null) as Record<string, unknown>) : {}
    }
    const source = input as Record<string, unknown>
    const keys = Object.keys(input)
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!
      if (Array.isArray(to)) {
        if (!isIndex(k, to.length)) continue
        key = k
        const value = source[k]
        if (value !== null && typeof value === "object") return walkPlainInput(input, { to, keys, index: i, value })
        to[Number(k)] = value
      } else {
        key = k
        const value = source[k]
        if (value !== null && typeof value === "object") return walkPlainInput(input, { to, keys, index: i, value })
        put(to, k, value)
      }
    }
    return Result.succeed(to)
  } catch (thrown) {
    const step = key === undefined ? undefined : { parent: undefined, key: Array.isArray(to) ? Number(key) : key }
    return Result.fail({ path: pathOf(step), reason: formatThrown(thrown) })
  }
}

/** Where the flat read of a root stopped: its copy, its keys, and the key whose value (read once already) is an object. */
export interface FlatReadStop {
  readonly to: Copy
  readonly keys: ReadonlyArray<string>
  readonly index: number
  readonly value: object
}

/**
 * The general walk behind `readPlainInput`, for any input: from its root, or from where the flat
 * read of the root stopped (`from`), so that no value is read twice. Exported so that tests can
 * hold `readPlainInput` to it.
 */
export const walkPlainInput = (input: unknown, from?: FlatReadStop): Result.Result<unknown, UnreadableInput> => {
  const copies = new Map<object, Copy>()
  const pending: Array<{
    readonly from: object
    readonly to: Copy
    readonly at: PathStep | undefined
    readonly keys?: ReadonlyArray<string>
    readonly start?: number
  }> = []
  // Where the walk is: the object being copied, and the key being read (none while listing its keys).
  let at: PathStep | undefined
  let key: string | number | undefined
  const copyOf = (value: unknown): unknown => {
    if (value === null || typeof value !== "object") return value
    const known = copies.get(value)
    if (known !== undefined) return known
    let to: Copy
    if (Array.isArray(value)) to = new Array<unknown>(value.length)
    else {
      const proto: unknown = Object.getPrototypeOf(value)
      if (proto !== Object.prototype && proto !== null) return value
      to = proto === null ? (Object.create(null) as Record<string, unknown>) : {}
    }
    copies.set(value, to)
    pending.push({ from: value, to, at: key === undefined ? at : { parent: at, key } })
    return to
  }
  try {
    let root: unknown
    if (from === undefined) root = copyOf(input)
    else {
      // The root is copied, its keys listed and read up to `index`: the walk goes on from that value.
      root = from.to
      copies.set(input as object, from.to)
      const k = from.keys[from.index]!
      key = Array.isArray(from.to) ? Number(k) : k
      const copy = copyOf(from.value)
      if (Array.isArray(from.to)) from.to[Number(k)] = copy
      else put(from.to, k, copy)
      key = undefined
      pending.push({ from: input as object, to: from.to, at: undefined, keys: from.keys, start: from.index + 1 })
    }
    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
      const { from, to } = next
      at = next.at
      const source = from as Record<string, unknown>
      const keys = next.keys ?? Object.keys(from)
      for (let i = next.start ?? 0; i < keys.length; i++) {
        const k = keys[i]!
        if (Array.isArray(to)) {
          if (!isIndex(k, to.length)) continue
          key = Number(k)
          to[key] = copyOf(source[k])
        } else {
          key = k
          put(to, k, copyOf(source[k]))
        }
      }
      key = undefined
    }
    return Result.succeed(root)
  } catch (thrown) {
    return Result.fail({ path: pathOf(key === undefined ? at : { parent: at, key }), reason: formatThrown(thrown) })
  }
}
