// Runs the real `paperfloor` command (src/cli/main.ts on this Node 22) in child processes, and
// reads a store's contents for before/after comparisons.
import { type ChildProcess, spawn } from "node:child_process"
import { createHash } from "node:crypto"
import { existsSync } from "node:fs"
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import { Level } from "level"

export const repoRoot = fileURLToPath(new URL("../../", import.meta.url))
const main = join(repoRoot, "src/cli/main.ts")
export const bundled = (name: string) => join(repoRoot, "examples/data", name)
export const orclFile = bundled("orcl-1995-2014.txt")
export const nvdaFile = bundled("nvda-1999-2014.txt")
export const exampleConfig = (name: string) => join(repoRoot, "examples/configs", name)

export interface CliResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** `paperfloor <args>` in `cwd`, to its end. */
export const cli = (args: ReadonlyArray<string>, cwd: string): Promise<CliResult> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    child.on("error", reject)
    child.on("close", (code) => resolve({ code, stdout, stderr }))
  })

/** Runs the command and parses its stdout as one JSON document; fails with its stderr if it exits non-zero. */
export const cliJson = async <A = any>(args: ReadonlyArray<string>, cwd: string): Promise<A> => {
  const result = await cli([...args, "--json"], cwd)
  if (result.code !== 0) throw new Error(`paperfloor ${args.join(" ")} exited ${result.code}: ${result.stderr}`)
  return JSON.parse(result.stdout) as A
}

/** A fresh temporary directory; `cleanup` removes every one made. */
export const tempDirs = () => {
  const made: string[] = []
  return {
    make: async (): Promise<string> => {
      const dir = await mkdtemp(join(tmpdir(), "paperfloor-cli-"))
      made.push(dir)
      return dir
    },
    cleanup: () => Promise.all(made.splice(0).map((d) => rm(d, { recursive: true, force: true })))
  }
}

/** A bundled file's header and its rows up to `lastDate` (YYYY-MM-DD, inclusive), written to `dir/name`. */
export const sliceUntil = async (source: string, lastDate: string, dir: string, name: string): Promise<string> => {
  const [header, ...rows] = (await readFile(source, "utf8")).trim().split("\n")
  const path = join(dir, name)
  await writeFile(path, `${[header, ...rows.filter((row) => row.slice(0, 10) <= lastDate)].join("\n")}\n`)
  return path
}

/**
 * What a store holds: every file outside the LevelDB directory with the sha256 of its content,
 * and every key and value in the LevelDB store. (LevelDB's own files change whenever it is
 * opened, so its contents are compared, not its files.)
 */
export const storeContents = async (root: string, options: { readonly leveldb: boolean } = { leveldb: true }) => {
  const files: Record<string, string> = {}
  if (existsSync(root)) {
    for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
      const path = join(entry.parentPath, entry.name)
      const name = relative(root, path)
      // The simulations' LevelDB files and the storage root's lock (storage-root-lock.ts) change whenever they are opened.
      if (["simulations", "lock"].some((dir) => name === dir || name.startsWith(`${dir}/`))) continue
      files[name] = entry.isFile() ? createHash("sha256").update(await readFile(path)).digest("hex") : "(directory)"
    }
  }
  const simulations = join(root, "simulations")
  const entries: Array<[string, string]> = []
  if (options.leveldb && existsSync(simulations)) {
    const db = new Level<string, string>(simulations, { keyEncoding: "utf8", valueEncoding: "utf8" })
    await db.open()
    for await (const entry of db.iterator()) entries.push(entry)
    await db.close()
  }
  return { files, leveldb: existsSync(simulations) ? entries : null }
}

/** A child process that owns the store (its deployer opened the simulations' store) until `release()`. */
export const holdStore = async (root: string, simulationId: string) => {
  const child: ChildProcess = spawn(process.execPath, [fileURLToPath(new URL("./fixtures/hold-store.ts", import.meta.url)), root, simulationId], {
    stdio: ["pipe", "pipe", "inherit"]
  })
  await new Promise<void>((resolve, reject) => {
    child.on("error", reject)
    child.on("exit", (code) => reject(new Error(`the store holder exited ${code} before holding the store`)))
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      if (chunk.includes("holding")) resolve()
    })
  })
  return {
    release: () =>
      new Promise<void>((resolve) => {
        child.removeAllListeners("exit")
        child.on("exit", () => resolve())
        child.stdin!.end()
      })
  }
}

/**
 * `paperfloor <args>` left running in the background (a runner, say), once it prints a line
 * containing "serving on"; rejects with its stderr when it ends first. `started` collects it, for
 * the test to kill after.
 */
export const startServing = (args: ReadonlyArray<string>, started: ChildProcess[], cwd?: string): Promise<ChildProcess> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main, ...args], { ...(cwd === undefined ? {} : { cwd }), stdio: ["ignore", "pipe", "pipe"] })
    started.push(child)
    let stderr = ""
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
    let out = ""
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString()
      if (out.includes("serving on")) resolve(child)
    })
    child.once("exit", (code, signal) => reject(new Error(`paperfloor ${args.join(" ")} ended (${signal ?? code}) before serving: ${stderr}`)))
  })
