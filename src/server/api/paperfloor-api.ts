/**
 * paperfloor's own API, served by `paperfloor serve` at `/v1/…` beside Alpaca's: models,
 * the broker's accounts, simulations (deploy, start, pause, resume, stop, status, market updates), their results and
 * reports, and the machines' diagrams. Defined once with Effect's HttpApi: the server's routing
 * and request decoding, and the OpenAPI document at `/v1/openapi.json`, come from this definition.
 * Every request carries `Authorization: Bearer <admin key>` (checked by the server before routing,
 * as for the admin API).
 */
import { Schema } from "effect"
import { HttpApi, HttpApiEndpoint, HttpApiGroup, HttpApiMiddleware, HttpApiSchema, OpenApi } from "effect/http-api"
import { packageVersion } from "../../report/package-version.ts"
import { apiErrors } from "./api-errors.ts"
import {
  AccountConfig,
  AccountSummary,
  Deployment,
  DeployRequest,
  DiagramParams,
  DiagramQuery,
  EquityPoint,
  MarketUpdates,
  Metrics,
  ModelSummary,
  ModelVersion,
  NewAccount,
  RegisterModelRequest,
  Results,
  SimulationParams,
  SimulationStatus,
  Trade,
  UpdateReceipt
} from "./api-schemas.ts"

/**
 * Every endpoint's refusals: a malformed request (400, from the schemas here), and the store's
 * and the engine's errors by their kind (404, 409, 422…). Also what turns a request the schemas
 * refuse into a 400 naming the field.
 */
export class Refusals extends HttpApiMiddleware.Service<Refusals>()("paperfloor/api/Refusals", { error: apiErrors }) {}

const html = Schema.String.pipe(HttpApiSchema.asText({ contentType: "text/html" }))
const text = Schema.String.pipe(HttpApiSchema.asText({ contentType: "text/plain" }))

const summary = (text: string) => OpenApi.annotations({ summary: text })

export class ModelsGroup extends HttpApiGroup.make("models")
  .add(
    HttpApiEndpoint.get("list", "/models", { success: Schema.Array(ModelSummary) }).annotateMerge(summary("every registered model with its versions, by model id")),
    HttpApiEndpoint.post("register", "/models", { payload: RegisterModelRequest, success: ModelVersion }).annotateMerge(
      summary("register a model version (a no-op for the same content; 409 for other content under the same version)")
    )
  )
  .annotateMerge(OpenApi.annotations({ description: "model versions: a kind (built-in or a module) with its params" })) {}

export class SimulationsGroup extends HttpApiGroup.make("simulations")
  .add(
    HttpApiEndpoint.get("list", "/simulations", { success: Schema.Array(Deployment) }).annotateMerge(summary("the simulations, oldest first")),
    HttpApiEndpoint.post("deploy", "/simulations", { payload: DeployRequest, success: Deployment }).annotateMerge(
      summary("deploy a registered model version into a new simulation (deployed, not started)")
    ),
    HttpApiEndpoint.get("get", "/simulations/:id", { params: SimulationParams, success: Deployment }).annotateMerge(summary("a simulation's deployment record")),
    HttpApiEndpoint.get("status", "/simulations/:id/status", { params: SimulationParams, success: SimulationStatus }).annotateMerge(
      summary("state, portfolio, positions, open orders, updates so far")
    ),
    HttpApiEndpoint.post("start", "/simulations/:id/start", { params: SimulationParams, success: SimulationStatus }).annotateMerge(summary("start a deployed simulation")),
    HttpApiEndpoint.post("pause", "/simulations/:id/pause", { params: SimulationParams, success: SimulationStatus }).annotateMerge(
      summary("pause a running simulation (its model is not called until it resumes)")
    ),
    HttpApiEndpoint.post("resume", "/simulations/:id/resume", { params: SimulationParams, success: SimulationStatus }).annotateMerge(summary("resume a paused simulation")),
    HttpApiEndpoint.post("stop", "/simulations/:id/stop", { params: SimulationParams, success: Results }).annotateMerge(
      summary("stop a simulation (open orders are cancelled) and archive its results")
    ),
    HttpApiEndpoint.post("updates", "/simulations/:id/updates", { params: SimulationParams, payload: MarketUpdates, success: UpdateReceipt }).annotateMerge(
      summary("push market updates into a running simulation, acknowledged once journaled")
    )
  )
  .annotateMerge(OpenApi.annotations({ description: "simulations: one per deployment of a model version" })) {}

