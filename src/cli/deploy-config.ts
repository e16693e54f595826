import type { RunConfig } from "./config-file.ts"
import type { Store } from "./store.ts"

/**
 * Registers the config's model version (a no-op when the store has it with the same content;
 * `ModelVersionExistsError` when it differs) and deploys it; returns the simulation's id. The
 * config was validated whole before, and the store is owned first: a refused deploy writes nothing.
 */
export const deployConfig = async (store: Store, config: RunConfig): Promise<string> => {
  await store.own()
  const model = await store.registry.registerModel(config.model)
  return store.paper.deployToPaperTrading({ modelId: model.modelId, modelVersion: model.version, simulationConfig: config.simulation })
}
