/**
 * A machine's diagram as SVG markup for the live page, drawn from its graph (`machineGraph`): the
 * states in columns (the initial state first, then each non-final state by its distance from it,
 * the final states last), the transitions between two states as one curved arrow whose tooltip
 * lists their events. The page highlights a state by its `data-state` and a transition by its
 * `data-source` / `data-target`; nothing here depends on any simulation.
 */
import type { DiagramEdge, MachineGraph } from "../../report/machine-diagram.ts"
import { escapeHtml } from "../../report/html.ts"

const NODE_WIDTH = 136
const NODE_HEIGHT = 34
const COLUMN_GAP = 220
const ROW_GAP = 62
const MARGIN = 44

interface Point {
  readonly x: number
  readonly y: number
}

/** Each state's column: the initial one 0, a non-final one its distance from it, the final ones after all. */
const columnsOf = (graph: MachineGraph): Map<string, number> => {
  const finals = new Set(graph.nodes.filter((n) => n.final).map((n) => n.id))
  const column = new Map<string, number>()
  let frontier = graph.nodes.filter((n) => n.initial).map((n) => n.id)
  for (const id of frontier) column.set(id, 0)
  for (let depth = 1; frontier.length > 0; depth++) {
    const next: string[] = []
    for (const edge of graph.edges) {
      if (!frontier.includes(edge.source) || finals.has(edge.target) || column.has(edge.target)) continue
      column.set(edge.target, depth)
      next.push(edge.target)
    }
    frontier = next
  }
  const last = Math.max(0, ...column.values()) + 1
  // Final states, and any state the initial one cannot reach, go in the last column.
  for (const node of graph.nodes) if (!column.has(node.id)) column.set(node.id, last)
  return column
}

/** The centre of each state, columns left to right, each column's states in definition order, centred vertically. */
export const machineLayout = (graph: MachineGraph): { readonly centres: ReadonlyMap<string, Point>; readonly width: number; readonly height: number } => {
  const column = columnsOf(graph)
  const columns = Math.max(...column.values()) + 1
  const members = Array.from({ length: columns }, (_, c) => graph.nodes.filter((n) => column.get(n.id) === c).map((n) => n.id))
  const rows = Math.max(...members.map((m) => m.length))
  const centres = new Map<string, Point>()
  members.forEach((ids, c) =>
    ids.forEach((id, r) => centres.set(id, { x: MARGIN + NODE_WIDTH / 2 + c * COLUMN_GAP, y: MARGIN + NODE_HEIGHT / 2 + (r + (rows - ids.length) / 2) * ROW_GAP }))
  )
  return { centres, width: 2 * MARGIN + NODE_WIDTH + (columns - 1) * COLUMN_GAP, height: 2 * MARGIN + NODE_HEIGHT + (rows - 1) * ROW_GAP }
}

/** Where the segment from a state's centre toward `toward` leaves its box. */
const border = (centre: Point, toward: Point): Point => {
  const dx = toward.x - centre.x
  const dy = toward.y - centre.y
  const scale = Math.min(dx === 0 ? Infinity : NODE_WIDTH / 2 / Math.abs(dx), dy === 0 ? Infinity : NODE_HEIGHT / 2 / Math.abs(dy))
  return { x: centre.x + dx * scale, y: centre.y + dy * scale }
}

const round = (n: number) => Math.round(n * 10) / 10

/**
 * The curve from one state to another: a quadratic bent to the left of its direction, so the two
 * directions between a pair of states never overlap; a loop above the state for a self-transition.
 */