export class ResultsGroup extends HttpApiGroup.make("results")
  .add(
    HttpApiEndpoint.get("results", "/simulations/:id/results", { params: SimulationParams, success: Results }).annotateMerge(summary("a stopped simulation's archived results")),
    HttpApiEndpoint.get("metrics", "/simulations/:id/results/metrics", { params: SimulationParams, success: Metrics }).annotateMerge(summary("its metrics")),
    HttpApiEndpoint.get("trades", "/simulations/:id/results/trades", { params: SimulationParams, success: Schema.Array(Trade) }).annotateMerge(summary("its round-trip trades")),
    HttpApiEndpoint.get("equity", "/simulations/:id/results/equity", { params: SimulationParams, success: Schema.Array(EquityPoint) }).annotateMerge(summary("its equity curve")),
    HttpApiEndpoint.get("report", "/simulations/:id/report", { params: SimulationParams, success: html }).annotateMerge(
      summary("its HTML report: one self-contained page (charts, trades, metrics, config)")
    )
  )
  .annotateMerge(OpenApi.annotations({ description: "what a stopped simulation leaves: results, and its report" })) {}

export class AccountsGroup extends HttpApiGroup.make("accounts")
  .add(
    HttpApiEndpoint.get("list", "/accounts", { success: Schema.Array(AccountSummary) }).annotateMerge(summary("the broker's accounts (ids and key ids)")),
    HttpApiEndpoint.post("create", "/accounts", { payload: AccountConfig, success: NewAccount }).annotateMerge(
      summary("create an account: a simulation started now, over the account defaults; its secret is shown only in this answer")
    )
  )
  .annotateMerge(OpenApi.annotations({ description: "the accounts of the Alpaca API at /v2: one simulation each, with its own key pair" })) {}

export class DiagramsGroup extends HttpApiGroup.make("diagrams")
  .add(
    HttpApiEndpoint.get("diagram", "/diagrams/:machine", { params: DiagramParams, query: DiagramQuery, success: text }).annotateMerge(
      summary("a machine's diagram from its definition, as `paperfloor diagram` prints it")
    )
  )
  .annotateMerge(OpenApi.annotations({ description: "the order and simulation state machines" })) {}

export class DocumentGroup extends HttpApiGroup.make("document")
  .add(HttpApiEndpoint.get("openapi", "/openapi.json", { success: Schema.Unknown }).annotateMerge(summary("this document (OpenAPI 3.1)")))
  .annotateMerge(OpenApi.annotations({ description: "the API's own description" })) {}

/** The bearer scheme every operation takes (the server checks it before routing). */
const bearer = (spec: Record<string, any>): Record<string, any> => ({
  ...spec,
  components: { ...spec["components"], securitySchemes: { ...spec["components"]?.securitySchemes, adminKey: { type: "http", scheme: "bearer", description: "the admin key (PAPERFLOOR_ADMIN_KEY), or the token `paperfloor serve` writes to <store>/server/endpoint.json for the command line" } } },
  security: [{ adminKey: [] }]
})

export class PaperfloorApi extends HttpApi.make("paperfloor")
  .add(ModelsGroup, SimulationsGroup, ResultsGroup, AccountsGroup, DiagramsGroup, DocumentGroup)
  .middleware(Refusals)
  .prefix("/v1")
  .annotate(HttpApi.PayloadParseOptions, { errors: "all", onExcessProperty: "error" })
  .annotateMerge(
    OpenApi.annotations({
      title: "paperfloor",
      version: packageVersion(),
      description: "paperfloor's own API: models, simulations, results, reports and diagrams, beside Alpaca's Trading API v2 at /v2.",
      transform: bearer
    })
  ) {}
