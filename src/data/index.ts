// paperfloor/data: market data loaders.
export * from "./ohlcv-csv.ts"
