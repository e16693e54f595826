import { printJson, printText } from "../output.ts"
import type { Program } from "../program.ts"
import { statusTable } from "../tables.ts"

export const statusCommand = (program: Program) =>
  program
    .command("status")
    .summary("a simulation's state, portfolio and positions")
    .argument("<simulation>", "the simulation's id (paperfloor list shows them)")
    .option("--json", "print the status as JSON")
    .action(async (id, options, command) => {
      const { withStore } = await import("../toolkit.ts")
      await withStore(command.optsWithGlobals(), async (store) => {
        await store.simulation(id)
        const status = await store.status(id)
        if (options.json) printJson(status)
        else printText(statusTable(status))
      })
    })
