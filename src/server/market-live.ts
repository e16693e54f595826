/**
 * A live feed onto the server's tape (`paperfloor serve --live-feed <url>`): `liveFeedStream` (its
 * reconnects, order, duplicates and backpressure) in batches of what arrived within 20 ms. A live
 * feed does not replay, so after a restart nothing of it is fed twice: an update before the tape's
 * last time (what the store already holds) is dropped, and counted.
 */
import { Duration, Effect, Fiber, Stream } from "effect"
import type { AlignedUpdate } from "../data/aligned-updates.ts"
import type { LiveFeedLayout, LiveSubscription } from "../data/live/feed-layout.ts"
import type { LiveFeedEvent } from "../data/live/live-feed-events.ts"
import { liveFeedStream } from "../data/live/live-feed.ts"
import type { MarketUpdateInput } from "../domain/market-update.ts"
import { parseTime } from "../domain/time.ts"
import { recordsOf } from "./market-update-records.ts"
import type { MarketTape } from "./market-tape.ts"

export interface LiveMarketOptions {
  readonly url: string
  readonly subscription: LiveSubscription
  readonly layout?: LiveFeedLayout
}

export interface LiveMarketStatus {
  readonly url: string
  readonly fed: number
  /** Updates dropped for being before the tape's last time. */
  readonly behind: number
  /** Why the feed ended, when it has. */
  readonly error: string | null
}

export const startLiveMarket = (tape: MarketTape, options: LiveMarketOptions) => {
  const status = { url: options.url, fed: 0, behind: 0, error: null as string | null }
  const onEvent = (event: LiveFeedEvent) => {
    if (event.type === "gap") process.stderr.write(`paperfloor serve: live feed gap: ${JSON.stringify(event)}\n`)
  }
  const fresh = (updates: ReadonlyArray<MarketUpdateInput>): AlignedUpdate[] => {
    const out: AlignedUpdate[] = []
    let after = tape.lastTime ?? -Infinity
    for (const update of updates) {
      const time = parseTime((update as { time?: unknown }).time)
      if (time < after) {
        status.behind++
        continue
      }
      after = time
      out.push({ time, records: recordsOf(update, time) })
    }
    return out
  }
  const run = liveFeedStream({ url: options.url, subscription: options.subscription, onEvent, ...(options.layout === undefined ? {} : { layout: options.layout }) }).pipe(
    Stream.groupedWithin(500, Duration.millis(20)),
    Stream.runForEach((batch) =>
      Effect.promise(async () => {
        const updates = fresh(batch)
        if (updates.length > 0) status.fed += (await tape.feed("live", updates)).fed
      })
    ),
    Effect.catchCause((cause) =>
      Effect.sync(() => {
        status.error = String(cause)
        process.stderr.write(`paperfloor serve: the live feed stopped: ${status.error}\n`)
      })
    )
  )
  const fiber = Effect.runFork(run)
  return {
    status: (): LiveMarketStatus => ({ ...status }),
    close: () => Effect.runPromise(Fiber.interrupt(fiber)).then(() => undefined)
  }
}

export type LiveMarket = ReturnType<typeof startLiveMarket>
