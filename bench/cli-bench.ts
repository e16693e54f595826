// The command line end to end, as a user meets it (run by bench/index.ts):
// - `paperfloor run` on the bundled 20-year ORCL + NVDA daily bars, spawned as from a shell:
//   process start, registry, deployment, journaled feeding, archiving and the HTML report;
// - the report it wrote, opened in headless Chromium until every chart has drawn.
// Prints one JSON line with the figures (medians of several runs, and every run).
import { spawnSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { launchChromium, openReport } from "../test/report/browser.ts"

const root = fileURLToPath(new URL("..", import.meta.url))
const runs = 5
const median = (xs: ReadonlyArray<number>): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

const command = [
  join(root, "src/cli/main.ts"),
  "run",
  join(root, "examples/configs/crossover.json"),
  "--data",
  join(root, "examples/data/orcl-1995-2014.txt"),
  "--data",
  join(root, "examples/data/nvda-1999-2014.txt"),
  "--json"
]

const runSeconds: number[] = []
const reports: string[] = []
const stores: string[] = []
let updates = 0
for (let i = 0; i < runs; i++) {
  const store = mkdtempSync(join(tmpdir(), "paperfloor-cli-bench-"))
  stores.push(store)
  const started = performance.now()
  const result = spawnSync(process.execPath, [...command, "--store", store], { encoding: "utf8" })
  runSeconds.push((performance.now() - started) / 1000)
  if (result.status !== 0) throw new Error(`paperfloor run failed (${result.status}): ${result.stderr}`)
  const out = JSON.parse(result.stdout) as { report: string; results: { updates: number } }
  reports.push(out.report)
  updates = out.results.updates
}

// The first open pays for the browser's start; the later ones are a page in a running browser.
// `ready` is the page's own clock (performance.now()) when every chart has drawn: from the start
// of navigation, so it leaves out the driver's round trips.
const openSeconds: number[] = []
const readySeconds: number[] = []
const launchStarted = performance.now()
const browser = await launchChromium()
try {
  for (let i = 0; i < runs; i++) {
    const started = performance.now()
    const { context, page, problems } = await openReport(browser, reports[i]!)
    openSeconds.push((performance.now() - (i === 0 ? launchStarted : started)) / 1000)
    readySeconds.push(((await page.evaluate("window.__paperfloorReadyAt")) as number) / 1000)
    await context.close()
    if (problems.length > 0) throw new Error(`the report had problems: ${problems.join("; ")}`)
  }
} finally {
  await browser.close()
  for (const store of stores) rmSync(store, { recursive: true, force: true })
}

console.log(
  JSON.stringify({
    updates,
    runSecondsMedian: median(runSeconds),
    runSeconds,
    openSecondsFirst: openSeconds[0],
    openSecondsMedian: median(openSeconds.slice(1)),
    openSeconds,
    readySecondsMedian: median(readySeconds),
    readySeconds
  })
)
