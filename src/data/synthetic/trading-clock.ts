import type { SyntheticMarketModel } from "./synthetic-market-options.ts"

const DAY_MS = 86_400_000
const MINUTE_MS = 60_000
/** A year of trading: 252 sessions, whatever their length (the engine's `periodsPerYear` convention). */
export const SESSIONS_PER_YEAR = 252

/** A moment the market is sampled at: a bar or an event. */
export interface ClockSlot {
  /** ms since the epoch. */
  readonly time: number
  /** Trading time since the previous slot (for a bar: the bar's own length), in years. */
  readonly years: number
  /** The previous slot was in an earlier session: an overnight gap comes first. */
  readonly newSession: boolean
}

// 1970-01-01 was a Thursday.
const isWeekday = (day: number): boolean => {
  const weekday = (((day + 4) % 7) + 7) % 7
  return weekday !== 0 && weekday !== 6
}

const weekdayFrom = (day: number): number => {
  let d = day
  while (!isWeekday(d)) d++
  return d
}

/** Bar slots from the model's start on: one per weekday at UTC midnight, or `interval`-minute bars through each session (the last one shorter if the session does not divide). */
export function* barSlots(model: SyntheticMarketModel): Generator<ClockSlot> {
  const { interval, sessionOpen, sessionClose, start } = model
  let first = true
  if (interval === "1d") {
    for (let day = weekdayFrom(Math.ceil(start / DAY_MS)); ; day = weekdayFrom(day + 1)) {
      yield { time: day * DAY_MS, years: 1 / SESSIONS_PER_YEAR, newSession: !first }
      first = false
    }
  }
  const sessionMinutes = sessionClose - sessionOpen
  for (let day = weekdayFrom(Math.floor(start / DAY_MS)); ; day = weekdayFrom(day + 1)) {
    let opening: boolean = !first
    for (let minute = sessionOpen; minute < sessionClose; minute += interval) {
      const time = day * DAY_MS + minute * MINUTE_MS
      if (time < start) continue
      yield { time, years: Math.min(interval, sessionClose - minute) / sessionMinutes / SESSIONS_PER_YEAR, newSession: opening }
      first = opening = false
    }
  }
}

/**
 * Event slots (trades, quotes) from the model's start on: Poisson arrivals at `eventsPerMinute`
 * in trading time, so a wait that outlasts a session's close carries over into the next session.
 * Times are whole ms, never decreasing.
 */
export function* eventSlots(model: SyntheticMarketModel, exponential: (mean: number) => number): Generator<ClockSlot> {
  const { sessionOpen, sessionClose, start } = model
  const sessionMs = (sessionClose - sessionOpen) * MINUTE_MS
  const meanWait = MINUTE_MS / model.eventsPerMinute
  let day = Math.floor(start / DAY_MS)
  // ms of trading time into the day's session.
  let offset = Math.max(0, start - (day * DAY_MS + sessionOpen * MINUTE_MS))
  if (!isWeekday(day) || offset >= sessionMs) {
    day = weekdayFrom(day + 1)
    offset = 0
  }
  let newSession = false
  for (;;) {
    const wait = exponential(meanWait)
    offset += wait
    while (offset >= sessionMs) {
      offset -= sessionMs
      day = weekdayFrom(day + 1)
      newSession = true
    }
    yield { time: day * DAY_MS + sessionOpen * MINUTE_MS + Math.floor(offset), years: wait / sessionMs / SESSIONS_PER_YEAR, newSession }
    newSession = false
  }
}
