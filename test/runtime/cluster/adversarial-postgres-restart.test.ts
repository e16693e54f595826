// Adversarial review (issue 15): PostgreSQL stopped and started again under a running runner and
// client. While it is down a call must fail with a typed error (not hang, not acknowledge); once it
// is back, the same runner and client must serve again, every acknowledged input applied once.
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { Effect } from "effect"
import { ClusterSupervisor } from "../../../src/runtime/cluster/cluster-supervisor.ts"
import { SimulationSupervisor } from "../../../src/runtime/simulation-supervisor.ts"
import { freePort, startLocalPostgres } from "../../../scripts/local-postgres.ts"
import { buildWorkload, config, modelSpec, uninterruptedRun } from "../crash/crash-workload.ts"
import { startRunner, within } from "./cluster-harness.ts"


describe("PostgreSQL restarted under a running cluster", () => {
  it("while it is down a submit fails typed within the patience; once it is back the same runner and client serve, each acknowledged input once", async () => {
    const directory = mkdtempSync(join(tmpdir(), "paperfloor-adv-pg-"))
    const port = await freePort()
    let postgres = await startLocalPostgres({ directory, port })
    const runner = await startRunner(postgres.url)
    try {
      const workload = buildWorkload(40, 11)
      const inputs = workload.inputs
      const program = Effect.gen(function* () {
        const supervisor = yield* SimulationSupervisor
        yield* supervisor.create({ id: "a", config, model: modelSpec })
        yield* supervisor.submit("a", inputs.slice(0, 15))
        postgres.stop()
        // Down: refused (SimulationUnavailableError or a store error), within far more than the patience.
        const whileDown = yield* within(15_000, supervisor.submit("a", inputs.slice(15, 20)))
        postgres = yield* Effect.promise(() => startLocalPostgres({ directory, port }))
        // Back: the caller sends what was refused again, then the rest.
        const resent = yield* within(30_000, supervisor.submit("a", inputs.slice(15, 20)))
        const rest = yield* within(30_000, supervisor.submit("a", inputs.slice(20)))
        const summary = yield* within(10_000, supervisor.summary("a"))
        const seq = summary === "succeeded" ? (yield* supervisor.summary("a")).seq : null
        const snapshot = summary === "succeeded" ? yield* supervisor.inspect("a", (i) => JSON.stringify(i.snapshot())) : null
        return { whileDown, resent, rest, seq, identical: snapshot === JSON.stringify(uninterruptedRun(workload).snapshot()) }
      })
      const out = await Effect.runPromise(program.pipe(Effect.provide(ClusterSupervisor.layer({ postgresUrl: postgres.url, routingPatience: 3_000 }))))
      expect(["SimulationUnavailableError", "StoreWriteError"]).toContain(out.whileDown)
      expect({ ...out, whileDown: "refused" }).toEqual({ whileDown: "refused", resent: "succeeded", rest: "succeeded", seq: inputs.length, identical: true })
    } finally {
      await runner.kill()
      postgres.stop()
      rmSync(directory, { recursive: true, force: true })
    }
  }, 120_000)
})
