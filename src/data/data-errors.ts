/**
 * What can go wrong reading market data: a bad row (skippable with `onBadRow: "skip"`), a file
 * that cannot be read as asked (a missing column, an unknown time zone), or one that cannot be
 * read at all.
 */
import { Data } from "effect"

/** Why a row is bad: what `onBadRow: "skip"` counts. */
export type BadRowReason =
  /** A field that is absent or empty. */
  | "missing"
  /** A number field that is not a decimal number. */
  | "not-a-number"
  /** A number outside its range: a price ≤ 0, a negative volume or size. */
  | "out-of-range"
  /** Fields that contradict each other: high below low, the open or the close; an ask below the bid. */
  | "inconsistent"
  /** A time that is not a time in the declared format. */
  | "bad-time"
  /** A symbol that a simulation cannot trade (1–32 letters, digits or . _ : / -). */
  | "bad-symbol"
  /** A time before the row before it. */
  | "time-backwards"
  /** A second bar of one symbol at one time. */
  | "duplicate-time"
  /** A row that is not a row: broken CSV quoting, a line that is not a JSON object. */
  | "malformed"

/** Where a row is: a line of a text file, or a row of a Parquet row group (both 0-based). */
const where = (source: string, line: number | undefined, rowGroup: number | undefined, row: number | undefined): string =>
  line !== undefined ? `${source}:${line}` : rowGroup !== undefined ? `${source} row group ${rowGroup} row ${row}` : source

const got = (value: unknown): string => JSON.stringify(value, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v)) ?? "nothing"

/**
 * A row that breaks a rule. `line` is 1-based with a header as line 1 (text files); `rowGroup`
 * and `row` are 0-based (Parquet). `field` is the record's field (`time`, `high`, `bid`), not the
 * file's column name.
 */
export class BadRowError extends Data.TaggedError("BadRowError")<{
  readonly source: string
  readonly line?: number | undefined
  readonly rowGroup?: number | undefined
  readonly row?: number | undefined
  readonly field: string
  readonly reason: BadRowReason
  readonly rule: string
  readonly value: unknown
}> {
  override get message(): string {
    return `${where(this.source, this.line, this.rowGroup, this.row)}: ${this.field} must be ${this.rule} (got ${got(this.value)})`
  }
}

/** A file that cannot be read as asked: no header, a column not found, an unknown time zone or time format. */
export class DataFormatError extends Data.TaggedError("DataFormatError")<{
  readonly source: string
  readonly line?: number | undefined
  readonly field: string
  readonly rule: string
  readonly value: unknown
}> {
  override get message(): string {
    return `${where(this.source, this.line, undefined, undefined)}: ${this.field} must be ${this.rule} (got ${got(this.value)})`
  }
}

/** A data file that cannot be read at all (it does not exist, it is not readable). */
export class DataFileError extends Data.TaggedError("DataFileError")<{
  readonly path: string
  readonly reason: string
}> {
  override get message(): string {
    return `cannot read data file ${this.path}: ${this.reason}`
  }
}

/** A file system error (one with a `syscall`) met reading `path`, as a `DataFileError`; anything else as it is. */
export const toDataFileError = (path: string, error: unknown): unknown =>
  error instanceof Error && "syscall" in error ? new DataFileError({ path, reason: error.message }) : error

export type MarketDataError = BadRowError | DataFormatError | DataFileError

export const isMarketDataError = (error: unknown): error is MarketDataError =>
  error instanceof BadRowError || error instanceof DataFormatError || error instanceof DataFileError
