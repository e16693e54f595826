// The cluster client is the SimulationSupervisor service: the same calls, the same typed errors
// (rebuilt as their own classes after crossing from the runner), reads and events, with the
// simulation on a runner process.
import { describe, expect, inject, it } from "vitest"
import { Effect, PubSub } from "effect"
import { UnknownOrderError, ValidationError } from "../../../src/domain/errors.ts"
import { ClusterSupervisor } from "../../../src/runtime/cluster/cluster-supervisor.ts"
import {
  InvalidOperationIdError,
  InvalidSimulationIdError,
  SimulationExistsError,
  UnknownModelError,
  UnknownSimulationError
} from "../../../src/runtime/runtime-errors.ts"
import { SimulationSupervisor } from "../../../src/runtime/simulation-supervisor.ts"
import { buildWorkload, config, modelSpec, uninterruptedRun } from "../crash/crash-workload.ts"
import { freshDatabase, startRunner } from "./cluster-harness.ts"

const postgresUrl = inject("postgresUrl")

describe("the cluster client as the SimulationSupervisor", () => {
  it("creates, submits, reads and refuses as the in-process supervisor does, its errors the same classes", async () => {
    const url = await freshDatabase(postgresUrl, "client")
    const runner = await startRunner(url)
    try {
      const workload = buildWorkload(40, 7)
      const program = Effect.gen(function* () {
        const supervisor = yield* SimulationSupervisor
        const subscription = yield* PubSub.subscribe(supervisor.events)
        yield* supervisor.create({ id: "a", config, model: modelSpec })
        const created = {
          again: yield* Effect.flip(supervisor.create({ id: "a", config, model: modelSpec })),
          badId: yield* Effect.flip(supervisor.create({ id: "no/slash", config, model: modelSpec })),
          badModel: yield* Effect.flip(supervisor.create({ id: "b", config, model: { kind: "nope" } })),
          badConfig: yield* Effect.flip(supervisor.create({ id: "c", config: { ...config, initialCapital: -1 }, model: modelSpec }))
        }
        const results = yield* supervisor.submit("a", workload.inputs.slice(0, 20))
        const repeat = yield* supervisor.submitOnce("a", "caller-op-1", workload.inputs.slice(20, 30))
        const again = yield* supervisor.submitOnce("a", "caller-op-1", workload.inputs.slice(20, 30))
        yield* supervisor.submit("a", workload.inputs.slice(30))
        const events = yield* PubSub.takeAll(subscription)
        const refusals = {
          unknownOrder: yield* Effect.flip(supervisor.send("a", { type: "cancelOrder", orderId: "O-999999" })),
          // No JSON form: refused on the client, as the in-process supervisor refuses it.
          bigint: (yield* supervisor.submit("a", [{ type: "marketUpdate", update: { time: 1, prices: { AAPL: 10n } } } as never]))[0],
          unknownSimulation: yield* Effect.flip(supervisor.submit("zzz", [{ type: "start" }])),
          badOperation: yield* Effect.flip(supervisor.submitOnce("a", "has space", [{ type: "start" }]))
        }
        return {
          created,
          results,
          repeat,
          again,
          events,
          refusals,
          summary: yield* supervisor.summary("a"),
          snapshot: yield* supervisor.inspect("a", (instance) => JSON.stringify(instance.snapshot())),
          list: yield* supervisor.list
        }
      })
      const out = await Effect.runPromise(Effect.scoped(program).pipe(Effect.provide(ClusterSupervisor.layer({ postgresUrl: url }))))

      expect(out.created.again).toBeInstanceOf(SimulationExistsError)
      expect(out.created.badId).toBeInstanceOf(InvalidSimulationIdError)
      expect(out.created.badModel).toBeInstanceOf(UnknownModelError)
      expect(out.created.badModel).toMatchObject({ kind: "nope", known: ["crash-mover"] })
      expect(out.created.badConfig).toBeInstanceOf(ValidationError)
      expect(out.results.every((r) => r.ok)).toBe(true)
      // An operation sent again is answered as the first time, and applies nothing.
      expect(out.again.seq).toBe(out.repeat.seq)
      expect(out.again.results).toEqual(out.repeat.results)
      expect(out.events.length).toBeGreaterThan(0)
      expect(out.events.every((e) => e.simulationId === "a")).toBe(true)
      expect(out.refusals.unknownOrder).toBeInstanceOf(UnknownOrderError)
      expect(out.refusals.unknownOrder).toMatchObject({ orderId: "O-999999" })
      expect(out.refusals.bigint).toMatchObject({ ok: false })
      expect(!out.refusals.bigint!.ok && out.refusals.bigint!.error).toBeInstanceOf(ValidationError)
      expect(out.refusals.unknownSimulation).toBeInstanceOf(UnknownSimulationError)
      expect(out.refusals.badOperation).toBeInstanceOf(InvalidOperationIdError)
      // Every input once: the same state as one process, and the journal's sequence counts them.
      const reference = uninterruptedRun(workload)
      expect(out.snapshot).toBe(JSON.stringify(reference.snapshot()))
      expect(out.summary).toEqual({
        status: reference.engine.status,
        statusReason: reference.engine.statusReason,
        lastUpdateTime: reference.engine.lastUpdateTime,
        updateCount: reference.engine.updateCount,
        seq: workload.inputs.length
      })
      expect(out.list).toEqual(["a"])
    } finally {
      await runner.kill()
    }
  })
})
