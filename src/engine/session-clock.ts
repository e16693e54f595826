import type { CalendarInput } from "../domain/calendar/calendar-spec.ts"
import { calendarOf, type ExchangeCalendar, type Session } from "../domain/calendar/exchange-calendar.ts"
import type { UpdateFrequency } from "../domain/simulation-config.ts"
import { tradingDayOf } from "../domain/trading-day.ts"

/** Where an update is in time, as a time in force and the engine see it. */
export interface UpdateClock {
  /** The update's trading day (days since the epoch), or null before any update carried a time. */
  readonly day: number | null
  /** ms since the epoch, or null. */
  readonly time: number | null
  /** The first update of its session that is in the session: its opening. */
  readonly opensSession: boolean
  /** Inside the session's regular hours; always true without a calendar. Outside, prices mark the portfolio and nothing trades. */
  readonly inSession: boolean
  /** The update whose bar reaches the session's close; null without a calendar, where every update's close is a close. */
  readonly closesSession: boolean | null
  /** The trading day of any instant, by the same rule. */
  readonly dayOf: (time: number) => number
  /** Whether an instant was inside its session (always without a calendar): if not, that session's opening was still to come. */
  readonly inSessionAt: (time: number) => boolean
  /** The session the update belongs to (in progress, else the next); null without a calendar. */
  readonly session: Session | null
}

/** How a processed update stands against the calendar (with one configured). */
export interface SessionMark {
  /** The date of the session it belongs to (in progress, else the next), `YYYY-MM-DD`. */
  readonly date: string
  /** Inside the session's regular hours; outside, it marked the portfolio and nothing traded. */
  readonly inSession: boolean
}

/** Why an update's time cannot be placed on the calendar. */
export interface OffCalendar {
  readonly rule: string
}

/** Each intraday frequency's bar length: a bar reaches the close when its end does. */
const BAR_MS: Readonly<Record<UpdateFrequency, number | null>> = {
  "1s": 1_000,
  "1min": 60_000,
  "5min": 300_000,
  "15min": 900_000,
  "30min": 1_800_000,
  "1h": 3_600_000,
  // A daily or weekly bar is a whole session, stamped with its date.
  "1d": null,
  "1w": null
}

/**
 * The engine's clock. Without a calendar a trading day is a UTC date (a US session never crosses
 * midnight UTC) and every update is in session. With one, an intraday update belongs to the
 * session in progress or the next to open (an evening's update to the next session), is in
 * session between its open and close, and closes it when its bar reaches the close; a daily bar
 * belongs to the session on its date, and is out of session on a weekend or holiday.
 */
export class SessionClock {
  readonly #calendar: ExchangeCalendar | null
  readonly #barMs: number | null

  constructor(calendar: CalendarInput | undefined, frequency: UpdateFrequency) {
    this.#calendar = calendar === undefined ? null : calendarOf(calendar)
    this.#barMs = BAR_MS[frequency]
  }

  readonly dayOf = (time: number): number => {
    const placed = this.#place(time)
    return placed === undefined ? tradingDayOf(time) : placed.day
  }

  readonly inSessionAt = (time: number): boolean => this.#place(time)?.inSession ?? true

  /** Without a calendar, the one clock every update gets, rewritten by `at`: an update's clock is read only while it is processed. */
  readonly #utc: { -readonly [K in keyof UpdateClock]: UpdateClock[K] } = {
    day: null,
    time: null,
    opensSession: false,
    inSession: true,
    closesSession: null,
    dayOf: this.dayOf,
    inSessionAt: this.inSessionAt,
    session: null
  }

  /**
   * The clock of an update at `time` after `state` (valid until the next call), or why its time
   * has no place on the calendar. The state comes as arguments: this runs for every update.
   */
  at(time: number | null, previousDay: number | null, sessionDay: number | null, first: boolean): UpdateClock | OffCalendar {
    // Small without a calendar, the calendar's way apart: the engine's per-update code takes it in whole.
    if (this.#calendar !== null) return this.#onCalendar(this.#calendar, time, sessionDay)
    const day = time === null ? previousDay : tradingDayOf(time)
    const clock = this.#utc
    clock.day = day
    clock.time = time
    clock.opensSession = day !== previousDay || first
    return clock
  }

  #onCalendar(calendar: ExchangeCalendar, time: number | null, sessionDay: number | null): UpdateClock | OffCalendar {
    if (time === null) return { rule: `must be given with an exchange calendar (${calendar.name})` }
    const placed = this.#place(time)
    if (placed === undefined) return { rule: `must be within the days ${calendar.name} covers (${calendar.coverage})` }
    const { day, session, inSession } = placed
    const closesSession = inSession && (this.#barMs === null || (session !== null && time + this.#barMs >= session.close))
    return { day, time, opensSession: inSession && sessionDay !== day, inSession, closesSession, dayOf: this.dayOf, inSessionAt: this.inSessionAt, session }
  }

  #place(time: number): { readonly day: number; readonly session: Session | null; readonly inSession: boolean } | undefined {
    const calendar = this.#calendar
    if (calendar === null) return undefined
    if (this.#barMs === null) {
      const date = tradingDayOf(time)
      const session = calendar.sessionOn(date)
      if (session !== undefined) return { day: date, session, inSession: true }
      const next = calendar.positionOf(time)
      return next === undefined ? undefined : { day: next.session.day, session: next.session, inSession: false }
    }
    const position = calendar.positionOf(time)
    return position === undefined ? undefined : { day: position.session.day, session: position.session, inSession: position.inSession }
  }
}
