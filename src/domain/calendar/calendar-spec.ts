import { Schema } from "effect"
import { isTimeZone } from "../zoned-time.ts"

/** A time of day on the exchange's clock, `HH:MM` (24-hour). */
export type ClockTime = string
/** A date on the exchange's calendar, `YYYY-MM-DD`. */
export type CalendarDate = string

/**
 * An exchange's regular sessions as data: one session a trading day, from `open` to `close` on
 * the exchange's clock, on the given weekdays, except holidays, closing early on early-close days.
 */
export interface CalendarSpec {
  readonly name: string
  /** An IANA time zone (`America/New_York`): sessions follow its daylight-saving changes. */
  readonly timeZone: string
  readonly open: ClockTime
  readonly close: ClockTime
  /** ISO weekdays with a session (1 = Monday … 7 = Sunday); Monday to Friday by default. */
  readonly weekdays?: ReadonlyArray<number>
  readonly holidays?: ReadonlyArray<CalendarDate>
  /** Days whose session closes before `close`, and when. */
  readonly earlyCloses?: Readonly<Record<CalendarDate, ClockTime>>
  /** The days the data covers: a time outside them is refused rather than guessed. Unbounded when absent. */
  readonly firstDay?: CalendarDate
  readonly lastDay?: CalendarDate
}

const CLOCK = /^([01]\d|2[0-3]):[0-5]\d$/
const DATE = /^\d{4}-\d{2}-\d{2}$/

/** Minutes after midnight of an `HH:MM`. */
export const minutesOf = (time: ClockTime): number => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5))

/** A `YYYY-MM-DD` as days since 1970-01-01, or NaN when it is no real date (2024-02-30). */
export const dayOf = (date: CalendarDate): number => {
  if (!DATE.test(date)) return Number.NaN
  const ms = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)))
  return new Date(ms).toISOString().slice(0, 10) === date ? ms / 86_400_000 : Number.NaN
}

const rule = <A>(test: (a: A) => boolean, message: string) => Schema.makeFilter<A>((a) => (test(a) ? undefined : message))

const Clock = Schema.String.check(rule(CLOCK.test.bind(CLOCK), "must be a time of day HH:MM (00:00–23:59)"))
const DateField = Schema.String.check(rule((d: string) => !Number.isNaN(dayOf(d)), "must be a real date YYYY-MM-DD"))

const SpecFields = Schema.Struct({
  name: Schema.String.check(rule((s: string) => s.length >= 1 && s.length <= 64, "must be 1–64 characters")),
  timeZone: Schema.String.check(rule(isTimeZone, "must be an IANA time zone (America/New_York, Europe/London, UTC)")),
  open: Clock,
  close: Clock,
  weekdays: Schema.optional(
    Schema.Array(Schema.Number.check(rule((n: number) => Number.isInteger(n) && n >= 1 && n <= 7, "must be an ISO weekday 1–7 (1 = Monday)"))).check(
      rule((a: ReadonlyArray<number>) => a.length > 0 && new Set(a).size === a.length, "must name at least one weekday, each once")
    )
  ),
  holidays: Schema.optional(Schema.Array(DateField)),
  earlyCloses: Schema.optional(Schema.Record(DateField, Clock)),
  firstDay: Schema.optional(DateField),
  lastDay: Schema.optional(DateField)
})

/** What is wrong with a spec's parts taken together, or undefined. */
const specProblem = (spec: typeof SpecFields.Type): string | undefined => {
  const open = minutesOf(spec.open)
  if (minutesOf(spec.close) <= open) return "close must be after open (a session does not cross midnight)"
  for (const [day, close] of Object.entries(spec.earlyCloses ?? {}))
    if (minutesOf(close) <= open || minutesOf(close) >= minutesOf(spec.close)) return `earlyCloses.${day} must be after open and before close`
  if (spec.firstDay !== undefined && spec.lastDay !== undefined && dayOf(spec.firstDay) > dayOf(spec.lastDay)) return "firstDay must not be after lastDay"
  return undefined
}

/** The calendars paperfloor ships, by name. */
export const BuiltInCalendars = ["XNYS"] as const
export type BuiltInCalendar = (typeof BuiltInCalendars)[number]

/** A calendar in a simulation's config: a built-in one by name, or a spec. */
export const CalendarField = Schema.Union([Schema.Literals(BuiltInCalendars), SpecFields.check(Schema.makeFilter(specProblem))])
export type CalendarInput = BuiltInCalendar | CalendarSpec
