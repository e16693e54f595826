/** Where the command writes HTML reports: `--out`, or `<store>/reports/` by default. */
import { join } from "node:path"
import type { ArchivedResults } from "../index.ts"
import { writeComparisonReport } from "../report/comparison-report.ts"
import { writeHtmlReport } from "../report/html-report.ts"

/** Writes a simulation's report; resolves with its absolute path. */
export const writeSimulationReport = (storeRoot: string, results: ArchivedResults, out?: string): Promise<string> =>
  writeHtmlReport(out ?? join(storeRoot, "reports", `${results.deploymentId}.html`), results)

/** `compare-a-vs-b`; for many simulations (a name too long for a file system), `compare-a-and-4-more`. */
const comparisonName = (ids: ReadonlyArray<string>) => {
  const all = `compare-${ids.join("-vs-")}`
  return all.length <= 200 ? all : `compare-${ids[0]}-and-${ids.length - 1}-more`
}

/** Writes the comparison of simulations; resolves with its absolute path. */
export const writeComparison = (storeRoot: string, results: ReadonlyArray<ArchivedResults>, out?: string): Promise<string> =>
  writeComparisonReport(out ?? join(storeRoot, "reports", `${comparisonName(results.map((r) => r.deploymentId))}.html`), results)

/** A run's results without the long lists (trades, equity curve): what `--json` prints after a run or a stop. */
export const resultsSummary = ({ trades, equityCurve, ...summary }: ArchivedResults) => ({
  ...summary,
  tradeCount: trades.length,
  equityCurvePoints: equityCurve.length
})
