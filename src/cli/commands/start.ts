import { printJson, printText } from "../output.ts"
import type { Program } from "../program.ts"
import { statusTable } from "../tables.ts"

export const startCommand = (program: Program) =>
  program
    .command("start")
    .summary("start a deployed simulation, optionally feeding it data files")
    .argument("<simulation>", "the simulation's id (paperfloor list shows them)")
    .option("--data <files...>", "OHLCV CSV files to feed after starting: SYMBOL=path, or a path whose file name starts with the symbol")
    .option("--json", "print the simulation's status as JSON")
    .action(async (id, options, command) => {
      const { feed, loadMarketData, withStore } = await import("../toolkit.ts")
      await withStore(command.optsWithGlobals(), async (store) => {
        const record = await store.simulation(id)
        // Read and checked before the simulation is touched: a bad file changes nothing.
        const timeline = options.data === undefined ? [] : await loadMarketData(options.data, record.config)
        await store.start(id)
        await feed(store, id, timeline)
        const status = await store.status(id)
        if (options.json) printJson({ ...status, fed: timeline.length })
        else printText(`started ${id}${options.data === undefined ? "" : `; fed ${timeline.length} updates`}`, statusTable(status))
      })
    })
