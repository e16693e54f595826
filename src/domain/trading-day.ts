const MS_PER_DAY = 86_400_000

/**
 * The trading day of an update: its UTC calendar date, as days since the epoch. A US session
 * (09:30–16:00 New York) never crosses midnight UTC, so UTC dates separate US sessions.
 */
export const tradingDayOf = (timeMs: number): number => Math.floor(timeMs / MS_PER_DAY)
