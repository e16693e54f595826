import { printJson, printText } from "../output.ts"
import type { Program } from "../program.ts"
import { resultsTable } from "../tables.ts"

export const resultsCommand = (program: Program) =>
  program
    .command("results")
    .summary("a stopped simulation's archived results")
    .argument("<simulation>", "the simulation's id (paperfloor list shows them)")
    .option("--json", "print the whole archive as JSON: metrics, trades, equity curve, config, model")
    .action(async (id, options, command) => {
      const { withStore } = await import("../toolkit.ts")
      await withStore(command.optsWithGlobals(), async (store) => {
        await store.simulation(id)
        const results = await store.results(id)
        if (options.json) printJson(results)
        else printText(resultsTable(results))
      })
    })
