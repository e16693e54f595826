// A runner or a client that cannot reach PostgreSQL refuses to start, naming the address, and
// acknowledges nothing: the runner never joins the cluster, the client never sends.
import { describe, expect, inject, it } from "vitest"
import { Cause, Effect, Exit } from "effect"
import { ClusterSupervisor } from "../../../src/runtime/cluster/cluster-supervisor.ts"
import { SimulationSupervisor } from "../../../src/runtime/simulation-supervisor.ts"
import { freePort } from "../../../scripts/local-postgres.ts"
import { config, modelSpec } from "../crash/crash-workload.ts"
import { freshDatabase, startRunner, withSql } from "./cluster-harness.ts"

// The run's throwaway PostgreSQL (test/postgres-setup.ts); each test makes its own database on it.
const postgresUrl = inject("postgresUrl")

describe("cluster mode without PostgreSQL", () => {
  it("a runner whose PostgreSQL is unreachable exits with an error naming host:port and never joins", async () => {
    const url = await freshDatabase(postgresUrl, "unreachable")
    // A port nothing listens on: the database of `url`, on the wrong port.
    const closed = await freePort()
    const wrong = new URL(url)
    wrong.port = String(closed)
    await expect(startRunner(wrong.toString())).rejects.toThrow(`cannot reach PostgreSQL at 127.0.0.1:${closed} (ConnectionError: ECONNREFUSED`)
    // Nothing of it reached the real database: no runner registered, no table made.
    const tables = await withSql(url, (sql) => sql<{ name: string }>`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'`)
    expect(tables).toEqual([])
  })

  it("a client whose PostgreSQL is unreachable fails to start with the same error, before any call", async () => {
    const closed = await freePort()
    const program = Effect.gen(function* () {
      const supervisor = yield* SimulationSupervisor
      yield* supervisor.create({ id: "never", config, model: modelSpec })
    })
    const exit = await Effect.runPromiseExit(program.pipe(Effect.provide(ClusterSupervisor.layer({ postgresUrl: `postgres://paperfloor@127.0.0.1:${closed}/paperfloor` }))))
    expect(Exit.isFailure(exit)).toBe(true)
    const error = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined
    expect(error).toMatchObject({ _tag: "PostgresUnreachableError", address: `127.0.0.1:${closed}` })
    expect((error as Error).message).toContain(`cannot reach PostgreSQL at 127.0.0.1:${closed} (ConnectionError: ECONNREFUSED`)
  })
})
