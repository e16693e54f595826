// Adversarial review (issue 15): events across a runner's death. The cluster client outlives its
// runners, so a subscriber to its `events` (the deployer's subscribeEvents, serve's trade updates,
// processMarketUpdates' model-failure check) expects every event of every acknowledged batch, as
// in one process. A batch committed by a runner that died before answering is answered from the
// store when sent again: are its events still delivered?
import { describe, expect, inject, it } from "vitest"
import { Effect, Fiber, PubSub } from "effect"
import { ClusterSupervisor } from "../../../src/runtime/cluster/cluster-supervisor.ts"
import { SimulationInstance } from "../../../src/runtime/simulation-instance.ts"
import { SimulationSupervisor } from "../../../src/runtime/simulation-supervisor.ts"
import { buildWorkload, config, modelFactories, modelSpec } from "../crash/crash-workload.ts"
import { freshDatabase, type RunnerProcess, startRunner } from "./cluster-harness.ts"

const postgresUrl = inject("postgresUrl")
const BATCH = 3

describe("events across a runner's death", () => {
  it("a batch whose runner died after its commit: answered from the store, its fill in the state; its events, the only ones a repeat cannot give, are all that is missed", async () => {
    const url = await freshDatabase(postgresUrl, "adv_events")
    const workload = buildWorkload(60, 21)
    const batches = Array.from({ length: Math.ceil(workload.inputs.length / BATCH) }, (_, i) => workload.inputs.slice(i * BATCH, (i + 1) * BATCH))
    // The reference: each batch's events in one process; the runner is killed on the first batch (past the third) that fills an order.
    const reference = SimulationInstance.create(config, modelFactories["crash-mover"](modelSpec.params))
    const expected = batches.map((batch) => {
      for (const input of batch) reference.apply(input)
      return reference.drainEvents().map((e) => JSON.stringify(e))
    })
    const victim = expected.findIndex((events, i) => i > 2 && events.some((e) => e.includes('"orderFilled"')))
    expect(victim).toBeGreaterThan(0)

    // One runner, so the victim batch's commit is its next.
    const runners: RunnerProcess[] = [await startRunner(url, { pauseAfterCommit: 300 })]
    try {
      const program = Effect.gen(function* () {
        const supervisor = yield* SimulationSupervisor
        const subscription = yield* PubSub.subscribe(supervisor.events)
        yield* supervisor.create({ id: "e", config, model: modelSpec })
        for (const [i, batch] of batches.entries()) {
          if (i !== victim) {
            yield* supervisor.submit("e", batch)
            continue
          }
          const killed = runners[0]!.killAfterCommit()
          const sent = yield* Effect.forkChild(supervisor.submit("e", batch))
          yield* Effect.promise(() => killed)
          runners.push(yield* Effect.promise(() => startRunner(url)))
          yield* Fiber.join(sent)
        }
        const seen = yield* PubSub.takeAll(subscription)
        const fills = (yield* supervisor.inspect("e", (instance) => instance.engine.getFills())).map((f) => JSON.stringify(f))
        return { events: seen.filter((e) => e.simulationId === "e").map((e) => JSON.stringify(e.event)), fills }
      })
      const out = await Effect.runPromise(Effect.scoped(program).pipe(Effect.provide(ClusterSupervisor.layer({ postgresUrl: url }))))
      // README ("Exactly once"): an operation answered from the store gives its results, not its events again. Whether the
      // resent batch met its commit depends on when the kill landed; either way no other event is missing or doubled.
      expect([expected.flat(), expected.filter((_, i) => i !== victim).flat()]).toContainEqual(out.events)
      // The state holds every fill exactly once, the victim batch's among them.
      expect(out.fills).toEqual(reference.engine.getFills().map((f) => JSON.stringify(f)))
    } finally {
      await Promise.all(runners.map((r) => r.kill()))
    }
  }, 60_000)
})
