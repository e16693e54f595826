import { fileURLToPath } from "node:url"
import { loadOhlcvCsv } from "../src/data/ohlcv-csv.ts"
import type { BarInput } from "../src/index.ts"

const dataFile = (name: string) => fileURLToPath(new URL(`./data/${name}`, import.meta.url))

/**
 * The bundled real daily bars of ORCL (1995–2014) and NVDA (1999–2014) as one timeline: an
 * update per trading day, carrying the bar of every symbol that traded that day.
 */
export const loadBundledTimeline = async () => {
  const series = {
    ORCL: await loadOhlcvCsv(dataFile("orcl-1995-2014.txt")),
    NVDA: await loadOhlcvCsv(dataFile("nvda-1999-2014.txt"))
  }
  const symbols = Object.keys(series) as Array<keyof typeof series>
  const days = new Map<number, Record<string, BarInput>>()
  for (const symbol of symbols)
    for (const { time, open, high, low, close, volume } of series[symbol]) {
      const day = days.get(time) ?? {}
      day[symbol] = { open, high, low, close, volume }
      days.set(time, day)
    }
  const timeline = [...days.entries()].sort(([a], [b]) => a - b).map(([time, bars]) => ({ time, bars }))
  return { symbols: symbols as ReadonlyArray<string>, timeline }
}
