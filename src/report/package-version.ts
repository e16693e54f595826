import { readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

let version: string | undefined

/**
 * paperfloor's version from its package.json: the nearest one above this file named "paperfloor"
 * (src/report in the repository, dist/src/report once built: a different depth). Read once: every
 * report shows it.
 */
export const packageVersion = (): string => (version ??= readVersion())

const readVersion = (): string => {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: unknown; version?: unknown }
      if (pkg.name === "paperfloor" && typeof pkg.version === "string") return pkg.version
    } catch {
      // No (readable) package.json here: look further up.
    }
    if (dirname(dir) === dir) return "unknown"
  }
}
