// One simulation driven across processes through the store: each step is its own `paperfloor`
// process. Fed in pieces (start with part of the data, pause, resume with more, which skips what
// the store holds), it ends where one `run` on the same data ends.
import { spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { cli, cliJson, exampleConfig, nvdaFile, orclFile, sliceUntil, tempDirs } from "./cli-harness.ts"

const dirs = tempDirs()
afterAll(dirs.cleanup)

let cwd: string
let early: ReadonlyArray<string>
let later: ReadonlyArray<string>
beforeAll(async () => {
  cwd = await dirs.make()
  // Both files cut at the same dates, so the later files hold every bar of the earlier ones.
  early = [await sliceUntil(orclFile, "1999-06-30", cwd, "orcl-early.csv"), await sliceUntil(nvdaFile, "1999-06-30", cwd, "nvda-early.csv")]
  later = [await sliceUntil(orclFile, "2001-12-31", cwd, "orcl-later.csv"), await sliceUntil(nvdaFile, "2001-12-31", cwd, "nvda-later.csv")]
})

describe("a simulation driven across processes", () => {
  const id = "paper-ma-crossover-1"

  it.concurrent("deploy → start --data → pause → resume --data (skipping what the store holds) → status → stop → results, report, compare", async () => {
    const record = await cliJson(["deploy", exampleConfig("crossover.json")], cwd)
    expect(record).toMatchObject({ id, status: "deployed", modelId: "ma-crossover", modelVersion: "v1.0" })

    const started = await cliJson(["start", id, "--data", ...early], cwd)
    expect(started).toMatchObject({ deploymentId: id, state: "running", lastUpdateTime: Date.UTC(1999, 5, 30) })
    expect(started.fed).toBe(started.updates)
    const fedEarly: number = started.fed

    expect(await cliJson(["pause", id], cwd)).toMatchObject({ state: "paused", updates: fedEarly })

    const resumed = await cliJson(["resume", id, "--data", ...later], cwd)
    expect(resumed).toMatchObject({ state: "running", skipped: fedEarly, lastUpdateTime: Date.UTC(2001, 11, 31) })
    expect(resumed.fed).toBeGreaterThan(0)
    expect(resumed.updates).toBe(fedEarly + resumed.fed)

    // Again: everything is in the store already.
    const again = await cli(["resume", id, "--data", ...later], cwd)
    expect(again.code).toBe(0)
    expect(again.stdout).toContain(`continued ${id}: skipped ${resumed.updates} updates already in the store (through 2001-12-31), fed 0`)

    const status = await cli(["status", id], cwd)
    expect(status.stdout).toMatch(/│ State\s+│ running/)
    expect(status.stdout).toMatch(new RegExp(`│ Updates\\s+│ ${resumed.updates.toLocaleString("en-US")}`))
    expect(status.stdout).toMatch(/│ Last update\s+│ 2001-12-31/)

    const stopped = await cliJson(["stop", id], cwd)
    expect(stopped).toMatchObject({ deploymentId: id, state: "stopped", updates: resumed.updates })

    // The same data in one run gives the same results.
    const oneGo = await cliJson(["run", exampleConfig("crossover.json"), "--data", ...later], cwd)
    expect(oneGo.simulation).toBe("paper-ma-crossover-2")
    expect(oneGo.results.metrics).toEqual(stopped.metrics)
    expect(oneGo.results.orders).toEqual(stopped.orders)

    const results = await cliJson(["results", id], cwd)
    expect(results.metrics).toEqual(stopped.metrics)
    expect(results.equityCurve).toHaveLength(resumed.updates)

    const report = await cliJson(["report", id, "--out", "reports/one.html"], cwd)
    expect(report).toEqual({ simulation: id, report: join(cwd, "reports/one.html") })
    expect(existsSync(report.report)).toBe(true)
    const defaultReport = await cli(["report", id], cwd)
    expect(defaultReport.stdout.trim()).toBe(`report: .paperfloor/reports/${id}.html`)

    const compared = await cliJson(["compare", id, "paper-ma-crossover-2"], cwd)
    expect(compared.simulations.map((s: { deploymentId: string }) => s.deploymentId)).toEqual([id, "paper-ma-crossover-2"])
    expect(compared.report).toBe(join(cwd, `.paperfloor/reports/compare-${id}-vs-paper-ma-crossover-2.html`))
    expect(existsSync(compared.report)).toBe(true)
    const table = await cli(["compare", id, "paper-ma-crossover-2"], cwd)
    expect(table.stdout).toMatch(new RegExp(`│\\s+│ ${id}\\s+│ paper-ma-crossover-2\\s+│`))
    expect(table.stdout).toMatch(/│ Sharpe ratio\s+│ \S+\s+│ \S+\s+│/)
    expect(table.stdout).toMatch(/│ Equity \(one scale\)\s+│ [▁▂▃▄▅▆▇█]+\s+│ [▁▂▃▄▅▆▇█]+\s+│/)
    // The curves overlaid, without colour codes in a pipe, then the report's path last.
    expect(table.stdout).toMatch(new RegExp(String.raw`Equity, growth of 1, [^\n]*\n(\s+\d+\.\d\d×\s+[┤┼][^\n]*\n)+  ── ${id}\n  ── paper-ma-crossover-2\nreport: `))
    expect(table.stdout).not.toContain("\u001b")

    const list = await cli(["list"], cwd)
    expect(list.stdout).toMatch(new RegExp(`│ ${id}\\s+│ ma-crossover\\s+│ v1\\.0\\s+│ stopped\\s+│ [0-9-]+ [0-9:]+\\s+│ archived\\s+│`))
    expect(list.stdout).toMatch(/│ paper-ma-crossover-2\s+│/)
    // Every step is a process of its own (a dozen or more per test): minutes on a loaded machine.
  }, 240_000)

  it.concurrent("resume without --data resumes a paused simulation; with --data it resumes it too", async () => {
    const store = ["--store", "other-store"]
    const { id: second } = await cliJson([...store, "deploy", exampleConfig("buy-and-hold.json")], cwd)
    expect(await cliJson([...store, "list"], cwd)).toMatchObject([{ id: second, status: "deployed" }])
    await cliJson([...store, "start", second], cwd)
    await cliJson([...store, "pause", second], cwd)
    expect(await cliJson([...store, "resume", second], cwd)).toMatchObject({ state: "running", updates: 0 })
    await cliJson([...store, "pause", second], cwd)
    const resumed = await cli([...store, "resume", second, "--data", ...early], cwd)
    expect(resumed.code).toBe(0)
    expect(resumed.stdout).toMatch(new RegExp(`^resumed ${second}: fed \\d+ \\(1995-01-03 \\.\\. 1999-06-30\\)\n`))
    expect(existsSync(join(cwd, "other-store/deployments"))).toBe(true)
  }, 240_000)

  it.concurrent("a run killed (SIGKILL) mid-feed, continued by resume --data, ends exactly where an uninterrupted run ends", async () => {
    const dir = await dirs.make()
    const config = exampleConfig("crossover.json")
    const run = spawn(process.execPath, [fileURLToPath(new URL("./fixtures/killable-run.ts", import.meta.url)), "run", config, "--data", ...later], { cwd: dir, stdio: ["ignore", "pipe", "inherit"] })
    const exited = new Promise<NodeJS.Signals | null>((resolve, reject) => {
      run.on("error", reject)
      run.on("exit", (_code, signal) => resolve(signal))
    })
    await new Promise<void>((resolve) => run.stdout.setEncoding("utf8").on("data", (chunk: string) => chunk.includes("two batches in the store") && resolve()))
    run.kill("SIGKILL")
    expect(await exited).toBe("SIGKILL")

    const killed = await cliJson(["status", id], dir)
    expect(killed).toMatchObject({ state: "running", updates: 1000 })
    const resumed = await cliJson(["resume", id, "--data", ...later], dir)
    expect(resumed).toMatchObject({ skipped: 1000, updates: 1000 + resumed.fed })
    await cliJson(["stop", id], dir)
    const continued = await cliJson(["results", id], dir)

    await cliJson(["--store", "whole", "run", config, "--data", ...later], dir)
    const whole = await cliJson(["--store", "whole", "results", id], dir)
    for (const key of ["updates", "metrics", "portfolio", "orders", "fills", "trades", "equityCurve", "firstUpdateTime", "lastUpdateTime"]) {
      expect(continued[key], key).toEqual(whole[key])
    }
  }, 240_000)
})
