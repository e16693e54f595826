/**
 * A log of records kept in columns (see ./columns.ts): each subclass says how its record goes into
 * its columns (`push`) and comes back out (`written`), field for field and in its key order. A
 * restored record of other keys or key order, or a field of another type (a snapshot made by
 * hand), is kept as it was given.
 */
export abstract class RecordLog<T> {
  /** Rows whose record is kept as the object restored rather than in the columns. */
  readonly #kept = new Map<number, T>()

  abstract get length(): number
  /** A record the engine made: of the columns' form by construction. */
  abstract push(record: T): void
  /** The record its columns hold at `row`. */
  protected abstract written(row: number): T
  /** Whether each field has the type its column holds; a record that has not goes in as `empty`, to keep the rows aligned. */
  protected abstract fits(record: T): boolean
  protected abstract readonly empty: T
  /** The record's keys in the order `written` makes them. */
  protected abstract readonly keys: ReadonlyArray<string>

  /** How many rows are kept as the objects restored rather than in the columns. */
  get keptCount(): number {
    return this.#kept.size
  }

  /** A record read from a snapshot: in the columns when they give it back exactly, as it is otherwise. */
  restore(record: T): void {
    // The columns give back each field exactly (./columns.ts): a record of the columns' types and keys is the one written back.
    const inColumns = this.fits(record) && hasKeys(record as object, this.keys)
    if (!inColumns) this.#kept.set(this.length, record)
    this.push(inColumns ? record : this.empty)
  }

  at(row: number): T {
    // Asked with `has`: a record kept may be null or undefined (a hand-made snapshot's).
    return this.#kept.has(row) ? this.#kept.get(row)! : this.written(row)
  }

  /** The records from `from` on, oldest first. */
  slice(from = 0): T[] {
    const records: T[] = []
    for (let row = from; row < this.length; row++) records.push(this.at(row))
    return records
  }
}

/** Whether a record has exactly these own keys, in this order (so that it writes the same JSON as the record written back). */
const hasKeys = (record: object, keys: ReadonlyArray<string>): boolean => {
  try {
    const theirs = Object.keys(record)
    return theirs.length === keys.length && theirs.every((key, i) => key === keys[i])
  } catch {
    // A restored record whose keys cannot be read (a Proxy's trap that throws) is kept as it is.
    return false
  }
}
