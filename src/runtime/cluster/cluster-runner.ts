// A runner: one process serving the Simulation entities of the shards the cluster assigns it, over
// a supervisor that recovers a simulation only when its entity is activated, all on one
// PostgreSQL pool (the store and the cluster's message and runner storage share it).
import { NodeClusterSocket } from "@effect/platform-node"
import { Layer, Option } from "effect"
import { RunnerAddress, type ShardingConfig } from "effect/cluster"
import type { PgClient } from "@effect/sql-pg"
import type { SqlClient } from "effect/sql"
import { type ModelFactory, ModelCatalog } from "../model-catalog.ts"
import type { SimulationStore } from "../simulation-store.ts"
import type { StoreOpenError } from "../store-errors.ts"
import { SimulationSupervisor, type SupervisorOptions } from "../simulation-supervisor.ts"
import { PostgresStore } from "../postgres-store.ts"
import { checkedPostgresLayer } from "./postgres-connection.ts"
import { MAX_CLUSTER_MESSAGE_BYTES } from "./message-size.ts"
import { shardMoveTuning } from "./shard-move-tuning.ts"
import { type EntityOptions, simulationEntityLayer } from "./simulation-entity-layer.ts"

export interface RunnerOptions<CatalogError = never> {
  readonly postgresUrl: string
  /** The address other runners and clients reach this one at (and it listens on). */
  readonly host: string
  readonly port: number
  /** The models it can run: factories by kind, or a catalog layer (one that reads a registry, say). */
  readonly catalog: Readonly<Record<string, ModelFactory>> | Layer.Layer<ModelCatalog, CatalogError>
  /** Over `shardMoveTuning`; the runner's address always comes from host and port. */
  readonly sharding?: Partial<ShardingConfig.ShardingConfig["Service"]>
  readonly supervisor?: Omit<SupervisorOptions, "recovery">
  readonly entity?: EntityOptions
  /** The simulation store over the runner's PostgreSQL pool: `PostgresStore.layerWithClient()` unless given. */
  readonly store?: Layer.Layer<SimulationStore, StoreOpenError, SqlClient.SqlClient | PgClient.PgClient>
}

const catalogLayer = <E>(catalog: RunnerOptions<E>["catalog"]): Layer.Layer<ModelCatalog, E> =>
  Layer.isLayer(catalog) ? (catalog as Layer.Layer<ModelCatalog, E>) : ModelCatalog.layer(catalog as Readonly<Record<string, ModelFactory>>)

/** The runner as a layer: build it (Layer.launch) to serve until interrupted. */
export const runnerLayer = <CatalogError = never>(options: RunnerOptions<CatalogError>) => {
  // The shardingConfig option is passed whole: NodeClusterSocket otherwise reads HOST, PORT… from the environment.
  const cluster = NodeClusterSocket.layer({
    storage: "sql",
    serializationMaxBufferSize: MAX_CLUSTER_MESSAGE_BYTES,
    shardingConfig: { ...shardMoveTuning, ...options.sharding, runnerAddress: Option.some(RunnerAddress.make(options.host, options.port)) }
  })
  const runtime = SimulationSupervisor.layer({ ...options.supervisor, recovery: "onDemand" }).pipe(
    Layer.provideMerge(Layer.merge(options.store ?? PostgresStore.layerWithClient(), catalogLayer(options.catalog)))
  )
  return simulationEntityLayer(options.entity).pipe(
    Layer.provide(runtime),
    Layer.provide(cluster),
    Layer.provide(checkedPostgresLayer(options.postgresUrl))
  )
}

/** Runs a runner until the process is told to stop; fails at once, naming PostgreSQL's address, when it cannot be reached. */
export const runRunner = <CatalogError = never>(options: RunnerOptions<CatalogError>) => Layer.launch(runnerLayer(options))
