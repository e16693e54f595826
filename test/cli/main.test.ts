// What the command does around every subcommand: its output when the reader goes away, and a
// command that can never finish.
import { spawn } from "node:child_process"
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { cli, repoRoot, tempDirs } from "./cli-harness.ts"

const dirs = tempDirs()
afterAll(dirs.cleanup)

describe("paperfloor", () => {
  // `paperfloor results x --json | head`: the rest of the output has nowhere to go; that is no error.
  it.concurrent("says nothing and exits 0 when its reader closes stdout before it writes", async () => {
    const child = spawn(process.execPath, [join(repoRoot, "src/cli/main.ts"), "diagram", "order"], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] })
    child.stdout.destroy()
    let stderr = ""
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on("error", reject)
      child.on("close", resolve)
    })
    expect(stderr).toBe("")
    expect(code).toBe(0)
  })

  // A model's message could set the terminal's title, clear the screen, or (with \r) overwrite what was printed.
  it.concurrent("shows control characters from a model as visible escapes, on stdout and in the error line", async () => {
    const cwd = await dirs.make()
    await writeFile(join(cwd, "loud.ts"), 'throw new Error("\\x1b]0;owned\\x07\\x1b[2J\\x9b31m\\rX")\n')
    await writeFile(join(cwd, "loud.json"), JSON.stringify({ model: { id: "loud", version: "v1", module: "./loud.ts" }, simulation: { symbols: ["ORCL"] } }))
    const shown = "\\u001b]0;owned\\u0007\\u001b[2J\\u009b31m\\u000dX"
    const validate = await cli(["validate", "loud.json"], cwd)
    expect(validate.code).toBe(1)
    expect(validate.stdout).toContain(`model.module failed to import (${shown})`)
    const deploy = await cli(["deploy", "loud.json"], cwd)
    expect(deploy.code).toBe(1)
    expect(deploy.stderr).toContain(`failed to import (${shown})`)
    for (const output of [validate.stdout, deploy.stderr]) expect(output).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/)
  })

  // Node would exit 13 with a warning about the command's own source line.
  it.concurrent("names a model module whose top-level await never settles, exit 3", async () => {
    const cwd = await dirs.make()
    await writeFile(join(cwd, "hangs.ts"), "await new Promise(() => {})\nexport const modelKind = undefined\n")
    await writeFile(join(cwd, "hangs.json"), JSON.stringify({ model: { id: "hangs", version: "v1", module: "./hangs.ts" }, simulation: { symbols: ["ORCL"] } }))
    const result = await cli(["validate", "hangs.json"], cwd)
    expect(result).toEqual({
      code: 3,
      stdout: "",
      stderr: "error: the command stopped before it finished: something it waited for never settles (a model module's top-level await, say)\n"
    })
  })
})
