/**
 * The store a command works on: the deployer's objects over one storage root (`--store`), the
 * same layout a program using the library gets (`artifacts/`, `models/`, `deployments/`,
 * `simulations/`), so the command line and a program can take turns on one store.
 */
import { Data } from "effect"
import {
  type ArchivedResults,
  type DeploymentRecord,
  DeploymentManager,
  LocalArtifactStore,
  ModelRegistry,
  PaperTradingDeployer,
  ResultsNotArchivedError,
  UnknownDeploymentError
} from "../index.ts"
import { brokerAccountKind } from "../server/broker-account-model.ts"

/** No simulation of that id in the store. */
export class UnknownSimulationError extends Data.TaggedError("UnknownSimulationError")<{
  readonly simulationId: string
  readonly store: string
}> {
  override get message(): string {
    return `no simulation ${JSON.stringify(this.simulationId)} in the store at ${this.store} (paperfloor list shows them)`
  }
}

/** Results are archived when a simulation stops; this one has not. */
export class NotStoppedError extends Data.TaggedError("NotStoppedError")<{
  readonly simulationId: string
  readonly state: string
}> {
  override get message(): string {
    return `simulation ${this.simulationId} is ${this.state}: its results are archived when it stops (paperfloor stop ${this.simulationId}; paperfloor status ${this.simulationId} shows it now)`
  }
}

export interface Store {
  readonly root: string
  readonly registry: ModelRegistry
  readonly deployments: DeploymentManager
  readonly paper: PaperTradingDeployer
  /** The simulation's deployment record; `UnknownSimulationError` if there is none. */
  readonly simulation: (id: string) => Promise<DeploymentRecord>
  /** The simulation's archived results; `NotStoppedError` if it has not stopped. */
  readonly results: (id: string) => Promise<ArchivedResults>
  /**
   * Opens the simulations' store and keeps it until the command ends; fails with
   * `StoreLockedError` (naming the directory) while another process owns it. Commands that write
   * something before the deployer would open that store (registering a model) call it first, so a
   * refused command leaves the store as it was.
   */
  readonly own: () => Promise<void>
}

/** Runs `use` on the store at `directory` and releases it after, also when `use` fails. */
export const withStore = async <A>(directory: string, use: (store: Store) => Promise<A>): Promise<A> => {
  const artifactStore = new LocalArtifactStore({ storageRoot: directory })
  // Accounts of `paperfloor serve` are simulations of its broker-account model.
  const registry = new ModelRegistry({ artifactStore, kinds: [brokerAccountKind] })
  const deployments = new DeploymentManager({ modelRegistry: registry, artifactStore })
  const paper = new PaperTradingDeployer({ deploymentManager: deployments, modelRegistry: registry, artifactStore })
  const root = artifactStore.storageRoot
  const simulation = (id: string) =>
    deployments.getDeployment(id).catch((error: unknown) => {
      throw error instanceof UnknownDeploymentError ? new UnknownSimulationError({ simulationId: id, store: root }) : error
    })
  const results = (id: string) =>
    paper.getResults(id).catch((error: unknown) => {
      throw error instanceof ResultsNotArchivedError ? new NotStoppedError({ simulationId: id, state: error.status }) : error
    })
  try {
    return await use({ root, registry, deployments, paper, simulation, results, own: () => paper.open() })
  } finally {
    await paper.close()
  }
}
