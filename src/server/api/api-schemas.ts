/**
 * The bodies of paperfloor's own API: what a request sends and what it gets, as Effect Schemas
 * (the OpenAPI document is generated from them). The envelope is checked here, its content by the
 * store: a simulation config, a model's params and market updates go through the same validation
 * as the library's calls, with every issue named.
 *
 * Answers list their fields in the order the library's objects have them, so an answer printed as
 * JSON reads as the library's object printed directly (the command line relies on it).
 */
import { Schema } from "effect"
import { SimulationStatuses } from "../../../machines/simulation-context.ts"
import { deploymentEnvironments, deploymentStatuses } from "../../deploy/deployment-manager.ts"
import { diagramFormats, diagramMachines } from "../../report/machine-diagram.ts"

const Json = Schema.Record(Schema.String, Schema.Unknown)
/** An object of the library's in an answer, passed as it is (the README describes it). */
const Obj = (description: string) => Schema.Unknown.annotate({ description })
const Decimal = Schema.String.annotate({ description: "an exact decimal" })
const Millis = Schema.NullOr(Schema.Number).annotate({ description: "ms since the epoch; null when there is none" })

// ---- requests

export const RegisterModelRequest = Schema.Struct({
  modelId: Schema.String.annotate({ description: "1–64 letters, digits, `.`, `_` or `-`" }),
  version: Schema.String.annotate({ description: "as modelId, e.g. `v1.0`" }),
  kind: Schema.optionalKey(Schema.String.annotate({ description: "a built-in kind (`moving-average-crossover`, `momentum`, `mean-reversion`, `buy-and-hold`), or a module's" })),
  module: Schema.optionalKey(
    Schema.String.annotate({ description: "a model module exporting `modelKind`: an absolute path on the server's machine (a relative one is the server's working directory's)" })
  ),
  params: Schema.optionalKey(Json.annotate({ description: "the kind's params, validated by its schema" })),
  description: Schema.optionalKey(Schema.String),
  isolation: Schema.optionalKey(
    Schema.Struct({ timeBudgetMs: Schema.optionalKey(Schema.Number), memoryBoundMb: Schema.optionalKey(Schema.Number) }).annotate({
      description: "a module's time budget per update and memory bound"
    })
  )
}).annotate({ identifier: "RegisterModelRequest", description: "a model version to register; registering the same content again is a no-op" })

export const DeployRequest = Schema.Struct({
  modelId: Schema.String,
  modelVersion: Schema.String,
  simulationConfig: Schema.optionalKey(Json.annotate({ description: "the simulation config (symbols, initialCapital, updateFrequency, …); defaults fill the rest" }))
}).annotate({ identifier: "DeployRequest", description: "a registered model version to deploy into a new simulation (`deployed`, not started)" })

export const MarketUpdates = Schema.Struct({
  updates: Schema.Array(
    Schema.Unknown.annotate({ description: "a market update in the engine's form: `{ time, bars }`, `{ time, prices }`, `{ time, quotes }`, or `{ SYMBOL: price }`" })
  ).annotate({ description: "applied in order, in one journal write; checked whole first (one invalid update and none is applied)" })
}).annotate({ identifier: "MarketUpdates" })

export const AccountConfig = Json.annotate({
  identifier: "AccountConfig",
  description: "a simulation config over the account defaults ($100,000, no commission, shorting allowed, minute updates, the NYSE's sessions): `{ \"symbols\": [\"AAPL\"] }`"
})

export const SimulationParams = { id: Schema.String.annotate({ description: "the simulation's id (its deployment's)" }) }

export const DiagramParams = { machine: Schema.Literals(diagramMachines) }
export const DiagramQuery = { format: Schema.optionalKey(Schema.Literals(diagramFormats).annotate({ description: "mermaid (the default), dot, or json" })) }

// ---- answers

export const ModelVersion = Schema.Struct({
  modelId: Schema.String,
  version: Schema.String,
  kind: Schema.String,
  params: Obj("the validated params, defaults filled in"),
  artifacts: Schema.Array(Obj("an artifact: name, sha256, size, contentType")),
  description: Schema.optionalKey(Schema.String),
  module: Schema.optionalKey(Schema.Struct({ path: Schema.String, sha256: Schema.String })),
  isolation: Schema.optionalKey(Schema.Struct({ timeBudgetMs: Schema.Number, memoryBoundMb: Schema.Number })),
  registeredAt: Schema.String
}).annotate({ identifier: "ModelVersion" })

export const AccountSummary = Schema.Struct({ id: Schema.String, key_id: Schema.String, created_at: Schema.String }).annotate({ identifier: "AccountSummary" })

export const NewAccount = Schema.Struct({
  id: Schema.String.annotate({ description: "the account's id: its simulation's" }),
  key_id: Schema.String.annotate({ description: "APCA-API-KEY-ID" }),
  secret_key: Schema.String.annotate({ description: "APCA-API-SECRET-KEY, shown only now: the store keeps its hash" }),
  created_at: Schema.String
}).annotate({ identifier: "NewAccount" })

