// Cluster mode: simulations as Effect Cluster entities on runner processes sharing PostgreSQL.
export { runRunner, runnerLayer, type RunnerOptions } from "./cluster-runner.ts"
export { type ClusterClientOptions, ClusterSupervisor } from "./cluster-supervisor.ts"
export { checkedPostgresLayer } from "./postgres-connection.ts"
export { shardMoveTuning } from "./shard-move-tuning.ts"
export { Simulation, SubmitReply, SummaryReply } from "./simulation-entity.ts"
export { type EntityOptions, simulationEntityLayer } from "./simulation-entity-layer.ts"
export { RemoteSimulationError } from "./wire-errors.ts"
