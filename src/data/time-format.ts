/**
 * The time formats a source reads, and the time zone of times that carry none:
 * - `"iso"` (the default): `2024-03-08`, `2024-03-08T14:30`, `2024-03-08 14:30:00.250`, each
 *   optionally with a zone: `Z`, `+01:00`, `-0500`. Up to 9 fraction digits; the instant keeps ms.
 * - `"epoch-s"`, `"epoch-ms"`: seconds or milliseconds since 1970-01-01T00:00Z (fractions allowed).
 * - A pattern built of `YYYY`, `MM` or `M`, `DD` or `D`, `HH` or `H`, `mm`, `ss`, `SSS`, where
 *   every other character stands for itself: `"YYYYMMDD"`, `"MM/DD/YYYY HH:mm:ss"`, `"D.M.YYYY"`.
 *   Two letters are two digits, one letter one or two; `YYYY`, `MM`/`M` and `DD`/`D` are required.
 *
 * A time without a zone (an ISO time without one, any pattern) is a wall-clock time in
 * `timeZone` (an IANA name; `"UTC"` when none is declared); a date alone is its midnight there.
 * Numbers (JSON, Parquet) are epoch times: seconds with `"epoch-s"`, milliseconds otherwise.
 */
import { isDecimalString } from "../domain/decimal.ts"
import { isTimeZone, type WallClock, wallClockMs, zonedTime } from "../domain/zoned-time.ts"

export type TimeFormat = "iso" | "epoch-s" | "epoch-ms" | (string & {})

export interface TimeOptions {
  /** How times are written; see above. Default `"iso"`. */
  readonly timeFormat?: TimeFormat
  /** The IANA time zone of times written without one. Default `"UTC"`. */
  readonly timeZone?: string
}

/** A time value (text, number, bigint or Date) to ms since the epoch; NaN when it is not one. */
export type TimeParser = (value: unknown) => number

/** What a time must be, for a bad row's rule. */
export const describeTimeFormat = (format: TimeFormat): string =>
  format === "iso"
    ? "an ISO date or date-time (YYYY-MM-DD[THH:mm[:ss[.SSS]]][Z|±HH:mm])"
    : format === "epoch-s"
      ? "seconds since the epoch"
      : format === "epoch-ms"
        ? "milliseconds since the epoch"
        : `a time in the format ${format}`

/** Why the options cannot be used, or undefined: for a `DataFormatError` when a read starts. */
export const timeOptionsProblem = ({ timeFormat = "iso", timeZone = "UTC" }: TimeOptions): { field: string; rule: string; value: string } | undefined => {
  if (!isTimeZone(timeZone)) return { field: "timeZone", rule: "an IANA time zone name such as America/New_York", value: timeZone }
  if (timeFormat !== "iso" && timeFormat !== "epoch-s" && timeFormat !== "epoch-ms" && compilePattern(timeFormat) === undefined)
    return { field: "timeFormat", rule: '"iso", "epoch-s", "epoch-ms" or a pattern of YYYY, MM, DD (HH, mm, ss, SSS optional)', value: timeFormat }
  return undefined
}

/** The parser for a format and zone; the options must have passed `timeOptionsProblem`. */
export const timeParser = ({ timeFormat = "iso", timeZone = "UTC" }: TimeOptions): TimeParser => {
  const wallToInstant = timeZone === "UTC" ? wallClockMs : zonedTime(timeZone)
  const epochScale = timeFormat === "epoch-s" ? 1000 : 1
  const parseText =
    timeFormat === "iso"
      ? isoParser(wallToInstant)
      : timeFormat === "epoch-s" || timeFormat === "epoch-ms"
        ? (text: string) => (isDecimalString(text) ? epoch(Number(text) * epochScale) : Number.NaN)
        : patternParser(compilePattern(timeFormat)!, wallToInstant)
  // Rows of several symbols repeat each time once per symbol: the last text's time is kept.
  let lastText = ""
  let lastTime = Number.NaN
  const parseCached = (text: string): number => {
    if (text !== lastText) {
      lastText = text
      lastTime = parseText(text)
    }
    return lastTime
  }
  return (value) =>
    typeof value === "string"
      ? parseCached(value)
      : typeof value === "number"
        ? epoch(value * epochScale)
        : typeof value === "bigint"
          ? epoch(Number(value) * epochScale)
          : value instanceof Date
            ? epoch(value.getTime())
            : Number.NaN
}

