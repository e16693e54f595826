/**
 * The store a command works on. Without a server, the deployer's objects over one storage root
 * (`--store`), the same layout a program using the library gets (`artifacts/`, `models/`,
 * `deployments/`, `simulations/`), so the command line and a program can take turns on one
 * store. While `paperfloor serve` owns the store, the same operations go through its API
 * (remote-store.ts): the command prints the same, and refuses with the same errors.
 */
import { resolve } from "node:path"
import {
  type ArchivedResults,
  type DeploymentRecord,
  DeploymentManager,
  LocalArtifactStore,
  type MarketUpdateInput,
  ModelRegistry,
  PaperTradingDeployer,
  ResultsNotArchivedError,
  type SimulationStatusReport,
  UnknownDeploymentError,
  type UpdateReceipt
} from "../index.ts"
import { liveEndpoint } from "../server/api/endpoint-file.ts"
import { brokerAccountKind } from "../server/broker-account-model.ts"
import type { RunConfig } from "./config-file.ts"
import { remoteStore } from "./remote-store.ts"
import { NotStoppedError, UnknownSimulationError } from "./store-errors.ts"

/** What the commands do on a store: the deployer's operations, by simulation id. */
export interface Store {
  readonly root: string
  /** The simulation's deployment record; `UnknownSimulationError` if there is none. */
  readonly simulation: (id: string) => Promise<DeploymentRecord>
  /** The simulation's archived results; `NotStoppedError` if it has not stopped. */
  readonly results: (id: string) => Promise<ArchivedResults>
  /** The simulations, oldest first. */
  readonly list: () => Promise<ReadonlyArray<DeploymentRecord>>
  /**
   * Registers the config's model version (a no-op when the store has it with the same content;
   * `ModelVersionExistsError` when it differs) and deploys it; returns the simulation's id. The
   * config was validated whole before, and the store is owned first: a refused deploy writes nothing.
   */
  readonly deploy: (config: RunConfig) => Promise<string>
  readonly start: (id: string) => Promise<void>
  readonly pause: (id: string) => Promise<void>
  readonly resume: (id: string) => Promise<void>
  readonly stop: (id: string) => Promise<ArchivedResults>
  readonly status: (id: string) => Promise<SimulationStatusReport>
  /** Updates, in order, as one batch: checked whole first, applied once journaled. */
  readonly update: (id: string, updates: ReadonlyArray<MarketUpdateInput>) => Promise<UpdateReceipt>
  /**
   * Opens the simulations' store and keeps it until the command ends; fails with
   * `StoreLockedError` (naming the directory) while another process owns it. (Through a server,
   * the server owns it.)
   */
  readonly own: () => Promise<void>
}

const localStore = (paper: PaperTradingDeployer, registry: ModelRegistry, deployments: DeploymentManager, root: string): Store => ({
  root,
  simulation: (id) =>
    deployments.getDeployment(id).catch((error: unknown) => {
      throw error instanceof UnknownDeploymentError ? new UnknownSimulationError({ simulationId: id, store: root }) : error
    }),
  results: (id) =>
    paper.getResults(id).catch((error: unknown) => {
      throw error instanceof ResultsNotArchivedError ? new NotStoppedError({ simulationId: id, state: error.status }) : error
    }),
  list: () => paper.listSimulations(),
  deploy: async (config) => {
    await paper.open()
    const model = await registry.registerModel(config.model)
    return paper.deployToPaperTrading({ modelId: model.modelId, modelVersion: model.version, simulationConfig: config.simulation })
  },
  start: (id) => paper.startSimulation(id),
  pause: (id) => paper.pauseSimulation(id),
  resume: (id) => paper.resumeSimulation(id),
  stop: (id) => paper.stopSimulation(id),
  status: (id) => paper.getSimulationStatus(id),
  update: (id, updates) => paper.processMarketUpdates(id, updates),
  own: () => paper.open()
})

/**
 * Runs `use` on the store at `options.store` (its simulations on the cluster whose PostgreSQL is
 * `options.cluster`, when given) and releases it after, also when `use` fails: through
 * the server that owns it, if one does (its `server/endpoint.json`, believed while the store's
 * lock is held by that process), else directly.
 */
export const withStore = async <A>(options: { readonly store: string; readonly cluster?: string | undefined }, use: (store: Store) => Promise<A>): Promise<A> => {
  const directory = options.store
  const endpoint = await liveEndpoint(resolve(directory))
  if (endpoint !== undefined) return use(remoteStore(resolve(directory), endpoint))
  const artifactStore = new LocalArtifactStore({ storageRoot: directory })
  // Accounts of `paperfloor serve` are simulations of its broker-account model.
  const registry = new ModelRegistry({ artifactStore, kinds: [brokerAccountKind] })
  const deployments = new DeploymentManager({ modelRegistry: registry, artifactStore })
  const paper = new PaperTradingDeployer({
    deploymentManager: deployments,
    modelRegistry: registry,
    artifactStore,
    ...(options.cluster === undefined ? {} : { cluster: { postgresUrl: options.cluster } })
  })
  try {
    return await use(localStore(paper, registry, deployments, artifactStore.storageRoot))
  } finally {
    await paper.close()
  }
}
