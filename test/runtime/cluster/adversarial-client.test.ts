// Adversarial review of the cluster client (issue 15): a hostile caller of ClusterSupervisor, held
// to what the in-process supervisor does with the same calls. Each test names the guarantee.
import { describe, expect, inject, it } from "vitest"
import { Cause, Effect, Exit, Layer } from "effect"
import { ClusterSupervisor, type ClusterClientOptions } from "../../../src/runtime/cluster/cluster-supervisor.ts"
import { MemoryStore } from "../../../src/runtime/memory-store.ts"
import { ModelCatalog } from "../../../src/runtime/model-catalog.ts"
import { type SimulationSpec, SimulationSupervisor } from "../../../src/runtime/simulation-supervisor.ts"
import { buildWorkload, config, modelFactories, modelSpec, uninterruptedRun } from "../crash/crash-workload.ts"
import { freshDatabase, startRunner } from "./cluster-harness.ts"

const postgresUrl = inject("postgresUrl")

const inCluster = <A, E>(options: ClusterClientOptions, program: Effect.Effect<A, E, SimulationSupervisor>) =>
  Effect.runPromiseExit(program.pipe(Effect.provide(ClusterSupervisor.layer(options))))

const inProcess = <A, E>(program: Effect.Effect<A, E, SimulationSupervisor>) =>
  Effect.runPromiseExit(program.pipe(Effect.provide(SimulationSupervisor.layer().pipe(Layer.provide(Layer.merge(MemoryStore.layer(), ModelCatalog.layer(modelFactories)))))))

/** The typed failure of an exit (its `_tag` and the fields a caller reads), or "died: …" for a defect. */
const outcome = (exit: Exit.Exit<unknown, unknown>): unknown => {
  if (Exit.isSuccess(exit)) return "succeeded"
  const failure = exit.cause.reasons.find(Cause.isFailReason)
  if (failure !== undefined) {
    const error = failure.error as { _tag?: string; subject?: string; issues?: ReadonlyArray<{ field: string }> }
    return { _tag: error._tag, subject: error.subject, fields: error.issues?.map((i) => i.field) }
  }
  return `died: ${String(Cause.squash(exit.cause))}`
}

