// The README's cluster section, run as written: its shell block line by line. `npm run` lines run
// in the repository (as npm runs them; `./pg` is the repository's pg/, removed after), `paperfloor`
// lines in a fresh directory holding a copy of examples/, a trailing `&` in the background, and
// `kill %1 %2 %3` sends those background jobs SIGTERM, as a shell would.
import { type ChildProcess, execFile } from "node:child_process"
import { chmod, cp, readFile, rm } from "node:fs/promises"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { cli, repoRoot, startServing, tempDirs } from "./cli-harness.ts"

const dirs = tempDirs()
const jobs: ChildProcess[] = []
afterAll(async () => {
  for (const job of jobs) job.kill("SIGKILL")
  await npm(["run", "-s", "postgres", "--", "stop", "--dir", "./pg"])
  await rm(join(repoRoot, "pg"), { recursive: true, force: true })
  await dirs.cleanup()
})

const npm = (args: ReadonlyArray<string>) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile("npm", args, { cwd: repoRoot, encoding: "utf8" }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr })
    )
  })

/** The section's first shell block, without comments. */
const clusterCommands = async (): Promise<ReadonlyArray<string>> => {
  const readme = await readFile(join(repoRoot, "README.md"), "utf8")
  const start = readme.indexOf("## Past one machine: a cluster on PostgreSQL")
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(start))![1]!
  return block.split("\n").map((line) => line.replace(/\s+#.*$/, "").trim()).filter((line) => line !== "")
}

describe("README: the cluster on one machine", () => {
  it("runs every line of the section's commands as written", async () => {
    const commands = await clusterCommands()
    expect(commands.length).toBeGreaterThanOrEqual(7)
    const cwd = await dirs.make()
    await chmod(cwd, 0o755)
    await cp(join(repoRoot, "examples"), join(cwd, "examples"), { recursive: true })
    for (const command of commands) {
      if (command.startsWith("npm ")) {
        const result = await npm(command.slice("npm ".length).split(/\s+/))
        expect(result.code, `${command}\n${result.stderr}`).toBe(0)
      } else if (command.startsWith("paperfloor ") && command.endsWith("&")) {
        await startServing(command.slice("paperfloor ".length, -1).trim().split(/\s+/), jobs, cwd)
      } else if (command.startsWith("paperfloor ")) {
        const result = await cli(command.slice("paperfloor ".length).split(/\s+/), cwd)
        expect(result.code, `${command}\n${result.stderr}`).toBe(0)
        if (command.includes(" run ")) expect(result.stdout).toContain("341 fills")
        if (command.includes(" status ")) expect(result.stdout).toContain("stopped")
      } else if (command.startsWith("kill ")) {
        const exits = jobs.map((job) => new Promise((resolve) => job.once("exit", (code) => resolve(code))))
        for (const job of jobs) job.kill("SIGTERM")
        expect(await Promise.all(exits)).toEqual(jobs.map(() => 0))
      } else throw new Error(`a line this test does not know how to run: ${command}`)
    }
  })
})
