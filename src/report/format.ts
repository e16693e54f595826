/**
 * How a report shows numbers and times: fixed, locale-independent formats (the same file on every
 * machine), thousands grouped with commas, and "—" for a value that is missing or undefined.
 */
import { Decimal, isDecimalString } from "../domain/decimal.ts"

export const NONE = "—"

/** "-1234567.891" → "-1,234,567.891". */
const group = (numeral: string): string => {
  const negative = numeral.startsWith("-")
  const body = negative ? numeral.slice(1) : numeral
  const dot = body.indexOf(".")
  const whole = dot === -1 ? body : body.slice(0, dot)
  const fraction = dot === -1 ? "" : body.slice(dot)
  const grouped = whole.replace(/\B(?=(\d{3})+$)/g, ",")
  // A value that rounds to zero is shown without a sign.
  const isZero = /^[0.,]*$/.test(grouped + fraction)
  return `${negative && !isZero ? "-" : ""}${grouped}${fraction}`
}

/** A decimal string or a number with a fixed number of decimals; "—" for null or something that is not a number. */
export const formatFixed = (value: string | number | null | undefined, decimals: number): string => {
  if (value === null || value === undefined) return NONE
  if (typeof value === "number") return Number.isFinite(value) ? group(value.toFixed(decimals)) : NONE
  return isDecimalString(value) ? group(new Decimal(value).toFixed(decimals)) : NONE
}

/** Money: two decimals ("102,139.48"). */
export const formatMoney = (value: string | number | null | undefined): string => formatFixed(value, 2)

/** A price: four decimals. */
export const formatPrice = (value: string | number | null | undefined): string => formatFixed(value, 4)

/** A quantity as it is, exact, grouped ("1,000", "0.5"). */
export const formatQuantity = (value: string | null | undefined): string =>
  value === null || value === undefined || !isDecimalString(value) ? NONE : group(new Decimal(value).toString())

/** A fraction as a percentage: 0.02139 → "2.14%". */
export const formatPercent = (value: number | null | undefined): string =>
  value === null || value === undefined || !Number.isFinite(value) ? NONE : `${group((value * 100).toFixed(2))}%`

/** A ratio with three decimals. */
export const formatRatio = (value: number | null | undefined): string => formatFixed(value, 3)

/** A count: "5,036". */
export const formatCount = (value: number | null | undefined): string => formatFixed(value, 0)

const pad = (n: number, width = 2) => String(n).padStart(width, "0")

/** A time in UTC: "2014-12-31" at midnight, "2024-01-02 14:30:00" otherwise; "—" for null. */
export const formatTime = (ms: number | null | undefined): string => {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return NONE
  const d = new Date(ms)
  if (Number.isNaN(d.getTime())) return NONE
  const date = d.toISOString().slice(0, 10)
  return ms % 86_400_000 === 0 ? date : `${date} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
}
