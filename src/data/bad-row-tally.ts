/**
 * What a source does with a bad row: fail with it (the default), or skip it and count it by
 * reason, for the summary at the end of the read.
 */
import type { BadRowError, BadRowReason } from "./data-errors.ts"

export type OnBadRow = "fail" | "skip"

/** Options every source takes. */
export interface ReadOptions {
  /** `"fail"` (default): the first bad row ends the read with its `BadRowError`. `"skip"`: bad rows are left out and counted. */
  readonly onBadRow?: OnBadRow
}

/** How a read went; a source exposes it as `summary` once a read has finished. */
export interface ReadSummary {
  readonly source: string
  /** Records passed on: rows for a file, updates for an alignment. */
  readonly records: number
  readonly skipped: number
  readonly skippedByReason: Readonly<Partial<Record<BadRowReason, number>>>
  /** The first skipped rows (at most `KEPT_SKIPPED`), each the error it would have been. */
  readonly firstSkipped: ReadonlyArray<BadRowError>
  /** An alignment's inputs, each with its own summary. */
  readonly inputs?: ReadonlyArray<ReadSummary>
}

/** The skipped rows a summary keeps as examples: enough to see what is wrong, bounded for a file of bad rows. */
export const KEPT_SKIPPED = 10

export class BadRowTally {
  readonly #source: string
  readonly #onBadRow: OnBadRow
  #skipped = 0
  readonly #byReason: Partial<Record<BadRowReason, number>> = {}
  readonly #first: BadRowError[] = []

  constructor(source: string, onBadRow: OnBadRow = "fail") {
    this.#source = source
    this.#onBadRow = onBadRow
  }

  /** Throws the error when failing on bad rows; counts it when skipping them. */
  bad(error: BadRowError): void {
    if (this.#onBadRow === "fail") throw error
    this.#skipped++
    this.#byReason[error.reason] = (this.#byReason[error.reason] ?? 0) + 1
    if (this.#first.length < KEPT_SKIPPED) this.#first.push(error)
  }

  summary(records: number): ReadSummary {
    return { source: this.#source, records, skipped: this.#skipped, skippedByReason: { ...this.#byReason }, firstSkipped: [...this.#first] }
  }
}
