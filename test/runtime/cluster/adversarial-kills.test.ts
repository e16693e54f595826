// Adversarial review (issue 15): runners SIGKILLed at odd moments. A creation whose runner died
// right after its commit; every runner killed at once after a commit, then new ones started. The
// promise: every call completes once runners are back, each acknowledged input applied once, every
// state the single process's.
import { describe, expect, inject, it } from "vitest"
import { Cause, Effect, Fiber } from "effect"
import { ClusterSupervisor } from "../../../src/runtime/cluster/cluster-supervisor.ts"
import { SimulationSupervisor } from "../../../src/runtime/simulation-supervisor.ts"
import { buildWorkload, config, deriveSeed, modelSpec, uninterruptedRun } from "../crash/crash-workload.ts"
import { freshDatabase, type RunnerProcess, startRunner } from "./cluster-harness.ts"

const postgresUrl = inject("postgresUrl")

const bounded = <A, E, R>(what: string, ms: number, effect: Effect.Effect<A, E, R>) =>
  effect.pipe(Effect.timeoutOrElse({ duration: `${ms} millis`, orElse: () => Effect.die(new Error(`${what} did not complete within ${ms} ms`)) }))

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

  it("the runner dies right after the commit that stops a simulation (and writes its snapshot): the stop sent again is answered from the store, not refused", async () => {
    const url = await freshDatabase(postgresUrl, "adv_killstop")
    // One runner: every commit is its own, so the next after the body is the stop's.
    const runners: RunnerProcess[] = [await startRunner(url, { pauseAfterCommit: 300 })]
    try {
      const workload = buildWorkload(30, 5)
      const program = Effect.gen(function* () {
        const supervisor = yield* SimulationSupervisor
        yield* supervisor.create({ id: "s", config, model: modelSpec })
        const last = workload.inputs.slice(-1)
        yield* supervisor.submit("s", workload.inputs.slice(0, -1))
        const killed = runners[0]!.killAfterCommit()
        const stopping = yield* Effect.forkChild(supervisor.submit("s", last))
        yield* Effect.promise(() => killed)
        runners.push(yield* Effect.promise(() => startRunner(url)))
        const results = yield* bounded("the stop", 40_000, Fiber.join(stopping))
        return { last: last[0]?.type, results: results.map((r) => r.ok), snapshot: yield* supervisor.inspect("s", (i) => JSON.stringify(i.snapshot())) }
      })
      const out = await Effect.runPromise(program.pipe(Effect.provide(ClusterSupervisor.layer({ postgresUrl: url }))))
      expect(out.last).toBe("stop")
      expect(out.results).toEqual([true])
      expect(out.snapshot).toBe(JSON.stringify(uninterruptedRun(workload).snapshot()))
    } finally {
      await Promise.all(runners.map((r) => r.kill()))
    }
  }, 60_000)

  it("runners joining under load (shards rebalanced away from a live runner): every submit succeeds, each input once", async () => {
    const url = await freshDatabase(postgresUrl, "adv_join")
    const runners: RunnerProcess[] = [await startRunner(url, { pauseAfterCommit: 50 })]
    try {
      const workloads = Array.from({ length: 24 }, (_, i) => buildWorkload(40, deriveSeed(91, i)))
      const program = Effect.gen(function* () {
        const supervisor = yield* SimulationSupervisor
        yield* Effect.forEach(workloads, (_, i) => supervisor.create({ id: `j-${i}`, config, model: modelSpec }), { concurrency: 10, discard: true })
        const feed = yield* Effect.forkChild(
          Effect.forEach(
            workloads,
            (w, i) =>
              Effect.gen(function* () {
                for (let next = 0; next < w.inputs.length; next += 2) yield* supervisor.submit(`j-${i}`, w.inputs.slice(next, next + 2))
              }),
            { concurrency: "unbounded", discard: true }
          )
        )
        yield* Effect.sleep("1 second")
        runners.push(...(yield* Effect.promise(() => Promise.all([startRunner(url), startRunner(url)]))))
        const fed = yield* Effect.exit(bounded("the feed", 45_000, Fiber.join(feed)))
        const finals = yield* Effect.forEach(workloads, (_, i) => supervisor.inspect(`j-${i}`, (instance) => JSON.stringify(instance.snapshot())), { concurrency: 5 })
        return { fed: fed._tag === "Success" ? "all acknowledged" : String(Cause.squash(fed.cause)), finals }
      })
      const out = await Effect.runPromise(program.pipe(Effect.provide(ClusterSupervisor.layer({ postgresUrl: url }))))
      expect(out.fed).toBe("all acknowledged")
      const differing = workloads.flatMap((w, i) => (out.finals[i] === JSON.stringify(uninterruptedRun(w).snapshot()) ? [] : [`j-${i}`]))
      expect(differing).toEqual([])
    } finally {
      await Promise.all(runners.map((r) => r.kill()))
    }
  }, 90_000)
})
