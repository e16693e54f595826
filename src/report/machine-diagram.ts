/**
 * Diagrams of the order and simulation machines, drawn from their definitions through
 * `@xstate/graph`: Mermaid `stateDiagram-v2`, Graphviz DOT, or the graph as JSON. Each edge is
 * labelled with its event and, when it has one, its guard (`FILL [completesOrder]`); the initial
 * state and the final states are marked. The output depends only on the definitions, in their
 * order, so it can be checked in (the README's diagrams are tested against it).
 */
import { toDirectedGraph } from "@xstate/graph"
import { orderMachine } from "../../machines/order.machine.ts"
import { simulationMachine } from "../../machines/simulation.machine.ts"

export const diagramMachines = ["order", "simulation"] as const
export type DiagramMachine = (typeof diagramMachines)[number]

export const diagramFormats = ["mermaid", "dot", "json"] as const
export type DiagramFormat = (typeof diagramFormats)[number]

export interface DiagramNode {
  readonly id: string
  readonly initial: boolean
  readonly final: boolean
}

export interface DiagramEdge {
  readonly source: string
  readonly target: string
  readonly event: string
  /** The guard's name, with its params' values: `resumesTo(accepted)`; null for none. */
  readonly guard: string | null
  /** `EVENT` or `EVENT [guard]`. */
  readonly label: string
}

export interface MachineGraph {
  readonly machine: DiagramMachine
  readonly nodes: ReadonlyArray<DiagramNode>
  readonly edges: ReadonlyArray<DiagramEdge>
}

const machines = { order: orderMachine, simulation: simulationMachine } as const

/** A guard as XState stores it: a name, or `{ type, params }` for a parameterised one. */
const guardLabel = (guard: unknown): string | null => {
  if (guard === undefined || guard === null) return null
  if (typeof guard === "string") return guard
  if (typeof guard === "object" && "type" in guard && typeof guard.type === "string") {
    const params = "params" in guard && guard.params !== null && typeof guard.params === "object" ? Object.values(guard.params) : []
    return params.length === 0 ? guard.type : `${guard.type}(${params.map(String).join(", ")})`
  }
  // An inline function guard: the definitions name theirs, so this only guards against a regression.
  return "guard"
}

/** The machine's states and transitions, in definition order. Both machines are flat (no nested states). */
export const machineGraph = (machine: DiagramMachine): MachineGraph => {
  const graph = toDirectedGraph(machines[machine])
  const initial = new Set(graph.stateNode.initial.target.map((s) => s.id))
  const key = (id: string) => id.slice(graph.id.length + 1)
  const nodes = graph.children.map((child) => ({ id: key(child.id), initial: initial.has(child.id), final: child.stateNode.type === "final" }))
  const edges = graph.children.flatMap((child) =>
    child.edges.map((edge) => {
      const event = edge.transition.eventType
      const guard = guardLabel(edge.transition.guard)
      return { source: key(edge.source.id), target: key(edge.target.id), event, guard, label: guard === null ? event : `${event} [${guard}]` }
    })
  )
  return { machine, nodes, edges }
}

const mermaid = ({ nodes, edges }: MachineGraph): string =>
  [
    "stateDiagram-v2",
    ...nodes.filter((n) => n.initial).map((n) => `  [*] --> ${n.id}`),
    ...edges.map((e) => `  ${e.source} --> ${e.target} : ${e.label}`),
    ...nodes.filter((n) => n.final).map((n) => `  ${n.id} --> [*]`)
  ].join("\n")

const quoted = (s: string) => JSON.stringify(s)

const dot = ({ machine, nodes, edges }: MachineGraph): string =>
  [
    `digraph ${machine} {`,
    "  rankdir=LR;",
    '  node [shape=box, style=rounded, fontname="Helvetica"];',
    '  edge [fontname="Helvetica", fontsize=10];',
    '  __initial [shape=point, width=0.15, label=""];',
    ...nodes.map((n) => `  ${n.id}${n.final ? " [shape=doublecircle, style=solid]" : ""};`),
    ...nodes.filter((n) => n.initial).map((n) => `  __initial -> ${n.id};`),
    ...edges.map((e) => `  ${e.source} -> ${e.target} [label=${quoted(e.label)}];`),
    "}"
  ].join("\n")

/** The machine's diagram as text: Mermaid, DOT, or the graph (`MachineGraph`) as JSON. No trailing newline. */
export const machineDiagram = (machine: DiagramMachine, format: DiagramFormat): string => {
  const graph = machineGraph(machine)
  switch (format) {
    case "mermaid":
      return mermaid(graph)
    case "dot":
      return dot(graph)
    case "json":
      return JSON.stringify(graph, null, 2)
  }
}
