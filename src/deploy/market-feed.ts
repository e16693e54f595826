/**
 * Feeds a stream of market updates (a file read incrementally, a synthetic market, a live feed)
 * into a deployed simulation through the `PaperTradingDeployer`, in batches, with progress, and
 * resumes after a crash from the first update the store does not hold.
 *
 * ```ts
 * const summary = await feedMarketUpdates(paper, id, updates, { onProgress: (p) => console.log(p.fed, p.updates) })
 * ```
 *
 * - **Batches**: one `processMarketUpdates` call (one journal write) per batch. A batch goes when
 *   it holds `batchSize` updates, or `batchWindowMs` after its first update came: a file fills
 *   whole batches, a slow live feed is not held back waiting for one.
 * - **Progress**: `onProgress` after each batch, with what was skipped and fed so far and the
 *   simulation's update count and state from the batch's receipt.
 * - **Resuming** (run the same call again after a crash, over the same store): the simulation's
 *   status says how many updates it holds (U) and the time of its last one (T).
 *   - `resume: "position"` (the default) is for a stream that replays from its start what the
 *     simulation has been fed (a file, a seeded synthetic market): its first U updates are
 *     skipped, and the U-th must carry T (when it carries a time) or the stream is not the one
 *     the simulation was fed. Exact even when updates share a time or carry none.
 *   - `resume: "time"` is for a stream that does not replay (a live feed): updates at or before
 *     T are skipped, from the first one after it on everything is fed. Updates must carry their
 *     time while they are being skipped.
 *   Batches are written atomically, so a crash leaves whole batches in the store.
 */
import { Data, Duration, Effect, Result, Schema, Stream } from "effect"
import type { SimulationStatus } from "../../machines/index.ts"
import type { ValidationError } from "../domain/errors.ts"
import type { MarketUpdateInput } from "../domain/market-update.ts"
import { parseTime } from "../domain/time.ts"
import { decodeOrFail } from "../domain/validation.ts"
import type { PaperTradingDeployer, PaperTradingDeployerEffects, SimulationStatusReport } from "./paper-trading-deployer.ts"

export interface FeedOptions {
  /** Updates per batch, one journal write each (default 500). */
  readonly batchSize?: number
  /** A batch goes at most this long after its first update came, ms (default 20). */
  readonly batchWindowMs?: number
  /** How a rerun finds the first update the store does not hold (default "position"). */
  readonly resume?: "position" | "time"
  readonly onProgress?: (progress: FeedProgress) => void
}

export interface FeedProgress {
  readonly deploymentId: string
  /** Updates of the stream the store already held, skipped. */
  readonly skipped: number
  /** Updates fed by this call. */
  readonly fed: number
  /** Batches written by this call. */
  readonly batches: number
  /** The simulation's updates in all. */
  readonly updates: number
  readonly state: SimulationStatus
  /** The time (ms since the epoch) of the last update fed by this call, when it carries one. */
  readonly lastTime: number | null
}

/** The stream does not continue the simulation it is fed to; nothing of it was fed. */
export class FeedResumeError extends Data.TaggedError("FeedResumeError")<{
  readonly deploymentId: string
  /** The update's index in the stream (0-based). */
  readonly index: number
  readonly rule: string
}> {
  override get message(): string {
    return `Cannot resume ${this.deploymentId} from this stream: update ${this.index} ${this.rule}`
  }
}

/** The update source (an async iterable) threw. */
export class FeedSourceError extends Data.TaggedError("FeedSourceError")<{
  readonly deploymentId: string
  readonly cause: unknown
}> {
  override get message(): string {
    return `The market updates fed to ${this.deploymentId} failed: ${this.cause instanceof Error ? this.cause.message : String(this.cause)}`
  }
}

type Effects = PaperTradingDeployerEffects
/** What the deployer's calls can fail with. */
export type FeedDeployerError = Effect.Error<ReturnType<Effects["getSimulationStatus"]>> | Effect.Error<ReturnType<Effects["processMarketUpdates"]>>

const rule = <A>(test: (a: A) => boolean, message: string) => Schema.makeFilter<A>((a) => (test(a) ? undefined : message))
const optionsSchema = Schema.Struct({
  batchSize: Schema.optionalKey(Schema.Number.check(rule((n) => Number.isSafeInteger(n) && n >= 1, "must be a whole number of at least 1"))),
  batchWindowMs: Schema.optionalKey(Schema.Number.check(rule((n) => Number.isFinite(n) && n >= 0, "must be a finite number of ms, at least 0"))),
  resume: Schema.optionalKey(Schema.Literals(["position", "time"]))
})
const decodeOptions = decodeOrFail(optionsSchema, "config")
const OPTIONS = Object.keys(optionsSchema.fields)

const timeOf = (update: MarketUpdateInput): number | null => {
  const time = (update as { readonly time?: unknown }).time
  return time === undefined ? null : parseTime(time)
}

