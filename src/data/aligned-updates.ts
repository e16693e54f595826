/**
 * Several sources, each in time order, aligned into one stream of updates by a k-way merge:
 * records of one time form one update; a symbol without a record at that time is absent from
 * it, never filled in. Memory holds one batch per source.
 */
import type { MarketUpdateInput } from "../domain/market-update.ts"
import { KEPT_SKIPPED, type ReadSummary } from "./bad-row-tally.ts"
import { type MarketDataSource, marketDataSource } from "./market-data-source.ts"
import type { BarValues, MarketRecord } from "./market-records.ts"

export interface AlignedUpdate {
  readonly time: number
  /**
   * The records of this time, in the order of the sources (and of each source's rows). An update
   * holds at most one record per kind and symbol: a second trade of a symbol in the same
   * millisecond, or a symbol's bar from two sources, starts another update of the same time, so
   * no record is ever merged away.
   */
  readonly records: ReadonlyArray<MarketRecord>
}

/** The engine's update of bars, or of last prices. */
export type AlignedUpdateInput =
  | { readonly time: number; readonly bars: Readonly<Record<string, BarValues>> }
  | { readonly time: number; readonly prices: Readonly<Record<string, number>> }

/**
 * The sources' records merged by time into updates. Ties keep the order of `sources`. Each
 * source applies its own `onBadRow`; the alignment's summary holds theirs as `inputs`.
 */
export const alignByTime = (
  sources: ReadonlyArray<MarketDataSource<MarketRecord>>,
  { name = `aligned(${sources.map((s) => s.name).join(", ")})` }: { readonly name?: string } = {}
): MarketDataSource<AlignedUpdate> =>
  marketDataSource(name, () => ({
    batches: mergeBatches(sources),
    summary: (records) => combineSummaries(name, records, sources.map((s) => s.summary!))
  }))

/**
 * The update as `engine.processMarketUpdate` takes it. With a bar in it: `{ time, bars }`, where
 * a symbol with only a trade is a bar of that one price (volume: the trade's size) and one with
 * only a quote a bar of its mid price (volume 0). Without: `{ time, prices }`, a trade's price or
 * else the quote's mid (bid + ask) / 2. Quotes are mid prices until the engine takes bid and ask.
 */
export const toMarketUpdateInput = ({ time, records }: AlignedUpdate): AlignedUpdateInput => {
  const prices: Record<string, number> = {}
  const sizes: Record<string, number> = {}
  const bars: Record<string, BarValues> = {}
  let hasBar = false
  for (const record of records) {
    if (record.kind === "bar") {
      const { open, high, low, close, volume } = record
      bars[record.symbol] = { open, high, low, close, volume }
      hasBar = true
    } else if (record.kind === "trade") {
      prices[record.symbol] = record.price
      sizes[record.symbol] = record.size
    } else if (!Object.hasOwn(prices, record.symbol)) prices[record.symbol] = (record.bid + record.ask) / 2
  }
  if (!hasBar) return { time, prices } satisfies MarketUpdateInput
  for (const [symbol, price] of Object.entries(prices))
    if (!Object.hasOwn(bars, symbol)) bars[symbol] = { open: price, high: price, low: price, close: price, volume: sizes[symbol] ?? 0 }
  return { time, bars } satisfies MarketUpdateInput
}

const combineSummaries = (source: string, records: number, inputs: ReadonlyArray<ReadSummary>): ReadSummary => {
  const skippedByReason: Partial<Record<keyof ReadSummary["skippedByReason"], number>> = {}
  for (const input of inputs)
    for (const [reason, count] of Object.entries(input.skippedByReason) as Array<[keyof typeof skippedByReason, number]>)
      skippedByReason[reason] = (skippedByReason[reason] ?? 0) + count
  return {
    source,
    records,
    skipped: inputs.reduce((sum, input) => sum + input.skipped, 0),
    skippedByReason,
    firstSkipped: inputs.flatMap((input) => input.firstSkipped).slice(0, KEPT_SKIPPED),
    inputs
  }
}

/** The updates at a time as they form: the records so far, and which symbols each kind has. */
class OpenUpdate {
  time = Number.NaN
  records: MarketRecord[] = []
  readonly #symbols = { bar: new Set<string>(), trade: new Set<string>(), quote: new Set<string>() }

  /** Whether the record joins this update: same time, and its kind and symbol not yet in it. */
  takes(record: MarketRecord): boolean {
    return record.time === this.time && !this.#symbols[record.kind].has(record.symbol)
  }

  add(record: MarketRecord): void {
    this.records.push(record)
    this.#symbols[record.kind].add(record.symbol)
  }

  /** Closes this update (if it has records) and opens the next at `time`. */
  close(time: number): AlignedUpdate | undefined {
    const update = this.records.length > 0 ? { time: this.time, records: this.records } : undefined
    this.time = time
    this.records = []
    for (const symbols of Object.values(this.#symbols)) symbols.clear()
    return update
  }
}

async function* mergeBatches(sources: ReadonlyArray<MarketDataSource<MarketRecord>>): AsyncGenerator<AlignedUpdate[]> {
  const iterators = sources.map((source) => source.batches()[Symbol.asyncIterator]())
  const batches: Array<ReadonlyArray<MarketRecord>> = sources.map(() => [])
  const positions: number[] = sources.map(() => 0)
  /** Loads source i's next non-empty batch; false when it has no more. */
  const refill = async (i: number): Promise<boolean> => {
    for (;;) {
      const step = await iterators[i]!.next()
      if (step.done === true) return false
      if (step.value.length > 0) {
        batches[i] = step.value
        positions[i] = 0
        return true
      }
    }
  }
  const head = (i: number): MarketRecord => batches[i]![positions[i]!]!

  // A binary min-heap of the sources with records left, by their next record's time, then by index.
  const heap: number[] = []
  const before = (a: number, b: number): boolean => {
    const ta = head(a).time
    const tb = head(b).time
    return ta < tb || (ta === tb && a < b)
  }
  const siftDown = (at: number): void => {
    for (;;) {
      const left = 2 * at + 1
      const right = left + 1
      let least = at
      if (left < heap.length && before(heap[left]!, heap[least]!)) least = left
      if (right < heap.length && before(heap[right]!, heap[least]!)) least = right
      if (least === at) return
      ;[heap[at], heap[least]] = [heap[least]!, heap[at]!]
      at = least
    }
  }

  try {
    const started = await Promise.all(sources.map((_, i) => refill(i)))
    started.forEach((hasRecords, i) => hasRecords && heap.push(i))
    for (let at = Math.floor(heap.length / 2) - 1; at >= 0; at--) siftDown(at)

    const open = new OpenUpdate()
    let out: AlignedUpdate[] = []
    while (heap.length > 0) {
      const i = heap[0]!
      const record = head(i)
      if (!open.takes(record)) {
        const closed = open.close(record.time)
        if (closed !== undefined) out.push(closed)
      }
      open.add(record)
      if (++positions[i]! >= batches[i]!.length) {
        // Hand over the finished updates before waiting on the file.
        if (out.length > 0) {
          yield out
          out = []
        }
        if (!(await refill(i))) {
          heap[0] = heap[heap.length - 1]!
          heap.pop()
        }
      }
      siftDown(0)
    }
    const last = open.close(Number.NaN)
    if (last !== undefined) out.push(last)
    if (out.length > 0) yield out
  } finally {
    await Promise.all(iterators.map((iterator) => iterator.return?.()))
  }
}
