// The long version of the crash test: `npm run soak -- --kills 1000`.
// Rounds of the crash campaign (test/runtime/crash/crash-harness.ts), each on a fresh store with
// its own workload and kill plan, until the requested number of SIGKILLs has landed. Each round
// ends by comparing the recovered simulation with an uninterrupted run. Exits 1 on any mismatch,
// printing the seed, the kill points and the kept store directory.
//
//   --kills N            SIGKILLs in total (default 1000)
//   --kills-per-round N  kills per campaign (default 25)
//   --inputs N           inputs per campaign (default 3000)
//   --snapshot-every N   journal entries between snapshots (default 50)
//   --seed N             base seed (default: from the clock, printed); round r uses a seed derived from it
//   --dir PATH           where stores go (default: a fresh temp directory); passing rounds' stores are deleted
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { parseArgs } from "node:util"
import { type CampaignResult, describeKills, runRounds } from "../test/runtime/crash/crash-harness.ts"

const { values } = parseArgs({
  options: {
    kills: { type: "string", default: "1000" },
    "kills-per-round": { type: "string", default: "25" },
    inputs: { type: "string", default: "3000" },
    "snapshot-every": { type: "string", default: "50" },
    seed: { type: "string" },
    dir: { type: "string" }
  }
})

const positive = (name: string, text: string): number => {
  const n = Number(text)
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${name} must be a positive integer (got ${JSON.stringify(text)})`)
    process.exit(2)
  }
  return n
}

const totalKills = positive("kills", values.kills)
const perRound = positive("kills-per-round", values["kills-per-round"])
const inputs = positive("inputs", values.inputs)
const snapshotEvery = positive("snapshot-every", values["snapshot-every"])
const seed = values.seed === undefined ? Date.now() % 2 ** 31 : positive("seed", values.seed)
const base = values.dir ?? mkdtempSync(path.join(tmpdir(), "paperfloor-soak-"))

console.log(`soak: ${totalKills} kills, ${perRound} per round, ${inputs} inputs per round, snapshot every ${snapshotEvery}; seed ${seed}; stores under ${base}`)
const started = performance.now()
const seconds = (ms: number): string => (ms / 1000).toFixed(1)
let landed = 0

const result = await runRounds({
  base,
  seed,
  kills: totalKills,
  killsPerRound: perRound,
  inputs,
  snapshotEvery,
  onRound: (round, r, note) => {
    const passed = r.problems.length === 0
    if (!passed && note === null) return // the failure is reported below
    if (passed) landed += r.kills.length
    const outcome = passed ? `${r.kills.length} kills, ${r.runs} runs, ${r.verification?.fills} fills identical` : "inconclusive"
    console.log(
      `round ${round}: ${outcome}, ${seconds(r.durationMs)} s — total ${landed}/${totalKills} kills, ${seconds(performance.now() - started)} s` +
        (note === null ? "" : ` (${note})`)
    )
  }
})

if (result.failed !== null) {
  const r = result.failed
  console.error(`\nFAIL in round ${result.rounds.length - 1} (round seed ${r.seed}, base seed ${seed}); store and workload kept at ${result.failedRoot}`)
  for (const p of r.problems) console.error(`  - ${p}`)
  console.error(`kill points (#run plan: where that run resumed, its last sent/ack, where the next run resumed):\n${describeKills(r.kills)}`)
  process.exit(1)
}

if (values.dir === undefined) rmSync(base, { recursive: true, force: true })
const sum = (f: (r: CampaignResult) => number): number => result.rounds.reduce((n, r) => n + f(r), 0)
console.log(
  `\nPASS: ${result.kills} SIGKILLs over ${result.rounds.length} rounds; every round recovered to exactly the uninterrupted run ` +
    `(byte-identical snapshot, 0 lost, 0 duplicated fills; ${sum((r) => r.verification?.fills ?? 0)} fills compared); ` +
    `torn journal tails dropped ${sum((r) => r.tornTails)}, bad snapshots skipped ${sum((r) => r.badSnapshots)}; ${seconds(performance.now() - started)} s`
)
