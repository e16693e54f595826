/**
 * Wall-clock times in an IANA time zone to instants, through Intl (the tz database Node ships),
 * correct across daylight-saving changes.
 */

const HOUR_MS = 3_600_000
const DAY_MS = 86_400_000

/** A wall-clock time: calendar fields with month 1–12. */
export interface WallClock {
  readonly year: number
  readonly month: number
  readonly day: number
  readonly hour: number
  readonly minute: number
  readonly second: number
  readonly millisecond: number
}

/** The fields as if they were UTC: `Date.UTC`, except that years 0–99 stay years 0–99. */
export const wallClockMs = ({ year, month, day, hour, minute, second, millisecond }: WallClock): number => {
  if (year >= 100) return Date.UTC(year, month - 1, day, hour, minute, second, millisecond)
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, millisecond))
  return date.setUTCFullYear(year, month - 1, day)
}

/** Whether a time zone name is one Intl knows (`America/New_York`, `UTC`). */
export const isTimeZone = (zone: string): boolean => {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone })
    return true
  } catch {
    return false
  }
}

/**
 * The instant of a wall-clock time in `zone`, as ms since the epoch. A time that occurs twice
 * (the hour repeated when clocks go back) is its first occurrence; a time that does not occur
 * (the hour skipped when clocks go forward) is moved forward by the gap, so 02:30 on the night
 * New York springs forward is 03:30 EDT. (Temporal calls this the "compatible" choice.)
 */
export const zonedTime = (zone: string): ((wall: WallClock) => number) => {
  const offsetAt = zoneOffsets(zone)
  return (wall) => {
    const local = wallClockMs(wall)
    // The offsets a day either side bound any change in between: zones change at most once a day.
    const before = offsetAt(local - DAY_MS)
    const after = offsetAt(local + DAY_MS)
    const early = local - before
    if (offsetAt(early) === before) return early
    const late = local - after
    if (offsetAt(late) === after) return late
    return early
  }
}

/** The wall clock in `zone` at an instant: the inverse of `zonedTime`. */
export const wallClockIn = (zone: string): ((instant: number) => WallClock) => {
  const offsetAt = zoneOffsets(zone)
  return (instant) => wallClockOf(instant + offsetAt(instant))
}

/**
 * The zone's offset from UTC at an instant, in ms. Intl is slow (microseconds a call), so offsets
 * are cached per UTC hour: an hour whose start and end have the same offset has it throughout,
 * since no zone changes its offset twice within an hour.
 */
const zoneOffsets = (zone: string): ((instant: number) => number) => {
  const format = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    hourCycle: "h23",
    era: "short",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric"
  })
  const exact = (instant: number): number => {
    const whole = Math.floor(instant / 1000) * 1000
    const field: Record<string, number> = {}
    let bc = false
    for (const { type, value } of format.formatToParts(whole)) {
      if (type === "era") bc = value === "BC" || value === "B"
      else if (type !== "literal") field[type] = Number(value)
    }
    const year = bc ? 1 - field["year"]! : field["year"]!
    return wallClockMs({ year, month: field["month"]!, day: field["day"]!, hour: field["hour"]!, minute: field["minute"]!, second: field["second"]!, millisecond: 0 }) - whole
  }
  const cache = new Map<number, number | null>()
  return (instant) => {
    const hour = Math.floor(instant / HOUR_MS)
    let offset = cache.get(hour)
    if (offset === undefined) {
      const start = exact(hour * HOUR_MS)
      offset = start === exact(hour * HOUR_MS + HOUR_MS - 1) ? start : null
      // Bounded: a long intraday file in one zone touches many hours.
      if (cache.size >= 100_000) cache.clear()
      cache.set(hour, offset)
    }
    return offset ?? exact(instant)
  }
}

/** The wall-clock fields of ms read as UTC: the inverse of `wallClockMs`. */
export const wallClockOf = (ms: number): WallClock => {
  const date = new Date(ms)
  return {
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    hour: date.getUTCHours(),
    minute: date.getUTCMinutes(),
    second: date.getUTCSeconds(),
    millisecond: date.getUTCMilliseconds()
  }
}
