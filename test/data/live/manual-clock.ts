/** A clock the test moves by hand: timers fire when `advance` passes them (those due at once, on the next turn). */
import type { LiveFeedClock } from "../../../src/data/live/live-feed-clock.ts"

export const manualClock = () => {
  let now = 0
  const timers = new Set<{ readonly at: number; readonly fn: () => void }>()
  const clock: LiveFeedClock = {
    now: () => now,
    setTimer: (ms, fn) => {
      const timer = { at: now + ms, fn }
      timers.add(timer)
      if (ms <= 0) setImmediate(() => timers.delete(timer) && fn())
      return () => void timers.delete(timer)
    }
  }
  const advance = (ms: number) => {
    now += ms
    for (const timer of [...timers].sort((a, b) => a.at - b.at)) if (timer.at <= now && timers.delete(timer)) timer.fn()
  }
  return { clock, advance }
}
