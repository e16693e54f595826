// Rewrites the machine diagrams in README.md from the machine definitions:
//
//   node scripts/update-readme-diagrams.ts
//
// Only the blocks between `<!-- diagram:<machine>:<format> -->` and `<!-- /diagram -->` change;
// test/report/machine-diagram.test.ts fails while they differ from the machines.
import { readFileSync, writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { type DiagramFormat, type DiagramMachine, diagramMachines, machineDiagram } from "../src/report/machine-diagram.ts"

const readmePath = fileURLToPath(new URL("../README.md", import.meta.url))
const block = /<!-- diagram:(\w+):(\w+) -->[\s\S]*?<!-- \/diagram -->/g
const drawable = (machine: string, format: string): [DiagramMachine, DiagramFormat] | undefined =>
  (diagramMachines as ReadonlyArray<string>).includes(machine) && (format === "mermaid" || format === "dot") ? [machine as DiagramMachine, format] : undefined

const readme = readFileSync(readmePath, "utf8")
const rewritten: string[] = []
const updated = readme.replace(block, (whole, machine: string, format: string) => {
  const which = drawable(machine, format)
  if (which === undefined) throw new Error(`README.md: unknown diagram block <!-- diagram:${machine}:${format} --> (machines: ${diagramMachines.join(", ")}; formats: mermaid, dot)`)
  const next = `<!-- diagram:${machine}:${format} -->\n\`\`\`${format}\n${machineDiagram(...which)}\n\`\`\`\n<!-- /diagram -->`
  if (next !== whole) rewritten.push(`${machine}:${format}`)
  return next
})
if (updated !== readme) writeFileSync(readmePath, updated)
console.log(rewritten.length === 0 ? "README.md: the diagrams are up to date" : `README.md: rewrote ${rewritten.join(", ")}`)
