import type { PerformanceMetrics } from "../src/index.ts"
import { metricsTable } from "../src/cli/tables.ts"

/** Prints a run's key metrics as the `paperfloor` command does (every example shows the same figures the same way). */
export const printMetrics = (m: PerformanceMetrics): void => console.log(metricsTable(m))
