/**
 * Headless Chromium for the report tests: Debian's /usr/bin/chromium driven by playwright-core,
 * with every request that leaves file:// aborted and recorded as a problem, like console errors,
 * page errors and dialogs.
 */
import { existsSync } from "node:fs"
import { pathToFileURL } from "node:url"
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core"

export const CHROMIUM = "/usr/bin/chromium"

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync"
]

/** Fails (never skips) when Chromium is missing, saying how to install it. */
export const launchChromium = async (): Promise<Browser> => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: run \`npm test\` (its pretest step installs Debian's chromium as root) or \`sudo apt-get install -y chromium\``)
  }
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS })
}

export interface OpenedReport {
  readonly context: BrowserContext
  readonly page: Page
  /** Console errors, page errors, dialogs and requests that left file://, as they happened. */
  readonly problems: string[]
}

/** Opens a report file in a fresh context and waits until the page says every chart drew. */
export const openReport = async (browser: Browser, file: string, viewport = { width: 1280, height: 900 }): Promise<OpenedReport> => {
  const context = await browser.newContext({ viewport })
  const problems: string[] = []
  await context.route("**/*", async (route) => {
    const url = route.request().url()
    if (url.startsWith("file:")) return route.continue()
    problems.push(`network request: ${url}`)
    return route.abort()
  })
  const page = await context.newPage()
  page.on("request", (request) => {
    if (!request.url().startsWith("file:")) problems.push(`request left file://: ${request.url()}`)
  })
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") problems.push(`console ${message.type()}: ${message.text()}`)
  })
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`))
  page.on("dialog", async (dialog) => {
    problems.push(`dialog: ${dialog.message()}`)
    await dialog.dismiss()
  })
  await page.goto(pathToFileURL(file).href)
  await page.waitForFunction("document.body.dataset.ready === 'true'", undefined, { timeout: 30_000 })
  return { context, page, problems }
}

export interface DrawnChart {
  readonly id: string
  /** x values embedded in the page for this chart, and series. */
  readonly embeddedPoints: number
  readonly embeddedSeries: number
  /** What the page's uPlot instance reports holding. */
  readonly points: number | undefined
  readonly series: number | undefined
  readonly draws: number | undefined
  /** The chart's canvas, in device pixels and CSS pixels; null when there is none. */
  readonly canvas: { readonly width: number; readonly height: number; readonly cssWidth: number } | null
  /** For each series, canvas pixels of (nearly) its line colour: > 0 when its line was drawn. */
  readonly seriesPixels: ReadonlyArray<number>
}

// Runs in the page (the project's TypeScript has no DOM types, so it is plain JavaScript).
const DRAWN_CHARTS = `(() => {
  const embedded = JSON.parse(document.getElementById("paperfloor-data").textContent).charts;
  const reported = window.__paperfloorCharts || [];
  return embedded.map((spec) => {
    const entry = reported.find((c) => c.id === spec.id);
    const canvas = document.getElementById(spec.id)?.querySelector("canvas") ?? null;
    const alternate = !document.querySelector('input[data-toggle="' + spec.id + '"]')?.checked && spec.alternate;
    const series = (alternate ? spec.alternate : spec).series;
    let seriesPixels = series.map(() => 0);
    if (canvas) {
      // Read from a copy: reading the chart's own canvas again and again makes Chromium warn.
      const copy = document.createElement("canvas");
      copy.width = canvas.width;
      copy.height = canvas.height;
      const context = copy.getContext("2d", { willReadFrequently: true });
      context.drawImage(canvas, 0, 0);
      const { data } = context.getImageData(0, 0, copy.width, copy.height);
      const colours = series.map((s) => [1, 3, 5].map((i) => parseInt(s.color.slice(i, i + 2), 16)));
      for (let p = 0; p < data.length; p += 4) {
        if (data[p + 3] < 200) continue;
        colours.forEach(([r, g, b], k) => {
          if (Math.abs(data[p] - r) + Math.abs(data[p + 1] - g) + Math.abs(data[p + 2] - b) < 60) seriesPixels[k] += 1;
        });
      }
    }
    return {
      id: spec.id,
      embeddedPoints: spec.x.length,
      embeddedSeries: series.length,
      points: entry?.points,
      series: entry?.series,
      draws: entry?.draws,
      canvas: canvas && { width: canvas.width, height: canvas.height, cssWidth: canvas.getBoundingClientRect().width },
      seriesPixels
    };
  });
})()`

export const drawnCharts = (page: Page): Promise<ReadonlyArray<DrawnChart>> => page.evaluate(DRAWN_CHARTS) as Promise<ReadonlyArray<DrawnChart>>
