// Adversarial review (issue 15): hostile payloads through the cluster client. An operation id
// reused for other inputs; non-finite prices; one huge batch. The promise: what is acknowledged is
// applied once, what is refused is a typed error that changed nothing, and the answers are the
// in-process supervisor's.
import { describe, expect, inject, it } from "vitest"
import { Cause, Effect, Exit, Layer } from "effect"
import { ClusterSupervisor } from "../../../src/runtime/cluster/cluster-supervisor.ts"
import { MemoryStore } from "../../../src/runtime/memory-store.ts"
import { ModelCatalog } from "../../../src/runtime/model-catalog.ts"
import type { SimulationInput } from "../../../src/runtime/simulation-input.ts"
import { SimulationSupervisor } from "../../../src/runtime/simulation-supervisor.ts"
import { config, modelFactories, modelSpec } from "../crash/crash-workload.ts"
import { freshDatabase, startRunner } from "./cluster-harness.ts"

const postgresUrl = inject("postgresUrl")

const update = (minute: number, price: number): SimulationInput => ({
  type: "marketUpdate",
  update: { time: Date.UTC(2026, 0, 5, 14, 30) + minute * 60_000, prices: { AAPL: price } }
})

const inProcess = <A, E>(program: Effect.Effect<A, E, SimulationSupervisor>) =>
  Effect.runPromise(program.pipe(Effect.provide(SimulationSupervisor.layer().pipe(Layer.provide(Layer.merge(MemoryStore.layer(), ModelCatalog.layer(modelFactories)))))))

/** Each result as what a caller reads: ok, or the error's tag and fields named. */
const shown = (results: ReadonlyArray<{ ok: boolean; error?: unknown }>) =>
  results.map((r) => (r.ok ? "ok" : { _tag: (r.error as { _tag: string })._tag, fields: (r.error as { issues?: ReadonlyArray<{ field: string }> }).issues?.map((i) => i.field) }))

