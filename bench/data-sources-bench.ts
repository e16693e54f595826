/**
 * Market data sources on a file larger than one would hold in memory: generates a CSV of
 * intraday bars (1 GB by default; `--bytes 200e6` or PAPERFLOOR_DATA_BENCH_BYTES for a quick run)
 * and its Parquet equivalent in a temporary directory, then reads each through the async
 * iterable, the batches and the Effect Stream, each read in a fresh process whose V8 heap is
 * capped at 128 MB (so a read that held the file would fail). Reports rows per second and peak
 * memory (RSS and heap, sampled, plus the kernel's peak RSS); deletes the files.
 */
import { execFileSync } from "node:child_process"
import { once } from "node:events"
import { createWriteStream } from "node:fs"
import { mkdtemp, rm, stat } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Effect, Stream } from "effect"
import { readCsvBars } from "../src/data/csv-bars.ts"
import type { MarketDataSource } from "../src/data/market-data-source.ts"
import type { BarRecord } from "../src/data/market-records.ts"
import { writeParquetBars } from "../src/data/parquet-bars-writer.ts"
import { readParquetBars } from "../src/data/parquet-records.ts"

const SYMBOLS = ["AAPL", "MSFT", "NVDA", "ORCL", "AMZN", "GOOG", "META", "TSLA"]
const START = Date.UTC(2020, 0, 2, 14, 30)
const HEADER = "Timestamp,Symbol,Open,High,Low,Close,Volume\n"

/** Minute bars of every symbol, in time order; a fixed recurrence, so every run reads the same file. */
function* bars(count: number): Generator<BarRecord> {
  const closes = SYMBOLS.map((_, i) => 50 + 20 * i)
  let seed = 42
  const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31
  for (let i = 0; i < count; i++) {
    const s = i % SYMBOLS.length
    const open = closes[s]!
    const close = Math.max(1, Math.round(open * (1 + (next() - 0.5) * 0.004) * 100) / 100)
    const high = Math.round(Math.max(open, close) * (1 + next() * 0.001) * 100) / 100
    const low = Math.round(Math.min(open, close) * (1 - next() * 0.001) * 100) / 100
    closes[s] = close
    yield { kind: "bar", symbol: SYMBOLS[s]!, time: START + Math.floor(i / SYMBOLS.length) * 60_000, open, high, low, close, volume: Math.floor(next() * 100_000) }
  }
}

const csvLine = (b: BarRecord): string => `${new Date(b.time).toISOString()},${b.symbol},${b.open},${b.high},${b.low},${b.close},${b.volume}\n`

/** Writes CSV rows until the file reaches `bytes`; returns the number of rows. */
const writeCsv = async (path: string, bytes: number): Promise<number> => {
  const out = createWriteStream(path)
  let written = HEADER.length
  let rows = 0
  out.write(HEADER)
  let chunk = ""
  for (const bar of bars(Number.MAX_SAFE_INTEGER)) {
    const line = csvLine(bar)
    chunk += line
    written += line.length
    rows++
    if (written >= bytes) break
    if (chunk.length >= 1 << 20) {
      if (!out.write(chunk)) await once(out, "drain")
      chunk = ""
    }
  }
  out.end(chunk)
  await once(out, "finish")
  return rows
}

type Way = "iterable" | "batches" | "stream"
interface ReadReport {
  readonly rows: number
  readonly seconds: number
  readonly peakRssBytes: number
  readonly peakHeapBytes: number
  readonly maxRssBytes: number
}

