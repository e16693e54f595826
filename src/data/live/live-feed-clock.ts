/**
 * The live feed's sense of time, injected so tests decide when a silence has lasted too long or a
 * reconnect is due, rather than waiting for it.
 */
export interface LiveFeedClock {
  /** ms; the feed only measures differences (how long since the last frame, how long a hole has been waited on). */
  readonly now: () => number
  /** Calls `fn` after `ms`; the function returned cancels it. */
  readonly setTimer: (ms: number, fn: () => void) => () => void
}

/** The wall clock and Node's timers. */
export const systemClock: LiveFeedClock = {
  now: () => Date.now(),
  setTimer: (ms, fn) => {
    const timer = setTimeout(fn, ms)
    return () => clearTimeout(timer)
  }
}
