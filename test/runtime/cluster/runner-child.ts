// A runner process for the cluster tests and benchmark, serving the crash workload's model:
//
//   node test/runtime/cluster/runner-child.ts <postgres-url> <port>
//
// Prints "@@ ready" once it has joined the cluster (its entities are registered), and
// "@@ fail <message>" (exit 1) when it cannot start. It runs until killed.
import { Cause, Effect, Exit, Layer } from "effect"
import { runnerLayer } from "../../../src/runtime/cluster/cluster-runner.ts"
import { modelFactories } from "../crash/crash-workload.ts"

const [postgresUrl, port] = process.argv.slice(2)
if (postgresUrl === undefined || port === undefined) {
  console.error("usage: runner-child.ts <postgres-url> <port>")
  process.exit(2)
}

const runner = runnerLayer({ postgresUrl, host: "127.0.0.1", port: Number(port), catalog: modelFactories })

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
