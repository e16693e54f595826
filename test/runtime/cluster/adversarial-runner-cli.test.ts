// Adversarial review (issue 15): `paperfloor runner` with bad options. Each must exit 1 at once
// with an error naming the option and what is wrong with it, and never join the cluster.
import { spawn } from "node:child_process"
import net from "node:net"
import { join } from "node:path"
import { afterAll, describe, expect, inject, it } from "vitest"
import { freePort } from "../../../scripts/local-postgres.ts"
import { repoRoot, tempDirs } from "../../cli/cli-harness.ts"
import { freshDatabase, withSql } from "./cluster-harness.ts"

const dirs = tempDirs()
afterAll(() => dirs.cleanup())

/** `paperfloor runner …`, SIGKILLed if still running after `bound` ms (a runner that serves never exits by itself). */
const runner = (args: ReadonlyArray<string>, cwd: string, bound = 15_000) =>
  new Promise<{ code: number | null; stdout: string; stderr: string; killed: boolean }>((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, "src/cli/main.ts"), "runner", ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    let killed = false
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    const timer = setTimeout(() => {
      killed = true
      child.kill("SIGKILL")
    }, bound)
    child.on("error", reject)
    child.on("close", (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr, killed })
    })
  })

const registeredRunners = (url: string) =>
  withSql(url, (sql) => sql<{ address: string }>`SELECT address FROM cluster_runners`).catch(() => [] as ReadonlyArray<{ address: string }>)

describe("paperfloor runner with bad options", () => {
  it("a port already in use: exit 1 naming the address and why, not a bare \"Open\"", async () => {
    const postgresUrl = await freshDatabase(inject("postgresUrl"), "adv_cli_port")
    const port = await freePort()
    const holder = net.createServer()
    await new Promise<void>((resolve) => holder.listen(port, "127.0.0.1", resolve))
    try {
      const result = await runner(["--postgres", postgresUrl, "--port", String(port)], await dirs.make())
      expect(result.code).toBe(1)
      expect(result.stdout).not.toContain("serving")
      expect(result.stderr).toContain(`127.0.0.1:${port}`)
      expect(result.stderr).toMatch(/EADDRINUSE|in use/)
    } finally {
      holder.close()
    }
  })

  it("a --host it cannot listen on: exit 1 naming the host, not a bare \"Open\"", async () => {
    const postgresUrl = await freshDatabase(inject("postgresUrl"), "adv_cli_host")
    const result = await runner(["--postgres", postgresUrl, "--port", String(await freePort()), "--host", "256.1.1.1"], await dirs.make())
    expect(result.code).toBe(1)
    expect(result.stderr).toContain("256.1.1.1")
  })

  it("an empty --host is refused (nobody could reach a runner registered at \":port\"), and nothing registers", async () => {
    const postgresUrl = await freshDatabase(inject("postgresUrl"), "adv_cli_empty")
    const result = await runner(["--postgres", postgresUrl, "--port", String(await freePort()), "--host", ""], await dirs.make())
    expect(result.killed, `it served instead: ${result.stdout}`).toBe(false)
    // Wrong usage (a bad option value) is exit code 2, as for every command.
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("--host")
    expect(await registeredRunners(postgresUrl)).toEqual([])
  })
})
