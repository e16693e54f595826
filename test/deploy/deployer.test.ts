// PaperTradingDeployer and DeploymentManager: lifecycle, records, typed errors that change
// nothing, a model that throws, and the Effect-native API.
import { existsSync } from "node:fs"
import { readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { Effect, Schedule, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { SimulationStateError, ValidationError } from "../../src/domain/errors.ts"
import type { SimulationConfigInput } from "../../src/domain/simulation-config.ts"
import { UnknownModelIdError, UnknownModelVersionError } from "../../src/deploy/errors.ts"
import {
  ModelFailedError,
  ResultsNotArchivedError,
  UnknownDeploymentError,
  UnsupportedEnvironmentError
} from "../../src/deploy/deployment-errors.ts"
import { defineModelKind } from "../../src/deploy/model-kind.ts"
import type { TradingModel } from "../../src/engine/trading-model.ts"
import { failure, rejection, useTempDirs } from "./helpers.ts"
import { fingerprintRoot, seedPrices, steppingClock, useStacks } from "./deployer-fixtures.ts"

const tempDir = useTempDirs()
const stack = useStacks()

const crossover = { modelId: "my_model", version: "v1.0", kind: "moving-average-crossover", params: { fast: 2, slow: 4, quantity: 10 } }
const config: SimulationConfigInput = { symbols: ["AAPL", "GOOGL", "MSFT"], updateFrequency: "1min" }

/** A stack with my_model v1.0 registered and one deployment started and fed `updates` prices. */
const running = async (updates = 20, options: Parameters<typeof stack>[1] = {}) => {
  const root = await tempDir()
  const s = stack(root, options)
  await s.registry.registerModel(crossover)
  const id = await s.paper.deployToPaperTrading({ modelId: "my_model", modelVersion: "v1.0", simulationConfig: config })
  await s.paper.startSimulation(id)
  if (updates > 0) await s.paper.processMarketUpdates(id, seedPrices(updates))
  return { root, id, ...s }
}

/** Throws on an update where AAPL closes at `failOnPrice` (a retry of the same update throws again; a later one goes on); buys 1 AAPL on its first update. */
const bombKind = defineModelKind({
  kind: "bomb",
  description: "throws at a given AAPL price",
  paramsSchema: Schema.Struct({ failOnPrice: Schema.Number }),
  create: (params): TradingModel<number> => ({
    initialState: 0,
    onUpdate: (n, { quotes }) => {
      const close = quotes.find((q) => q.symbol === "AAPL")?.close
      if (close === params.failOnPrice) throw new Error(`boom at ${close}`)
      return n === 0 ? { state: n + 1, orders: [{ symbol: "AAPL", side: "buy", type: "market", quantity: 1 }] } : { state: n + 1 }
    }
  })
})

describe("PaperTradingDeployer: lifecycle and records", () => {
  it("deploy → start → pause (updates still mark the portfolio, the model rests) → resume → stop, with the status history recorded", async () => {
    const { id, paper, deployments } = await running(10)
    await paper.pauseSimulation(id)
    expect((await paper.getSimulationStatus(id)).state).toBe("paused")
    const receipt = await paper.processMarketUpdates(id, seedPrices(5, 10))
    expect(receipt).toMatchObject({ applied: 5, state: "paused", updates: 15 })
    await paper.resumeSimulation(id)
    expect((await paper.getSimulationStatus(id)).state).toBe("running")
    await paper.stopSimulation(id)

    const record = await deployments.getDeployment(id)
    expect(record.history.map((h) => h.status)).toEqual(["deployed", "running", "paused", "running", "stopped"])
    expect(record.history.every((h) => !Number.isNaN(Date.parse(h.at)))).toBe(true)
    expect(record.config.symbols).toEqual(["AAPL", "GOOGL", "MSFT"])
    expect(record.model).toEqual({ kind: "my_model@v1.0", params: crossover.params })
  })

  it("ids are readable and count a model's deployments; listSimulations gives every record, oldest first", async () => {
    const { paper, registry } = stack(await tempDir())
    await registry.registerModel(crossover)
    await registry.registerModel({ modelId: "other", version: "v2", kind: "buy-and-hold" })
    const ids = [
      await paper.deployToPaperTrading({ modelId: "my_model", modelVersion: "v1.0" }),
      await paper.deployToPaperTrading({ modelId: "other", modelVersion: "v2" }),
      await paper.deployToPaperTrading({ modelId: "my_model", modelVersion: "v1.0", environment: "paper" })
    ]
    expect(ids).toEqual(["paper-my_model-1", "paper-other-1", "paper-my_model-2"])
    expect((await paper.listSimulations()).map((r) => [r.id, r.status])).toEqual([
      ["paper-my_model-1", "deployed"],
      ["paper-my_model-2", "deployed"],
      ["paper-other-1", "deployed"]
    ])
  })

  it("a deployment recorded without its simulation (the process died in between) gets it on first use", async () => {
    const { registry, deployments, paper } = stack(await tempDir())
    await registry.registerModel(crossover)
    const record = await deployments.createDeployment({ modelId: "my_model", modelVersion: "v1.0", simulationConfig: config })
    expect(record).toMatchObject({ id: "paper-my_model-1", environment: "paper", status: "deployed" })
    await paper.startSimulation(record.id)
    await paper.processMarketUpdates(record.id, seedPrices(12))
    expect(await paper.getSimulationStatus(record.id)).toMatchObject({ state: "running", updates: 12 })
  })

  it("concurrent calls for one deployment are applied one after the other", async () => {
    const { id, paper } = await running(0)
    const prices = seedPrices(40)
    await Promise.all(prices.map((p) => paper.processMarketUpdate(id, p)))
    const status = await paper.getSimulationStatus(id)
    expect(status.updates).toBe(40)
  })

  it("a batch is checked whole: one invalid update and none is applied; the error names the update and the field", async () => {
    const { id, paper } = await running(5)
    const before = await paper.getSimulationStatus(id)
    const error = await rejection(paper.processMarketUpdates(id, [{ AAPL: 151 }, { AAPL: -1 }, { TSLA: 5 }]))
    expect(error).toBeInstanceOf(ValidationError)
    expect(error.issues.map((i: { field: string }) => i.field)).toEqual(["updates[1].AAPL", "updates[2].TSLA"])
    expect(await paper.getSimulationStatus(id)).toEqual(before)
    // The single form names the field itself.
    const single = await rejection(paper.processMarketUpdate(id, { time: 0, prices: { AAPL: 150 } }))
    expect(single).toBeInstanceOf(ValidationError)
    expect(single.issues[0].field).toBe("time")
    expect(await paper.getSimulationStatus(id)).toEqual(before)
  })

  it("getResults before the stop is a ResultsNotArchivedError; updates stamped with the clock never go back in time", async () => {
    // A clock that goes backwards after the first reading.
    const readings = [Date.UTC(2024, 0, 2, 15), Date.UTC(2024, 0, 2, 14)]
    let i = 0
    const { id, paper } = await running(0, { now: () => new Date(readings[Math.min(i++, 1)]!) })
    await paper.processMarketUpdate(id, { AAPL: 150, GOOGL: 2600, MSFT: 300 })
    await paper.processMarketUpdate(id, { AAPL: 151, GOOGL: 2600, MSFT: 300 })
    expect((await paper.getSimulationStatus(id)).lastUpdateTime).toBe(readings[0])
    const error = await rejection(paper.getResults(id))
    expect(error).toBeInstanceOf(ResultsNotArchivedError)
    expect(error).toMatchObject({ deploymentId: id, status: "running" })
  })
})

describe("PaperTradingDeployer: typed errors change nothing", () => {
  it("an unknown model or version, a bad config, another environment: typed errors, and not even the store is created", async () => {
    const root = await tempDir()
    const { registry, paper } = stack(root)
    await registry.registerModel(crossover)
    const empty = await fingerprintRoot(root, paper)
    expect(empty.simulations).toBeNull()

    const unknownModel = await rejection(paper.deployToPaperTrading({ modelId: "nope", modelVersion: "v1.0" }))
    expect(unknownModel).toBeInstanceOf(UnknownModelIdError)
    expect(unknownModel).toMatchObject({ modelId: "nope", known: ["my_model"] })

    const unknownVersion = await rejection(paper.deployToPaperTrading({ modelId: "my_model", modelVersion: "v9" }))
    expect(unknownVersion).toBeInstanceOf(UnknownModelVersionError)
    expect(unknownVersion).toMatchObject({ modelId: "my_model", version: "v9", known: ["v1.0"] })

    const badConfig = await rejection(
      // @ts-expect-error: "2min" is not an update frequency (and is refused at run time too)
      paper.deployToPaperTrading({ modelId: "my_model", modelVersion: "v1.0", simulationConfig: { initialCapital: -5, symbols: [], updateFrequency: "2min" } })
    )
    expect(badConfig).toBeInstanceOf(ValidationError)
    expect(badConfig.subject).toBe("config")
    expect(badConfig.issues.map((i: { field: string }) => i.field).sort()).toEqual([
      "simulationConfig.initialCapital",
      "simulationConfig.symbols",
      "simulationConfig.updateFrequency"
    ])
    expect(badConfig.message).toContain("simulationConfig.initialCapital")

    const badRequest = await rejection(paper.deployToPaperTrading({ modelId: "my_model", modelVersion: "v1.0", simulationConfg: {} } as never))
    expect(badRequest).toBeInstanceOf(ValidationError)
    expect(badRequest.issues[0].field).toBe("simulationConfg")

    const live = await rejection(paper.deployToPaperTrading({ modelId: "my_model", modelVersion: "v1.0", environment: "live" }))
    expect(live).toBeInstanceOf(UnsupportedEnvironmentError)
    expect(live).toMatchObject({ environment: "live", available: ["paper"] })
    expect(live.message).toBe('Environment "live" is not supported; available: paper')

    expect(await fingerprintRoot(root, paper)).toEqual(empty)
    expect(existsSync(paper.storeDirectory)).toBe(false)
    expect(await paper.listSimulations()).toEqual([])
  })

  it("an environment or id that is no string (no prototype, a throwing toString) is a typed error, not a TypeError", async () => {
    const root = await tempDir()
    const { registry, deployments, paper } = stack(root)
    await registry.registerModel(crossover)
    const before = await fingerprintRoot(root, paper)
    const hostile = [Object.create(null), { toString: () => { throw new Error("no") } }, 42]
    for (const environment of hostile) {
      const error = await rejection(paper.deployToPaperTrading({ modelId: "my_model", modelVersion: "v1.0", environment } as never))
      expect(error).toBeInstanceOf(ValidationError)
      expect(error.issues).toEqual([{ field: "environment", rule: 'must be "paper"', value: environment }])
      expect(typeof error.message).toBe("string")
      const viaManager = await rejection(deployments.createDeployment({ modelId: "my_model", modelVersion: "v1.0", environment } as never))
      expect(viaManager).toBeInstanceOf(ValidationError)
      const lookup = await rejection(paper.getSimulationStatus(environment as never))
      expect(lookup).toBeInstanceOf(UnknownDeploymentError)
    }
    expect(await fingerprintRoot(root, paper)).toEqual(before)
  })

  it("the DeploymentManager refuses another environment the same way", async () => {
    const root = await tempDir()
    const { registry, deployments, paper } = stack(root)
    await registry.registerModel(crossover)
    const before = await fingerprintRoot(root, paper)
    const error = await rejection(deployments.createDeployment({ environment: "live", modelId: "my_model", modelVersion: "v1.0" }))
    expect(error).toBeInstanceOf(UnsupportedEnvironmentError)
    expect(await fingerprintRoot(root, paper)).toEqual(before)
    expect(await deployments.listDeployments()).toEqual([])
  })

  it("stopping a stopped simulation, starting a running one, and updates for a stopped or unknown one: typed errors, records, artifacts and store unchanged", async () => {
    const { root, id, paper, deployments } = await running(12)
    await paper.startSimulation(id).then(
      () => expect.fail("a second start must be refused"),
      (e) => expect(e).toEqual(new SimulationStateError({ status: "running", command: "start" }))
    )
    const results = await paper.stopSimulation(id)
    const before = await fingerprintRoot(root, paper)
    const status = await paper.getSimulationStatus(id)

    const again = await rejection(paper.stopSimulation(id))
    expect(again).toBeInstanceOf(SimulationStateError)
    expect(again).toMatchObject({ status: "stopped", command: "stop" })
    const update = await rejection(paper.processMarketUpdate(id, { AAPL: 150 }))
    expect(update).toEqual(new SimulationStateError({ status: "stopped", command: "processMarketUpdate" }))
    const resume = await rejection(paper.resumeSimulation(id))
    expect(resume).toBeInstanceOf(SimulationStateError)

    const unknown = await rejection(paper.processMarketUpdate("paper-nope-1", { AAPL: 150 }))
    expect(unknown).toBeInstanceOf(UnknownDeploymentError)
    expect(unknown).toMatchObject({ deploymentId: "paper-nope-1" })
    expect(unknown.message).toBe('No deployment "paper-nope-1"')
    for (const call of [
      () => paper.processMarketUpdates("paper-nope-1", [{ AAPL: 150 }]),
      () => paper.startSimulation("paper-nope-1"),
      () => paper.stopSimulation("paper-nope-1"),
      () => paper.getSimulationStatus("paper-nope-1"),
      () => paper.getResults("../deployments/paper-my_model-1")
    ]) {
      expect(await rejection(call())).toBeInstanceOf(UnknownDeploymentError)
    }

    expect(await paper.getSimulationStatus(id)).toEqual(status)
    expect(await paper.getResults(id)).toEqual(results)
    expect(await fingerprintRoot(root, paper)).toEqual(before)
    expect((await deployments.getDeployment(id)).history.map((h) => h.status)).toEqual(["deployed", "running", "stopped"])
  })

  it("invalid updates for a running simulation change nothing in the store", async () => {
    const { root, id, paper } = await running(8)
    const before = await fingerprintRoot(root, paper)
    const status = await paper.getSimulationStatus(id)
    expect(await rejection(paper.processMarketUpdates(id, [{ AAPL: 150 }, { AAPL: "abc" as never }]))).toBeInstanceOf(ValidationError)
    expect(await rejection(paper.processMarketUpdates(id, []))).toBeInstanceOf(ValidationError)
    expect(await paper.getSimulationStatus(id)).toEqual(status)
    expect(await fingerprintRoot(root, paper)).toEqual(before)
  })
})

describe("PaperTradingDeployer: a corrupt model record", () => {
  // One truncated models/<id>/<version>.json stopped the runtime from starting: every deployment failed.
  it("affects only the simulations that need that model; the others carry on after a restart", async () => {
    const root = await tempDir()
    const first = stack(root)
    await first.registry.registerModel(crossover)
    await first.registry.registerModel({ ...crossover, modelId: "other_model" })
    const healthy = await first.paper.deployToPaperTrading({ modelId: "other_model", modelVersion: "v1.0", simulationConfig: config })
    const needy = await first.paper.deployToPaperTrading({ modelId: "my_model", modelVersion: "v1.0", simulationConfig: config })
    for (const id of [healthy, needy]) {
      await first.paper.startSimulation(id)
      await first.paper.processMarketUpdates(id, seedPrices(5))
    }
    await first.paper.close()
    const record = join(root, "models", "my_model", "v1.0.json")
    await writeFile(record, (await readFile(record, "utf8")).slice(0, 20))

    const second = stack(root)
    const receipt = await second.paper.processMarketUpdates(healthy, seedPrices(3, 5))
    expect(receipt).toMatchObject({ applied: 3, updates: 8 })
    const refused = await rejection(second.paper.processMarketUpdates(needy, seedPrices(3, 5)))
    // Typed, naming the simulation and the real cause: the corrupt record (issue 9, item 16).
    expect(refused._tag).toBe("SimulationNotRecoveredError")
    expect(refused.simulationId).toBe(needy)
    expect(refused.reason._tag).toBe("ModelRecordCorruptError")
    expect(refused.message).toMatch(/paper-my_model-1 was not recovered .*models\/my_model\/v1\.0\.json is corrupt/)
  })
})

describe("PaperTradingDeployer: a model that throws", () => {
  it("is contained: ModelFailedError says what was applied, the record keeps the cause, and the deployment can still be stopped with its results", async () => {
    const root = await tempDir()
    // No restarts: the supervisor gives the model up at once, so it stays failed.
    const { registry, paper, deployments } = stack(root, { kinds: [bombKind], supervisor: { restartSchedule: Schedule.recurs(0) } })
    const prices = seedPrices(6)
    await registry.registerModel({ modelId: "bomb", version: "v1", kind: "bomb", params: { failOnPrice: prices[3]!.AAPL } })
    const id = await paper.deployToPaperTrading({ modelId: "bomb", modelVersion: "v1", simulationConfig: config })
    await paper.startSimulation(id)

    const error = await rejection(paper.processMarketUpdates(id, prices))
    expect(error).toBeInstanceOf(ModelFailedError)
    expect(error).toMatchObject({ deploymentId: id, applied: 4, total: 6 })
    expect(error.cause).toContain(`boom at ${prices[3]!.AAPL}`)
    expect(error.message).toContain("The first 4 were applied, the other 2 were not")

    const status = await paper.getSimulationStatus(id)
    expect(status.state).toBe("failed")
    expect(status.reason).toContain("boom at")
    expect(status.updates).toBe(4)
    const record = await deployments.getDeployment(id)
    expect(record.status).toBe("failed")
    expect(record.history.at(-1)!.reason).toContain("boom at")

    // Further updates are refused while it is failed; a stop archives what it did.
    expect(await rejection(paper.processMarketUpdate(id, { AAPL: 150 }))).toMatchObject({ _tag: "SimulationStateError", status: "failed" })
    const results = await paper.stopSimulation(id)
    expect(results.updates).toBe(4)
    expect(results.fills).toBe(1)
    expect((await deployments.getDeployment(id)).history.map((h) => h.status)).toEqual(["deployed", "running", "failed", "stopped"])
  })

  it("is restarted by the supervisor on its schedule; the record notes the restart", async () => {
    const { registry, paper, deployments } = stack(await tempDir(), { kinds: [bombKind] })
    await registry.registerModel({ modelId: "bomb", version: "v1", kind: "bomb", params: { failOnPrice: seedPrices(3)[2]!.AAPL } })
    const id = await paper.deployToPaperTrading({ modelId: "bomb", modelVersion: "v1", simulationConfig: config })
    await paper.startSimulation(id)
    expect(await rejection(paper.processMarketUpdates(id, seedPrices(3)))).toBeInstanceOf(ModelFailedError)
    // The restart is journaled by the supervisor shortly after; wait for it.
    for (let i = 0; i < 500 && (await paper.getSimulationStatus(id)).state === "failed"; i++) await new Promise((r) => setTimeout(r, 5))
    expect((await paper.getSimulationStatus(id)).state).toBe("running")
    await paper.processMarketUpdates(id, seedPrices(2, 3))
    const record = await deployments.getDeployment(id)
    expect(record.history.map((h) => [h.status, h.reason ?? null])).toEqual([
      ["deployed", null],
      ["running", null],
      ["failed", expect.stringContaining("boom at")],
      ["running", "restarted by the supervisor"]
    ])
  })
})

describe("PaperTradingDeployer: the Effect-native API", () => {
  it("the same flow as Effects, failing with the same typed errors", async () => {
    const root = await tempDir()
    const { registry, paper } = stack(root, { now: steppingClock() })
    const program = Effect.gen(function* () {
      yield* registry.effect.registerModel(crossover)
      const id = yield* paper.effect.deployToPaperTrading({ modelId: "my_model", modelVersion: "v1.0", simulationConfig: config })
      yield* paper.effect.startSimulation(id)
      const receipt = yield* paper.effect.processMarketUpdates(id, seedPrices(30))
      const status = yield* paper.effect.getSimulationStatus(id)
      const results = yield* paper.effect.stopSimulation(id)
      const archived = yield* paper.effect.getResults(id)
      const listed = yield* paper.effect.listSimulations()
      // Typed failures, caught by tag.
      const again = yield* paper.effect.stopSimulation(id).pipe(
        Effect.map(() => "stopped twice?"),
        Effect.catchTag("SimulationStateError", (e) => Effect.succeed(`refused: ${e.message}`))
      )
      const unknown = yield* paper.effect.getSimulationStatus("nope").pipe(
        Effect.map(() => "found?"),
        Effect.catchTag("UnknownDeploymentError", (e) => Effect.succeed(e.deploymentId))
      )
      return { id, receipt, status, results, archived, listed, again, unknown }
    }).pipe(Effect.ensuring(paper.effect.close()))

    const out = await Effect.runPromise(program)
    expect(out.id).toBe("paper-my_model-1")
    expect(out.receipt).toMatchObject({ applied: 30, state: "running", updates: 30 })
    expect(out.status.updates).toBe(30)
    expect(out.results.fills).toBeGreaterThan(0)
    expect(out.archived).toEqual(out.results)
    expect(out.listed.map((r) => r.status)).toEqual(["stopped"])
    expect(out.again).toBe("refused: Simulation is stopped: stop is not allowed")
    expect(out.unknown).toBe("nope")

    const error = await failure(paper.effect.deployToPaperTrading({ modelId: "my_model", modelVersion: "v1.0", environment: "live" }))
    expect(error).toBeInstanceOf(UnsupportedEnvironmentError)
  })
})
