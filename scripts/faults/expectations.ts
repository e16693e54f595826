/**
 * What a stack shows before it is closed: each deployment's status and record, each model
 * version, each artifact. With the acknowledgements, what a reopened stack must give back (or
 * refuse with a typed error).
 */
import type { Stack } from "./stack.ts"
import { type Acknowledged, MODEL_VERSION } from "./workload.ts"

export interface ExpectedDeployment extends Acknowledged {
  /** getSimulationStatus, as JSON. */
  readonly status: string
  /** getDeployment, as JSON. */
  readonly record: string
  /** The artifacts this deployment needs: its results (once stopped) and its model version's files. */
  readonly artifacts: ReadonlyArray<string>
}

export interface Expected {
  readonly deployments: ReadonlyArray<ExpectedDeployment>
  /** getModelVersion per model id, as JSON. */
  readonly models: ReadonlyMap<string, string>
  /** getMetadata (JSON) and the content (base64) per artifact. */
  readonly artifacts: ReadonlyMap<string, { readonly ref: string; readonly content: string }>
}

export const captureExpected = async (stack: Stack, acks: ReadonlyArray<Acknowledged>): Promise<Expected> => {
  const models = new Map<string, string>()
  const deployments: ExpectedDeployment[] = []
  for (const ack of acks) {
    const version = await stack.registry.getModelVersion(ack.plan.modelId, MODEL_VERSION)
    models.set(ack.plan.modelId, JSON.stringify(version))
    const record = await stack.deployments.getDeployment(ack.id)
    const status = JSON.stringify(await stack.paper.getSimulationStatus(ack.id))
    const artifacts = [...(record.resultsArtifact === undefined ? [] : [record.resultsArtifact]), ...version.artifacts.map((a) => a.sha256)]
    deployments.push({ ...ack, updates: [...ack.updates], prices: { ...ack.prices }, status, record: JSON.stringify(record), artifacts })
  }
  const artifacts = new Map<string, { ref: string; content: string }>()
  for (const ref of await stack.store.list()) {
    const { content } = await stack.store.get(ref.sha256)
    artifacts.set(ref.sha256, { ref: JSON.stringify(ref), content: content.toString("base64") })
  }
  return { deployments, models, artifacts }
}
