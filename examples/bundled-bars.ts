import { existsSync, mkdirSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { alignByTime, readCsvBars, readParquetBars, toMarketUpdateInput, writeParquetBars } from "../src/data/index.ts"
import { type BarUpdate, dataSource, loadBarTimeline } from "../src/data/bar-timeline.ts"

const dataFile = (name: string) => fileURLToPath(new URL(`./data/${name}`, import.meta.url))
const bundled = () => [dataSource(dataFile("orcl-1995-2014.txt")), dataSource(dataFile("nvda-1999-2014.txt"))]

/**
 * The bundled real daily bars of ORCL (1995–2014) and NVDA (1999–2014) as one timeline: an
 * update per trading day, carrying the bar of every symbol that traded that day.
 */
export const loadBundledTimeline = async () => {
  const sources = bundled()
  const timeline = await loadBarTimeline(sources)
  return { symbols: sources.map((s) => s.symbol), timeline }
}

/**
 * The same timeline from Parquet copies of the bundled files (written under `directory` on first
 * use), read as streams and aligned by time: the format quant data usually comes in.
 */
export const loadBundledParquetTimeline = async (directory: string) => {
  const sources = bundled()
  mkdirSync(directory, { recursive: true })
  const copies = []
  for (const { symbol, path } of sources) {
    const copy = join(directory, `${symbol}.parquet`)
    if (!existsSync(copy)) await writeParquetBars(copy, readCsvBars(path, { symbol }))
    copies.push(readParquetBars(copy))
  }
  const timeline: BarUpdate[] = []
  for await (const update of alignByTime(copies)) {
    const input = toMarketUpdateInput(update)
    if ("bars" in input) timeline.push(input)
  }
  return { symbols: sources.map((s) => s.symbol), timeline }
}
