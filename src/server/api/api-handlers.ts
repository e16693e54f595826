/**
 * The handlers of paperfloor's own API over the broker's store: each is one call of the deployer
 * or the registry (the library's own checks, so a refused request changes nothing), its refusal
 * turned into the API's error by its tag.
 */
import { Effect, Layer } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { renderHtmlReport } from "../../report/html-report.ts"
import { machineDiagram } from "../../report/machine-diagram.ts"
import { OpenApi } from "effect/http-api"
import type { MarketUpdateInput } from "../../domain/market-update.ts"
import { accountListing, type Broker, newAccountListing } from "../broker.ts"
import { apiErrorOf } from "./api-errors.ts"
import { PaperfloorApi } from "./paperfloor-api.ts"

/** `use`'s answer as JSON has it (what a client reads), or its refusal as the API's error; a bug is logged. */
const call = <A>(use: () => Promise<A>) =>
  Effect.tryPromise({ try: async () => JSON.parse(JSON.stringify(await use())) as A, catch: (e) => e }).pipe(
    Effect.mapError((cause) => {
      const { error, internal } = apiErrorOf(cause)
      if (internal) process.stderr.write(`paperfloor serve: ${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}\n`)
      return error
    })
  )

/** The handlers of every group, over the broker's store. */
export const apiHandlers = (broker: Broker) => {
  const { paper } = broker
  const registry = paper.modelRegistry
  const results = (id: string) => call(() => paper.getResults(id))
  /** A lifecycle command, answered with the simulation's status after it. */
  const command = (id: string, run: (id: string) => Promise<void>) =>
    call(async () => {
      await run(id)
      return paper.getSimulationStatus(id)
    })

  const models = HttpApiBuilder.group(PaperfloorApi, "models", (handlers) =>
    Effect.succeed(
      handlers
        .handle("list", () => call(() => registry.listModels()))
        .handle("register", ({ payload }) => call(() => registry.registerModel(payload)))
    )
  )
  const simulations = HttpApiBuilder.group(PaperfloorApi, "simulations", (handlers) =>
    Effect.succeed(
      handlers
        .handle("list", () => call(() => paper.listSimulations()))
        .handle("deploy", ({ payload }) =>
          call(async () => paper.deploymentManager.getDeployment(await paper.deployToPaperTrading(payload)))
        )
        .handle("get", ({ params }) => call(() => paper.deploymentManager.getDeployment(params.id)))
        .handle("status", ({ params }) => call(() => paper.getSimulationStatus(params.id)))
        .handle("start", ({ params }) => command(params.id, (id) => paper.startSimulation(id)))
        .handle("pause", ({ params }) => command(params.id, (id) => paper.pauseSimulation(id)))
        .handle("resume", ({ params }) => command(params.id, (id) => paper.resumeSimulation(id)))
        .handle("stop", ({ params }) => call(() => paper.stopSimulation(params.id)))
        .handle("updates", ({ params, payload }) => call(() => paper.processMarketUpdates(params.id, payload.updates as ReadonlyArray<MarketUpdateInput>)))
    )
  )
  const resultsGroup = HttpApiBuilder.group(PaperfloorApi, "results", (handlers) =>
    Effect.succeed(
      handlers
        .handle("results", ({ params }) => results(params.id))
        .handle("metrics", ({ params }) => Effect.map(results(params.id), (r) => r.metrics))
        .handle("trades", ({ params }) => Effect.map(results(params.id), (r) => r.trades))
        .handle("equity", ({ params }) => Effect.map(results(params.id), (r) => r.equityCurve))
        .handle("report", ({ params }) => Effect.map(results(params.id), (r) => renderHtmlReport(r)))
    )
  )
  const accounts = HttpApiBuilder.group(PaperfloorApi, "accounts", (handlers) =>
    Effect.succeed(
      handlers
        .handle("list", () => call(async () => broker.accounts.list().map(accountListing)))
        .handle("create", ({ payload }) => call(async () => newAccountListing(await broker.createAccount(payload))))
    )
  )
  const diagrams = HttpApiBuilder.group(PaperfloorApi, "diagrams", (handlers) =>
    Effect.succeed(handlers.handle("diagram", ({ params, query }) => Effect.succeed(machineDiagram(params.machine, query.format ?? "mermaid"))))
  )
  const document = OpenApi.fromApi(PaperfloorApi)
  const documentGroup = HttpApiBuilder.group(PaperfloorApi, "document", (handlers) => Effect.succeed(handlers.handle("openapi", () => Effect.succeed(document))))
  return Layer.mergeAll(models, simulations, resultsGroup, accounts, diagrams, documentGroup)
}
