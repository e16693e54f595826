/**
 * The real `paperfloor` command against a running `paperfloor serve`: every command on the
 * server's store goes through its API and prints, exits and refuses exactly as the same command
 * on a store of its own; and the trace a SIGKILLed server leaves (its endpoint.json) confuses
 * nothing, because the store's lock says whether the server is alive.
 */
import type { ChildProcess } from "node:child_process"
import { existsSync } from "node:fs"
import { readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { afterAll, expect, it } from "vitest"
import { type CliResult, cli, exampleConfig, holdStore, nvdaFile, orclFile, repoRoot, sliceUntil, storeContents, tempDirs } from "./cli-harness.ts"
import { startServe } from "./serve-harness.ts"

const dirs = tempDirs()
const servers: ChildProcess[] = []
/** `paperfloor serve` without an admin key (the command line uses the run's token), killed after the tests if still running. */
const serve = async (cwd: string) => {
  const server = await startServe(cwd, [], "")
  servers.push(server.child)
  return server
}
afterAll(async () => {
  for (const server of servers) server.kill("SIGKILL")
  await dirs.cleanup()
})

/** What differs between two stores by nature: their directories and the times things were made. */
const normalized = ({ code, stdout, stderr }: CliResult, cwd: string) => {
  const clean = (text: string) =>
    text
      .replaceAll(cwd, "<cwd>")
      .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, "<time>")
      .replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/g, "<time>")
  return { code, stdout: clean(stdout), stderr: clean(stderr) }
}

it(
  "gives every store command through the server the output, exit code and error of the same command on a store of its own",
  async () => {
    const data = await dirs.make()
    const q1 = [await sliceUntil(orclFile, "1995-03-31", data, "orcl-q1.csv"), await sliceUntil(nvdaFile, "1995-03-31", data, "nvda-q1.csv")]
    const h1 = [await sliceUntil(orclFile, "1995-06-30", data, "orcl-h1.csv"), await sliceUntil(nvdaFile, "1995-06-30", data, "nvda-h1.csv")]
    const bad = join(data, "bad.json")
    await writeFile(bad, JSON.stringify({ model: { id: "bh", version: "v1", kind: "buy-and-hold", params: { weights: { ORCL: 2 } } }, simulation: { symbols: ["ORCL"], maxPositionSize: 3 } }))
    const changed = join(data, "changed.json")
    const config = JSON.parse(await readFile(exampleConfig("buy-and-hold.json"), "utf8"))
    await writeFile(changed, JSON.stringify({ ...config, model: { ...config.model, params: { weights: { ORCL: 0.05, NVDA: 0.05 } } } }))
    const one = "paper-buy-and-hold-1"
    const two = "paper-buy-and-hold-2"
    const steps: string[][] = [
      ["list"],
      ["deploy", exampleConfig("buy-and-hold.json")],
      ["deploy", exampleConfig("buy-and-hold.json"), "--json"],
      ["deploy", bad],
      ["deploy", changed],
      ["list"],
      ["list", "--json"],
      ["start", one, "--data", ...q1],
      ["start", two, "--json"],
      ["start", one],
      ["status", one],
      ["status", one, "--json"],
      ["status", "paper-nothing-1"],
      ["pause", one],
      ["pause", one, "--json"],
      ["results", one],
      ["resume", one, "--data", ...h1],
      ["resume", one, "--data", ...h1, "--json"],
      ["resume", one, "--data", join(repoRoot, "examples/data/nvda-1999-2014.txt"), `MSFT=${q1[0]}`],
      ["pause", two],
      ["resume", two, "--json"],
      ["stop", one],
      ["stop", two, "--json"],
      ["stop", two],
      ["results", one],
      ["results", two, "--json"],
      ["report", one],
      ["report", two, "--json", "--out", "two.html"],
      ["report", "paper-nothing-1"],
      ["compare", one, two, "--json"],
      ["run", exampleConfig("crossover.json"), "--data", ...h1, "--json"],
      ["list"],
      ["diagram", "simulation"]
    ]
    const direct = await dirs.make()
    const served = await dirs.make()
    // The served store is made by its server.
    const server = await serve(served)
    expect(existsSync(join(served, ".paperfloor/server/endpoint.json"))).toBe(true)
    for (const step of steps) {
      const [own, through] = await Promise.all([cli(step, direct), cli(step, served)])
      expect({ step, ...normalized(through, served) }).toEqual({ step, ...normalized(own, direct) })
    }
    // The reports written through the server are the same pages.
    for (const report of [".paperfloor/reports/paper-buy-and-hold-1.html", "two.html", ".paperfloor/reports/compare-paper-buy-and-hold-1-vs-paper-buy-and-hold-2.html"])
      expect(await readFile(join(served, report), "utf8")).toBe(await readFile(join(direct, report), "utf8"))

    // serve --create-account goes through the server too.
    const [own, through] = await Promise.all([cli(["serve", "--create-account", "--symbols", "AAPL", "--json"], direct), cli(["serve", "--create-account", "--symbols", "AAPL", "--json"], served)])
    expect(through.code).toBe(0)
    const keys = (r: CliResult) => Object.keys(JSON.parse(r.stdout))
    expect(keys(through)).toEqual(keys(own))
    expect(JSON.parse(through.stdout).id).toBe(JSON.parse(own.stdout).id)

    // Stopped cleanly, the server removes its endpoint file, and the store is as the direct one.
    server.child.kill("SIGTERM")
    expect(await server.exited).toBe(0)
    expect(existsSync(join(served, ".paperfloor/server/endpoint.json"))).toBe(false)
    for (const step of [["results", one, "--json"], ["list", "--json"], ["status", two, "--json"]]) {
      const [own, after] = await Promise.all([cli(step, direct), cli(step, served)])
      expect({ step, ...normalized(after, served) }).toEqual({ step, ...normalized(own, direct) })
    }
  },
  600_000
)

