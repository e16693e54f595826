import { printJson, printText } from "../output.ts"
import type { Program } from "../program.ts"
import { resultsTable } from "../tables.ts"

export const stopCommand = (program: Program) =>
  program
    .command("stop")
    .summary("stop a simulation and archive its results")
    .description("Stops the simulation (its open orders are cancelled), archives its results in the store and prints them.")
    .argument("<simulation>", "the simulation's id (paperfloor list shows them)")
    .option("--json", "print the results summary as JSON")
    .action(async (id, options, command) => {
      const { resultsSummary, withStore } = await import("../toolkit.ts")
      await withStore(command.optsWithGlobals(), async (store) => {
        await store.simulation(id)
        const results = await store.stop(id)
        if (options.json) printJson(resultsSummary(results))
        else printText(resultsTable(results), `report: paperfloor report ${id}`)
      })
    })
