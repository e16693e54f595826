// The README's "The command line" examples, run as written: every `paperfloor …` line of its
// shell blocks, in order, in a fresh directory holding a copy of examples/ (the paths are
// relative to the repository's root). Each must exit 0, and a `> file` redirection must write it.
import { cp, readFile, stat, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { cli, repoRoot, tempDirs } from "./cli-harness.ts"

const dirs = tempDirs()
afterAll(dirs.cleanup)

/** The shell lines of the README section, without comments. */
const readmeCommands = async (): Promise<ReadonlyArray<string>> => {
  const readme = await readFile(join(repoRoot, "README.md"), "utf8")
  const start = readme.indexOf("## The command line")
  const section = readme.slice(start, readme.indexOf("\n## ", start + 1))
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)]
    .flatMap((m) => m[1]!.split("\n"))
    .map((line) => line.replace(/\s+#.*$/, "").trim())
    .filter((line) => line.startsWith("paperfloor "))
}

describe("README: the command line", () => {
  it("runs every example as written", async () => {
    const commands = await readmeCommands()
    expect(commands.length).toBeGreaterThanOrEqual(10)
    const cwd = await dirs.make()
    await cp(join(repoRoot, "examples"), join(cwd, "examples"), { recursive: true })
    for (const command of commands) {
      // The README's lines are plain words; only `> file` needs a shell's help.
      const [words, target] = command.slice("paperfloor ".length).split(/\s+>\s+/)
      const result = await cli(words!.split(/\s+/), cwd)
      expect(result.code, `${command}\n${result.stderr}`).toBe(0)
      if (target !== undefined) {
        await writeFile(join(cwd, target), result.stdout)
        expect((await stat(join(cwd, target))).size).toBeGreaterThan(0)
      }
    }
  })
})