describe("hostile payloads through the cluster client", () => {
  it("an operation id sent again with other inputs: each input refused with a typed error naming the operation id, not answered with the first inputs' results", async () => {
    const url = await freshDatabase(postgresUrl, "adv_reuse")
    const runner = await startRunner(url)
    try {
      const program = Effect.gen(function* () {
        const supervisor = yield* SimulationSupervisor
        yield* supervisor.create({ id: "a", config, model: modelSpec })
        yield* supervisor.submitOnce("a", "op-1", [{ type: "start" }, update(0, 100)])
        // A different payload under the same id: the caller believes these five updates acknowledged.
        const reused = yield* Effect.exit(supervisor.submitOnce("a", "op-1", [update(1, 101), update(2, 102), update(3, 103), update(4, 104), update(5, 105)]))
        return { reused, seq: (yield* supervisor.summary("a")).seq }
      })
      const out = await Effect.runPromise(program.pipe(Effect.provide(ClusterSupervisor.layer({ postgresUrl: url }))))
      // Each of the five is refused (nothing applied), naming the operation id; none is taken for acknowledged.
      expect(out.seq).toBe(2)
      const results = Exit.isSuccess(out.reused) ? out.reused.value.results : []
      expect(results).toHaveLength(5)
      for (const result of results) expect(result.ok ? undefined : result.error).toMatchObject({ _tag: "ValidationError", issues: [{ field: "operationId", value: "op-1" }] })
    } finally {
      await runner.kill()
    }
  })

  it("non-finite, non-positive prices, a NaN time, a __proto__ symbol: the same typed refusals as in one process, naming the field, and nothing applied", async () => {
    const url = await freshDatabase(postgresUrl, "adv_prices")
    const runner = await startRunner(url)
    try {
      const hostile: SimulationInput[] = [
        update(1, Number.NaN),
        update(2, Number.POSITIVE_INFINITY),
        update(3, -1),
        update(4, 0),
        { type: "marketUpdate", update: { time: Number.NaN, prices: { AAPL: 10 } } },
        { type: "marketUpdate", update: { time: Date.UTC(2026, 0, 5, 14, 36), prices: { ["__proto__"]: 10 } as never } }
      ]
      const program = Effect.gen(function* () {
        const supervisor = yield* SimulationSupervisor
        yield* supervisor.create({ id: "p", config, model: modelSpec })
        yield* supervisor.submit("p", [{ type: "start" }, update(0, 100)])
        const results = yield* supervisor.submit("p", hostile)
        return { results: shown(results), seq: (yield* supervisor.summary("p")).seq }
      })
      const local = await inProcess(program)
      const clustered = await Effect.runPromise(program.pipe(Effect.provide(ClusterSupervisor.layer({ postgresUrl: url }))))
      expect(clustered).toEqual(local)
      expect(local, JSON.stringify(local.results)).toMatchObject({ seq: 2 })
    } finally {
      await runner.kill()
    }
  })

  it("a batch that takes the runner longer than the routing patience: acknowledged, or a typed error naming its operation, which sent again is applied exactly once", async () => {
    const url = await freshDatabase(postgresUrl, "adv_slow")
    const runner = await startRunner(url)
    try {
      const huge = Array.from({ length: 120_000 }, (_, i) => update(i + 1, 100 + (i % 7)))
      const first = Effect.gen(function* () {
        const supervisor = yield* SimulationSupervisor
        yield* supervisor.create({ id: "h", config, model: modelSpec })
        yield* supervisor.submit("h", [{ type: "start" }, update(0, 100)])
        return yield* Effect.exit(supervisor.submit("h", huge))
      })
      // Patience 2 s: the runner takes several seconds to apply 120,000 updates.
      const exit = await Effect.runPromise(first.pipe(Effect.provide(ClusterSupervisor.layer({ postgresUrl: url, routingPatience: 2_000 }))))
      const settle = Effect.gen(function* () {
        const supervisor = yield* SimulationSupervisor
        if (Exit.isFailure(exit)) {
          // Its outcome is unknown to this client: the error is typed and names the operation, whose repeat gives the answer.
          const error = Cause.squash(exit.cause) as { _tag?: string; message?: string }
          expect(error._tag).toBe("SimulationUnavailableError")
          const operationId = /operation (\S+) may still be applied/.exec(error.message ?? "")?.[1]
          expect(operationId, error.message).toBeDefined()
          const again = yield* supervisor.submitOnce("h", operationId!, huge)
          expect(again.results.every((r) => r.ok)).toBe(true)
        }
        return (yield* supervisor.summary("h")).seq
      })
      // Applied exactly once either way.
      expect(await Effect.runPromise(settle.pipe(Effect.provide(ClusterSupervisor.layer({ postgresUrl: url }))))).toBe(huge.length + 2)
    } finally {
      await runner.kill()
    }
  }, 120_000)

  it("one batch of 120,000 updates is applied whole as in one process, and the simulation is read whole (inspect) afterwards", async () => {
    const url = await freshDatabase(postgresUrl, "adv_huge")
    const runner = await startRunner(url)
    try {
      const huge = Array.from({ length: 120_000 }, (_, i) => update(i + 1, 100 + (i % 7)))
      const program = Effect.gen(function* () {
        const supervisor = yield* SimulationSupervisor
        yield* supervisor.create({ id: "h", config, model: modelSpec })
        yield* supervisor.submit("h", [{ type: "start" }, update(0, 100)])
        const results = yield* supervisor.submit("h", huge)
        // Read whole (the deployer's status and results read so): its snapshot crosses as one reply.
        const read = yield* Effect.exit(supervisor.inspect("h", (instance) => instance.engine.updateCount).pipe(Effect.timeout("25 seconds")))
        return { applied: results.filter((r) => r.ok).length, seq: (yield* supervisor.summary("h")).seq, read: Exit.isSuccess(read) ? read.value : String(Cause.squash(read.cause)) }
      })
      const out = await Effect.runPromise(program.pipe(Effect.provide(ClusterSupervisor.layer({ postgresUrl: url }))))
      expect(out).toEqual({ applied: huge.length, seq: huge.length + 2, read: huge.length + 1 })
    } finally {
      await runner.kill()
    }
  }, 90_000)
})
