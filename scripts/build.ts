// `npm run build` (and `prepack`): JavaScript and declarations for machines/ and src/ into dist/,
// by the TypeScript compiler itself. In the repository nothing needs this: Node runs the sources.
import { execFileSync } from "node:child_process"
import { chmod, readdir, readFile, rm, writeFile } from "node:fs/promises"
import { createRequire } from "node:module"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))
const dist = join(root, "dist")
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc")

await rm(dist, { recursive: true, force: true })
execFileSync(process.execPath, [tsc, "-p", join(root, "tsconfig.build.json")], { stdio: "inherit" })

// tsc rewrites `./x.ts` to `./x.js` in the JavaScript it emits but not in declarations, which
// older compilers and other tools reject: give the declarations the specifiers of the code.
const relativeTs = /(from\s+|import\s*\(\s*)(["'])(\.{1,2}\/[^"']*?)\.ts\2/g
for (const entry of await readdir(dist, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith(".d.ts")) continue
  const file = join(entry.parentPath, entry.name)
  const text = await readFile(file, "utf8")
  const fixed = text.replace(relativeTs, "$1$2$3.js$2")
  if (fixed !== text) await writeFile(file, fixed)
}
await chmod(join(dist, "src/cli/main.js"), 0o755)
