// The process the crash tests SIGKILL: it runs the workload through a SimulationSupervisor over
// LevelDB, resuming from whatever is durable, and reports progress on stdout.
//
//   node test/runtime/crash/crash-child.ts <store-dir> <workload.json> [--snapshot-every 50] [--seed 1]
//
// Protocol: one line per event, prefixed "@@ " (anything else on stdout is the runtime's logging):
//   @@ ready <durable> <fingerprint> <tornTail> <badSnapshots>   recovered; resuming at input <durable>
//   @@ sent <end>                                                 inputs [.., end) handed to submit
//   @@ ack <end>                                                  submit returned: inputs [0, end) are durable
//   @@ done <end>                                                 all inputs durable; exits 0
//   @@ fail <message>                                             something is wrong; exits 1
//
// Durable progress: every workload input is one the simulation accepts (buildWorkload checks
// this), and the journal numbers accepted inputs 1, 2, 3…, so the sequence number recovery ends at
// (`supervisor.recovered[].seq`) is exactly how many inputs are durable. That is cross-checked
// against the state itself: the engine's update count must equal the market updates in that prefix.
import { readFileSync } from "node:fs"
import { parseArgs } from "node:util"
import { crc32 } from "node:zlib"
import { Data, Effect, Layer } from "effect"
import { LevelDbStore } from "../../../src/runtime/leveldb-store.ts"
import { ModelCatalog } from "../../../src/runtime/model-catalog.ts"
import type { SimulationInput } from "../../../src/runtime/simulation-input.ts"
import { SimulationSupervisor } from "../../../src/runtime/simulation-supervisor.ts"
import { config, deriveSeed, modelFactories, modelSpec, prng, SIMULATION_ID } from "./crash-workload.ts"

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { "snapshot-every": { type: "string", default: "50" }, seed: { type: "string", default: "1" } }
})
const [directory, workloadFile] = positionals
if (directory === undefined || workloadFile === undefined) {
  console.error("usage: crash-child.ts <store-dir> <workload.json> [--snapshot-every n] [--seed n]")
  process.exit(2)
}

// Writes to a pipe are synchronous on Linux: a line printed here has left the process before the next step.
const emit = (line: string): void => void process.stdout.write(`@@ ${line}\n`)

/** What the parent wrote with `writeWorkloadFile`: building the workload here would cost every restart ~0.5 s. */
interface WorkloadFile {
  readonly inputs: ReadonlyArray<SimulationInput>
  readonly updatesBefore: ReadonlyArray<number>
}
const workload = JSON.parse(readFileSync(workloadFile, "utf8")) as WorkloadFile
const total = workload.inputs.length
const fingerprint = crc32(JSON.stringify(workload.inputs)).toString(16).padStart(8, "0")

class ChildFailure extends Data.TaggedError("ChildFailure")<{ readonly reason: string }> {
  override get message(): string {
    return this.reason
  }
}

const program = Effect.gen(function* () {
  const supervisor = yield* SimulationSupervisor
  const recovered = supervisor.recovered.find((r) => r.id === SIMULATION_ID)
  // Not recovered = never created (a kill before the meta record was written): create it now.
  // A meta record that failed to recover makes `create` fail with SimulationExistsError, as it should.
  if (recovered === undefined) yield* supervisor.create({ id: SIMULATION_ID, config, model: modelSpec })
  const durable = recovered?.seq ?? 0
  const updates = yield* supervisor.inspect(SIMULATION_ID, (instance) => instance.engine.updateCount)
  if (updates !== workload.updatesBefore[durable])
    return yield* new ChildFailure({ reason: `journal at ${durable} but the state has ${updates} updates, expected ${workload.updatesBefore[durable]}` })
  emit(`ready ${durable} ${fingerprint} ${recovered?.tornTail.length ?? 0} ${recovered?.badSnapshots.length ?? 0}`)

  // Batch sizes 1–20 vary per run, so batch and snapshot boundaries fall differently each time.
  const rng = prng(deriveSeed(Number(values.seed), durable))
  let next = durable
  while (next < total) {
    const end = Math.min(total, next + rng.between(1, 20))
    emit(`sent ${end}`)
    const results = yield* supervisor.submit(SIMULATION_ID, workload.inputs.slice(next, end))
    for (const [k, result] of results.entries())
      if (!result.ok) return yield* new ChildFailure({ reason: `input ${next + k} was refused: ${result.error.message}` })
    emit(`ack ${end}`)
    next = end
  }
  emit(`done ${total}`)
})

const layer = SimulationSupervisor.layer({ snapshotEvery: Number(values["snapshot-every"]) }).pipe(
  Layer.provide(Layer.merge(LevelDbStore.layer({ directory }), ModelCatalog.layer(modelFactories)))
)

Effect.runPromise(program.pipe(Effect.provide(layer))).then(
  () => process.exit(0),
  (error: unknown) => {
    emit(`fail ${error instanceof Error ? error.message : String(error)}`.replace(/\n/g, " "))
    process.exit(1)
  }
)
