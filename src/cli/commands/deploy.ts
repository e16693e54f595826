import { printJson, printText } from "../output.ts"
import type { Program } from "../program.ts"

export const deployCommand = (program: Program) =>
  program
    .command("deploy")
    .summary("register the config's model and deploy it into a new simulation")
    .description("Registers the config's model version and deploys it into a new simulation (deployed, not started); prints its id.")
    .argument("<config>", "the run config (JSON): the model and the simulation")
    .option("--json", "print the deployment record as JSON")
    .action(async (configPath, options, command) => {
      const { loadRunConfig, withStore } = await import("../toolkit.ts")
      const config = await loadRunConfig(configPath)
      await withStore(command.optsWithGlobals(), async (store) => {
        const id = await store.deploy(config)
        if (options.json) printJson(await store.simulation(id))
        else printText(`deployed ${id}: ${config.model.modelId} ${config.model.version} on ${config.simulation.symbols.join(", ")}`, `next: paperfloor start ${id} --data <file>…`)
      })
    })
