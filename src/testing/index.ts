// paperfloor/testing: property-test your own strategies against paperfloor's invariants.
// fast-check is a peer dependency: install it beside paperfloor to use this entry point.

// One call: a strategy over generated markets, every check.
export {
  checkStrategy,
  type CheckStrategyOptions,
  type ModelUnderTest,
  type StrategyCase,
  type StrategyCheck,
  StrategyCheckError,
  type StrategyProperty,
  type StrategyStep
} from "./check-strategy.ts"
export { changeFuture, type FutureChange, futureChangeArb } from "./future-change.ts"

// Arbitraries.
export { type ConfigArbitraryOptions, simulationConfigArb } from "./config-arbitrary.ts"
export {
  barsAlong,
  type GeneratedBar,
  type MarketOptions,
  marketArb,
  ohlcvBarArb,
  type PathSegment,
  pathSegmentArb,
  type PricePathOptions,
  pricePathArb,
  type PriceRegime,
  tickStreamArb
} from "./market-arbitraries.ts"
export { orderRequestArb, type OrderRequestOptions, orderStreamArb } from "./order-arbitraries.ts"
export * from "./synthetic-market-arbitrary.ts"
export * from "./engine-scenario.ts"
export { listRequest, offsetPrice, pickOrder, replaceChanges, resolveQuantity, submitRequest } from "./order-commands.ts"

// Invariant checkers.
export { checkPortfolioInvariants, type InvariantName, type InvariantViolation } from "./portfolio-invariants.ts"
export { InvariantMonitor } from "./invariant-monitor.ts"
export type { NormalizedUpdate } from "../domain/market-update.ts"

// The command model of the engine, and driving a model exactly as a deployed simulation does.
export {
  type BarMoveSpec,
  barMoveArb,
  CancelCommand,
  type EngineCommand,
  engineCommands,
  type EngineCommandsOptions,
  type EngineModel,
  EngineUnderTest,
  MarketUpdateCommand,
  PauseCommand,
  processUpdate,
  ReplaceCommand,
  ResumeCommand,
  runEngineCommands,
  StopCommand,
  SubmitCommand,
  verifyEngine
} from "./engine-commands.ts"
export { portfolioViewOf, runModel, targetWeightOrders } from "../engine/model-driver.ts"