/** The instants a Date can hold: ±8.64e15 ms around the epoch. */
const MAX_TIME = 8.64e15

// Epoch seconds with a fraction (1.001 × 1000 = 1000.9999999999999) round to the ms.
const epoch = (ms: number): number => (Number.isFinite(ms) && Math.abs(ms) <= MAX_TIME ? Math.round(ms) : Number.NaN)

const daysInMonth = (year: number, month: number): number =>
  month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31

const isRealTime = ({ year, month, day, hour, minute, second }: WallClock): boolean =>
  month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month) && hour <= 23 && minute <= 59 && second <= 59

/** ms of up to 9 fraction digits (nanoseconds are cut, not rounded: a time never moves into the next ms). */
const fractionMs = (digits: string | undefined): number => (digits === undefined ? 0 : Number(digits.slice(0, 3).padEnd(3, "0")))

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/

const isoParser =
  (wallToInstant: (wall: WallClock) => number) =>
  (text: string): number => {
    const m = ISO.exec(text)
    if (m === null) return Number.NaN
    const wall: WallClock = {
      year: Number(m[1]),
      month: Number(m[2]),
      day: Number(m[3]),
      hour: m[4] === undefined ? 0 : Number(m[4]),
      minute: m[5] === undefined ? 0 : Number(m[5]),
      second: m[6] === undefined ? 0 : Number(m[6]),
      millisecond: fractionMs(m[7])
    }
    if (!isRealTime(wall)) return Number.NaN
    const zone = m[8]
    if (zone === undefined) return epoch(wallToInstant(wall))
    if (zone === "Z") return epoch(wallClockMs(wall))
    const sign = zone[0] === "-" ? -1 : 1
    const digits = zone.slice(1).replace(":", "")
    const offsetMinutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || "0")
    if (offsetMinutes > 18 * 60) return Number.NaN
    return epoch(wallClockMs(wall) - sign * offsetMinutes * 60_000)
  }

type PatternField = "year" | "month" | "day" | "hour" | "minute" | "second" | "millisecond"

// Longest first, so that `MM` is not read as two `M`s.
const TOKENS: ReadonlyArray<readonly [string, PatternField, string]> = [
  ["YYYY", "year", "(\\d{4})"],
  ["SSS", "millisecond", "(\\d{3})"],
  ["MM", "month", "(\\d{2})"],
  ["DD", "day", "(\\d{2})"],
  ["HH", "hour", "(\\d{2})"],
  ["mm", "minute", "(\\d{2})"],
  ["ss", "second", "(\\d{2})"],
  ["M", "month", "(\\d{1,2})"],
  ["D", "day", "(\\d{1,2})"],
  ["H", "hour", "(\\d{1,2})"]
]

interface Pattern {
  readonly regex: RegExp
  readonly fields: ReadonlyArray<PatternField>
}

const compilePattern = (format: string): Pattern | undefined => {
  let source = "^"
  const fields: PatternField[] = []
  for (let i = 0; i < format.length; ) {
    const token = TOKENS.find(([t]) => format.startsWith(t, i))
    if (token === undefined) {
      source += format[i]!.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")
      i++
      continue
    }
    if (fields.includes(token[1])) return undefined
    fields.push(token[1])
    source += token[2]
    i += token[0].length
  }
  if (!fields.includes("year") || !fields.includes("month") || !fields.includes("day")) return undefined
  return { regex: new RegExp(`${source}$`), fields }
}

const patternParser =
  ({ regex, fields }: Pattern, wallToInstant: (wall: WallClock) => number) =>
  (text: string): number => {
    const m = regex.exec(text)
    if (m === null) return Number.NaN
    const wall = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, millisecond: 0 }
    for (let i = 0; i < fields.length; i++) wall[fields[i]!] = Number(m[i + 1])
    return isRealTime(wall) ? epoch(wallToInstant(wall)) : Number.NaN
  }
