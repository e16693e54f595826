// Child process for the store lock tests; run with Node 22 (erasable TypeScript runs directly):
//   node test/runtime/store/open-store-child.ts try  <directory>   opens and closes the store, prints one JSON line:
//                                                                   {"opened":true} or {"_tag","message","directory"}
//   node test/runtime/store/open-store-child.ts hold <directory>   opens the store, writes child/pid durably,
//                                                                   prints {"ready":true} and holds it until killed
import { Effect, Layer } from "effect"
import { LevelDbStore } from "../../../src/runtime/leveldb-store.ts"
import { SimulationStore } from "../../../src/runtime/simulation-store.ts"

const [mode, directory] = process.argv.slice(2)
if ((mode !== "try" && mode !== "hold") || directory === undefined) {
  console.error("usage: open-store-child.ts try|hold <directory>")
  process.exit(2)
}

const print = (value: unknown): Effect.Effect<void> => Effect.sync(() => console.log(JSON.stringify(value)))

const layer = LevelDbStore.layer({ directory })

const program = mode === "try"
  ? Layer.build(layer).pipe(
    Effect.scoped,
    Effect.matchEffect({
      onSuccess: () => print({ opened: true }),
      onFailure: (error) => print({ _tag: error._tag, message: error.message, directory: error.directory })
    })
  )
  : Effect.gen(function*() {
    const store = yield* SimulationStore
    yield* store.write([{ type: "put", key: "child/pid", value: String(process.pid) }])
    yield* print({ ready: true })
    // Effect.never alone does not keep Node's event loop alive.
    setInterval(() => {}, 1 << 30)
    return yield* Effect.never
  }).pipe(Effect.provide(layer))

Effect.runPromise(program).catch((error: unknown) => {
  console.log(JSON.stringify({ _tag: "Unexpected", message: String(error) }))
  process.exit(1)
})
