// paperfloor's public API.
export * from "../machines/index.ts"
export { Decimal, type DecimalInput, parseDecimal } from "./domain/decimal.ts"
export * from "./domain/errors.ts"
export type { Fill } from "./domain/fill.ts"
export type { OrderId, TradeId } from "./domain/ids.ts"
export type { BarInput, MarketUpdateInput, PriceInput, Quote, TimeInput } from "./domain/market-update.ts"
export { quoteDecimal } from "./domain/market-update.ts"
export type { OrderRequest, OrderSide, OrderSpec, OrderType, ReplaceRequest, TimeInForce } from "./domain/order.ts"
export type { OrderListKind, OrderListLink, OrderListRole } from "./domain/order.ts"
export type { ChildOrderRequest, OrderListRequest } from "./domain/order-list.ts"
export type { TrailBy } from "./domain/trailing-stop.ts"
export type { Portfolio, PositionRecord, PositionView } from "./domain/portfolio.ts"
export {
  defaultSimulationConfig,
  makeSimulationConfig,
  periodsPerYear,
  type SimulationConfig,
  type SimulationConfigInput,
  type UpdateFrequency,
  type IntrabarPath,
  type OcoOnPartialFill
} from "./domain/simulation-config.ts"
export type { CalendarInput, CalendarSpec } from "./domain/calendar/calendar-spec.ts"
export { usEquities } from "./domain/calendar/us-equities.ts"
export type { SessionMark } from "./engine/session-clock.ts"
export type { Trade } from "./domain/trade.ts"
export type { EngineEvent, EngineEventName, EngineEvents, EngineListener } from "./engine/engine-events.ts"
export { type FeeModel, proportionalFee } from "./engine/fee-model.ts"
export { barFillModel, comparePrice, type FillModel, type MatchResult, type WorkingOrder } from "./engine/fill-model.ts"
export type { EquityPoint } from "./engine/equity-curve.ts"
export {
  computePerformanceMetrics,
  type DurationUnit,
  type MetricsInput,
  type MetricsOptions,
  type PerformanceMetrics,
  type SymbolStats,
  type TradedFill,
  type VarMethod
} from "./engine/metrics.ts"
export { DEFAULT_ROLLING_WINDOW, rollingMaxDrawdown, rollingSharpe } from "./engine/metrics/rolling.ts"
export type { OrderView } from "./engine/order-entry.ts"
export {
  type AccountView,
  approve,
  builtInRiskRules,
  cashRule,
  dailyStopLossRule,
  type FillCheck,
  maxPositionSizeRule,
  reject,
  type RiskCheck,
  type RiskDecision,
  type RiskRule,
  shortingRule
} from "./engine/risk-rule.ts"
export type { Rejection } from "./engine/risk-gate.ts"
export { proportionalSlippage, type SlippageModel } from "./engine/slippage-model.ts"
export { type EngineOptions, type OrderListPlacement, TradingSimulationEngine } from "./engine/trading-simulation-engine.ts"
export type { ModelInput, ModelOutput, PortfolioView, TradingModel } from "./engine/trading-model.ts"
export { ENGINE_SNAPSHOT_FORMAT, type EngineSnapshot } from "./engine/trading-simulation-engine.ts"
export * from "./deploy/index.ts"
