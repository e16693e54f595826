/**
 * The README's runnable examples, through the npm scripts the README gives: each runs in a fresh
 * directory (they keep their stores under ./.paperfloor) and must exit 0 with its output.
 */
import { execFileSync } from "node:child_process"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { delimiter, dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterEach, describe, expect, it } from "vitest"

const root = fileURLToPath(new URL("../..", import.meta.url))
const scripts = (JSON.parse(execFileSync("npm", ["pkg", "get", "scripts"], { cwd: root, encoding: "utf8" })) as Record<string, string>)
const env = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env["PATH"] ?? ""}`, FORCE_COLOR: "0" }

let cwd = ""
afterEach(async () => {
  if (cwd !== "") await rm(cwd, { recursive: true, force: true })
  cwd = ""
})

/** Runs an npm script's `node <file>` command from the repository's examples, in a fresh directory. */
const runScript = async (name: string, args: ReadonlyArray<string> = []): Promise<string> => {
  const command = scripts[name]
  expect(command, `npm script ${name}`).toMatch(/^node examples\/[\w-]+\.ts$/)
  cwd ||= await mkdtemp(join(tmpdir(), "paperfloor-example-"))
  return execFileSync(process.execPath, [join(root, command!.slice("node ".length)), ...args], { cwd, env, encoding: "utf8" })
}

describe("examples", () => {
  it("npm start: the crossover in paper trading on ORCL and NVDA, ending with the report's path", async () => {
    const out = await runScript("start")
    expect(out).toMatch(/deployed as paper-ma-crossover-1 into paper trading on ORCL and NVDA daily bars, 1995-01-03 \.\. 2014-12-31/)
    expect(out).toMatch(/report: .*\.html/)
  })

  it("npm start -- --parquet: the same run from Parquet copies of the bundled bars, with the same results", async () => {
    // What the run prints, less its timing and the paths of its files.
    const results = (out: string) => out.split("\n").filter((l) => /^[│|]|position at the end|orders \(/.test(l)).map((l) => l.replace(/in [\d.]+ s/, ""))
    const fromCsv = await runScript("start")
    await rm(cwd, { recursive: true, force: true })
    cwd = ""
    const fromParquet = await runScript("start", ["--parquet"])
    expect(fromParquet).toMatch(/ORCL and NVDA daily bars, 1995-01-03 \.\. 2014-12-31 \(from Parquet\)/)
    expect(results(fromParquet).length).toBeGreaterThan(5)
    expect(results(fromParquet)).toEqual(results(fromCsv))
  })

  it("npm run example: the seed's example", async () => {
    expect(await runScript("example")).toMatch(/stopped/i)
  })

  it("npm run example:engine: the engine alone", async () => {
    expect(await runScript("example:engine")).toMatch(/paperfloor demo — 10\/30 SMA crossover/)
  })

  it("npm run example:custom-model: a user model from a module", async () => {
    expect(await runScript("example:custom-model")).toMatch(/registered breakout v1-[0-9a-f]{12}: kind channel-breakout/)
  })

  it("npm run example:runtime: run twice, the second run recovers the first", async () => {
    expect(await runScript("example:runtime")).toMatch(/created simulation "demo"/)
    expect(await runScript("example:runtime")).toMatch(/recovered simulation "demo" .* at journal entry/)
  })
})
