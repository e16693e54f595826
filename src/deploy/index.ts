// paperfloor's deployment layer: content-addressed artifacts, the model registry, the built-in models,
// deployment records and the paper-trading deployer.
export * from "./artifact-store.ts"
export { type DeployFileHandle, type DeployFileSystem, nodeFileSystem } from "./atomic-file.ts"
export * from "./errors.ts"
export { canonicalJson, isJsonValue, type JsonObject, type JsonValue } from "../domain/json.ts"
export * from "./model-kind.ts"
export * from "./model-registry.ts"
export * from "./models/index.ts"
export { FiniteNumber, PositiveNumber, Weight, WholeNumber } from "./models/params.ts"
export * from "./deployment-errors.ts"
export * from "./deployment-manager.ts"
export * from "./paper-trading-deployer.ts"
export * from "./market-feed.ts"
