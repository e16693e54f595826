import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "examples/**/*.test.ts"],
    setupFiles: ["test/setup.ts"],
    // One throwaway PostgreSQL on loopback for the run (the PostgreSQL store and cluster tests): inject("postgresUrl").
    globalSetup: ["test/postgres-setup.ts"],
    testTimeout: 60_000
  }
})
