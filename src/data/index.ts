// paperfloor/data: market data loaders.
export * from "./ohlcv-csv.ts"
export * from "./bar-timeline.ts"
