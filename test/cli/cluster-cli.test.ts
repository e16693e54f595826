// Cluster mode from the shell, with the real binary: `paperfloor runner` processes over the run's
// PostgreSQL, and the store commands with --cluster. A runner SIGKILLed in the middle of a run
// changes nothing in its results: they are those of the same run in one process over LevelDB.
import { type ChildProcess, spawn } from "node:child_process"
import { join } from "node:path"
import { createInterface } from "node:readline"
import { afterAll, describe, expect, inject, it } from "vitest"
import { freePort } from "../../scripts/local-postgres.ts"
import { freshDatabase } from "../runtime/cluster/cluster-harness.ts"
import { cli, cliJson, exampleConfig, nvdaFile, orclFile, repoRoot, tempDirs } from "./cli-harness.ts"

const dirs = tempDirs()
const runners: ChildProcess[] = []
afterAll(async () => {
  for (const runner of runners) runner.kill("SIGKILL")
  await dirs.cleanup()
})

/** `paperfloor runner` in `cwd`; resolves once it says it serves. */
const startRunner = (postgresUrl: string, port: number, cwd: string) =>
  new Promise<ChildProcess>((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, "src/cli/main.ts"), "runner", "--postgres", postgresUrl, "--port", String(port)], { cwd, stdio: ["ignore", "pipe", "pipe"] })
    runners.push(child)
    let stderr = ""
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (line.startsWith("paperfloor runner: serving on")) resolve(child)
    })
    child.once("exit", (code, signal) => reject(new Error(`runner ended (${signal ?? code}) before serving: ${stderr}`)))
  })

/** The summary's lines that hold results (not the paths or the time it took). */
const resultsOf = (stdout: string) => stdout.split("\n").filter((line) => line.startsWith("│") && !/Simulation|report/.test(line))

describe("paperfloor runner and --cluster", () => {
  it("a runner that cannot reach PostgreSQL exits 1 naming its address, and serves nothing", async () => {
    const port = await freePort()
    const result = await cli(["runner", "--postgres", `postgres://paperfloor@127.0.0.1:${port}/paperfloor`, "--port", String(await freePort())], await dirs.make())
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(`cannot reach PostgreSQL at 127.0.0.1:${port}`)
    expect(result.stdout).not.toContain("serving")
  })

  it("run --cluster on two runners, one SIGKILLed mid-run: the results are the single process's, and status reads through the cluster", async () => {
    const postgresUrl = await freshDatabase(inject("postgresUrl"), "cli")
    const cwd = await dirs.make()
    const [a, b] = await Promise.all([freePort(), freePort()])
    const first = await startRunner(postgresUrl, a!, cwd)
    await startRunner(postgresUrl, b!, cwd)
    const run = cli(["--cluster", postgresUrl, "run", exampleConfig("crossover.json"), "--data", orclFile, nvdaFile], cwd)
    // Killed while the run feeds it (the feed takes seconds): its shards move to the other runner.
    await new Promise((resolve) => setTimeout(resolve, 1500))
    first.kill("SIGKILL")
    const clustered = await run
    expect(clustered.code, clustered.stderr).toBe(0)

    const local = await cli(["run", exampleConfig("crossover.json"), "--data", orclFile, nvdaFile], await dirs.make())
    expect(local.code, local.stderr).toBe(0)
    expect(resultsOf(clustered.stdout)).toEqual(resultsOf(local.stdout))
    expect(resultsOf(clustered.stdout).join("\n")).toContain("341 fills")

    const status = await cliJson<{ state: string; updates: number }>(["--cluster", postgresUrl, "status", "paper-ma-crossover-1"], cwd)
    expect(status.state).toBe("stopped")
    expect(status.updates).toBe(5036)
  })
})
