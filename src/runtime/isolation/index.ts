// User models in worker threads, under a time budget per update and a memory bound.
export * from "./host-connection.ts"
export * from "./isolated-model.ts"
export * from "./isolation-errors.ts"
export * from "./isolation-limits.ts"
