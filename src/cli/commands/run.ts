import { printJson, printText, shownPath } from "../output.ts"
import type { Program } from "../program.ts"
import { resultsTable } from "../tables.ts"

export const runCommand = (program: Program) =>
  program
    .command("run")
    .summary("run a model on data files from start to end, then report")
    .description(
      "Registers the config's model, deploys it into a new simulation, starts it, feeds it every bar of the data files " +
        "in time order, stops it, writes its HTML report and prints a summary. Everything is kept in the store."
    )
    .argument("<config>", "the run config (JSON): the model and the simulation")
    .requiredOption("--data <files...>", "OHLCV CSV files, one per symbol: SYMBOL=path, or a path whose file name starts with the symbol")
    .option("--out <file>", "where to write the HTML report (default: <store>/reports/<simulation>.html)")
    .option("--json", "print the results summary as JSON")
    .action(async (configPath, options, command) => {
      const { checkReportPath, feed, loadMarketData, loadRunConfig, resultsSummary, withStore, writeSimulationReport } = await import("../toolkit.ts")
      const config = await loadRunConfig(configPath)
      const timeline = await loadMarketData(options.data, config.simulation)
      // A report that cannot be written is refused before the run, not after it is in the store.
      if (options.out !== undefined) await checkReportPath(options.out)
      await withStore(command.optsWithGlobals(), async (store) => {
        const id = await store.deploy(config)
        await store.start(id)
        await feed(store, id, timeline)
        const results = await store.stop(id)
        const report = await writeSimulationReport(store.root, results, options.out)
        if (options.json) printJson({ simulation: id, report, results: resultsSummary(results) })
        else printText(resultsTable(results), `report: ${shownPath(report)}`)
      })
    })
