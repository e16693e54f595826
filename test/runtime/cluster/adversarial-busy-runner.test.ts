// Adversarial review (issue 15): a runner too busy to refresh its shard locks. Applying one large
// batch blocks its event loop for seconds, longer than the 4 s shard lock expiration
// (shard-move-tuning.ts): the other runner may take the shard while the busy one still holds the
// simulation. Inputs the new holder acknowledges meanwhile must not be lost when the busy one
// commits its batch (both would write the journal record after the same sequence number).
import { describe, expect, inject, it } from "vitest"
import { Cause, Effect, Exit, Fiber } from "effect"
import { ClusterSupervisor } from "../../../src/runtime/cluster/cluster-supervisor.ts"
import type { SimulationInput } from "../../../src/runtime/simulation-input.ts"
import { SimulationSupervisor } from "../../../src/runtime/simulation-supervisor.ts"
import { config, modelSpec } from "../crash/crash-workload.ts"
import { freshDatabase, type RunnerProcess, startRunner } from "./cluster-harness.ts"

const postgresUrl = inject("postgresUrl")

const update = (minute: number, price: number): SimulationInput => ({
  type: "marketUpdate",
  update: { time: Date.UTC(2026, 0, 5, 14, 30) + minute * 60_000, prices: { AAPL: price } }
})

describe("a runner blocked past its shard lock expiration", () => {
  it("inputs acknowledged while a busy runner applies a large batch are all in the final state, none overwritten", async () => {
    const url = await freshDatabase(postgresUrl, "adv_busy")
    const runners: RunnerProcess[] = await Promise.all([startRunner(url), startRunner(url)])
    try {
      let bigTook = 0
      const huge = Array.from({ length: 120_000 }, (_, i) => update(i + 1, 100 + (i % 7)))
      const program = Effect.gen(function* () {
        const supervisor = yield* SimulationSupervisor
        yield* supervisor.create({ id: "b", config, model: modelSpec })
        yield* supervisor.submit("b", [{ type: "start" }, update(0, 100)])
        const started = Date.now()
        const big = yield* Effect.forkChild(Effect.exit(supervisor.submit("b", huge)).pipe(Effect.tap(() => Effect.sync(() => (bigTook = Date.now() - started)))))
        // Past the lock expiration while the holder is still applying.
        yield* Effect.sleep("6 seconds")
        const small: string[] = []
        for (let i = 0; i < 5; i++) {
          const exit = yield* Effect.exit(supervisor.submit("b", [update(200_000 + i, 90)]).pipe(Effect.timeout("40 seconds")))
          small.push(Exit.isSuccess(exit) ? (exit.value[0]!.ok ? "acknowledged" : `refused ${(exit.value[0] as { error: { _tag: string } }).error._tag}`) : String(Cause.squash(exit.cause)).slice(0, 120))
        }
        const bigExit = yield* Fiber.join(big)
        const summary = yield* supervisor.summary("b")
        // Applied, or each refused: after the small ones (whose times are later), its updates come too late.
        const bigApplied = Exit.isSuccess(bigExit) ? bigExit.value.filter((r) => r.ok).length : 0
        return { bigTook, big: Exit.isSuccess(bigExit) ? "acknowledged" : String(Cause.squash(bigExit.cause)).slice(0, 120), bigApplied, small, seq: summary.seq, updates: summary.updateCount }
      })
      const out = await Effect.runPromise(program.pipe(Effect.provide(ClusterSupervisor.layer({ postgresUrl: url }))))
      // Every call is answered (a shard moving is retried with the same operation id, not surfaced as an
      // interruption), and every input applied is in the journal, once (2 before: start and the first update).
      // The big batch is applied whole when it goes first, or refused whole when the new runner applied the
      // small ones (later times) first and it is sent again on top. Seen here before fencing (3 runs in 8
      // failed): five small inputs acknowledged, then absent (seq 120,002); or the big batch and a small one
      // failed with "All fibers interrupted without error", yet applied (seq 120,007).
      expect(out, JSON.stringify(out)).toMatchObject({ big: "acknowledged", small: out.small.map(() => "acknowledged"), seq: 2 + out.bigApplied + out.small.length })
      expect([0, huge.length]).toContain(out.bigApplied)
    } finally {
      await Promise.all(runners.map((r) => r.kill()))
    }
  }, 90_000)
})
