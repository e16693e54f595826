/**
 * A log of records kept in columns (see ./columns.ts): each subclass says how its record goes into
 * its columns (`push`) and comes back out (`written`), field for field and in its key order. A
 * restored record the columns do not give back exactly (a snapshot made by hand: keys in another
 * order, a field of another type) is kept as it was given.
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

  /** How many rows are kept as the objects restored rather than in the columns. */
  get keptCount(): number {
    return this.#kept.size
  }

  /** A record read from a snapshot: in the columns when they give it back exactly, as it is otherwise. */
  restore(record: T): void {
    const row = this.length
    this.push(this.fits(record) ? record : this.empty)
    if (!sameJson(this.written(row), record)) this.#kept.set(row, record)
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

/** Whether two records write the same JSON: the same keys in the same order with the same values, as a snapshot holds them. */
const sameJson = (written: unknown, restored: unknown): boolean => {
  try {
    return JSON.stringify(written) === JSON.stringify(restored)
  } catch {
    // A restored record JSON cannot write (a cycle, a BigInt) is kept as it is.
    return false
  }
}
