/**
 * Reading the journal as recovery does, in one process, interleaved, median of several runs: the
 * records of 1,000 simulations' 999 updates each (the recovery benchmark's journal: runs of 250
 * two-symbol market updates, format 2), checked and parsed (`decodeRecord`: CRC and `JSON.parse`),
 * then their inputs rebuilt, by the compiled literal per shape recovery uses (`shapeBuilder`)
 * against the walk it used before (`buildShaped`). Both rebuilds are checked to give the same JSON.
 *
 *   node bench/runtime-journal-bench.ts [--runs=7]
 */
import os from "node:os"
import { buildShaped, readShape, shapeBuilder } from "../src/runtime/input-shape.ts"
import { encodeJournal } from "../src/runtime/journal-record.ts"
import { decodeRecord, encodeJson } from "../src/runtime/record-codec.ts"
import type { SimulationInput } from "../src/runtime/simulation-input.ts"

const runs = Number(process.argv.find((a) => a.startsWith("--runs="))?.slice("--runs=".length) ?? 7)
const firstTime = Date.UTC(2024, 0, 2, 14, 30)

/** Update i of simulation k, as bench/runtime-bench.ts feeds them. */
const update = (k: number, i: number): SimulationInput => ({
  type: "marketUpdate",
  update: { time: firstTime + i * 60_000, prices: { A: 100 + ((i * 7 + k) % 13), B: 50 + (i % 5) } }
})

const records: string[] = []
for (let k = 0; k < 1_000; k++)
  for (let first = 1_001; first < 2_000; first += 250) {
    const inputs = Array.from({ length: Math.min(250, 2_000 - first) }, (_, j) => update(k, first + j))
    records.push(encodeJson(encodeJournal(first, inputs)))
  }
const inputCount = 1_000 * 999

type Run = readonly [unknown, ReadonlyArray<unknown>]
const runsOf = (record: string): ReadonlyArray<Run> => (decodeRecord("journal", record) as { inputs: ReadonlyArray<Run> }).inputs
const parsed = records.flatMap(runsOf)
const shape = readShape(parsed[0]![0])
if (typeof shape === "string") throw new Error(shape)
const build = shapeBuilder(shape.shape)

/** Each rebuild keeps a record's worth of inputs (250) alive, as recovery does while it applies them. */
const byWalk = () => {
  const sink: unknown[] = []
  let n = 0
  for (const [, leaves] of parsed) for (const at = { i: 0 }; at.i < leaves.length; ) sink[n++ % 250] = buildShaped(shape.shape, leaves, at)
}
const byLiteral = () => {
  const sink: unknown[] = []
  let n = 0
  for (const [, leaves] of parsed) for (let i = 0; i < leaves.length; i += shape.leaves) sink[n++ % 250] = build(leaves, i)
}
for (const [, leaves] of parsed.slice(0, 40)) {
  const walked: unknown[] = []
  const built: unknown[] = []
  for (const at = { i: 0 }; at.i < leaves.length; ) walked.push(buildShaped(shape.shape, leaves, at))
  for (let i = 0; i < leaves.length; i += shape.leaves) built.push(build(leaves, i))
  if (JSON.stringify(walked) !== JSON.stringify(built)) throw new Error("the compiled literal and the walk build different inputs")
}

const median = (xs: ReadonlyArray<number>): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const cases: Record<string, () => void> = {
  "check and parse (decodeRecord)": () => {
    for (const record of records) runsOf(record)
  },
  "rebuild, the walk (buildShaped, before)": byWalk,
  "rebuild, the compiled literal (shapeBuilder)": byLiteral
}
const times = new Map<string, number[]>(Object.keys(cases).map((name) => [name, []]))
for (let r = 0; r < runs; r++)
  for (const [name, run] of Object.entries(cases)) {
    const start = performance.now()
    run()
    times.get(name)!.push(performance.now() - start)
  }

console.log(`journal reads: ${records.length.toLocaleString("en-US")} records, ${inputCount.toLocaleString("en-US")} inputs, ${runs} runs each, interleaved; load average ${os.loadavg()[0]!.toFixed(1)}`)
for (const [name, ms] of times) console.log(`  ${name}: ${median(ms).toFixed(0)} ms, ${((median(ms) * 1e6) / inputCount).toFixed(0)} ns an input`)
const [walk, literal] = ["rebuild, the walk (buildShaped, before)", "rebuild, the compiled literal (shapeBuilder)"].map((name) => median(times.get(name)!))
console.log(`  the compiled literal rebuilds ${(walk! / literal!).toFixed(1)}× as fast as the walk`)
