/** How long to wait before a reconnect: exponential backoff with full jitter. */

export interface BackoffSettings {
  /** The ceiling of the first wait, ms. */
  readonly initialDelayMs: number
  /** The largest ceiling, ms. */
  readonly maxDelayMs: number
}

/**
 * The wait before reconnect attempt `attempt` (0 for the first after a drop): drawn uniformly
 * from [0, min(maxDelayMs, initialDelayMs × 2^attempt)). Full jitter spreads the clients a server
 * dropped at once, so they do not all come back in the same instant.
 */
export const backoffDelay = (attempt: number, settings: BackoffSettings, random: () => number): number =>
  random() * Math.min(settings.maxDelayMs, settings.initialDelayMs * 2 ** attempt)