export const ModelSummary = Schema.Struct({ modelId: Schema.String, versions: Schema.Array(ModelVersion) }).annotate({ identifier: "ModelSummary" })

const DeploymentStatus = Schema.Literals(deploymentStatuses)
const State = Schema.Literals(SimulationStatuses).annotate({ description: "the simulation machine's state" })

export const Deployment = Schema.Struct({
  format: Schema.optionalKey(Schema.Number),
  id: Schema.String,
  environment: Schema.Literals(deploymentEnvironments),
  modelId: Schema.String,
  modelVersion: Schema.String,
  model: Schema.Struct({ kind: Schema.String, params: Schema.optionalKey(Schema.Unknown) }),
  config: Obj("the validated simulation config, defaults filled in"),
  status: DeploymentStatus,
  history: Schema.Array(Schema.Struct({ status: DeploymentStatus, at: Schema.String, reason: Schema.optionalKey(Schema.String) })),
  createdAt: Schema.String,
  resultsArtifact: Schema.optionalKey(Schema.String.annotate({ description: "the sha256 of the archived results, once stopped" }))
}).annotate({ identifier: "Deployment", description: "a simulation's deployment record" })

const Position = Schema.Struct({
  symbol: Schema.String,
  quantity: Decimal,
  averageCost: Decimal,
  marketPrice: Decimal,
  marketValue: Decimal,
  unrealizedPnl: Decimal,
  realizedPnl: Decimal
}).annotate({ identifier: "Position" })

const portfolioFields = {
  portfolioValue: Decimal,
  cash: Decimal,
  buyingPower: Decimal,
  realizedPnl: Decimal,
  unrealizedPnl: Decimal,
  totalCommission: Decimal,
  positions: Schema.Array(Position)
}

export const SimulationStatus = Schema.Struct({
  deploymentId: Schema.String,
  environment: Schema.Literals(deploymentEnvironments),
  modelId: Schema.String,
  modelVersion: Schema.String,
  state: State,
  reason: Schema.NullOr(Schema.String).annotate({ description: "why it is halted or failed" }),
  deploymentStatus: DeploymentStatus,
  ...portfolioFields,
  openOrders: Schema.Array(Obj("an open order: its spec, status (the order machine's) and fills so far")),
  updates: Schema.Number.annotate({ description: "market updates processed" }),
  lastUpdateTime: Millis
}).annotate({ identifier: "SimulationStatus" })

export const UpdateReceipt = Schema.Struct({
  deploymentId: Schema.String,
  applied: Schema.Number.annotate({ description: "updates of this request applied (all of them, unless the model failed)" }),
  state: State,
  reason: Schema.NullOr(Schema.String),
  updates: Schema.Number.annotate({ description: "market updates processed so far" })
}).annotate({ identifier: "UpdateReceipt" })

export const Trade = Schema.Struct({
  id: Schema.String,
  symbol: Schema.String,
  direction: Schema.Literals(["long", "short"]),
  open: Schema.Boolean,
  entryTime: Millis,
  exitTime: Millis,
  quantity: Decimal,
  entryPrice: Decimal,
  exitPrice: Schema.NullOr(Decimal),
  grossPnl: Decimal,
  commission: Decimal,
  netPnl: Decimal
}).annotate({ identifier: "Trade", description: "a round trip in one symbol, flat to flat" })

export const EquityPoint = Schema.Struct({
  time: Millis,
  equity: Schema.Number,
  longValue: Schema.Number,
  shortValue: Schema.Number
}).annotate({ identifier: "EquityPoint" })

export const Metrics = Schema.Unknown.annotate({ identifier: "Metrics", description: "every performance metric (README, \"Metrics\"): totalReturn, sharpeRatio, maxDrawdown, cagr, …" })

export const Results = Schema.Struct({
  format: Schema.Number,
  deploymentId: Schema.String,
  environment: Schema.Literals(deploymentEnvironments),
  modelId: Schema.String,
  modelVersion: Schema.String,
  model: Obj("the model version's spec: kind and params"),
  config: Obj("the simulation config"),
  state: State,
  updates: Schema.Number,
  firstUpdateTime: Millis,
  lastUpdateTime: Millis,
  metrics: Metrics,
  portfolio: Schema.Struct(portfolioFields),
  fills: Schema.Number,
  orders: Schema.Struct({ total: Schema.Number, filled: Schema.Number, rejected: Schema.Number, cancelled: Schema.Number, expired: Schema.Number }),
  trades: Schema.Array(Trade),
  equityCurve: Schema.Array(EquityPoint),
  resultsArtifact: Schema.String
}).annotate({ identifier: "Results", description: "a stopped simulation's archived results" })
