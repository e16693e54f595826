/**
 * Vitest's global set-up for the PostgreSQL store and cluster tests: one throwaway cluster on
 * loopback for the whole run (scripts/local-postgres.ts), its URL handed to the tests as
 * `inject("postgresUrl")`, and stopped after the last test.
 */
import type { TestProject } from "vitest/node"
import { startLocalPostgres } from "../scripts/local-postgres.ts"

declare module "vitest" {
  export interface ProvidedContext {
    postgresUrl: string
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const postgres = await startLocalPostgres()
  project.provide("postgresUrl", postgres.url)
  return () => postgres.stop()
}
