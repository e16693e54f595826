/**
 * A source of market records: read incrementally, a batch at a time (a CSV chunk, a Parquet row
 * group), so a file larger than memory replays in constant memory. Each read starts from the
 * beginning; `summary` tells how the last finished read went.
 */
import { Data, Stream } from "effect"
import type { ReadSummary } from "./bad-row-tally.ts"
import { isMarketDataError, type MarketDataError } from "./data-errors.ts"

export interface MarketDataSource<A> extends AsyncIterable<A> {
  /** What is read (a file's path), as errors and the summary name it. */
  readonly name: string
  /** The records as an Effect `Stream`; failures are `BadRowError`, `DataFormatError` or `DataFileError`. */
  readonly stream: Stream.Stream<A, MarketDataError>
  /** The records in the batches they are read in, never empty: the fast path for a consumer that takes many at once. */
  batches(): AsyncIterable<ReadonlyArray<A>>
  /** How the last read that ran to the end went (rows read, bad rows skipped by reason); undefined before one has. */
  readonly summary: ReadSummary | undefined
}

/** One read: its batches, and its summary once they are all read. */
export interface Reading<A> {
  readonly batches: AsyncIterable<ReadonlyArray<A>>
  readonly summary: (records: number) => ReadSummary
}

/** Anything else thrown while reading: a bug, which the stream turns into a defect. */
class ReadDefect extends Data.TaggedError("ReadDefect")<{ readonly cause: unknown }> {}

/** A source over `open`, which starts one read each time it is called. */
export const marketDataSource = <A>(name: string, open: () => Reading<A>): MarketDataSource<A> => {
  let summary: ReadSummary | undefined
  async function* batches(): AsyncGenerator<ReadonlyArray<A>> {
    const reading = open()
    let records = 0
    for await (const batch of reading.batches) {
      if (batch.length === 0) continue
      records += batch.length
      yield batch
    }
    summary = reading.summary(records)
  }
  const stream = Stream.fromAsyncIterable({ [Symbol.asyncIterator]: () => batches() }, (error) =>
    isMarketDataError(error) ? error : new ReadDefect({ cause: error })
  ).pipe(
    Stream.catchTag("ReadDefect", (defect) => Stream.die(defect.cause)),
    (s) => Stream.flattenArray(s as Stream.Stream<readonly [A, ...A[]], MarketDataError>)
  )
  return {
    name,
    stream,
    batches,
    get summary() {
      return summary
    },
    [Symbol.asyncIterator]: () => flatten(batches()[Symbol.asyncIterator]())
  }
}

/**
 * The records of the batches one by one. A hand-written iterator: an async generator's `yield*`
 * over each batch costs several promise turns per record.
 */
const flatten = <A>(source: AsyncIterator<ReadonlyArray<A>>): AsyncIterator<A> => {
  let batch: ReadonlyArray<A> = []
  let index = 0
  return {
    async next() {
      while (index >= batch.length) {
        const step = await source.next()
        if (step.done === true) return { done: true, value: undefined }
        batch = step.value
        index = 0
      }
      return { done: false, value: batch[index++]! }
    },
    async return() {
      await source.return?.()
      return { done: true, value: undefined }
    }
  }
}

/**
 * Records already at hand (an array, a generator, an async generator) as a source, in batches
 * of `batchSize`: to align them with files, or to stream them. They are taken as they are, with
 * no checks; a generator must give the same records each time it is started.
 */
export const fromRecords = <A>(
  name: string,
  records: () => Iterable<A> | AsyncIterable<A>,
  { batchSize = 1024 }: { readonly batchSize?: number } = {}
): MarketDataSource<A> =>
  marketDataSource(name, () => ({
    batches: (async function* () {
      let batch: A[] = []
      for await (const record of records()) {
        batch.push(record)
        if (batch.length >= batchSize) {
          yield batch
          batch = []
        }
      }
      yield batch
    })(),
    summary: (count) => ({ source: name, records: count, skipped: 0, skippedByReason: {}, firstSkipped: [] })
  }))

/** Every record of a source, in memory: for files known to be small. */
export const readAll = async <A>(source: MarketDataSource<A>): Promise<Array<A>> => {
  const records: A[] = []
  for await (const batch of source.batches()) for (const record of batch) records.push(record)
  return records
}
