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
 */
export const readPlainInput = (input: unknown): Result.Result<unknown, UnreadableInput> => {
  const copies = new Map<object, Copy>()
  const pending: Array<{ readonly from: object; readonly to: Copy; readonly at: PathStep | undefined }> = []
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
    const root = copyOf(input)
    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
      const { from, to } = next
      at = next.at
      const source = from as Record<string, unknown>
      const array = Array.isArray(to)
      for (const k of Object.keys(from)) {
        if (array) {
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
