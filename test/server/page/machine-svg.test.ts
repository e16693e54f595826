// The machines as the live page draws them: every state once, every transition on an arrow
// between its two states, no two states on top of each other, all inside the drawing.
import { describe, expect, it } from "vitest"
import { diagramMachines, machineGraph } from "../../../src/report/machine-diagram.ts"
import { machineLayout, machineSvg } from "../../../src/server/page/machine-svg.ts"

const attributes = (markup: string, element: string, name: string) => [...markup.matchAll(new RegExp(`<g class="${element}[^"]*"[^>]*?${name}="([^"]+)"`, "g"))].map((m) => m[1])

describe.each(diagramMachines)("the %s machine's drawing", (machine) => {
  const graph = machineGraph(machine)
  const svg = machineSvg(graph, { labels: machine === "simulation" })

  it("draws each state once, marked by its name", () => {
    expect(attributes(svg, "state", "data-state")).toEqual(graph.nodes.map((n) => n.id))
    for (const node of graph.nodes.filter((n) => n.final)) expect(svg).toContain(`<g class="state final" data-state="${node.id}">`)
  })

  it("draws one arrow per pair of states a transition joins, naming every event in its tooltip", () => {
    const drawn = [...svg.matchAll(/<g class="edge" data-source="([^"]+)" data-target="([^"]+)"><title>([^<]*)<\/title>/g)].map((m) => ({ pair: `${m[1]} ${m[2]}`, title: m[3]! }))
    const pairs = [...new Set(graph.edges.map((e) => `${e.source} ${e.target}`))]
    expect(drawn.map((d) => d.pair)).toEqual(pairs)
    for (const edge of graph.edges) expect(drawn.find((d) => d.pair === `${edge.source} ${edge.target}`)!.title).toContain(edge.event)
  })

  it("keeps the states apart and inside the drawing, the initial one first and the final ones last", () => {
    const { centres, width, height } = machineLayout(graph)
    const points = [...centres.values()]
    for (const p of points) {
      expect(p.x - 68).toBeGreaterThanOrEqual(0)
      expect(p.x + 68).toBeLessThanOrEqual(width)
      expect(p.y - 17).toBeGreaterThanOrEqual(0)
      expect(p.y + 17).toBeLessThanOrEqual(height)
    }
    for (let i = 0; i < points.length; i++)
      for (let j = i + 1; j < points.length; j++) expect(Math.abs(points[i]!.x - points[j]!.x) >= 136 || Math.abs(points[i]!.y - points[j]!.y) >= 34).toBe(true)
    const xs = graph.nodes.map((n) => ({ ...n, x: centres.get(n.id)!.x }))
    const initial = xs.find((n) => n.initial)!.x
    const finals = xs.filter((n) => n.final).map((n) => n.x)
    for (const n of xs) {
      expect(n.x).toBeGreaterThanOrEqual(initial)
      if (!n.final) expect(n.x).toBeLessThan(Math.min(...finals))
    }
  })
})
