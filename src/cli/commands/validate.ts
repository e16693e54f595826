import { printJson, printText } from "../output.ts"
import type { Program } from "../program.ts"

export const validateCommand = (program: Program) =>
  program
    .command("validate")
    .summary("check a run config: every error, each naming the field and the rule")
    .description("Checks the config as run and deploy do (the model's params against its kind's schema, the simulation config), writing nothing. Exits 1 if it has errors.")
    .argument("<config>", "the run config (JSON)")
    .option("--json", "print { valid, errors: [{ field, rule, value }] } as JSON")
    .action(async (configPath, options) => {
      const { describeIssue, InvalidConfigError, loadRunConfig } = await import("../toolkit.ts")
      try {
        const config = await loadRunConfig(configPath)
        if (options.json) printJson({ valid: true, errors: [], model: config.model, simulation: config.simulation })
        else printText(`valid: ${configPath} (model ${config.model.modelId} ${config.model.version}; symbols ${config.simulation.symbols.join(", ")})`)
      } catch (error) {
        if (!(error instanceof InvalidConfigError)) throw error
        if (options.json) printJson({ valid: false, errors: error.issues })
        else printText(`invalid: ${configPath} (${error.issues.length} error${error.issues.length === 1 ? "" : "s"})`, ...error.issues.map((i) => `  ${describeIssue(i)}`))
        process.exitCode = 1
      }
    })
