import { printJson, printText, shownPath } from "../output.ts"
import type { Program } from "../program.ts"

export const reportCommand = (program: Program) =>
  program
    .command("report")
    .summary("write a stopped simulation's HTML report")
    .description("Writes the simulation's report: one self-contained HTML file (charts, trades, metrics with their definitions, config).")
    .argument("<simulation>", "the simulation's id (paperfloor list shows them)")
    .option("--out <file>", "where to write it (default: <store>/reports/<simulation>.html)")
    .option("--json", "print the report's path as JSON")
    .action(async (id, options, command) => {
      const { withStore, writeSimulationReport } = await import("../toolkit.ts")
      await withStore(command.optsWithGlobals(), async (store) => {
        await store.simulation(id)
        const report = await writeSimulationReport(store.root, await store.results(id), options.out)
        if (options.json) printJson({ simulation: id, report })
        else printText(`report: ${shownPath(report)}`)
      })
    })
