// Three runner processes on loopback share one PostgreSQL; 300 simulations are fed concurrently
// through the cluster client while one runner, then another, is SIGKILLed. Every simulation must
// end exactly as the same inputs run in one process: each acknowledged input applied once, no
// fill lost or doubled.
import { describe, expect, inject, it } from "vitest"
import { Effect, Ref } from "effect"
import { ClusterSupervisor } from "../../../src/runtime/cluster/cluster-supervisor.ts"
import { SimulationSupervisor } from "../../../src/runtime/simulation-supervisor.ts"
import { freshDatabase, type RunnerProcess, startRunners } from "./cluster-harness.ts"
import { compareWithOneProcess, feed, makeWorkloads, readFinals } from "./cluster-workload.ts"

const SIMULATIONS = 300
const INPUTS = 30
const SEED = 15

// The run's throwaway PostgreSQL (test/postgres-setup.ts); each test makes its own database on it.
const postgresUrl = inject("postgresUrl")

describe("simulations as cluster entities over PostgreSQL", () => {
  it("3 runners, 300 simulations, a runner SIGKILLed mid-run and later another: every state as in one process", async () => {
    const url = await freshDatabase(postgresUrl, "failover")
    const runners: RunnerProcess[] = await startRunners(url, 3, { pauseAfterCommit: 150 })
    try {
      const workloads = makeWorkloads(SIMULATIONS, INPUTS, SEED)
      const total = SIMULATIONS * INPUTS
      const kills: string[] = []
      const program = Effect.gen(function* () {
        const supervisor = yield* SimulationSupervisor
        const acknowledged = yield* Ref.make(0)
        /**
         * A kill at a third and at two thirds of the inputs acknowledged, each right after one of the
         * victim's commits, before it answered: its callers' messages go to another runner while
         * their inputs are already durable. (Run without submitOnce's dedupe, this test fails.)
         */
        const killAt = [Math.floor(total / 3), Math.floor((2 * total) / 3)]
        const maybeKill = (inputs: number) =>
          Effect.flatMap(Ref.updateAndGet(acknowledged, (n) => n + inputs), (done) =>
            Effect.promise(async () => {
              while (killAt.length > 0 && done >= killAt[0]!) {
                killAt.shift()
                const victim = runners[kills.length]!
                kills.push(`${victim.port} at ${done}: ${await victim.killAfterCommit()}`)
              }
            })
          )
        yield* feed(supervisor, workloads, SEED, maybeKill)
        return yield* readFinals(supervisor, workloads)
      })
      const finals = await Effect.runPromise(program.pipe(Effect.provide(ClusterSupervisor.layer({ postgresUrl: url }))))

      expect(kills).toHaveLength(2)
      const outcome = compareWithOneProcess(workloads, finals)
      // The workload trades: fills are there to be lost or doubled.
      expect(outcome.expectedFills).toBeGreaterThan(SIMULATIONS)
      expect(outcome).toMatchObject({ identical: SIMULATIONS, lost: 0, duplicated: 0, journals: [] })
    } finally {
      await Promise.all(runners.map((r) => r.kill()))
    }
  }, 120_000)

  it("runners joining mid-run take shards with messages in flight: no call fails, every state as in one process", async () => {
    const url = await freshDatabase(postgresUrl, "join")
    const runners: RunnerProcess[] = await startRunners(url, 1)
    try {
      // Long enough that feeding goes on well past the two runners' start.
      const workloads = makeWorkloads(100, 90, SEED + 1)
      const program = Effect.gen(function* () {
        const supervisor = yield* SimulationSupervisor
        const acknowledged = yield* Ref.make(0)
        // Two more runners once a tenth of the inputs are in: the first runner's shards move to them under load.
        let joining: Promise<void> | null = null
        const join = (inputs: number) =>
          Effect.flatMap(Ref.updateAndGet(acknowledged, (n) => n + inputs), (done) =>
            Effect.sync(() => {
              if (joining === null && done >= 900) joining = startRunners(url, 2).then((joined) => void runners.push(...joined))
            })
          )
        yield* feed(supervisor, workloads, SEED + 1, join)
        yield* Effect.promise(() => joining ?? Promise.resolve())
        return yield* readFinals(supervisor, workloads)
      })
      const finals = await Effect.runPromise(program.pipe(Effect.provide(ClusterSupervisor.layer({ postgresUrl: url }))))

      expect(runners).toHaveLength(3)
      expect(compareWithOneProcess(workloads, finals)).toMatchObject({ identical: 100, lost: 0, duplicated: 0, journals: [] })
    } finally {
      await Promise.all(runners.map((r) => r.kill()))
    }
  }, 120_000)
})
