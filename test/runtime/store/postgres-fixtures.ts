/** Shared by the PostgreSQL store tests: the run's server (test/postgres-setup.ts) and tables of their own per store. */
import { randomBytes } from "node:crypto"
import { inject } from "vitest"

/** The throwaway PostgreSQL the global set-up started for this run. */
export const postgresUrl = (): string => inject("postgresUrl")

/**
 * A table prefix no other store in the run uses (test files run in parallel on one database), so
 * every store made with it starts empty.
 */
export const freshTablePrefix = (): string => `t${randomBytes(6).toString("hex")}_`
