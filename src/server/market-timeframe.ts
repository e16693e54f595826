/**
 * Alpaca's bar timeframes (`1Min`…`59Min` or `T`, `1Hour`…`23Hour` or `H`, `1Day` or `D`, `1Week`
 * or `W`, and `1`, `2`, `3`, `4`, `6` or `12` `Month` or `M`), and the bucket each time falls in.
 * Buckets are in UTC: minutes and hours counted from midnight, days from midnight, weeks from
 * Monday, months from the first. (Alpaca stamps a day at New York's midnight; here a day is a UTC
 * date, which is the date of a dated file's bar and of every regular US session.)
 */
import { unprocessable } from "./broker-error.ts"

export interface Timeframe {
  readonly amount: number
  readonly unit: "Min" | "Hour" | "Day" | "Week" | "Month"
}

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

const UNITS: Record<string, Timeframe["unit"]> = { Min: "Min", T: "Min", Hour: "Hour", H: "Hour", Day: "Day", D: "Day", Week: "Week", W: "Week", Month: "Month", M: "Month" }
const MONTHS = new Set([1, 2, 3, 4, 6, 12])

const RULE = "must be [1-59]Min (or T), [1-23]Hour (or H), 1Day (or D), 1Week (or W), or [1,2,3,4,6,12]Month (or M)"

/** The timeframe a query names; anything else is a 422 naming `timeframe`. */
export const parseTimeframe = (text: string | null): Timeframe => {
  if (text === null || text === "") throw unprocessable("timeframe is required")
  const match = /^(\d{1,2})([A-Za-z]+)$/.exec(text)
  const unit = match === null ? undefined : UNITS[match[2]!]
  const amount = match === null ? NaN : Number(match[1])
  const fits =
    unit !== undefined &&
    (unit === "Min" ? amount >= 1 && amount <= 59 : unit === "Hour" ? amount >= 1 && amount <= 23 : unit === "Month" ? MONTHS.has(amount) : amount === 1)
  if (!fits) throw unprocessable(`timeframe ${RULE} (got ${JSON.stringify(text)})`)
  return { amount, unit: unit! }
}

/** The start (ms since the epoch) of the bucket of `timeframe` that `time` falls in. */
export const bucketStart = ({ amount, unit }: Timeframe, time: number): number => {
  const day = Math.floor(time / DAY) * DAY
  switch (unit) {
    case "Min":
      return day + Math.floor((time - day) / (amount * MINUTE)) * amount * MINUTE
    case "Hour":
      return day + Math.floor((time - day) / (amount * HOUR)) * amount * HOUR
    case "Day":
      return day
    case "Week":
      // 1 Jan 1970 was a Thursday: Monday is 3 days later.
      return Math.floor((day - 4 * DAY) / (7 * DAY)) * 7 * DAY + 4 * DAY
    case "Month": {
      const date = new Date(time)
      const month = date.getUTCFullYear() * 12 + date.getUTCMonth()
      const first = month - (month % amount)
      return Date.UTC(Math.floor(first / 12), first % 12, 1)
    }
  }
}
