// Feeding a simulation from the command: what an interrupted feed leaves on the terminal.
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const HIDE_CURSOR = "\x1b[?25l"
const SHOW_CURSOR = "\x1b[?25h"

describe("feed", () => {
  // The progress bar hides the cursor (and turns line wrapping off) while it draws; Ctrl-C used to
  // end the process with the terminal left that way.
  it("gives the terminal its cursor back when interrupted mid-feed, and still ends as the signal says", async () => {
    const child = spawn(process.execPath, [fileURLToPath(new URL("./fixtures/interrupted-feed.ts", import.meta.url))], { stdio: ["ignore", "ignore", "pipe"] })
    let stderr = ""
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      child.on("error", reject)
      child.on("exit", (code, signal) => resolve({ code, signal }))
    })
    await new Promise<void>((resolve) => {
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
        stderr += chunk
        if (stderr.includes("500/1200 updates")) resolve()
      })
    })
    child.kill("SIGINT")
    expect(await exited).toEqual({ code: null, signal: "SIGINT" })
    expect(stderr).toContain(HIDE_CURSOR)
    expect(stderr.slice(stderr.lastIndexOf(HIDE_CURSOR))).toContain(SHOW_CURSOR)
  })
})
