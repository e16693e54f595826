/**
 * Query parameters of the broker API read strictly, as Alpaca's: a value outside its set or not
 * an RFC-3339 time is a 422 naming the parameter (never guessed, as `Date.parse` would guess
 * `1` or `March 7` or roll 30 February over into March).
 */
import { unprocessable } from "./broker-error.ts"

const RFC_3339 = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/

/** An RFC-3339 time, or a YYYY-MM-DD date (its UTC midnight), in ms; undefined when it is neither, or names no real day or time. */
export const parseTime = (text: string): number | undefined => {
  const m = RFC_3339.exec(text)
  if (m === null) return undefined
  const [year, month, day, hour = 0, minute = 0, second = 0] = m.slice(1, 7).map((part) => Number(part ?? 0)) as [number, number, number, number?, number?, number?]
  const midnight = Date.UTC(year, month - 1, day)
  const date = new Date(midnight)
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined
  if (hour > 23 || minute > 59 || second > 59) return undefined
  const zone = m[8]
  const offset = zone === undefined || zone === "Z" ? 0 : (zone.startsWith("-") ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000
  return midnight + ((hour * 60 + minute) * 60 + second) * 1000 + Math.floor(Number(m[7] ?? 0) * 1000) - offset
}

/** A time parameter, or null when absent. */
export const timeParam = (query: URLSearchParams, name: string): number | null => {
  const value = query.get(name)
  if (value === null) return null
  const time = parseTime(value)
  if (time === undefined) throw unprocessable(`${name} must be an RFC-3339 time or a YYYY-MM-DD date (got ${JSON.stringify(value)})`)
  return time
}

/** A date parameter (YYYY-MM-DD, or an RFC-3339 time's date, as the official client sends it), or `fallback`. */
export const dateParam = (query: URLSearchParams, name: string, fallback: string): string => {
  const value = query.get(name)
  if (value === null) return fallback
  if (parseTime(value) === undefined) throw unprocessable(`${name} must be a YYYY-MM-DD date (got ${JSON.stringify(value)})`)
  return value.slice(0, 10)
}

/** A query parameter from a fixed set, or its default; another value is a 422 naming it. */
export const choiceParam = <T extends string>(query: URLSearchParams, name: string, choices: ReadonlyArray<T>, fallback: T): T => {
  const value = query.get(name)
  if (value === null) return fallback
  if (!(choices as ReadonlyArray<string>).includes(value)) throw unprocessable(`${name} must be one of ${choices.join(", ")} (got ${JSON.stringify(value)})`)
  return value as T
}
