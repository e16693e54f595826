import { printJson, printText, shownPath } from "../output.ts"
import type { Program } from "../program.ts"
import { overlaidEquityChart } from "../equity-chart.ts"
import { comparisonTable } from "../tables.ts"

export const compareCommand = (program: Program) =>
  program
    .command("compare")
    .summary("stopped simulations side by side: metrics and equity curves")
    .description(
      "Compares stopped simulations (the same model on recorded data and in paper trading, or two models on the same data): " +
        "every metric side by side and the equity curves, in the terminal and as an HTML comparison report."
    )
    .argument("<simulations...>", "two or more simulation ids")
    .option("--out <file>", "where to write the HTML comparison (default: <store>/reports/compare-<a>-vs-<b>.html)")
    .option("--json", "print the results summaries and the report's path as JSON")
    .action(async (ids, options, command) => {
      const { resultsSummary, withStore, writeComparison } = await import("../toolkit.ts")
      if (ids.length < 2) command.error("error: compare needs at least two simulations", { code: "paperfloor.compareArguments", exitCode: 2 })
      await withStore(command.optsWithGlobals(), async (store) => {
        for (const id of ids) await store.simulation(id)
        const results = []
        for (const id of ids) results.push(await store.results(id))
        const report = await writeComparison(store.root, results, options.out)
        if (options.json) printJson({ simulations: results.map(resultsSummary), report })
        else {
          printText(comparisonTable(results))
          // Not through printText: the chart's colours are control sequences of its own.
          const color = process.stdout.isTTY === true && process.env["NO_COLOR"] === undefined
          process.stdout.write(`${overlaidEquityChart(results, { width: 72, height: 12, color })}\n`)
          printText(`report: ${shownPath(report)}`)
        }
      })
    })
