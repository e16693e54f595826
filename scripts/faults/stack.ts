/**
 * The deployment stack a program builds over a storage root (see examples/paper-trading.ts), with
 * fixed record clocks: every record, artifact and result written for the same inputs is then the
 * same bytes, so what a reopened stack gives back can be compared byte for byte.
 */
import { DeploymentManager, LocalArtifactStore, ModelRegistry, PaperTradingDeployer } from "../../src/deploy/index.ts"

export interface Stack {
  readonly store: LocalArtifactStore
  readonly registry: ModelRegistry
  readonly deployments: DeploymentManager
  readonly paper: PaperTradingDeployer
}

/** Journal entries between snapshots: small, so that the store holds snapshots to damage and recover from. */
export const SNAPSHOT_EVERY = 20

export const openStack = (root: string): Stack => {
  const clock = () => new Date(Date.UTC(2024, 0, 1))
  const store = new LocalArtifactStore({ storageRoot: root, now: clock })
  const registry = new ModelRegistry({ artifactStore: store, now: clock })
  const deployments = new DeploymentManager({ modelRegistry: registry, artifactStore: store, now: clock })
  const paper = new PaperTradingDeployer({
    deploymentManager: deployments,
    modelRegistry: registry,
    artifactStore: store,
    now: clock,
    supervisor: { logLevel: "None", snapshotEvery: SNAPSHOT_EVERY }
  })
  return { store, registry, deployments, paper }
}
