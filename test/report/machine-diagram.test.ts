import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { orderMachine } from "../../machines/order.machine.ts"
import { simulationMachine } from "../../machines/simulation.machine.ts"
import { type DiagramMachine, diagramMachines, machineDiagram } from "../../src/report/machine-diagram.ts"

interface Transition {
  readonly source: string
  readonly event: string
  readonly target: string
  readonly guard: string | null
}

type TransitionConfig = string | { readonly target?: string; readonly guard?: string | { readonly type: string; readonly params?: Record<string, unknown> } }

/** Every transition, read straight from the machine's config (not through @xstate/graph). */
const configTransitions = (config: { readonly states?: unknown }): ReadonlyArray<Transition> => {
  const states = config.states as Record<string, { on?: Record<string, TransitionConfig | ReadonlyArray<TransitionConfig>> }>
  return Object.entries(states).flatMap(([source, state]) =>
    Object.entries(state.on ?? {}).flatMap(([event, value]) =>
      (Array.isArray(value) ? value : [value]).map((t: TransitionConfig) => {
        if (typeof t === "string") return { source, event, target: t, guard: null }
        const guard = t.guard === undefined ? null : typeof t.guard === "string" ? t.guard : `${t.guard.type}(${Object.values(t.guard.params ?? {}).join(", ")})`
        // No target: the machine stays where it is.
        return { source, event, target: t.target ?? source, guard }
      })
    )
  )
}

const configs = { order: orderMachine.config, simulation: simulationMachine.config } as const
const expectedEdges = (machine: DiagramMachine) =>
  configTransitions(configs[machine]).map((t) => ({ source: t.source, target: t.target, label: t.guard === null ? t.event : `${t.event} [${t.guard}]` }))
const stateNames = (machine: DiagramMachine) => Object.keys(configs[machine].states ?? {})
const finalStates = (machine: DiagramMachine) =>
  Object.entries(configs[machine].states ?? {}).filter(([, s]) => (s as { type?: string }).type === "final").map(([name]) => name)

describe.each(diagramMachines)("the %s machine's diagrams", (machine) => {
  it("Mermaid: a stateDiagram-v2 with every transition, its event and guard, the initial and the final states", () => {
    const lines = machineDiagram(machine, "mermaid").split("\n")
    expect(lines[0]).toBe("stateDiagram-v2")
    const body = lines.slice(1)
    const transition = /^ {2}(\w+) --> (\w+) : (.+)$/
    const edges = body.flatMap((l) => {
      const m = transition.exec(l)
      return m === null ? [] : [{ source: m[1], target: m[2], label: m[3] }]
    })
    expect(edges).toEqual(expectedEdges(machine))
    expect(body.filter((l) => l.startsWith("  [*] --> "))).toEqual([`  [*] --> ${configs[machine].initial}`])
    expect(body.filter((l) => l.endsWith(" --> [*]"))).toEqual(finalStates(machine).map((s) => `  ${s} --> [*]`))
    // Nothing else: every line is one of the three kinds.
    expect(body.every((l) => transition.test(l) || l.startsWith("  [*] --> ") || l.endsWith(" --> [*]"))).toBe(true)
  })

  it("DOT: a digraph whose edges parse back to every transition; states declared, finals double-circled", () => {
    const text = machineDiagram(machine, "dot")
    expect(text.startsWith(`digraph ${machine} {\n`)).toBe(true)
    expect(text.endsWith("\n}")).toBe(true)
    const statements = text.split("\n").slice(1, -1).map((l) => l.trim())
    expect(statements.every((s) => s.endsWith(";"))).toBe(true)

    const edge = /^(\w+) -> (\w+)(?: \[label=("(?:[^"\\]|\\.)*")\])?;$/
    const edges = statements.flatMap((s) => {
      const m = edge.exec(s)
      return m === null ? [] : [{ source: m[1]!, target: m[2]!, label: m[3] === undefined ? null : (JSON.parse(m[3]) as string) }]
    })
    expect(edges.filter((e) => e.source === "__initial")).toEqual([{ source: "__initial", target: configs[machine].initial, label: null }])
    expect(edges.filter((e) => e.source !== "__initial")).toEqual(expectedEdges(machine))

    const declared = statements.flatMap((s) => {
      const m = /^(\w+)( \[shape=doublecircle[^\]]*\])?;$/.exec(s)
      return m === null ? [] : [{ state: m[1]!, final: m[2] !== undefined }]
    })
    expect(declared).toEqual(stateNames(machine).map((state) => ({ state, final: finalStates(machine).includes(state) })))
  })

  it("JSON: the nodes and edges", () => {
    const graph = JSON.parse(machineDiagram(machine, "json")) as { machine: string; nodes: Array<{ id: string; initial: boolean; final: boolean }>; edges: Array<{ source: string; target: string; label: string }> }
    expect(graph.machine).toBe(machine)
    expect(graph.nodes.map((n) => n.id)).toEqual(stateNames(machine))
    expect(graph.nodes.filter((n) => n.initial).map((n) => n.id)).toEqual([configs[machine].initial])
    expect(graph.nodes.filter((n) => n.final).map((n) => n.id)).toEqual(finalStates(machine))
    expect(graph.edges.map(({ source, target, label }) => ({ source, target, label }))).toEqual(expectedEdges(machine))
  })

  it("is deterministic", () => {
    for (const format of ["mermaid", "dot", "json"] as const) expect(machineDiagram(machine, format)).toBe(machineDiagram(machine, format))
  })
})

describe("the README's diagrams", () => {
  const readme = readFileSync(fileURLToPath(new URL("../../README.md", import.meta.url)), "utf8")
  const start = readme.indexOf("\n## The machines\n")
  const machinesSection = readme.slice(start, readme.indexOf("\n## ", start + 1))

  it.each(diagramMachines.flatMap((machine) => (["mermaid", "dot"] as const).map((format) => [machine, format] as const)))(
    "%s as %s matches the machine (run `npm run diagrams` after changing a machine)",
    (machine, format) => {
      const open = `<!-- diagram:${machine}:${format} -->`
      const start = machinesSection.indexOf(open)
      expect(start, `README's "## The machines" has no ${open} block`).toBeGreaterThanOrEqual(0)
      const end = machinesSection.indexOf("<!-- /diagram -->", start)
      expect(end, `${open} is not closed by <!-- /diagram -->`).toBeGreaterThan(start)
      const block = machinesSection.slice(start + open.length, end).trim()
      expect(block).toBe(`\`\`\`${format}\n${machineDiagram(machine, format)}\n\`\`\``)
    }
  )
})
