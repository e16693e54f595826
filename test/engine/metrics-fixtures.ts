/** Shared pieces of the metrics tests: a round trip with a given net P&L, and metrics over a base input. */
import { tradeIdFromSeq } from "../../src/domain/ids.ts"
import type { Trade } from "../../src/domain/trade.ts"
import { computePerformanceMetrics, type MetricsInput, type MetricsOptions, type PerformanceMetrics } from "../../src/engine/metrics.ts"

let seq = 0

/** A long AAPL round trip of one share at 100 with `netPnl`; open ones have no exit. */
export const trade = (netPnl: string, options: { open?: boolean; symbol?: string; commission?: string } = {}): Trade => ({
  id: tradeIdFromSeq(++seq),
  symbol: options.symbol ?? "AAPL",
  direction: "long",
  open: options.open ?? false,
  entryTime: null,
  exitTime: null,
  quantity: "1",
  entryPrice: "100",
  exitPrice: options.open === true ? null : "100",
  grossPnl: netPnl,
  commission: options.commission ?? "0",
  netPnl
})

/** 100 of capital, no curve, no trades, one period a year, no risk-free rate: each test sets what it is about. */
export const baseInput: MetricsInput = {
  initialCapital: "100",
  finalEquity: "100",
  totalCommission: "0",
  equityCurve: [],
  trades: [],
  periodsPerYear: 1,
  riskFreeRate: 0
}

/** Metrics over `base` with a test's overrides. */
export const metricsOn =
  (base: MetricsInput) =>
  (overrides: Partial<MetricsInput>, options?: MetricsOptions): PerformanceMetrics =>
    computePerformanceMetrics({ ...base, ...overrides }, options)
