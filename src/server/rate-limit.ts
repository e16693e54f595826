/**
 * A per-key rate limit: a token bucket of `requests` refilled over `perMs`, as Alpaca's 200 a
 * minute. A request over it is answered 429 and does nothing.
 */
export interface RateLimitOptions {
  readonly requests: number
  readonly perMs: number
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { requests: 200, perMs: 60_000 }

export const makeRateLimiter = ({ requests, perMs }: RateLimitOptions, clock: () => number) => {
  const buckets = new Map<string, { tokens: number; at: number }>()
  /** Takes one request's token for `key`; false when there is none left. */
  return (key: string): boolean => {
    const now = clock()
    const bucket = buckets.get(key) ?? { tokens: requests, at: now }
    bucket.tokens = Math.min(requests, bucket.tokens + ((now - bucket.at) * requests) / perMs)
    bucket.at = now
    buckets.set(key, bucket)
    if (bucket.tokens < 1) return false
    bucket.tokens -= 1
    return true
  }
}
