import { printJson, printText } from "../output.ts"
import type { Program } from "../program.ts"
import { statusTable } from "../tables.ts"

export const pauseCommand = (program: Program) =>
  program
    .command("pause")
    .summary("pause a running simulation (its model is not called until it resumes)")
    .argument("<simulation>", "the simulation's id (paperfloor list shows them)")
    .option("--json", "print the simulation's status as JSON")
    .action(async (id, options, command) => {
      const { withStore } = await import("../toolkit.ts")
      await withStore(command.optsWithGlobals(), async (store) => {
        await store.simulation(id)
        await store.pause(id)
        const status = await store.status(id)
        if (options.json) printJson(status)
        else printText(`paused ${id}`, statusTable(status))
      })
    })
