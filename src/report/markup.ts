/** Small builders for the report's markup; every text they take is escaped here. */
import type { ChartSpec } from "./chart-spec.ts"
import { formatCount } from "./format.ts"
import { escapeHtml } from "./html.ts"

export interface Cell {
  readonly text: string
  /** "n" right-aligns a number; "pos"/"neg" colour a gain or a loss; "def" a definition; "diff" marks a difference. */
  readonly className?: string
  /** Shown on hover: the exact value behind a rounded one. */
  readonly title?: string
}

export const cell = (text: string, className?: string, title?: string): Cell => ({
  text,
  ...(className === undefined ? {} : { className }),
  ...(title === undefined ? {} : { title })
})

/** A number's cell: right-aligned, coloured by the sign of `signed` when given. */
export const numberCell = (text: string, exact?: string, signed?: string | number | null): Cell => {
  const sign = signed === undefined || signed === null ? 0 : Math.sign(Number(signed))
  return cell(text, sign > 0 ? "n pos" : sign < 0 ? "n neg" : "n", exact)
}

const tag = (name: "td" | "th", c: Cell) =>
  `<${name}${c.className === undefined ? "" : ` class="${escapeHtml(c.className)}"`}${c.title === undefined ? "" : ` title="${escapeHtml(c.title)}"`}>${escapeHtml(c.text)}</${name}>`

/** A table that scrolls sideways on a narrow window. */
export const table = (head: ReadonlyArray<Cell | string>, rows: ReadonlyArray<ReadonlyArray<Cell | string>>, id?: string): string => {
  const asCell = (c: Cell | string) => (typeof c === "string" ? cell(c) : c)
  const header = `<tr>${head.map((c) => tag("th", asCell(c))).join("")}</tr>`
  const body = rows.map((row) => `<tr>${row.map((c) => tag("td", asCell(c))).join("")}</tr>`).join("\n")
  return `<div class="scroll"><table${id === undefined ? "" : ` id="${escapeHtml(id)}"`}><thead>${header}</thead><tbody>\n${body}\n</tbody></table></div>`
}

export const section = (id: string, title: string, content: string): string =>
  `<section id="${escapeHtml(id)}"><h2>${escapeHtml(title)}</h2>\n${content}\n</section>`

export const paragraph = (text: string, className = "note"): string => `<p class="${escapeHtml(className)}">${escapeHtml(text)}</p>`

export const preformatted = (text: string): string => `<pre>${escapeHtml(text)}</pre>`

/** How many points a chart shows, and why fewer than the run has. */
export const pointsNote = (spec: ChartSpec): string =>
  spec.x.length < spec.totalPoints
    ? `${formatCount(spec.x.length)} of ${formatCount(spec.totalPoints)} points shown: downsampled for display, keeping the lowest and highest value of each bucket.`
    : `${formatCount(spec.totalPoints)} points.`

/** A configuration value as text. */
export const configValue = (value: unknown): string => {
  if (value === null) return "none"
  if (Array.isArray(value)) return value.map(String).join(", ")
  if (typeof value === "object") return JSON.stringify(value) ?? String(value)
  return String(value)
}

/** The element a chart is drawn into, with its toggle if it has another view. */
export const chartSection = (spec: ChartSpec): string => {
  const toggle =
    spec.alternate === undefined
      ? ""
      : ` <label class="toggle"><input type="checkbox" data-toggle="${escapeHtml(spec.id)}" checked> ${escapeHtml(spec.alternate.toggle)}</label>`
  return `<section class="chart-section"><h2>${escapeHtml(spec.title)}${toggle}</h2><div class="chart" id="${escapeHtml(spec.id)}"></div><p class="note">${escapeHtml(pointsNote(spec))}</p></section>`
}
