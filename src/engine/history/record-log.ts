/**
 * A log of records kept in columns (see ./columns.ts): each subclass says how its record goes into
 * its columns (`push`) and comes back out (`written`), field for field and in its key order. A
 * record added of other keys or key order, or a field of another type (a snapshot made by hand),
 * is kept as it was given.
 */
export abstract class RecordLog<T> {
  /** Rows whose record is kept as the object restored rather than in the columns. */
  readonly #kept = new Map<number, T>()

  abstract get length(): number
  /** A record the engine made of the columns' form by construction. */
  abstract push(record: T): void
  /** The record its columns hold at `row`. */
  protected abstract written(row: number): T
  /** Whether each field has the type its column holds; a record that has not goes in as `empty`, to keep the rows aligned. */
  protected abstract fits(record: T): boolean
  protected abstract readonly empty: T
  /** The record's keys in the order `written` makes them. */
  protected abstract readonly keys: ReadonlyArray<string>

  /** Whether the record's keys are the columns' and in their order (so that it writes the same JSON as the record written back). */
  protected hasShape(record: T): boolean {
    return hasKeysInOrder(record, this.keys)
  }

  /** How many rows are kept as the objects restored rather than in the columns. */
  get keptCount(): number {
    return this.#kept.size
  }

  /**
   * A record that may not be of the columns' form (one read from a snapshot, an order that ended
   * in a form the columns have no place for): in the columns when they give it back exactly, as
   * it is otherwise. `shapeKnown`: its keys are known to be the columns' and in their order (the
   * engine made it), so they are not walked.
   */
  add(record: T, shapeKnown = false): void {
    // The columns give back each field exactly (./columns.ts): a record of the columns' types and keys is the one written back.
    const inColumns = this.fits(record) && (shapeKnown || this.hasShape(record))
    if (!inColumns) this.#kept.set(this.length, record)
    this.push(inColumns ? record : this.empty)
  }

  /** Whether the record at `row` is kept as it was added rather than in the columns. */
  protected isKept(row: number): boolean {
    return this.#kept.has(row)
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

/**
 * Whether a record's enumerable keys are exactly these, in this order (so that it writes the same
 * JSON as the record written back). Walked with for-in, which reads a plain object's keys from its
 * shape without making an array: every ended order is asked. A key of its prototype counts too, so
 * such a record is kept as it is.
 */
export const hasKeysInOrder = (record: unknown, keys: ReadonlyArray<string>): boolean => {
  if (typeof record !== "object" || record === null) return false
  try {
    let i = 0
    for (const key in record) if (key !== keys[i++]) return false
    return i === keys.length
  } catch {
    // A restored record whose keys cannot be read (a Proxy's trap that throws) is kept as it is.
    return false
  }
}
