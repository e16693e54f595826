// paperfloor serve: a local paper broker speaking Alpaca's Trading API v2 over the store's simulations.
export { type Account, AccountBook, type KeyPair } from "./account-book.ts"
export { ACCOUNT_DEFAULTS, Broker, type NewAccount } from "./broker.ts"
export { BROKER_ACCOUNT_KIND, brokerAccountKind } from "./broker-account-model.ts"
export { BrokerApiError } from "./broker-error.ts"
export { type BrokerServer, type BrokerServerOptions, startBrokerServer } from "./broker-server.ts"
export { DEFAULT_RATE_LIMIT, type RateLimitOptions } from "./rate-limit.ts"
