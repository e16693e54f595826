import { formatTime } from "../../report/format.ts"
import { printJson, printText } from "../output.ts"
import type { Program } from "../program.ts"
import { statusTable } from "../tables.ts"

export const resumeCommand = (program: Program) =>
  program
    .command("resume")
    .summary("resume a paused simulation, and/or continue it on data files from its last update")
    .description(
      "Without --data: resumes a paused simulation. With --data: continues the simulation from its last journaled update, " +
        "resuming it first if it is paused. The files' updates up to that update's time are skipped (the store already " +
        "holds them) and the rest are fed; it says how many of each."
    )
    .argument("<simulation>", "the simulation's id (paperfloor list shows them)")
    .option("--data <files...>", "OHLCV CSV files: SYMBOL=path, or a path whose file name starts with the symbol")
    .option("--json", "print the simulation's status (and with --data, what was skipped and fed) as JSON")
    .action(async (id, options, command) => {
      const { feed, loadMarketData, SimulationStateError, simulationStatusesTagged, updatesAfter, withStore } = await import("../toolkit.ts")
      await withStore(command.optsWithGlobals(), async (store) => {
        const record = await store.simulation(id)
        if (options.data === undefined) {
          await store.resume(id)
          const status = await store.status(id)
          if (options.json) printJson(status)
          else printText(`resumed ${id}`, statusTable(status))
          return
        }
        // Read and checked before the simulation is touched: a bad file changes nothing.
        const timeline = await loadMarketData(options.data, record.config)
        const before = await store.status(id)
        if (before.state === "paused") await store.resume(id)
        // Continuing means trading on: from a status the simulation machine tags as trading.
        else if (!simulationStatusesTagged("trades").has(before.state)) throw new SimulationStateError({ status: before.state, command: "resume" })
        const { skipped, fresh } = updatesAfter(timeline, before.lastUpdateTime)
        await feed(store, id, fresh)
        const status = await store.status(id)
        if (options.json) printJson({ ...status, skipped, fed: fresh.length })
        else
          printText(
            `${before.state === "paused" ? "resumed" : "continued"} ${id}: ` +
              (before.lastUpdateTime === null ? "" : `skipped ${skipped} updates already in the store (through ${formatTime(before.lastUpdateTime)}), `) +
              `fed ${fresh.length}` +
              (fresh.length === 0 ? "" : ` (${formatTime(fresh[0]!.time)} .. ${formatTime(fresh.at(-1)!.time)})`),
            statusTable(status)
          )
      })
    })
