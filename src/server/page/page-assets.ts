/**
 * The live page's documents and files: the sign-in page (all a request without a session gets),
 * the page itself (a shell that its script fills, with the two machines' drawings in templates),
 * its stylesheet and script, and uPlot's, read from the installed package. The page needs nothing
 * but this server: its Content-Security-Policy allows scripts, styles and connections to it only.
 */
import { createHash } from "node:crypto"
import { escapeHtml } from "../../report/html.ts"
import { machineGraph } from "../../report/machine-diagram.ts"
import { uplotAssets } from "../../report/uplot-assets.ts"
import { machineSvg } from "./machine-svg.ts"
import { pageScript } from "./page-script.ts"

const PAGE_STYLE = `
:root { --fg: #111827; --muted: #6b7280; --line: #e5e7eb; --bg: #ffffff; --panel: #f9fafb; --accent: #2563eb; --current: #f59e0b; --path: #7c3aed; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header.top { display: flex; align-items: center; gap: 16px; padding: 8px 16px; border-bottom: 1px solid var(--line); background: var(--panel); }
header.top .brand { font-weight: 600; color: var(--fg); text-decoration: none; }
header.top form { margin-left: auto; }
.live { font-size: 12px; padding: 2px 8px; border-radius: 10px; background: var(--line); }
.live.on { background: #d1fae5; color: #065f46; }
.live.off { background: #fee2e2; color: #991b1b; }
main { max-width: 1280px; margin: 0 auto; padding: 16px 16px 48px; }
h1 { font-size: 22px; margin: 0 0 4px; overflow-wrap: anywhere; }
h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.sub, .note { color: var(--muted); }
.note { font-size: 12px; }
.problem { color: #991b1b; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 8px; margin: 12px 0; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; }
.card .k { color: var(--muted); font-size: 12px; }
.card .v { font-size: 17px; font-variant-numeric: tabular-nums; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; }
th { background: var(--panel); font-weight: 600; }
tr.clickable { cursor: pointer; }
tr.clickable:hover, tr.selected { background: #eef2ff; }
.badge { display: inline-block; padding: 0 8px; border-radius: 10px; background: var(--line); font-size: 12px; }
.badge[data-state="running"], .badge[data-state="filled"], .badge[data-state="accepted"] { background: #d1fae5; }
.badge[data-state="paused"], .badge[data-state="halted"], .badge[data-state="pendingCancel"], .badge[data-state="pendingReplace"], .badge[data-state="partiallyFilled"] { background: #fef3c7; }
.badge[data-state="failed"], .badge[data-state="rejected"], .badge[data-state="unavailable"] { background: #fee2e2; }
.chart { width: 100%; min-height: 220px; overflow: hidden; }
.machine-box { overflow-x: auto; }
svg.machine { max-width: 100%; height: auto; font: 12px system-ui, sans-serif; }
svg.machine g.state rect { fill: #fff; stroke: #9ca3af; stroke-width: 1.2; }
svg.machine g.state.initial > rect:first-child { stroke-width: 2; }
svg.machine g.state text { text-anchor: middle; fill: var(--fg); }
svg.machine g.state.visited > rect:first-child { fill: #ede9fe; stroke: var(--path); stroke-width: 2; animation: reveal 0.3s both; }
svg.machine g.state.current > rect:first-child { fill: #fde68a; stroke: var(--current); stroke-width: 3; }
svg.machine text.step-badge { text-anchor: end; fill: var(--path); font-weight: 600; font-size: 11px; }
svg.machine g.edge path, svg.machine path.entry { fill: none; stroke: #cbd5e1; stroke-width: 1.2; marker-end: url(#pf-arrow); }
svg.machine g.edge text.edge-label { fill: var(--muted); font-size: 10px; text-anchor: middle; }
svg.machine g.edge.taken path { stroke: var(--path); stroke-width: 2.5; marker-end: url(#pf-arrow-taken); animation: reveal 0.3s both; }
@keyframes reveal { from { opacity: 0.2; } to { opacity: 1; } }
.order-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 12px; }
.open-order { border: 1px solid var(--line); border-radius: 6px; padding: 8px; cursor: pointer; }
.open-order:hover, .open-order.selected { border-color: var(--accent); }
.order-title { font-weight: 600; overflow-wrap: anywhere; }
#path-steps { columns: 2; }
#event-log { font-family: ui-monospace, monospace; font-size: 12px; max-height: 360px; overflow-y: auto; background: var(--panel); border: 1px solid var(--line); padding: 8px 8px 8px 48px; }
#event-log time { color: var(--muted); }
button { font: inherit; }
`

