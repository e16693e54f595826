/**
 * What the commands' actions run on: the library (Effect, the deployer, LevelDB) and the modules
 * over it. An action imports this when it runs, so `--help`, `--version` and usage errors answer
 * without loading the library.
 */
export { describeIssue, InvalidConfigError, loadRunConfig } from "./config-file.ts"
export { feed, loadMarketData, updatesAfter } from "./market-data.ts"
export { resultsSummary, writeComparison, writeSimulationReport } from "./reports.ts"
export { withStore } from "./store.ts"
export { SimulationStateError } from "../domain/errors.ts"
export { simulationStatusesTagged } from "../../machines/tables.ts"
export { checkReportPath } from "../report/report-file.ts"
