// Adversarial review (issue 15): runners SIGKILLed at odd moments. A creation whose runner died
// right after its commit; every runner killed at once after a commit, then new ones started. The
// promise: every call completes once runners are back, each acknowledged input applied once, every
// state the single process's.
import { describe, expect, inject, it } from "vitest"
import { Effect, Fiber } from "effect"
import { ClusterSupervisor } from "../../../src/runtime/cluster/cluster-supervisor.ts"
import { SimulationSupervisor } from "../../../src/runtime/simulation-supervisor.ts"
import { buildWorkload, config, deriveSeed, modelSpec, uninterruptedRun } from "../crash/crash-workload.ts"
import { freshDatabase, type RunnerProcess, startRunner } from "./cluster-harness.ts"

const postgresUrl = inject("postgresUrl")

const bounded = <A, E, R>(what: string, ms: number, effect: Effect.Effect<A, E, R>) =>
  effect.pipe(Effect.timeoutOrElse({ duration: `${ms} millis`, onTimeout: () => Effect.die(new Error(`${what} did not complete within ${ms} ms`)) }))

describe("runners killed at odd moments", () => {
  it("the runner dies right after committing creations, before answering: every create still succeeds once, none is SimulationExistsError", async () => {
    const url = await freshDatabase(postgresUrl, "adv_killcreate")
    const runners: RunnerProcess[] = [await startRunner(url, { pauseAfterCommit: 300 })]
    try {
      const program = Effect.gen(function* () {
        const supervisor = yield* SimulationSupervisor
        // Only one runner: every shard is its own, so its first commit is one of these creations.
        const killed = runners[0]!.killAfterCommit()
        const creates = yield* Effect.forkChild(
          Effect.forEach(Array.from({ length: 12 }, (_, i) => `c-${i}`), (id) => Effect.exit(supervisor.create({ id, config, model: modelSpec })), { concurrency: "unbounded" })
        )
        yield* Effect.promise(() => killed)
        runners.push(yield* Effect.promise(() => startRunner(url)))
        const exits = yield* bounded("the creations", 40_000, Fiber.join(creates))
        return { exits, list: [...(yield* supervisor.list)].sort() }
      })
      const out = await Effect.runPromise(program.pipe(Effect.provide(ClusterSupervisor.layer({ postgresUrl: url }))))
      const tags = out.exits.map((e) => (e._tag === "Success" ? "created" : String((e.cause.reasons[0] as { error?: { _tag?: string } }).error?._tag)))
      expect(tags).toEqual(Array.from({ length: 12 }, () => "created"))
      expect(out.list).toEqual(Array.from({ length: 12 }, (_, i) => `c-${i}`).sort())
    } finally {
      await Promise.all(runners.map((r) => r.kill()))
    }
  }, 60_000)

  it("every runner killed at once after a commit, then new ones started: every submit completes, each input once, every state the single process's", async () => {
    const url = await freshDatabase(postgresUrl, "adv_killall")
    const runners: RunnerProcess[] = await Promise.all([startRunner(url, { pauseAfterCommit: 200 }), startRunner(url, { pauseAfterCommit: 200 })])
    try {
      const workloads = Array.from({ length: 20 }, (_, i) => buildWorkload(24, deriveSeed(77, i)))
      const program = Effect.gen(function* () {
        const supervisor = yield* SimulationSupervisor
        yield* Effect.forEach(workloads, (_, i) => supervisor.create({ id: `k-${i}`, config, model: modelSpec }), { concurrency: 10, discard: true })
        const feed = yield* Effect.forkChild(
          Effect.forEach(
            workloads,
            (w, i) =>
              Effect.gen(function* () {
                for (let next = 0; next < w.inputs.length; next += 4) yield* supervisor.submit(`k-${i}`, w.inputs.slice(next, next + 4))
              }),
            { concurrency: "unbounded", discard: true }
          )
        )
        // Both die, each right after one of its commits: inputs durable, callers unanswered, no runner left.
        yield* Effect.promise(() => Promise.all(runners.map((r) => r.killAfterCommit())))
        yield* Effect.sleep("2 seconds")
        runners.push(...(yield* Effect.promise(() => Promise.all([startRunner(url), startRunner(url)]))))
        yield* bounded("the feed after the runners came back", 45_000, Fiber.join(feed))
        return yield* Effect.forEach(workloads, (_, i) => supervisor.inspect(`k-${i}`, (instance) => JSON.stringify(instance.snapshot())), { concurrency: 5 })
      })
      const finals = await Effect.runPromise(program.pipe(Effect.provide(ClusterSupervisor.layer({ postgresUrl: url }))))
      const differing = workloads.flatMap((w, i) => (finals[i] === JSON.stringify(uninterruptedRun(w).snapshot()) ? [] : [`k-${i}`]))
      expect(differing).toEqual([])
    } finally {
      await Promise.all(runners.map((r) => r.kill()))
    }
  }, 90_000)
})
