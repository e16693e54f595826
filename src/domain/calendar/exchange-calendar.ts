import { wallClockIn, wallClockMs, zonedTime } from "../zoned-time.ts"
import { type CalendarInput, type CalendarSpec, dayOf, minutesOf } from "./calendar-spec.ts"
import { usEquities } from "./us-equities.ts"

const MS_PER_DAY = 86_400_000
const MS_PER_MINUTE = 60_000
/** Longer than any run of closed days (11–14 September 2001 and its weekend are six). */
const MAX_CLOSED_RUN = 14

/** One regular session: a trading day and its open and close instants. */
export interface Session {
  /** Its date on the exchange's calendar, as days since 1970-01-01: the engine's trading day. */
  readonly day: number
  /** The same date, `YYYY-MM-DD`. */
  readonly date: string
  /** Ms since the epoch. */
  readonly open: number
  readonly close: number
  readonly earlyClose: boolean
}

/** Where an instant stands against the calendar. */
export interface SessionPosition {
  /** The session in progress, else the next one to open. */
  readonly session: Session
  /** Inside the session's regular hours (open ≤ time < close). */
  readonly inSession: boolean
}

/** An exchange's sessions, computed from its spec (pure: the tz database Node ships, no clock). */
export interface ExchangeCalendar {
  readonly name: string
  readonly spec: CalendarSpec
  /** The session on a date (days since the epoch), or undefined when the exchange is closed then or the day is outside the data. */
  readonly sessionOn: (day: number) => Session | undefined
  /** The session an instant belongs to (in progress, else the next), or undefined past the data's last day. */
  readonly positionOf: (time: number) => SessionPosition | undefined
  /** The days the data covers, for the error that refuses a time outside them. */
  readonly coverage: string
}

const isoDate = (day: number): string => new Date(day * MS_PER_DAY).toISOString().slice(0, 10)

/** ISO weekday (1 = Monday) of days since the epoch (1970-01-01 was a Thursday). */
const weekdayOf = (day: number): number => ((((day + 3) % 7) + 7) % 7) + 1

export const makeExchangeCalendar = (spec: CalendarSpec): ExchangeCalendar => {
  const toInstant = zonedTime(spec.timeZone)
  const wallAt = wallClockIn(spec.timeZone)
  const weekdays = new Set(spec.weekdays ?? [1, 2, 3, 4, 5])
  const holidays = new Set((spec.holidays ?? []).map(dayOf))
  const earlyCloses = new Map(Object.entries(spec.earlyCloses ?? {}).map(([date, time]) => [dayOf(date), minutesOf(time)]))
  const first = spec.firstDay === undefined ? -Infinity : dayOf(spec.firstDay)
  const last = spec.lastDay === undefined ? Infinity : dayOf(spec.lastDay)
  const openMinutes = minutesOf(spec.open)
  const closeMinutes = minutesOf(spec.close)
  const at = (day: number, minutes: number): number => {
    const local = new Date(day * MS_PER_DAY + minutes * MS_PER_MINUTE)
    return toInstant({
      year: local.getUTCFullYear(),
      month: local.getUTCMonth() + 1,
      day: local.getUTCDate(),
      hour: local.getUTCHours(),
      minute: local.getUTCMinutes(),
      second: 0,
      millisecond: 0
    })
  }
  // Sessions are asked for again and again (every update); a run touches few distinct days.
  const cache = new Map<number, Session | null>()
  const sessionOn = (day: number): Session | undefined => {
    const known = cache.get(day)
    if (known !== undefined) return known ?? undefined
    const early = earlyCloses.get(day)
    const session =
      day < first || day > last || !weekdays.has(weekdayOf(day)) || holidays.has(day)
        ? null
        : { day, date: isoDate(day), open: at(day, openMinutes), close: at(day, early ?? closeMinutes), earlyClose: early !== undefined }
    if (cache.size >= 20_000) cache.clear()
    cache.set(day, session)
    return session ?? undefined
  }
  const positionOf = (time: number): SessionPosition | undefined => {
    const today = Math.floor(wallClockMs(wallAt(time)) / MS_PER_DAY)
    if (today + MAX_CLOSED_RUN < first || today > last) return undefined
    for (let day = Math.max(today, first); day <= Math.min(today + MAX_CLOSED_RUN, last); day++) {
      const session = sessionOn(day)
      if (session !== undefined && time < session.close) return { session, inSession: time >= session.open }
    }
    return undefined
  }
  const coverage = `${spec.firstDay ?? "any day"} to ${spec.lastDay ?? "any day"}`
  return { name: spec.name, spec, sessionOn, positionOf, coverage }
}

const builtIn: Record<string, CalendarSpec> = { XNYS: usEquities }

/**
 * The calendar a config names or gives, one per distinct spec: simulations of one calendar share
 * it (and the sessions it has worked out). A calendar per simulation made its functions new each
 * time, and the compiled code that called one simulation's was dropped when that simulation was
 * collected (see src/engine/shape-keeper.ts).
 */
export const calendarOf = (input: CalendarInput): ExchangeCalendar => {
  // A spec asked for again (a server's, for each request on one simulation) is not written out again.
  const asked = typeof input === "string" ? undefined : bySpec.get(input)
  if (asked !== undefined) return asked
  const spec = typeof input === "string" ? builtIn[input]! : input
  const key = typeof input === "string" ? input : JSON.stringify(spec)
  let calendar = calendars.get(key)
  if (calendar === undefined) {
    calendar = makeExchangeCalendar(spec)
    // Bounded: each keeps up to 20,000 sessions, and a server may see many specs.
    if (calendars.size >= 16) calendars.clear()
    calendars.set(key, calendar)
  }
  if (typeof input !== "string") bySpec.set(input, calendar)
  return calendar
}

const calendars = new Map<string, ExchangeCalendar>()
const bySpec = new WeakMap<CalendarSpec, ExchangeCalendar>()
