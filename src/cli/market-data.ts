/**
 * Market data for a simulation from `--data` files: loaded and checked whole before anything is
 * sent, so a bad file changes nothing; then fed in batches, each one durable journal write.
 */
import { Presets, SingleBar } from "cli-progress"
import { type BarUpdate, dataSource, DataSourceError, loadBarTimeline } from "../data/bar-timeline.ts"
import type { PaperTradingDeployer, UpdateReceipt } from "../index.ts"
import { formatTime } from "../report/format.ts"

/** Updates per `processMarketUpdates` call: one journal write each. */
const BATCH = 500

/**
 * The timeline of the `--data` files of a simulation trading `symbols`. Throws `DataSourceError`
 * for a file whose symbol the simulation does not trade (or that repeats one), `DataFileError`
 * or `OhlcvCsvError` for a file that cannot be read.
 */
export const loadMarketData = async (files: ReadonlyArray<string>, symbols: ReadonlyArray<string>): Promise<ReadonlyArray<BarUpdate>> => {
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
export const feed = async (paper: PaperTradingDeployer, id: string, updates: ReadonlyArray<BarUpdate>): Promise<UpdateReceipt | undefined> => {
  const bar =
    process.stderr.isTTY && updates.length > BATCH
      ? new SingleBar({ format: `${id} |{bar}| {percentage}% | {value}/{total} updates | {time}`, hideCursor: true, stream: process.stderr }, Presets.shades_classic)
      : undefined
  bar?.start(updates.length, 0, { time: formatTime(updates[0]?.time) })
  let receipt: UpdateReceipt | undefined
  try {
    for (let i = 0; i < updates.length; i += BATCH) {
      const batch = updates.slice(i, i + BATCH)
      receipt = await paper.processMarketUpdates(id, batch)
      bar?.update(i + batch.length, { time: formatTime(batch.at(-1)?.time) })
    }
  } finally {
    bar?.stop()
  }
  return receipt
}
