// Cluster mode from the shell, with the real binary: `paperfloor runner` processes over the run's
// PostgreSQL, and the store commands with --cluster. A runner SIGKILLed in the middle of a run
// changes nothing in its results: they are those of the same run in one process over LevelDB.
import type { ChildProcess } from "node:child_process"
import { afterAll, describe, expect, inject, it } from "vitest"
import { freePort } from "../../scripts/local-postgres.ts"
import { freshDatabase } from "../runtime/cluster/cluster-harness.ts"
import { clientFor } from "../server/broker-harness.ts"
import { cli, cliJson, exampleConfig, nvdaFile, orclFile, startServing, tempDirs } from "./cli-harness.ts"
import { startServe } from "./serve-harness.ts"

const dirs = tempDirs()
const runners: ChildProcess[] = []
afterAll(async () => {
  for (const runner of runners) runner.kill("SIGKILL")
  await dirs.cleanup()
})

/** `paperfloor runner` in `cwd`, once it serves. */
const startRunner = (postgresUrl: string, port: number, cwd: string) => startServing(["runner", "--postgres", postgresUrl, "--port", String(port)], runners, cwd)

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

describe("paperfloor serve --cluster", () => {
  it("an account made through the cluster is served to the official Alpaca client; its order fills on a runner", async () => {
    const postgresUrl = await freshDatabase(inject("postgresUrl"), "serve")
    const cwd = await dirs.make()
    await startRunner(postgresUrl, (await freePort())!, cwd)
    const created = await cliJson<{ id: string; key_id: string; secret_key: string }>(["--cluster", postgresUrl, "serve", "--create-account", "--symbols", "AAPL"], cwd)
    const server = await startServe(cwd, ["--cluster", postgresUrl])
    try {
      const alpaca = clientFor(server.url, created.key_id, created.secret_key)
      expect(await alpaca.trading.account.getAccount()).toMatchObject({ id: created.id, cash: "100000" })
      const push = (time: string, price: number) => server.admin(`/accounts/${created.id}/updates`, { time, bars: { AAPL: { open: price, high: price + 1, low: price - 1, close: price } } })
      await push("2024-01-02T14:30:00Z", 100)
      const placed = await alpaca.trading.orders.market({ symbol: "AAPL", qty: 2, side: "buy" })
      await push("2024-01-02T14:31:00Z", 101)
      expect(await alpaca.trading.orders.getOrderByOrderID({ orderId: placed.id! })).toMatchObject({ status: "filled", filledAvgPrice: "101" })
    } finally {
      server.child.kill("SIGTERM")
    }
    expect(await server.exited).toBe(0)
  })
})
