/**
 * Market data for a simulation from `--data` files: loaded and checked whole before anything is
 * sent, so a bad file changes nothing; then fed in batches, each one durable journal write.
 */
import { Presets, SingleBar } from "cli-progress"
import { Data } from "effect"
import { type BarUpdate, dataSource, DataSourceError, loadBarTimeline } from "../data/bar-timeline.ts"
import type { SimulationConfig, UpdateFrequency, UpdateReceipt } from "../index.ts"
import { formatTime } from "../report/format.ts"
import type { Store } from "./store.ts"

/** Updates per batch: one journal write each (through a server, one or more requests within its body bound). */
const BATCH = 500

/** The update frequencies of bars that have a date and no time of day: what a data file holds. */
const DATED_FREQUENCIES: ReadonlySet<UpdateFrequency> = new Set(["1d", "1w"])

/**
 * Data files hold one bar per date, and the simulation's metrics annualise its updates by its
 * `updateFrequency`: dated bars fed to a simulation of intraday updates (the library's default is
 * 1min) would get a Sharpe ratio some twenty times too large.
 */
export class UpdateFrequencyError extends Data.TaggedError("UpdateFrequencyError")<{
  readonly updateFrequency: UpdateFrequency
}> {
  override get message(): string {
    return `simulation.updateFrequency is ${JSON.stringify(this.updateFrequency)}, but data files hold one bar per date: give the config "updateFrequency": "1d" (or "1w" for weekly bars)`
  }
}

/**
 * The timeline of the `--data` files of a simulation. Throws `UpdateFrequencyError` for a
 * simulation of intraday updates, `DataSourceError` for a file whose symbol the simulation does
 * not trade (or that repeats one), `DataFileError`, `DataFormatError` or `BadRowError` for a file that cannot be read.
 */
export const loadMarketData = async (
  files: ReadonlyArray<string>,
  { symbols, updateFrequency }: Pick<SimulationConfig, "symbols" | "updateFrequency">
): Promise<ReadonlyArray<BarUpdate>> => {
  if (!DATED_FREQUENCIES.has(updateFrequency)) throw new UpdateFrequencyError({ updateFrequency })
  const sources = files.map(dataSource)
  for (const { symbol, path } of sources) {
    if (!symbols.includes(symbol)) {
      throw new DataSourceError({ argument: path, rule: `is for ${symbol}, which the simulation does not trade (its symbols: ${symbols.join(", ")})` })
    }
  }
  return loadBarTimeline(sources)
}

/** The updates after `lastUpdateTime` (what the simulation already holds is skipped). */
export const updatesAfter = (timeline: ReadonlyArray<BarUpdate>, lastUpdateTime: number | null) => {
  const fresh = lastUpdateTime === null ? timeline : timeline.filter((u) => u.time > lastUpdateTime)
  return { skipped: timeline.length - fresh.length, fresh }
}

/**
 * Feeds the updates in batches; a progress bar on stderr when it is a terminal and there is more
 * than a batch. Returns the last receipt (undefined for no updates).
 */
export const feed = async (store: Pick<Store, "update">, id: string, updates: ReadonlyArray<BarUpdate>): Promise<UpdateReceipt | undefined> => {
  const bar =
    process.stderr.isTTY && updates.length > BATCH
      ? new SingleBar({ format: `${id} |{bar}| {percentage}% | {value}/{total} updates | {time}`, hideCursor: true, stream: process.stderr }, Presets.shades_classic)
      : undefined
  // The bar hides the cursor and turns line wrapping off while it draws. Interrupted (Ctrl-C), it
  // gives the terminal back as it was, then the process ends as the signal would have ended it.
  const interrupted = (signal: NodeJS.Signals) => {
    bar?.stop()
    process.off("SIGINT", interrupted).off("SIGTERM", interrupted)
    process.kill(process.pid, signal)
  }
  if (bar !== undefined) process.once("SIGINT", interrupted).once("SIGTERM", interrupted)
  bar?.start(updates.length, 0, { time: formatTime(updates[0]?.time) })
  let receipt: UpdateReceipt | undefined
  try {
    for (let i = 0; i < updates.length; i += BATCH) {
      const batch = updates.slice(i, i + BATCH)
      receipt = await store.update(id, batch)
      bar?.update(i + batch.length, { time: formatTime(batch.at(-1)?.time) })
    }
  } finally {
    process.off("SIGINT", interrupted).off("SIGTERM", interrupted)
    bar?.stop()
  }
  return receipt
}