describe("the cluster client under hostile callers", () => {
  it("a client restarted with the same clientId applies its new inputs (its operation ids must not collide with its former run's)", async () => {
    const url = await freshDatabase(postgresUrl, "adv_clientid")
    const runner = await startRunner(url)
    try {
      const workload = buildWorkload(30, 3)
      // An operator names the deployer's client, as the option invites; the deployer restarts.
      const options = { postgresUrl: url, clientId: "deployer-a" }
      const first = await inCluster(
        options,
        Effect.gen(function* () {
          const supervisor = yield* SimulationSupervisor
          yield* supervisor.create({ id: "a", config, model: modelSpec })
          yield* supervisor.submit("a", workload.inputs.slice(0, 10))
        })
      )
      expect(Exit.isSuccess(first)).toBe(true)
      const second = await inCluster(
        options,
        Effect.gen(function* () {
          const supervisor = yield* SimulationSupervisor
          // The same calls as its former run: its operation ids come out the same (deployer-a-1, -2…).
          yield* supervisor.create({ id: "b", config, model: modelSpec })
          yield* supervisor.submit("a", workload.inputs.slice(10))
          return { after: yield* supervisor.summary("a"), snapshot: yield* supervisor.inspect("a", (i) => JSON.stringify(i.snapshot())) }
        })
      )
      if (!Exit.isSuccess(second)) throw new Error(String(Cause.squash(second.cause)))
      // Every input sent was acknowledged: every one must be in the journal, and the state the single process's.
      expect(second.value.after.seq).toBe(workload.inputs.length)
      expect(second.value.snapshot).toBe(JSON.stringify(uninterruptedRun(workload).snapshot()))
    } finally {
      await runner.kill()
    }
  })

  it("a clientId that cannot make an operation id is refused when the client is made, naming clientId", async () => {
    const url = await freshDatabase(postgresUrl, "adv_badclient")
    const runner = await startRunner(url)
    try {
      const exit = await inCluster(
        { postgresUrl: url, clientId: "my deployer" },
        Effect.gen(function* () {
          const supervisor = yield* SimulationSupervisor
          yield* supervisor.create({ id: "a", config, model: modelSpec })
        })
      )
      // Today the layer builds and every call fails with InvalidOperationIdError for an id the caller never chose.
      expect(outcome(exit)).not.toMatchObject({ _tag: "InvalidOperationIdError" })
      expect(Exit.isFailure(exit) ? String((Cause.squash(exit.cause) as Error).message) : "").toContain("clientId")
    } finally {
      await runner.kill()
    }
  })

  it("a spec JSON cannot hold (a bigint, a cycle, a getter that throws, NaN) is refused as the in-process supervisor refuses it: a typed error, not a defect", async () => {
    const url = await freshDatabase(postgresUrl, "adv_spec")
    const runner = await startRunner(url)
    try {
      const cyclic: Record<string, unknown> = { window: 5, quantity: 10 }
      cyclic["self"] = cyclic
      const hostile: ReadonlyArray<readonly [string, SimulationSpec]> = [
        ["bigint capital", { id: "big", config: { ...config, initialCapital: 10n as never }, model: modelSpec }],
        ["cyclic params", { id: "cyc", config, model: { kind: "crash-mover", params: cyclic } }],
        [
          "throwing getter",
          {
            id: "get",
            config: Object.defineProperty({ ...config }, "initialCapital", {
              enumerable: true,
              get: () => {
                throw new Error("boom")
              }
            }),
            model: modelSpec
          }
        ],
        ["NaN capital", { id: "nan", config: { ...config, initialCapital: Number.NaN }, model: modelSpec }],
        ["Infinity capital", { id: "inf", config: { ...config, initialCapital: Number.POSITIVE_INFINITY }, model: modelSpec }]
      ]
      const createAll = Effect.gen(function* () {
        const supervisor = yield* SimulationSupervisor
        const out: Record<string, unknown> = {}
        for (const [name, spec] of hostile) out[name] = outcome(yield* Effect.exit(supervisor.create(spec)))
        out["list"] = yield* supervisor.list
        return out
      })
      const local = await inProcess(createAll)
      const clustered = await inCluster({ postgresUrl: url, routingPatience: 10_000 }, createAll)
      // Each is a ValidationError naming the field, in one process (a cycle dies there too today)…
      for (const [name] of hostile) expect(Exit.isSuccess(local) && local.value[name], `in process: ${name}`).toMatchObject({ _tag: "ValidationError" })
      // …and the same through the cluster.
      expect(Exit.isSuccess(clustered) ? clustered.value : outcome(clustered)).toEqual(Exit.isSuccess(local) ? local.value : outcome(local))
      // None of them may have made a simulation.
      expect(Exit.isSuccess(clustered) && clustered.value["list"]).toEqual([])
    } finally {
      await runner.kill()
    }
  })

  it("ids that are not simulation ids (empty, a slash, a NUL, 100,000 characters) are refused as in one process, within the patience", async () => {
    const url = await freshDatabase(postgresUrl, "adv_badids")
    const runner = await startRunner(url)
    try {
      const ids = ["", "no/slash", "nul\u0000", "x".repeat(100_000), "..", "a b"]
      const probe = Effect.gen(function* () {
        const supervisor = yield* SimulationSupervisor
        const out: Record<string, unknown> = {}
        for (const id of ids) {
          const name = id.length > 20 ? `${id.slice(0, 5)}…(${id.length})` : JSON.stringify(id)
          out[`summary ${name}`] = outcome(yield* Effect.exit(supervisor.summary(id).pipe(Effect.timeout("15 seconds"))))
          out[`submit ${name}`] = outcome(yield* Effect.exit(supervisor.submit(id, [{ type: "start" }]).pipe(Effect.timeout("15 seconds"))))
        }
        return out
      })
      const local = await inProcess(probe)
      const clustered = await inCluster({ postgresUrl: url, routingPatience: 3_000 }, probe)
      expect(Exit.isSuccess(clustered) ? clustered.value : outcome(clustered)).toEqual(Exit.isSuccess(local) ? local.value : outcome(local))
    } finally {
      await runner.kill()
    }
  }, 60_000)

  it("two clients create one id at once with different specs: exactly one succeeds, the other gets SimulationExistsError", async () => {
    const url = await freshDatabase(postgresUrl, "adv_race")
    const runner = await startRunner(url)
    try {
      const createWith = (quantity: number) =>
        inCluster(
          { postgresUrl: url },
          Effect.gen(function* () {
            const supervisor = yield* SimulationSupervisor
            yield* supervisor.create({ id: "race", config, model: { kind: "crash-mover", params: { window: 5, quantity } } })
            return quantity
          })
        )
      const exits = await Promise.all([createWith(1), createWith(2)])
      const won = exits.flatMap((e) => (Exit.isSuccess(e) ? [e.value] : []))
      expect(won).toHaveLength(1)
      expect(exits.map(outcome).filter((o) => o !== "succeeded")).toEqual([{ _tag: "SimulationExistsError", subject: undefined, fields: undefined }])
    } finally {
      await runner.kill()
    }
  }, 60_000)
})