/** Splits each batch into what the store already holds and what it does not. */
interface ResumePoint {
  /** The updates of `batch` to feed; fails when the stream does not continue the simulation. */
  readonly fresh: (batch: ReadonlyArray<MarketUpdateInput>) => Result.Result<ReadonlyArray<MarketUpdateInput>, FeedResumeError>
  /** Fails when the stream ended before reaching the first update the store does not hold. */
  readonly finish: () => Result.Result<void, FeedResumeError>
  readonly skipped: () => number
}

const byPosition = (deploymentId: string, status: SimulationStatusReport): ResumePoint => {
  const held = status.updates
  let index = 0
  return {
    fresh: (batch) => {
      if (index >= held) return Result.succeed(batch)
      const skip = Math.min(held - index, batch.length)
      index += skip
      if (index === held) {
        const last = timeOf(batch[skip - 1]!)
        if (last !== null && last !== status.lastUpdateTime) {
          const have = status.lastUpdateTime === null ? "none" : new Date(status.lastUpdateTime).toISOString()
          return Result.fail(
            new FeedResumeError({
              deploymentId,
              index: held - 1,
              rule: `is at ${Number.isFinite(last) ? new Date(last).toISOString() : "an invalid time"}, but the simulation's last update (its ${held}th) is at ${have}: the stream is not the one it was fed`
            })
          )
        }
      }
      return Result.succeed(batch.slice(skip))
    },
    finish: () =>
      index < held
        ? Result.fail(new FeedResumeError({ deploymentId, index, rule: `is past the stream's end, but the simulation holds ${held} updates: the stream is not the one it was fed` }))
        : Result.void,
    skipped: () => Math.min(index, held)
  }
}

const byTime = (deploymentId: string, status: SimulationStatusReport): ResumePoint => {
  const after = status.lastUpdateTime
  let index = 0
  let skipping = after !== null
  return {
    fresh: (batch) => {
      if (!skipping) return Result.succeed(batch)
      for (let i = 0; i < batch.length; i++, index++) {
        const time = timeOf(batch[i]!)
        if (time === null || !Number.isFinite(time)) {
          return Result.fail(new FeedResumeError({ deploymentId, index, rule: "has no valid time: resuming by time needs updates that carry their time" }))
        }
        if (time > after!) {
          skipping = false
          return Result.succeed(batch.slice(i))
        }
      }
      return Result.succeed([])
    },
    finish: () => Result.void,
    skipped: () => index
  }
}

/** The Effect: feeds `source` to the deployment (started, or paused) and returns the last progress. */
export const feedMarketUpdatesEffect = <E, R>(
  paper: PaperTradingDeployer,
  deploymentId: string,
  source: Stream.Stream<MarketUpdateInput, E, R>,
  options: FeedOptions = {}
): Effect.Effect<FeedProgress, E | FeedResumeError | FeedDeployerError | ValidationError, R> =>
  Effect.gen(function* () {
    const decoded = decodeOptions(Object.fromEntries(OPTIONS.filter((k) => k in options).map((k) => [k, (options as Record<string, unknown>)[k]])))
    if (Result.isFailure(decoded)) return yield* decoded.failure
    const { batchSize = 500, batchWindowMs = 20, resume = "position" } = decoded.success
    const status = yield* paper.effect.getSimulationStatus(deploymentId)
    const point = (resume === "position" ? byPosition : byTime)(deploymentId, status)
    let progress: FeedProgress = { deploymentId, skipped: 0, fed: 0, batches: 0, updates: status.updates, state: status.state, lastTime: null }
    yield* source.pipe(
      Stream.groupedWithin(batchSize, Duration.millis(batchWindowMs)),
      Stream.runForEach((batch) =>
        Effect.gen(function* () {
          const fresh = yield* Effect.fromResult(point.fresh(batch))
          if (fresh.length > 0) {
            const receipt = yield* paper.effect.processMarketUpdates(deploymentId, fresh)
            progress = {
              ...progress,
              fed: progress.fed + receipt.applied,
              batches: progress.batches + 1,
              updates: receipt.updates,
              state: receipt.state,
              lastTime: timeOf(fresh.at(-1)!) ?? progress.lastTime
            }
          }
          progress = { ...progress, skipped: point.skipped() }
          options.onProgress?.(progress)
        })
      )
    )
    yield* Effect.fromResult(point.finish())
    return progress
  })

/**
 * Feeds updates (an array, any iterable, or an async iterable such as a file stream or a live
 * feed) to the deployment and resolves with the last progress. See the top of this file.
 */
export const feedMarketUpdates = (
  paper: PaperTradingDeployer,
  deploymentId: string,
  source: Iterable<MarketUpdateInput> | AsyncIterable<MarketUpdateInput>,
  options: FeedOptions = {}
): Promise<FeedProgress> => {
  const stream =
    Symbol.asyncIterator in source
      ? Stream.fromAsyncIterable(source, (cause) => new FeedSourceError({ deploymentId, cause }))
      : Stream.fromIterable(source)
  return Effect.runPromise(feedMarketUpdatesEffect(paper, deploymentId, stream, options))
}
