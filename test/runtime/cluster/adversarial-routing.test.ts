// Adversarial review (issue 15): a client whose runners are gone for longer than its routing
// patience. The promise: the call fails with SimulationUnavailableError once the patience is
// spent (it does not hang), and what it was refused is not applied later behind its back.
import { describe, expect, inject, it } from "vitest"
import { Cause, Effect, Exit } from "effect"
import { ClusterSupervisor } from "../../../src/runtime/cluster/cluster-supervisor.ts"
import { SimulationSupervisor } from "../../../src/runtime/simulation-supervisor.ts"
import { config, modelSpec } from "../crash/crash-workload.ts"
import { freshDatabase, startRunner, within } from "./cluster-harness.ts"

const postgresUrl = inject("postgresUrl")


const update = (minute: number, price: number) => ({ type: "marketUpdate" as const, update: { time: Date.UTC(2026, 0, 5, 14, 30 + minute), prices: { AAPL: price } } })

describe("a cluster client past its routing patience", () => {
  it("with no runner at all, a create fails with SimulationUnavailableError once the patience is spent, and makes nothing", async () => {
    const url = await freshDatabase(postgresUrl, "adv_norunner")
    const program = Effect.gen(function* () {
      const supervisor = yield* SimulationSupervisor
      // Patience 1.5 s; 10 s is far past it.
      const created = yield* within(10_000, supervisor.create({ id: "a", config, model: modelSpec }))
      return { created, list: yield* supervisor.list }
    })
    const out = await Effect.runPromise(program.pipe(Effect.provide(ClusterSupervisor.layer({ postgresUrl: url, routingPatience: 1_500 }))))
    expect(out).toEqual({ created: "SimulationUnavailableError", list: [] })
  }, 40_000)

  it("an update refused after its runner died is not applied when a runner comes back; sent again it is applied once", async () => {
    const url = await freshDatabase(postgresUrl, "adv_patience")
    const first = await startRunner(url)
    const program = Effect.gen(function* () {
      const supervisor = yield* SimulationSupervisor
      yield* supervisor.create({ id: "a", config, model: modelSpec })
      yield* supervisor.submit("a", [{ type: "start" }, update(0, 100)])
      yield* Effect.promise(() => first.kill())
      const refused = yield* within(10_000, supervisor.submit("a", [update(1, 101)]))
      const second = yield* Effect.promise(() => startRunner(url))
      try {
        // Time for anything left behind in the client to reach the new runner.
        yield* Effect.sleep("4 seconds")
        const afterRestart = (yield* supervisor.summary("a")).seq
        // The caller was told it failed, so it sends it again.
        yield* supervisor.submit("a", [update(1, 101)])
        return { refused, afterRestart, final: (yield* supervisor.summary("a")).seq }
      } finally {
        yield* Effect.promise(() => second.kill())
      }
    })
    const out = await Effect.runPromise(program.pipe(Effect.provide(ClusterSupervisor.layer({ postgresUrl: url, routingPatience: 1_500 }))))
    expect(out).toEqual({ refused: "SimulationUnavailableError", afterRestart: 2, final: 3 })
  }, 60_000)

  it("a routingPatience that is not a duration (NaN, negative) is refused when the client is made, naming routingPatience", async () => {
    const url = await freshDatabase(postgresUrl, "adv_badpatience")
    const outcomes: Record<string, string> = {}
    for (const patience of [Number.NaN, -1]) {
      const exit = await Effect.runPromiseExit(
        Effect.gen(function* () {
          const supervisor = yield* SimulationSupervisor
          return yield* within(8_000, supervisor.summary("a"))
        }).pipe(Effect.provide(ClusterSupervisor.layer({ postgresUrl: url, routingPatience: patience })))
      )
      outcomes[String(patience)] = Exit.isSuccess(exit) ? `built; a call: ${exit.value}` : String((Cause.squash(exit.cause) as Error).message)
    }
    for (const [patience, outcome] of Object.entries(outcomes)) expect(outcome, `routingPatience ${patience}`).toContain("routingPatience")
  }, 40_000)
})
