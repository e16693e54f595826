/** uPlot's minified browser build and stylesheet, read once from the installed package, to inline into reports. */
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"

export interface UplotAssets {
  readonly version: string
  readonly script: string
  readonly css: string
}

let cached: UplotAssets | undefined

/** uplot has no `exports` map, so its dist files resolve by path. */
export const uplotAssets = (): UplotAssets => {
  if (cached !== undefined) return cached
  const require = createRequire(import.meta.url)
  const read = (specifier: string) => readFileSync(require.resolve(specifier), "utf8")
  const { version } = JSON.parse(read("uplot/package.json")) as { version: string }
  cached = { version, script: read("uplot/dist/uPlot.iife.min.js"), css: read("uplot/dist/uPlot.min.css") }
  return cached
}
