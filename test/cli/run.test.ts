// `paperfloor run` end to end through the real binary: the whole 20 years of ORCL + NVDA, and a
// readable run on a slice.
import { execFileSync } from "node:child_process"
import { existsSync } from "node:fs"
import { readFile } from "node:fs/promises"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { cli, cliJson, exampleConfig, nvdaFile, orclFile, repoRoot, sliceUntil, tempDirs } from "./cli-harness.ts"

const dirs = tempDirs()
afterAll(dirs.cleanup)

describe("paperfloor run", () => {
  it("runs the crossover on the full ORCL and NVDA files: every bar fed, results archived, report written", async () => {
    const cwd = await dirs.make()
    const out = await cliJson(["run", exampleConfig("crossover.json"), "--data", orclFile, nvdaFile], cwd)

    expect(out.simulation).toBe("paper-ma-crossover-1")
    expect(out.report).toBe(join(cwd, ".paperfloor/reports/paper-ma-crossover-1.html"))
    const r = out.results
    expect(r).toMatchObject({ deploymentId: "paper-ma-crossover-1", state: "stopped", modelId: "ma-crossover", modelVersion: "v1.0" })
    // ORCL's 5,036 trading days of 1995–2014; NVDA's days all fall on them.
    expect(r.updates).toBe(5036)
    expect(r.equityCurvePoints).toBe(5036)
    expect(r.firstUpdateTime).toBe(Date.UTC(1995, 0, 3))
    expect(r.lastUpdateTime).toBe(Date.UTC(2014, 11, 31))
    expect(r.config.symbols).toEqual(["ORCL", "NVDA"])
    expect(r.fills).toBeGreaterThan(100)
    expect(r.metrics.periods).toBe(5036)
    // The summary leaves the long lists out; `results --json` has them, with the same figures.
    expect(r).not.toHaveProperty("trades")
    const full = await cliJson(["results", "paper-ma-crossover-1"], cwd)
    expect(full.metrics).toEqual(r.metrics)
    expect(full.trades).toHaveLength(r.tradeCount)
    expect(full.equityCurve).toHaveLength(5036)

    const html = await readFile(out.report, "utf8")
    expect(html.startsWith("<!doctype html>") || html.startsWith("<!DOCTYPE html>")).toBe(true)
    expect(html).toContain("paper-ma-crossover-1")
  })

  it("prints a readable summary table and the report's path; --out puts the report there", async () => {
    const cwd = await dirs.make()
    const orcl = await sliceUntil(orclFile, "2000-06-30", cwd, "orcl.csv")
    const nvda = await sliceUntil(nvdaFile, "2000-06-30", cwd, "nvda.csv")
    const { code, stdout, stderr } = await cli(["run", exampleConfig("buy-and-hold.json"), "--data", orcl, nvda, "--out", "out/bh.html"], cwd)

    expect(stderr).toBe("")
    expect(code).toBe(0)
    expect(stdout).toMatch(/│ Simulation\s+│ paper-buy-and-hold-1 \(stopped\)/)
    expect(stdout).toMatch(/│ Model\s+│ buy-and-hold v1\.0/)
    expect(stdout).toMatch(/│ Orders\s+│ 2 \(2 filled, 0 rejected, 0 cancelled, 0 expired\); 2 fills/)
    for (const label of ["Final equity", "Total return", "Sharpe ratio", "Max drawdown", "Positions at the end"]) expect(stdout).toContain(`│ ${label}`)
    expect(stdout.trim().split("\n").at(-1)).toBe("report: out/bh.html")
    expect(await readFile(join(cwd, "out/bh.html"), "utf8")).toContain("paper-buy-and-hold-1")
  })

  // util-linux's `script` runs the command on a pseudo-terminal (the readable run above, piped, shows no bar).
  it.skipIf(!existsSync("/usr/bin/script"))("shows a progress bar on a terminal", async () => {
    const cwd = await dirs.make()
    const orcl = await sliceUntil(orclFile, "2000-06-30", cwd, "orcl.csv")
    const command = [process.execPath, join(repoRoot, "src/cli/main.ts"), "run", exampleConfig("crossover.json"), "--data", orcl].map((a) => `'${a}'`).join(" ")
    const terminal = execFileSync("/usr/bin/script", ["-qec", command, "/dev/null"], { cwd, encoding: "utf8" })
    expect(terminal).toMatch(/paper-ma-crossover-1 \|[█░]+\| 100% \| 1,?\d{3}\/1,?\d{3} updates \| 2000-06-30/)
    expect(terminal).toContain("report: .paperfloor/reports/paper-ma-crossover-1.html")
  })
})
