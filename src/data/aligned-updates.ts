/**
 * Several sources, each in time order, aligned into one stream of updates by a k-way merge:
 * records of one time form one update, one record per symbol; a symbol without a record at that
 * time is absent from it, never filled in. Memory holds one batch per source.
 */
import { ValidationError } from "../domain/errors.ts"
import type { MarketUpdateInput } from "../domain/market-update.ts"
import { KEPT_SKIPPED, type ReadSummary } from "./bad-row-tally.ts"
import { type MarketDataSource, marketDataSource } from "./market-data-source.ts"
import type { BarValues, MarketRecord, QuoteValues } from "./market-records.ts"

export interface AlignedUpdate {
  readonly time: number
  /**
   * The records of this time, in the order of the sources (and of each source's rows). An update
   * holds at most one record per symbol: a second record of a symbol at the same millisecond (a
   * second trade, its quote beside its trade, its bar from a second source) starts another update
   * of the same time, so no record is ever merged away.
   */
  readonly records: ReadonlyArray<MarketRecord>
}

/** The engine's update: bars or last prices, and bid/ask quotes beside them or alone. */
export type AlignedUpdateInput =
  | { readonly time: number; readonly bars: Readonly<Record<string, BarValues>>; readonly quotes?: Readonly<Record<string, QuoteValues>> }
  | { readonly time: number; readonly prices: Readonly<Record<string, number>>; readonly quotes?: Readonly<Record<string, QuoteValues>> }
  | { readonly time: number; readonly quotes: Readonly<Record<string, QuoteValues>> }

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
 * The update as `engine.processMarketUpdate` takes it. Quotes go as `quotes` (bid and ask: a buy
 * fills at the ask, a sell at the bid). Bars go as `bars`, and beside a bar a trade is a bar of
 * its one price (volume: the trade's size), since the engine takes `bars` or `prices`, not both;
 * without a bar, trades go as `prices`. Throws a `ValidationError` for an update that repeats a
 * symbol, which `alignByTime` never makes: one of its records would be lost.
 */
export const toMarketUpdateInput = ({ time, records }: AlignedUpdate): AlignedUpdateInput => {
  const bars: Record<string, BarValues> = {}
  const prices: Record<string, number> = {}
  const sizes: Record<string, number> = {}
  const quotes: Record<string, QuoteValues> = {}
  let hasBar = false
  let hasTrade = false
  let hasQuote = false
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!
    const { symbol } = record
    if (Object.hasOwn(bars, symbol) || Object.hasOwn(prices, symbol) || Object.hasOwn(quotes, symbol)) throw repeatedSymbol(i, record)
    if (record.kind === "bar") {
      const { open, high, low, close, volume } = record
      bars[symbol] = { open, high, low, close, volume }
      hasBar = true
    } else if (record.kind === "trade") {
      prices[symbol] = record.price
      sizes[symbol] = record.size
      hasTrade = true
    } else {
      quotes[symbol] = { bid: record.bid, ask: record.ask }
      hasQuote = true
    }
  }
  const besides = hasQuote ? { quotes } : {}
  if (hasBar) {
    for (const [symbol, price] of Object.entries(prices)) bars[symbol] = { open: price, high: price, low: price, close: price, volume: sizes[symbol]! }
    return { time, bars, ...besides } satisfies MarketUpdateInput
  }
  return (hasTrade ? { time, prices, ...besides } : { time, quotes }) satisfies MarketUpdateInput
}

const repeatedSymbol = (index: number, record: MarketRecord): ValidationError =>
  new ValidationError({
    subject: "marketUpdate",
    issues: [{ field: `records.${index}`, rule: `must not repeat ${record.symbol}, which an earlier record of this update has (one record per symbol, as alignByTime makes updates)`, value: record }]
  })

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

/** The update at a time as it forms: the records so far, and their symbols. */
class OpenUpdate {
  time = Number.NaN
  records: MarketRecord[] = []
  readonly #symbols = new Set<string>()

  /** Whether the record joins this update: same time, and its symbol not yet in it. */
  takes(record: MarketRecord): boolean {
    return record.time === this.time && !this.#symbols.has(record.symbol)
  }

  add(record: MarketRecord): void {
    this.records.push(record)
    this.#symbols.add(record.symbol)
  }

  /** Closes this update (if it has records) and opens the next at `time`. */
  close(time: number): AlignedUpdate | undefined {
    const update = this.records.length > 0 ? { time: this.time, records: this.records } : undefined
    this.time = time
    this.records = []
    this.#symbols.clear()
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
