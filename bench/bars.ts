import type { OhlcvBar } from "../src/data/ohlcv-csv.ts"

const dayMs = 86_400_000

/** A benchmark bar: an OHLCV bar without its date string (a million strings would only load the garbage collector of every runner). */
export type BenchBar = Omit<OhlcvBar, "date">

/**
 * A long series made of whole repetitions of a real one: even repetitions forward, odd ones
 * backward, so each repetition starts where the previous ended (prices stay real and roughly
 * continuous instead of jumping from the last close back to the first). A bar played backward is
 * unchanged, so it is still a valid bar. Times are one calendar day apart from the first bar's.
 */
export const makeBenchmarkBars = (source: ReadonlyArray<OhlcvBar>, minimumBars: number): BenchBar[] => {
  const first = source[0]
  if (first === undefined) throw new RangeError("makeBenchmarkBars needs at least one source bar")
  const n = source.length
  const total = Math.max(1, Math.ceil(minimumBars / n)) * n
  // Pushed rather than preallocated: a holey array would slow every runner that reads it.
  const bars: BenchBar[] = []
  for (let i = 0; i < total; i++) {
    const repetition = Math.floor(i / n)
    const offset = i - repetition * n
    const { open, high, low, close, volume } = source[repetition % 2 === 0 ? offset : n - 1 - offset]!
    const time = first.time + i * dayMs
    bars.push({ time, open, high, low, close, volume })
  }
  return bars
}
