// Three runner processes on loopback share one PostgreSQL; 300 simulations are fed concurrently
// through the cluster client while one runner, then another, is SIGKILLed. Every simulation must
// end exactly as the same inputs run in one process: each acknowledged input applied once, no
// fill lost or doubled.
import { describe, expect, inject, it } from "vitest"
import { Effect, Ref } from "effect"
import type { Fill } from "../../../src/domain/fill.ts"
import { ClusterSupervisor } from "../../../src/runtime/cluster/cluster-supervisor.ts"
import { SimulationSupervisor } from "../../../src/runtime/simulation-supervisor.ts"
import { buildWorkload, config, deriveSeed, modelSpec, prng, uninterruptedRun } from "../crash/crash-workload.ts"
import { freshDatabase, type RunnerProcess, startRunner } from "./cluster-harness.ts"

const SIMULATIONS = 300
const INPUTS = 30
const SEED = 15

const fillKeys = (fills: ReadonlyArray<Fill>): string[] => fills.map((f) => `${f.orderId}@${JSON.stringify(f)}`)

// The run's throwaway PostgreSQL (test/postgres-setup.ts); each test makes its own database on it.
const postgresUrl = inject("postgresUrl")

describe("simulations as cluster entities over PostgreSQL", () => {
  it("3 runners, 300 simulations, a runner SIGKILLed mid-run and later another: every state as in one process", async () => {
    const url = await freshDatabase(postgresUrl, "failover")
    const start = () => startRunner(url, { pauseAfterCommit: 150 })
    const runners: RunnerProcess[] = await Promise.all([start(), start(), start()])
    try {
      const workloads = Array.from({ length: SIMULATIONS }, (_, i) => buildWorkload(INPUTS, deriveSeed(SEED, i)))
      const total = SIMULATIONS * INPUTS
      const kills: string[] = []
      const program = Effect.gen(function* () {
        const supervisor = yield* SimulationSupervisor
        const idOf = (i: number) => `sim-${i}`
        yield* Effect.forEach(workloads, (_, i) => supervisor.create({ id: idOf(i), config, model: modelSpec }), { concurrency: 50, discard: true })
        const acknowledged = yield* Ref.make(0)
        /**
         * A kill at a third and at two thirds of the inputs acknowledged, each right after one of the
         * victim's commits, before it answered: its callers' messages go to another runner while
         * their inputs are already durable. (Run without submitOnce's dedupe, this test fails.)
         */
        const killAt = [Math.floor(total / 3), Math.floor((2 * total) / 3)]
        const maybeKill = (done: number) =>
          Effect.promise(async () => {
            while (killAt.length > 0 && done >= killAt[0]!) {
              killAt.shift()
              const victim = runners[kills.length]!
              kills.push(`${victim.port} at ${done}: ${await victim.killAfterCommit()}`)
            }
          })
        yield* Effect.forEach(
          workloads,
          (workload, i) =>
            Effect.gen(function* () {
              // Batches of 1-6 inputs, one at a time per simulation (its inputs' order is its journal's).
              const rng = prng(deriveSeed(SEED, i, 1))
              let next = 0
              while (next < workload.inputs.length) {
                const end = Math.min(workload.inputs.length, next + rng.between(1, 6))
                const results = yield* supervisor.submit(idOf(i), workload.inputs.slice(next, end))
                const refused = results.findIndex((r) => !r.ok)
                if (refused >= 0) return yield* Effect.die(new Error(`${idOf(i)}: input ${next + refused} was refused: ${JSON.stringify(results[refused])}`))
                yield* maybeKill(yield* Ref.updateAndGet(acknowledged, (n) => n + end - next))
                next = end
              }
            }),
          { concurrency: "unbounded", discard: true }
        )
        return yield* Effect.forEach(
          workloads,
          (_, i) => supervisor.inspect(idOf(i), (instance) => ({ snapshot: JSON.stringify(instance.snapshot()), fills: fillKeys(instance.engine.getFills()) })),
          { concurrency: 20 }
        )
      })
      const finals = await Effect.runPromise(program.pipe(Effect.provide(ClusterSupervisor.layer({ postgresUrl: url }))))

      expect(kills).toHaveLength(2)
      let identical = 0
      let lost = 0
      let duplicated = 0
      let expectedFills = 0
      for (const [i, workload] of workloads.entries()) {
        const reference = uninterruptedRun(workload)
        const final = finals[i]!
        if (final.snapshot === JSON.stringify(reference.snapshot())) identical += 1
        const expected = fillKeys(reference.engine.getFills())
        expectedFills += expected.length
        const seen = new Map<string, number>()
        for (const key of final.fills) seen.set(key, (seen.get(key) ?? 0) + 1)
        for (const key of expected) if (!seen.has(key)) lost += 1
        for (const count of seen.values()) if (count > 1) duplicated += count - 1
      }
      // The workload trades: fills are there to be lost or doubled.
      expect(expectedFills).toBeGreaterThan(SIMULATIONS)
      expect({ identical, lost, duplicated }).toEqual({ identical: SIMULATIONS, lost: 0, duplicated: 0 })
    } finally {
      await Promise.all(runners.map((r) => r.kill()))
    }
  }, 120_000)
})
