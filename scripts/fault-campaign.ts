// The storage fault campaign (issue 9): `npm run faults`. Runs each storage fault on real files
// through the public deployer API (PaperTradingDeployer, DeploymentManager, ModelRegistry,
// LocalArtifactStore) and judges every deployment a reopened deployer gives back against what was
// acknowledged: whole, a typed error, or a silent rollback. Prints a table per fault; exits 1 if
// any acknowledged update was lost or any rollback was silent, printing how to reproduce each.
//
//   --seed N          the campaign's seed (default: from the clock, printed); the same seed runs the same trials
//                     (but for the interleaving of the concurrent calls in "disk full, concurrent calls")
//   --trials N        trials per fault (default: each fault's own, a few minutes in all)
//   --only TEXT       only the faults whose name contains TEXT (repeatable)
//   --trial N         only trial N of each fault (with --seed and --only: one case again)
//   --calls N         calls (of 1–4 updates) per deployment and session in the healthy root (default 25)
//   --deployments N   deployments per root, one built-in kind each in turn (default and least 4: every kind)
//   --refusals N      calls refused by the full disk before it is freed (default 20; twice that with concurrent calls)
//   --dir PATH        where trials run (default: a fresh temp directory, removed when nothing failed)
//   --verbose         every deployment's verdict, the typed errors included
import { mkdirSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { parseArgs } from "node:util"
import { addTrial, emptyTally, type FaultTally, renderTable } from "./faults/campaign-table.ts"
import { diskFull } from "./faults/disk-full.ts"
import type { CampaignContext, Fault, TrialResult } from "./faults/fault.ts"
import { fileFaults } from "./faults/file-faults.ts"
import { buildHealthyRoot } from "./faults/healthy-root.ts"
import { referenceRuns } from "./faults/reference.ts"
import { deriveSeed, seededRandom } from "./faults/seeded-random.ts"

const defaults = { calls: "25", deployments: "4", refusals: "20" } as const
const { values } = parseArgs({
  options: {
    seed: { type: "string" },
    trials: { type: "string" },
    only: { type: "string", multiple: true },
    trial: { type: "string" },
    calls: { type: "string", default: defaults.calls },
    deployments: { type: "string", default: defaults.deployments },
    refusals: { type: "string", default: defaults.refusals },
    dir: { type: "string" },
    verbose: { type: "boolean", default: false }
  }
})

const whole = (name: string, text: string, min: number): number => {
  const n = Number(text)
  if (!Number.isInteger(n) || n < min) {
    console.error(`--${name} must be an integer of at least ${min} (got ${JSON.stringify(text)})`)
    process.exit(2)
  }
  return n
}

const seed = values.seed === undefined ? Date.now() % 2 ** 31 : whole("seed", values.seed, 0)
const trialsFlag = values.trials === undefined ? undefined : whole("trials", values.trials, 1)
const onlyTrial = values.trial === undefined ? undefined : whole("trial", values.trial, 0)
const deployments = whole("deployments", values.deployments, 4)
const calls = whole("calls", values.calls, 1)
const base = values.dir ?? mkdtempSync(path.join(tmpdir(), "paperfloor-faults-"))
mkdirSync(base, { recursive: true })

const refusals = whole("refusals", values.refusals, 1)
const faults: ReadonlyArray<Fault> = [
  diskFull({ deployments, refusals, concurrent: false, trials: 5 }),
  // Twice the deployments, all calls of a round in flight: one failed commit refuses several deployments' batches.
  diskFull({ deployments: deployments * 2, refusals: refusals * 2, concurrent: true, trials: 3 }),
  ...fileFaults
].filter(
  (f) => values.only === undefined || values.only.some((text) => f.name.includes(text))
)
if (faults.length === 0) {
  console.error(`no fault matches ${values.only?.map((t) => JSON.stringify(t)).join(", ")}`)
  process.exit(2)
}

const referencesDirectory = path.join(base, "references")
mkdirSync(referencesDirectory, { recursive: true })
let healthy: ReturnType<CampaignContext["healthy"]> | undefined
const context: CampaignContext = {
  healthy: () => (healthy ??= (async () => {
    const root = path.join(base, "healthy")
    return { root, expected: await buildHealthyRoot(root, deriveSeed(seed, "healthy root"), { deployments, calls }) }
  })()),
  references: referenceRuns(referencesDirectory)
}

console.log(`fault campaign: seed ${seed}; ${deployments} deployments per root, ${calls} calls each per session; trials under ${base}`)
const started = performance.now()
const seconds = (ms: number) => (ms / 1000).toFixed(1)
/** The command that runs one trial again: the same seed and workload flags, that fault, that trial. */
const rerun = (fault: Fault, trial: number) => {
  const flags = [
    ...(values.trials === undefined ? [] : [`--trials ${values.trials}`]),
    ...(["calls", "deployments", "refusals"] as const).filter((k) => values[k] !== defaults[k]).map((k) => `--${k} ${values[k]}`)
  ]
  return `node_modules/.bin/node scripts/fault-campaign.ts --seed ${seed} ${flags.join(" ")}${flags.length > 0 ? " " : ""}--only '${fault.name}' --trial ${trial}`
}

interface Case { readonly fault: Fault; readonly trial: number; readonly line: string }
const failures: Case[] = [] // silent rollbacks and losses
const untyped: Case[] = []
const broken: Case[] = [] // trials that could not be completed
const notes: Case[] = []
const verbose: string[] = []
const tallies: FaultTally[] = []

for (const fault of faults) {
  const tally = emptyTally(fault.name)
  tallies.push(tally)
  const faultStarted = performance.now()
  const count = trialsFlag ?? fault.trials
  for (let trial = 0; trial < count; trial++) {
    if (onlyTrial !== undefined && trial !== onlyTrial) continue
    const directory = path.join(base, fault.name.replace(/[^A-Za-z0-9.]+/g, "-"), String(trial))
    mkdirSync(directory, { recursive: true })
    let result: TrialResult
    try {
      result = await fault.run(context, seededRandom(deriveSeed(seed, fault.name, trial)), directory)
    } catch (e) {
      broken.push({ fault, trial, line: `the trial could not be completed (files kept in ${directory}): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}` })
      continue
    }
    addTrial(tally, result)
    if (result.skipped !== undefined) {
      rmSync(directory, { recursive: true, force: true })
      break
    }
    for (const note of result.notes) notes.push({ fault, trial, line: note })
    let keep = false
    for (const v of result.verdicts) {
      const line = `${result.what} → ${v.id}: ${v.findings.join("; ")}`
      if (v.outcome === "silent") failures.push({ fault, trial, line: `${line}${v.lost > 0 ? ` (${v.lost} acknowledged updates lost)` : ""}` })
      if (v.outcome === "untyped") untyped.push({ fault, trial, line })
      if (values.verbose) verbose.push(`[${fault.name} #${trial}] ${result.what} → ${v.id}: ${v.outcome}${v.findings.length > 0 ? `: ${v.findings.join("; ")}` : ""}`)
      keep ||= v.outcome === "silent" || v.outcome === "untyped"
    }
    if (keep) notes.push({ fault, trial, line: `files kept in ${directory}` })
    else rmSync(directory, { recursive: true, force: true })
  }
  console.error(`${fault.name}: ${tally.skipped === undefined ? `${tally.trials} trials` : `skipped (${tally.skipped})`}, ${seconds(performance.now() - faultStarted)} s`)
}

console.log(`\n${renderTable(tallies)}`)
const print = (title: string, cases: ReadonlyArray<Case>, withRerun: boolean) => {
  if (cases.length === 0) return
  console.log(`\n${title}:`)
  for (const c of cases) console.log(`  - [${c.fault.name}, trial ${c.trial}] ${c.line}${withRerun ? `\n      reproduce: ${rerun(c.fault, c.trial)}` : ""}`)
}
if (verbose.length > 0) console.log(`\nverdicts:\n${verbose.map((l) => `  ${l}`).join("\n")}`)
print("notes", notes, false)
print("untyped errors (an error without a tag, or naming nothing)", untyped, true)
print("trials that could not be completed", broken, true)
print("SILENT ROLLBACKS AND LOSSES", failures, true)

const lost = tallies.reduce((n, t) => n + t.lost, 0)
const silent = tallies.reduce((n, t) => n + t.silent, 0)
const kept = failures.length + untyped.length + broken.length > 0
if (!kept && values.dir === undefined) rmSync(base, { recursive: true, force: true })
console.log(`\n${lost === 0 && silent === 0 && broken.length === 0 ? "PASS" : "FAIL"}: ${lost} acknowledged updates lost, ${silent} silent rollbacks, ${broken.length} trials not completed; seed ${seed}, ${seconds(performance.now() - started)} s`)
process.exit(lost > 0 || silent > 0 ? 1 : broken.length > 0 ? 2 : 0)
