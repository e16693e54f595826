// Child process for the store-lock test: builds the whole runtime (SimulationSupervisor over
// LevelDbStore) on a directory, prints one JSON line and exits 0:
//   {"opened":true,"recovered":[{"id":…,"seq":…}]}   or   {"_tag":…,"message":…,"directory":…}
//   node test/runtime/crash/open-supervisor-child.ts <store-dir>
import { Effect, Layer } from "effect"
import { LevelDbStore } from "../../../src/runtime/leveldb-store.ts"
import { ModelCatalog } from "../../../src/runtime/model-catalog.ts"
import { SimulationSupervisor } from "../../../src/runtime/simulation-supervisor.ts"
import { modelFactories } from "./crash-workload.ts"

const directory = process.argv[2]
if (directory === undefined) {
  console.error("usage: open-supervisor-child.ts <store-dir>")
  process.exit(2)
}

const layer = SimulationSupervisor.layer().pipe(Layer.provide(Layer.merge(LevelDbStore.layer({ directory }), ModelCatalog.layer(modelFactories))))

const program = Effect.gen(function* () {
  const supervisor = yield* SimulationSupervisor
  return { opened: true, recovered: supervisor.recovered.map((r) => ({ id: r.id, seq: r.seq })) }
}).pipe(
  Effect.provide(layer),
  Effect.catch((error) => Effect.succeed({ _tag: error._tag, message: error.message, directory: "directory" in error ? error.directory : null }))
)

Effect.runPromise(program).then(
  (report) => {
    console.log(JSON.stringify(report))
    process.exit(0)
  },
  (error: unknown) => {
    console.log(JSON.stringify({ _tag: "Unexpected", message: String(error) }))
    process.exit(1)
  }
)
