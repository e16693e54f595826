/** Milliseconds since the epoch, an ISO-8601 string, or a Date. */
export type TimeInput = number | string | Date

// An ISO-8601 date-time with no zone designator: `Date.parse` would read it in the machine's
// local zone, so the same file would fall on different trading days on different machines.
const ZONELESS = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?$/

/** The instants a Date can hold: ±8.64e15 ms around the epoch. A later one cannot become a trading day. */
const MAX_TIME = 8.64e15

const dateTime = Date.prototype.getTime

/**
 * A time input as ms since the epoch, or NaN when it is not one (not a time, or beyond what a
 * Date holds). Strings are ISO-8601; one without a zone (`2024-01-02T12:00:00`) is read as UTC,
 * as a date alone already is.
 */
export const parseTime = (input: unknown): number => {
  if (typeof input === "number") return Math.abs(input) <= MAX_TIME ? input : Number.NaN
  // The Date's own time, not what an override of getTime answers (it could differ from one call to the next).
  if (input instanceof Date) return dateTime.call(input)
  if (typeof input !== "string") return Number.NaN
  return Date.parse(ZONELESS.test(input) ? `${input.replace(" ", "T")}Z` : input)
}
