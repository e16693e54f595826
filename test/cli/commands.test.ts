// The commands that need no store: --version, --help, diagram, validate.
import { readdirSync, readFileSync } from "node:fs"
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { machineDiagram } from "../../src/report/machine-diagram.ts"
import { cli, exampleConfig, repoRoot, tempDirs } from "./cli-harness.ts"

const dirs = tempDirs()
afterAll(dirs.cleanup)

describe("paperfloor", () => {
  it.concurrent("--version prints the package's version", async () => {
    const { version } = JSON.parse(readFileSync(`${repoRoot}/package.json`, "utf8")) as { version: string }
    expect(await cli(["--version"], repoRoot)).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" })
  })

  it.concurrent("--help lists every command, examples and the exit codes", async () => {
    const { code, stdout } = await cli(["--help"], repoRoot)
    expect(code).toBe(0)
    for (const command of ["run", "deploy", "start", "stop", "pause", "resume", "status", "list", "results", "report", "compare", "validate", "diagram"]) {
      expect(stdout).toMatch(new RegExp(`^  ${command}\\b`, "m"))
    }
    expect(stdout).toContain("$ paperfloor run examples/configs/crossover.json --data examples/data/orcl-1995-2014.txt examples/data/nvda-1999-2014.txt")
    expect(stdout).toMatch(/Exit codes: 0 done; 1 bad input/)
  })

  it.concurrent("a command's --help shows its arguments and options", async () => {
    const { code, stdout } = await cli(["resume", "--help"], repoRoot)
    expect(code).toBe(0)
    expect(stdout).toMatch(/^Usage: paperfloor resume \[options\] <simulation>/)
    expect(stdout).toContain("--data <files...>")
    expect(stdout).toContain("skipped")
  })

  it.concurrent.each(["mermaid", "dot", "json"] as const)("diagram order --format %s prints the generated diagram", async (format) => {
    expect(await cli(["diagram", "order", "--format", format], repoRoot)).toEqual({ code: 0, stdout: `${machineDiagram("order", format)}\n`, stderr: "" })
  })

  it.concurrent("diagram simulation draws Mermaid by default", async () => {
    expect((await cli(["diagram", "simulation"], repoRoot)).stdout).toBe(`${machineDiagram("simulation", "mermaid")}\n`)
  })

  it.concurrent("an unknown format is a usage error", async () => {
    const { code, stderr } = await cli(["diagram", "order", "--format", "svg"], repoRoot)
    expect(code).toBe(2)
    expect(stderr).toMatch(/^error: option '--format <format>' argument 'svg' is invalid\. Allowed choices are mermaid, dot, json\./)
  })

  it.concurrent("validate reads a config saved with a byte order mark (as some Windows editors save UTF-8)", async () => {
    const cwd = await dirs.make()
    await writeFile(join(cwd, "bom.json"), `\uFEFF${readFileSync(exampleConfig("crossover.json"), "utf8")}`)
    const { code, stdout, stderr } = await cli(["validate", "bom.json"], cwd)
    expect(stderr).toBe("")
    expect(code).toBe(0)
    expect(stdout).toBe("valid: bom.json (model ma-crossover v1.0; symbols ORCL, NVDA)\n")
  })

  it.concurrent.each(["crossover.json", "buy-and-hold.json", "breakout.json"])("validate examples/configs/%s: valid, nothing written", async (name) => {
    const cwd = await dirs.make()
    const { code, stdout, stderr } = await cli(["validate", exampleConfig(name)], cwd)
    expect(stderr).toBe("")
    expect(code).toBe(0)
    expect(stdout).toMatch(/^valid: .*\(model \S+ v1\.0; symbols ORCL, NVDA\)\n$/)
    // validate registers the model in a scratch store only: the working directory stays empty.
    expect(readdirSync(cwd)).toEqual([])
  })
})