/** Child: one read of one file one way, with memory sampled every 20 ms. */
const readOnce = async (format: "csv" | "parquet", path: string, way: Way): Promise<ReadReport> => {
  const source: MarketDataSource<BarRecord> = format === "csv" ? readCsvBars(path) : readParquetBars(path)
  let peakRssBytes = 0
  let peakHeapBytes = 0
  const sample = () => {
    const { rss, heapUsed } = process.memoryUsage()
    peakRssBytes = Math.max(peakRssBytes, rss)
    peakHeapBytes = Math.max(peakHeapBytes, heapUsed)
  }
  const sampler = setInterval(sample, 20)
  const start = performance.now()
  let rows = 0
  let volume = 0
  if (way === "iterable") {
    for await (const bar of source) {
      rows++
      volume += bar.volume
    }
  } else if (way === "batches") {
    for await (const batch of source.batches()) {
      rows += batch.length
      for (const bar of batch) volume += bar.volume
    }
  } else {
    await Effect.runPromise(
      Stream.runForEach(source.stream, (bar) =>
        Effect.sync(() => {
          rows++
          volume += bar.volume
        })
      )
    )
  }
  const seconds = (performance.now() - start) / 1000
  clearInterval(sampler)
  sample()
  if (!(volume > 0)) throw new Error("read no volume")
  return { rows, seconds, peakRssBytes, peakHeapBytes, maxRssBytes: process.resourceUsage().maxRSS * 1024 }
}

const requestedBytes = (): number => {
  const flag = process.argv.indexOf("--bytes")
  const text = flag >= 0 ? process.argv[flag + 1] : process.env["PAPERFLOOR_DATA_BENCH_BYTES"]
  const bytes = text === undefined ? 1e9 : Number(text)
  if (!(bytes >= 1000)) throw new Error(`--bytes must be a number of bytes ≥ 1000 (got ${text})`)
  return bytes
}

const HEAP_CAP_MB = 128

const mb = (bytes: number) => (bytes / 1e6).toFixed(0)

const runParent = async (): Promise<void> => {
  const bytes = requestedBytes()
  const dir = await mkdtemp(join(tmpdir(), "paperfloor-data-bench-"))
  try {
    const csv = join(dir, "bars.csv")
    const parquet = join(dir, "bars.parquet")
    let start = performance.now()
    const rows = await writeCsv(csv, bytes)
    const csvSeconds = (performance.now() - start) / 1000
    start = performance.now()
    await writeParquetBars(parquet, bars(rows))
    const parquetSeconds = (performance.now() - start) / 1000
    const sizes = { csv: (await stat(csv)).size, parquet: (await stat(parquet)).size }
    console.log(
      `market data sources: ${rows.toLocaleString("en-US")} minute bars of ${SYMBOLS.length} symbols; CSV ${mb(sizes.csv)} MB ` +
        `(written in ${csvSeconds.toFixed(1)} s), Parquet ${mb(sizes.parquet)} MB (100,000-row groups, written in ${parquetSeconds.toFixed(1)} s)`
    )
    console.log(`  each read in a fresh process with the V8 heap capped at ${HEAP_CAP_MB} MB (--max-old-space-size)`)
    const script = fileURLToPath(import.meta.url)
    for (const [format, path] of [["csv", csv], ["parquet", parquet]] as const)
      for (const way of ["iterable", "batches", "stream"] as const) {
        const out = execFileSync(process.execPath, [`--max-old-space-size=${HEAP_CAP_MB}`, script, "--read", format, path, way], { encoding: "utf8" })
        const r = JSON.parse(out.trim().split("\n").at(-1)!) as ReadReport
        if (r.rows !== rows) throw new Error(`${format} ${way}: read ${r.rows} rows of ${rows}`)
        console.log(
          `  ${format.padEnd(7)} ${way.padEnd(8)} ${Math.round(r.rows / r.seconds).toLocaleString("en-US").padStart(10)} rows/s ` +
            `(${(sizes[format] / 1e6 / r.seconds).toFixed(0)} MB/s, ${r.seconds.toFixed(1)} s); peak RSS ${mb(r.peakRssBytes)} MB sampled, ` +
            `${mb(r.maxRssBytes)} MB by the kernel; peak heap ${mb(r.peakHeapBytes)} MB`
        )
      }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

const readAt = process.argv.indexOf("--read")
if (readAt < 0) await runParent()
else {
  const [format, path, way] = process.argv.slice(readAt + 1) as ["csv" | "parquet", string, Way]
  console.log(JSON.stringify(await readOnce(format, path, way)))
}
