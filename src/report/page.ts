/**
 * The page every report is: one self-contained HTML file with uPlot, its stylesheet, the chart
 * data and the page's script inlined. Its Content-Security-Policy allows no network at all and
 * runs only the two scripts it was written with (by hash), so even markup that slipped past the
 * escaping could not run a script.
 */
import { createHash } from "node:crypto"
import type { ChartSpec } from "./chart-spec.ts"
import { chartScript } from "./chart-script.ts"
import { escapeHtml, inlineRawText, jsonForScript } from "./html.ts"
import { uplotAssets } from "./uplot-assets.ts"

const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`

const STYLE = `
:root { --fg: #111827; --muted: #6b7280; --line: #e5e7eb; --bg: #ffffff; --panel: #f9fafb; --pos: #047857; --neg: #b91c1c; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
main { max-width: 1200px; margin: 0 auto; padding: 24px 16px 48px; }
h1 { font-size: 22px; margin: 0 0 4px; overflow-wrap: anywhere; }
h2 { font-size: 17px; margin: 32px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.sub, .note { color: var(--muted); }
.note { font-size: 12px; margin: 4px 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 8px; margin: 16px 0; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; }
.card .k { color: var(--muted); font-size: 12px; }
.card .v { font-size: 18px; font-variant-numeric: tabular-nums; }
.chart { width: 100%; min-height: 280px; overflow: hidden; }
.toggle { font-size: 13px; color: var(--muted); }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: var(--panel); font-weight: 600; }
td.n, th.n { text-align: right; white-space: nowrap; }
td.def { color: var(--muted); font-size: 12px; }
#metrics-table td:first-child { white-space: nowrap; }
td.diff { background: #fef3c7; }
.pos { color: var(--pos); }
.neg { color: var(--neg); }
pre { background: var(--panel); border: 1px solid var(--line); padding: 8px; overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere; }
code { overflow-wrap: anywhere; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
`

export interface PageContent {
  readonly title: string
  /** The page's body markup, every user-controlled string in it already escaped. */
  readonly body: string
  readonly charts: ReadonlyArray<ChartSpec>
}

export const renderPage = (content: PageContent): string => {
  const uplot = uplotAssets()
  const library = inlineRawText(uplot.script, "script")
  const csp = `default-src 'none'; script-src ${sha256(library)} ${sha256(chartScript)}; style-src 'unsafe-inline'; img-src data:`
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="generator" content="paperfloor">
<title>${escapeHtml(content.title)}</title>
<style>${inlineRawText(uplot.css, "style")}</style>
<style>${STYLE}</style>
</head>
<body>
<main>
${content.body}
<footer>Charts drawn by uPlot ${escapeHtml(uplot.version)} (MIT), inlined in this file: it needs no network. Long series are downsampled for display only (min and max of each bucket kept); every metric is computed from every point.</footer>
</main>
<script type="application/json" id="paperfloor-data">${jsonForScript({ charts: content.charts })}</script>
<script>${library}</script>
<script>${chartScript}</script>
</body>
</html>
`
}
