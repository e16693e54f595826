import { printJson, printText, shownPath } from "../output.ts"
import type { Program } from "../program.ts"
import { deploymentsTable } from "../tables.ts"

export const listCommand = (program: Program) =>
  program
    .command("list")
    .summary("the simulations in the store, oldest first")
    .option("--json", "print the deployment records as JSON")
    .action(async (options, command) => {
      const { withStore } = await import("../toolkit.ts")
      await withStore(command.optsWithGlobals(), async (store) => {
        const records = await store.list()
        if (options.json) printJson(records)
        else printText(records.length === 0 ? `no simulations in ${shownPath(store.root)}` : deploymentsTable(records))
      })
    })
