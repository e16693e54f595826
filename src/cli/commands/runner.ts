import { InvalidArgumentError } from "@commander-js/extra-typings"
import { printText, shownPath } from "../output.ts"
import type { Program } from "../program.ts"

const hostOf = (value: string): string => {
  if (value.trim() === "") throw new InvalidArgumentError("must be an address the other runners and the deployers reach this one at (an empty host registers an address nobody can reach)")
  return value
}

const portOf = (value: string): number => {
  const port = Number(value)
  if (!/^\d+$/.test(value) || port < 1 || port > 65_535) throw new InvalidArgumentError("must be a port number from 1 to 65535")
  return port
}

export const runnerCommand = (program: Program) =>
  program
    .command("runner")
    .summary("a cluster runner: serves the simulations of the shards the cluster gives it, over PostgreSQL")
    .description(
      "Joins the cluster whose state is in PostgreSQL (--postgres) and serves the simulations of the shards assigned to it, " +
        "each recovered from PostgreSQL when first used. Runners share the shards; when one dies, its shards move to the others " +
        "and each simulation resumes exactly where the store has it. Deployers in cluster mode (paperfloor serve --cluster, " +
        "PaperTradingDeployer's `cluster` option) send the simulations' inputs to whichever runner holds them. The models come " +
        "from the registry under --store (read again when a simulation names a version registered after the runner started). " +
        "Runs until SIGINT or SIGTERM."
    )
    .requiredOption("--postgres <url>", "the cluster's PostgreSQL: postgres://user[:password]@host:port/database")
    .option("--host <host>", "the address other runners and the deployers reach this runner at (and it listens on)", hostOf, "127.0.0.1")
    .option("--port <port>", "the runner's port", portOf, 34_431)
    .action(async (options, command) => {
      const storageRoot: string = command.optsWithGlobals().store
      const { Effect, Exit, Fiber, Layer, Cause, Redacted } = await import("effect")
      const { runnerLayer } = await import("../../runtime/cluster/cluster-runner.ts")
      const { postgresTarget } = await import("../../runtime/postgres-client.ts")
      const { registryCatalogLayer } = await import("../../deploy/registry-catalog.ts")
      const { listenFailure } = await import("../../runtime/cluster/runner-errors.ts")
      const { brokerAccountKind } = await import("../../server/broker-account-model.ts")
      // Accounts of `paperfloor serve` are simulations of its broker-account model.
      const layer = runnerLayer({ postgresUrl: options.postgres, host: options.host, port: options.port, catalog: registryCatalogLayer(storageRoot, [brokerAccountKind]) })
      const postgres = postgresTarget({ url: Redacted.make(options.postgres) })
      let ready = false
      const fiber = Effect.runFork(
        Effect.scoped(
          Effect.gen(function* () {
            yield* Layer.build(layer)
            ready = true
            printText(`paperfloor runner: serving on ${options.host}:${options.port} (PostgreSQL ${postgres.address}/${postgres.database}; models of ${shownPath(storageRoot)})`)
            return yield* Effect.never
          })
        )
      )
      const stop = () => Effect.runFork(Fiber.interrupt(fiber))
      process.once("SIGINT", stop)
      process.once("SIGTERM", stop)
      const exit = await Effect.runPromise(Fiber.await(fiber))
      process.off("SIGINT", stop)
      process.off("SIGTERM", stop)
      if (Exit.isFailure(exit) && !Cause.hasInterruptsOnly(exit.cause)) {
        const error = Cause.squash(exit.cause)
        throw listenFailure(`${options.host}:${options.port}`, error) ?? error
      }
      if (ready) process.stderr.write("paperfloor runner: stopped\n")
    })
