import { isDecimal } from "./decimal.ts"

/** At most this many characters of a value are shown: a message stays readable however big the value. */
const MAX_CHARS = 200

/** The text shown so far; writing stops once it is long enough, so a huge value costs no more than a small one. */
class Shown {
  text = ""
  get full(): boolean {
    return this.text.length > MAX_CHARS
  }
  write(s: string): void {
    if (!this.full) this.text += s
  }
}

// Cut before quoting: a string of a million characters is not copied to show two hundred.
const quoted = (s: string): string => JSON.stringify(s.length > MAX_CHARS ? s.slice(0, MAX_CHARS + 1) : s)

// The internal slot, not the prototype: a Proxy or a lying prototype cannot pass as a Date.
const isDate = (value: object): value is Date => {
  try {
    Date.prototype.getTime.call(value)
    return true
  } catch {
    return false
  }
}

const className = (proto: object): string => {
  const name: unknown = (proto as { constructor?: { name?: unknown } }).constructor?.name
  return typeof name === "string" && /^[A-Za-z_$][\w$]{0,40}$/.test(name) ? `${/^[AEIO]/.test(name) ? "an" : "a"} ${name}` : "an object"
}

/** Reads one property where its own failure shows, so that the rest of its holder still does. */
const showProperty = (holder: object, key: string | number, out: Shown, ancestors: Set<object>): void => {
  let value: unknown
  try {
    value = (holder as Record<string | number, unknown>)[key]
  } catch {
    return out.write("(unreadable)")
  }
  show(value, out, ancestors)
}

const showArray = (array: ReadonlyArray<unknown>, out: Shown, ancestors: Set<object>): void => {
  out.write("[")
  const length = array.length
  for (let i = 0; i < length && !out.full; i++) {
    if (i > 0) out.write(",")
    showProperty(array, i, out, ancestors)
  }
  out.write("]")
}

const showObject = (object: object, out: Shown, ancestors: Set<object>): void => {
  out.write("{")
  let first = true
  // for…in, not Object.keys: it stops at the budget instead of listing every key first.
  for (const key in object) {
    if (out.full) break
    out.write(`${first ? "" : ","}${quoted(key)}:`)
    first = false
    showProperty(object, key, out, ancestors)
  }
  out.write("}")
}

/** Writes one value; whatever reading it throws (a getter, a Proxy trap, a revoked Proxy) shows as `(unreadable)`. */
const show = (value: unknown, out: Shown, ancestors: Set<object>): void => {
  if (out.full) return
  try {
    switch (typeof value) {
      case "string":
        return out.write(quoted(value))
      case "number":
        return out.write(Object.is(value, -0) ? "-0" : String(value))
      case "bigint":
        return out.write(`${value}n`)
      case "boolean":
        return out.write(String(value))
      case "undefined":
        return out.write("undefined")
      case "symbol":
        return out.write(value.description === undefined ? "a symbol" : `a symbol (${quoted(value.description)})`)
      case "function":
        return out.write("a function")
    }
    if (value === null || typeof value !== "object") return out.write("null")
    if (ancestors.has(value)) return out.write("(itself, a cycle)")
    const isArray = Array.isArray(value)
    const proto: unknown = isArray ? undefined : Object.getPrototypeOf(value)
    if (!isArray && proto !== Object.prototype && proto !== null) {
      if (isDate(value)) return out.write(Number.isNaN(value.getTime()) ? "an invalid Date" : `a Date (${value.toISOString()})`)
      // Exponent form far from 1: the project's Decimal never uses it, and 1e+9000000 would be nine million digits.
      if (isDecimal(value)) return out.write(Math.abs(value.e) > MAX_CHARS ? value.toExponential() : value.toString())
      return out.write(className(proto as object))
    }
    ancestors.add(value)
    try {
      if (isArray) showArray(value, out, ancestors)
      else showObject(value, out, ancestors)
    } finally {
      ancestors.delete(value)
    }
  } catch {
    out.write("(unreadable)")
  }
}

/**
 * A value as an error message shows it: JSON-like where it can be (`"AAPL"`, `150`, `-0`,
 * `{"open":1}`), else what it is (`a function`, `a Map`, `10n`, `nothing` for undefined), cut to
 * about 200 characters with `…`. Total: never throws, whatever the value (a revoked Proxy,
 * throwing traps or getters, a throwing toString or toJSON, cycles, a huge string or array). It
 * calls none of the value's own conversions (toString, toJSON, Symbol.toPrimitive); a Decimal is
 * written by decimal.js.
 */
export const formatValue = (value: unknown): string => {
  if (value === undefined) return "nothing"
  const out = new Shown()
  show(value, out, new Set())
  return out.full ? `${out.text.slice(0, MAX_CHARS)}…` : out.text
}

/** What something thrown says, for a message: an Error's message, else the value; total, and cut like a value. */
export const formatThrown = (thrown: unknown): string => {
  try {
    if (!(thrown instanceof Error)) return formatValue(thrown)
    const message = thrown.message
    if (typeof message !== "string") return formatValue(message)
    return message.length > MAX_CHARS ? `${message.slice(0, MAX_CHARS)}…` : message
  } catch {
    return "an error whose message cannot be read"
  }
}
