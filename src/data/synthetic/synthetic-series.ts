import { SyntheticMarketError } from "./synthetic-market-error.ts"

const checkCount = (n: number, method: string): void => {
  if (!Number.isSafeInteger(n) || n < 0) throw new SyntheticMarketError({ field: `${method}(n)`, rule: "must be a whole number from 0", value: n })
}

/**
 * A lazy, endless series: each iteration starts afresh from the seed and yields the same records,
 * one at a time, in constant memory. `take(n)` gives the first n as an array; `limit(n)` the
 * same lazily, for streaming a long series.
 */
export class SyntheticSeries<T> implements Iterable<T> {
  readonly #iterate: () => Iterator<T>

  constructor(iterate: () => Iterator<T>) {
    this.#iterate = iterate
  }

  [Symbol.iterator](): Iterator<T> {
    return this.#iterate()
  }

  /** The first n records (fewer only if the series is finite and shorter). */
  take(n: number): Array<T> {
    checkCount(n, "take")
    return [...this.#first(n)]
  }

  /** The first n records, lazily: a finite series of them. */
  limit(n: number): SyntheticSeries<T> {
    checkCount(n, "limit")
    return new SyntheticSeries(() => this.#first(n))
  }

  *#first(n: number): Generator<T> {
    if (n === 0) return
    let count = 0
    for (const record of this) {
      yield record
      if (++count >= n) return
    }
  }
}
