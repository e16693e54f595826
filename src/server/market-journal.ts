/**
 * The server's market journal, `<store>/server/market.jsonl`: one line per batch of updates fed to
 * the server (from a replay, a live feed or a push), appended and synced before any account is
 * given the batch. A line holds the batch's updates and, for each account the batch goes to, the
 * account's update count before it: after a crash, an account that still holds that count never
 * got the batch (each account takes a batch in one atomic journal write), and is given it again.
 *
 * A line cut short by a crash (no newline at its end) was never acknowledged: it is cut off when
 * the journal is opened.
 */
import { createReadStream } from "node:fs"
import { type FileHandle, mkdir, open, truncate } from "node:fs/promises"
import { join } from "node:path"
import type { AlignedUpdate } from "../data/aligned-updates.ts"

export type TapeSource = "replay" | "live" | "push"

export interface TapeBatch {
  /** The tape index of the batch's first update. */
  readonly at: number
  readonly source: TapeSource
  /** A replay's batch: which files (their key). */
  readonly replay?: string
  readonly updates: ReadonlyArray<AlignedUpdate>
  /** The update count, before the batch, of each account the batch goes to. */
  readonly before: Readonly<Record<string, number>>
}

export const MARKET_JOURNAL = join("server", "market.jsonl")

const NEWLINE = 0x0a

export class MarketJournal {
  readonly path: string
  readonly #file: FileHandle
  #size: number

  private constructor(path: string, file: FileHandle, size: number) {
    this.path = path
    this.#file = file
    this.#size = size
  }

  /**
   * Opens the journal (creating it), calling `onBatch` with each batch it holds, in order, and cuts
   * off a torn last line. A line that is not a batch anywhere else is corruption: it throws.
   */
  static async open(storageRoot: string, onBatch: (batch: TapeBatch) => void): Promise<MarketJournal> {
    const path = join(storageRoot, MARKET_JOURNAL)
    await mkdir(join(storageRoot, "server"), { recursive: true })
    let good = 0
    let pending: Buffer[] = []
    let line = 0
    try {
      for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
        let from = 0
        for (let i = chunk.indexOf(NEWLINE); i !== -1; i = chunk.indexOf(NEWLINE, from)) {
          pending.push(chunk.subarray(from, i))
          const bytes = Buffer.concat(pending)
          pending = []
          line++
          let batch: TapeBatch
          try {
            batch = JSON.parse(bytes.toString("utf8")) as TapeBatch
          } catch (e) {
            throw new Error(`${path}:${line} is not a batch of the market journal (${e instanceof Error ? e.message : String(e)})`)
          }
          onBatch(batch)
          good += bytes.length + 1
          from = i + 1
        }
        if (from < chunk.length) pending.push(chunk.subarray(from))
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e
    }
    // What follows the last newline was being written when the process stopped.
    if (pending.length > 0) await truncate(path, good)
    return new MarketJournal(path, await open(path, "a"), good)
  }

  /** Appends the batch and syncs it; on failure the file is cut back, so nothing torn stays. */
  async append(batch: TapeBatch): Promise<void> {
    const bytes = Buffer.from(`${JSON.stringify(batch)}\n`, "utf8")
    try {
      await this.#file.write(bytes)
      await this.#file.datasync()
    } catch (e) {
      await this.#file.truncate(this.#size).catch(() => undefined)
      throw e
    }
    this.#size += bytes.length
  }

  close(): Promise<void> {
    return this.#file.close()
  }
}