const LOGIN_STYLE = `
body { margin: 0; font: 15px/1.45 system-ui, sans-serif; color: #111827; background: #f9fafb; }
form { max-width: 360px; margin: 12vh auto; padding: 24px; background: #fff; border: 1px solid #e5e7eb; border-radius: 8px; }
h1 { font-size: 20px; margin: 0 0 12px; }
label { display: block; margin-bottom: 6px; }
input { width: 100%; font: inherit; padding: 6px 8px; margin-bottom: 12px; }
button { font: inherit; padding: 6px 16px; }
p.message { color: #991b1b; }
p.note { color: #6b7280; font-size: 13px; }
`

const hashOf = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`

const policy = (styles: string) =>
  `default-src 'none'; script-src 'self'; style-src ${styles}; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`

/** The page's and its files' policy: only this server's scripts, styles and connections. */
export const PAGE_POLICY = policy("'self'")
/** The sign-in page's: its one inline stylesheet, by hash. */
export const LOGIN_POLICY = policy(hashOf(LOGIN_STYLE))

/** The sign-in page, with why the last attempt failed when it did. */
export const loginPage = (message: string | null, enabled: boolean): string => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>paperfloor — sign in</title>
<style>${LOGIN_STYLE}</style>
</head>
<body>
<form method="post" action="/ui/login">
<h1>paperfloor</h1>
${message === null ? "" : `<p class="message">${escapeHtml(message)}</p>`}
${
  enabled
    ? `<label for="key">Admin key</label>
<input id="key" name="key" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Sign in</button>
<p class="note">The key the server was started with (PAPERFLOOR_ADMIN_KEY).</p>`
    : `<p class="message">The page is off: start the server with an admin key (PAPERFLOOR_ADMIN_KEY).</p>`
}
</form>
</body>
</html>
`

const ARROWS = `<svg width="0" height="0" aria-hidden="true" class="defs"><defs>
<marker id="pf-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#94a3b8"/></marker>
<marker id="pf-arrow-taken" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#7c3aed"/></marker>
</defs></svg>`

let shell: string | undefined

/** The page for a signed-in browser: its script draws each view into `<main>`. */
export const appShell = (): string =>
  (shell ??= `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>paperfloor</title>
<link rel="stylesheet" href="/ui/uplot.css">
<link rel="stylesheet" href="/ui/app.css">
</head>
<body>
<header class="top"><a class="brand" href="#/">paperfloor</a><span id="live" class="live">connecting…</span>
<form method="post" action="/ui/logout"><button type="submit">Sign out</button></form></header>
${ARROWS}
<template id="machine-simulation">${machineSvg(machineGraph("simulation"), { labels: true })}</template>
<template id="machine-order">${machineSvg(machineGraph("order"), { labels: false })}</template>
<main id="main"></main>
<script src="/ui/uplot.js"></script>
<script src="/ui/app.js"></script>
</body>
</html>
`)

export interface PageFile {
  readonly type: string
  readonly body: string
}

/** The files under `/ui/` a signed-in browser loads, by name. */
export const pageFile = (name: string): PageFile | undefined => {
  switch (name) {
    case "app.js":
      return { type: "text/javascript; charset=utf-8", body: pageScript }
    case "app.css":
      return { type: "text/css; charset=utf-8", body: PAGE_STYLE }
    case "uplot.js":
      return { type: "text/javascript; charset=utf-8", body: uplotAssets().script }
    case "uplot.css":
      return { type: "text/css; charset=utf-8", body: uplotAssets().css }
    default:
      return undefined
  }
}
