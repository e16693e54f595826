// A runner process for the cluster tests and benchmark, serving the crash workload's model
// ("crash-mover") and one that only watches ("idle", the benchmark's):
//
//   node test/runtime/cluster/runner-child.ts <postgres-url> <port> [--pause-after-commit <ms>]
//
// Prints "@@ ready" once it has joined the cluster (its entities are registered), and
// "@@ fail <message>" (exit 1) when it cannot start. It runs until killed.
//
// --pause-after-commit: after each store commit it prints "@@ committed" and waits that long
// before acknowledging, so a SIGKILL aimed at that line lands where the inputs are durable but
// their callers were never answered: the case a message sent again must not apply twice.
import { parseArgs } from "node:util"
import { Cause, Effect, Exit, Layer } from "effect"
import type { TradingModel } from "../../../src/engine/trading-model.ts"
import { runnerLayer } from "../../../src/runtime/cluster/cluster-runner.ts"
import { PostgresStore } from "../../../src/runtime/postgres-store.ts"
import { SimulationStore } from "../../../src/runtime/simulation-store.ts"
import { modelFactories } from "../crash/crash-workload.ts"

const { values, positionals } = parseArgs({ allowPositionals: true, options: { "pause-after-commit": { type: "string" } } })
const [postgresUrl, port] = positionals
if (postgresUrl === undefined || port === undefined) {
  console.error("usage: runner-child.ts <postgres-url> <port> [--pause-after-commit <ms>]")
  process.exit(2)
}
const pause = values["pause-after-commit"] === undefined ? null : Number(values["pause-after-commit"])

const idle: TradingModel = { initialState: null, onUpdate: (state) => ({ state }) }

const pausingStore = (ms: number) =>
  Layer.effect(
    SimulationStore,
    Effect.gen(function* () {
      const store = yield* SimulationStore
      return SimulationStore.of({
        ...store,
        write: (batch, marks) =>
          store.write(batch, marks).pipe(
            Effect.tap(() => Effect.sync(() => process.stdout.write("@@ committed\n"))),
            Effect.delay(`${ms} millis`)
          )
      })
    })
  ).pipe(Layer.provide(PostgresStore.layerWithClient()))

const runner = runnerLayer({
  postgresUrl,
  host: "127.0.0.1",
  port: Number(port),
  catalog: { ...modelFactories, idle: () => idle },
  ...(pause === null ? {} : { store: pausingStore(pause) })
})

Effect.runPromiseExit(
  Effect.scoped(
    Effect.gen(function* () {
      yield* Layer.build(runner)
      process.stdout.write("@@ ready\n")
      return yield* Effect.never
    })
  )
).then((exit) => {
  const reason = Exit.isFailure(exit) ? String((Cause.squash(exit.cause) as { message?: unknown }).message ?? Cause.squash(exit.cause)) : "stopped"
  process.stdout.write(`@@ fail ${reason.replace(/\n/g, " ")}\n`)
  process.exit(1)
})
