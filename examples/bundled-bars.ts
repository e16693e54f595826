import { fileURLToPath } from "node:url"
import { dataSource, loadBarTimeline } from "../src/data/bar-timeline.ts"

const dataFile = (name: string) => fileURLToPath(new URL(`./data/${name}`, import.meta.url))

/**
 * The bundled real daily bars of ORCL (1995–2014) and NVDA (1999–2014) as one timeline: an
 * update per trading day, carrying the bar of every symbol that traded that day.
 */
export const loadBundledTimeline = async () => {
  const sources = [dataSource(dataFile("orcl-1995-2014.txt")), dataSource(dataFile("nvda-1999-2014.txt"))]
  const timeline = await loadBarTimeline(sources)
  return { symbols: sources.map((s) => s.symbol), timeline }
}
