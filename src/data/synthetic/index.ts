// Seeded synthetic markets: bars, ticks and quotes, their CSV text and the engine's market updates.
export { type SyntheticBar, syntheticBars } from "./synthetic-bars.ts"
export { type SyntheticTick, syntheticTicks } from "./synthetic-ticks.ts"
export { type SyntheticQuote, syntheticQuotes } from "./synthetic-quotes.ts"
export { SyntheticSeries } from "./synthetic-series.ts"
export { type SyntheticRecord, syntheticCsv, syntheticCsvLines } from "./synthetic-csv.ts"
export {
  type SyntheticBarsUpdate,
  type SyntheticPricesUpdate,
  type SyntheticQuotesUpdate,
  updatesFromBars,
  updatesFromQuotes,
  updatesFromTicks
} from "./synthetic-market-updates.ts"
export type {
  FlatStretchOptions,
  JumpOptions,
  JumpSize,
  SessionHours,
  SizeOptions,
  SpreadOptions,
  SyntheticMarketOptions,
  SyntheticSymbol,
  VolatilityRegime
} from "./synthetic-market-options.ts"
export { SyntheticMarketError } from "./synthetic-market-error.ts"
export { Xoshiro128StarStar } from "./xoshiro128-star-star.ts"
