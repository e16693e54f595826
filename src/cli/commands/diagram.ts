import { Argument, Option } from "@commander-js/extra-typings"
import { diagramFormats, diagramMachines, machineDiagram } from "../../report/machine-diagram.ts"
import { printText } from "../output.ts"
import type { Program } from "../program.ts"

export const diagramCommand = (program: Program) =>
  program
    .command("diagram")
    .summary("draw the order or the simulation state machine")
    .description("Prints a machine's diagram, drawn from its definition: Mermaid stateDiagram-v2, Graphviz DOT, or the graph's nodes and edges as JSON.")
    .addArgument(new Argument("<machine>", "the machine").choices(diagramMachines))
    .addOption(new Option("--format <format>", "the output format").choices(diagramFormats).default("mermaid" as const))
    .action((machine, options) => {
      printText(machineDiagram(machine, options.format))
    })