it(
  "is not confused by the endpoint file a SIGKILLed server leaves: without a process holding the store, commands run on it directly",
  async () => {
    const cwd = await dirs.make()
    const server = await serve(cwd)
    expect((await cli(["deploy", exampleConfig("buy-and-hold.json")], cwd)).code).toBe(0)
    server.child.kill("SIGKILL")
    await server.exited
    const file = join(cwd, ".paperfloor/server/endpoint.json")
    const stale = JSON.parse(await readFile(file, "utf8")) as { url: string; token: string; pid: number }
    expect(stale.pid).toBe(server.child.pid)

    // The dead server's file: the commands work on the store directly.
    const list = await cli(["list"], cwd)
    expect(list).toMatchObject({ code: 0, stderr: "" })
    expect(list.stdout).toContain("paper-buy-and-hold-1")
    expect(await cli(["start", "paper-buy-and-hold-1"], cwd)).toMatchObject({ code: 0, stderr: "" })

    // A live process that is not the server's (this one) named in the file, the lock free: directly too.
    await writeFile(file, JSON.stringify({ ...stale, pid: process.pid }))
    expect(await cli(["pause", "paper-buy-and-hold-1"], cwd)).toMatchObject({ code: 0, stderr: "" })

    // Another process holds the store (not a server), the file's process is dead: the lock's error, as without the file.
    await writeFile(file, JSON.stringify(stale))
    const holder = await holdStore(join(cwd, ".paperfloor"), "paper-buy-and-hold-1")
    try {
      const refused = await cli(["status", "paper-buy-and-hold-1"], cwd)
      expect(refused.code).toBe(1)
      expect(refused.stderr).toContain("is open in another process")
    } finally {
      await holder.release()
    }

    // A new server takes the store and writes its own endpoint; the commands go through it.
    const next = await serve(cwd)
    const fresh = JSON.parse(await readFile(file, "utf8")) as { token: string; pid: number }
    expect(fresh.pid).toBe(next.child.pid)
    expect(fresh.token).not.toBe(stale.token)
    const resumed = await cli(["resume", "paper-buy-and-hold-1", "--json"], cwd)
    expect(resumed.code).toBe(0)
    expect(JSON.parse(resumed.stdout)).toMatchObject({ deploymentId: "paper-buy-and-hold-1", state: "running" })
    next.child.kill("SIGTERM")
    expect(await next.exited).toBe(0)
  },
  300_000
)

it("refuses a command whose server stopped answering with one line naming it, and changes nothing", async () => {
  const cwd = await dirs.make()
  const server = await serve(cwd)
  // A server that stopped answering: its file names a live process (this one stands in) and a
  // port nobody listens on, while a process holds the lock.
  server.child.kill("SIGKILL")
  await server.exited
  expect((await cli(["deploy", exampleConfig("buy-and-hold.json")], cwd)).code).toBe(0)
  const holder = await holdStore(join(cwd, ".paperfloor"), "paper-buy-and-hold-1")
  const file = join(cwd, ".paperfloor/server/endpoint.json")
  const stale = JSON.parse(await readFile(file, "utf8")) as { url: string }
  await writeFile(file, JSON.stringify({ ...stale, pid: process.pid }))
  try {
    const before = await storeContents(join(cwd, ".paperfloor"), { leveldb: false })
    const refused = await cli(["stop", "paper-buy-and-hold-1"], cwd)
    expect(refused.code).toBe(1)
    expect(await storeContents(join(cwd, ".paperfloor"), { leveldb: false })).toEqual(before)
    expect(refused.stderr).toMatch(new RegExp(`^error: the paperfloor serve that owns the store \\(${stale.url.replace(/[.]/g, "\\.")}\\) did not answer: `))
  } finally {
    await holder.release()
  }
})