const curve = (from: Point, to: Point): { readonly d: string; readonly label: Point } => {
  if (from === to) {
    const top = from.y - NODE_HEIGHT / 2
    return { d: `M ${round(from.x - 14)} ${round(top)} C ${round(from.x - 34)} ${round(top - 36)} ${round(from.x + 34)} ${round(top - 36)} ${round(from.x + 14)} ${round(top)}`, label: { x: from.x, y: top - 32 } }
  }
  const length = Math.hypot(to.x - from.x, to.y - from.y)
  const bend = Math.min(40, 0.18 * length)
  const mid = { x: (from.x + to.x) / 2 + ((to.y - from.y) / length) * bend, y: (from.y + to.y) / 2 - ((to.x - from.x) / length) * bend }
  const start = border(from, mid)
  const end = border(to, mid)
  return { d: `M ${round(start.x)} ${round(start.y)} Q ${round(mid.x)} ${round(mid.y)} ${round(end.x)} ${round(end.y)}`, label: { x: (start.x + 2 * mid.x + end.x) / 4, y: (start.y + 2 * mid.y + end.y) / 4 } }
}

/** The transitions grouped by the pair of states they join, in definition order. */
const pairs = (edges: ReadonlyArray<DiagramEdge>): ReadonlyArray<{ readonly source: string; readonly target: string; readonly labels: ReadonlyArray<string> }> => {
  const byPair = new Map<string, { source: string; target: string; labels: string[] }>()
  for (const edge of edges) {
    const key = `${edge.source}\u0000${edge.target}`
    const pair = byPair.get(key) ?? { source: edge.source, target: edge.target, labels: [] }
    pair.labels.push(edge.label)
    byPair.set(key, pair)
  }
  return [...byPair.values()]
}

export interface MachineSvgOptions {
  /** Write each transition's events beside its arrow (for a small machine); otherwise they are its tooltip only. */
  readonly labels: boolean
}

/** The machine as an `<svg>` element: `g.state[data-state]` per state, `g.edge[data-source][data-target]` per pair of states. */
export const machineSvg = (graph: MachineGraph, options: MachineSvgOptions): string => {
  const { centres, width, height } = machineLayout(graph)
  const at = (id: string) => centres.get(id)!
  const edges = pairs(graph.edges).map(({ source, target, labels }) => {
    const { d, label } = curve(at(source), at(target))
    const events = [...new Set(labels.map((l) => l.split(" ")[0]!))].join(", ")
    const text = options.labels ? `<text class="edge-label" x="${round(label.x)}" y="${round(label.y)}">${escapeHtml(events)}</text>` : ""
    return `<g class="edge" data-source="${escapeHtml(source)}" data-target="${escapeHtml(target)}"><title>${escapeHtml(`${source} → ${target}: ${labels.join("; ")}`)}</title><path d="${d}"/>${text}</g>`
  })
  const states = graph.nodes.map((node) => {
    const { x, y } = at(node.id)
    const kind = `${node.initial ? " initial" : ""}${node.final ? " final" : ""}`
    const inner = node.final ? `<rect class="inner" x="${round(x - NODE_WIDTH / 2 + 3)}" y="${round(y - NODE_HEIGHT / 2 + 3)}" width="${NODE_WIDTH - 6}" height="${NODE_HEIGHT - 6}" rx="6"/>` : ""
    return `<g class="state${kind}" data-state="${escapeHtml(node.id)}"><rect x="${round(x - NODE_WIDTH / 2)}" y="${round(y - NODE_HEIGHT / 2)}" width="${NODE_WIDTH}" height="${NODE_HEIGHT}" rx="8"/>${inner}<text x="${round(x)}" y="${round(y + 4.5)}">${escapeHtml(node.id)}</text></g>`
  })
  const initial = graph.nodes.find((n) => n.initial)
  const entry = initial === undefined ? "" : `<path class="entry" d="M ${round(at(initial.id).x - NODE_WIDTH / 2 - 30)} ${round(at(initial.id).y)} H ${round(at(initial.id).x - NODE_WIDTH / 2)}"/>`
  return `<svg class="machine" data-machine="${escapeHtml(graph.machine)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(graph.machine)} machine"><g class="edges">${entry}${edges.join("")}</g><g class="states">${states.join("")}</g></svg>`
}
