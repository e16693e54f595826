/** The real `paperfloor serve`, spawned for the command-line tests. */
import { type ChildProcessByStdio, spawn } from "node:child_process"
import { join } from "node:path"
import type { Readable } from "node:stream"
import { repoRoot } from "./cli-harness.ts"

export const SERVE_ADMIN_KEY = "cli-admin-key-0123456789"

export interface RunningServe {
  readonly child: ChildProcessByStdio<null, Readable, Readable>
  /** `http://127.0.0.1:<port>`, read from the line it prints once it listens. */
  readonly url: string
  /** Its exit code, once it has exited. */
  readonly exited: Promise<number | null>
  readonly stderr: () => string
  /** A call to its admin API (`/v1/admin<path>`), GET without a body and POST with one; the answer's JSON. */
  readonly admin: <T = unknown>(path: string, body?: unknown) => Promise<T>
}

/** `paperfloor serve --port 0 …args` in `cwd` with `adminKey` ("" for none), once it listens. */
export const startServe = async (cwd: string, args: ReadonlyArray<string> = [], adminKey = SERVE_ADMIN_KEY): Promise<RunningServe> => {
  const child = spawn(process.execPath, [join(repoRoot, "src/cli/main.ts"), "serve", "--port", "0", ...args], {
    cwd,
    env: { ...process.env, PAPERFLOOR_ADMIN_KEY: adminKey },
    stdio: ["ignore", "pipe", "pipe"]
  })
  let stderr = ""
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve))
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)
      if (match !== null) resolve(match[1]!)
    })
    child.on("close", (code) => reject(new Error(`serve exited ${code}: ${stderr}`)))
  })
  const admin = async <T,>(path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${url}/v1/admin${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: { authorization: `Bearer ${adminKey}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    })
    return (await response.json()) as T
  }
  return { child, url, exited, stderr: () => stderr, admin }
}
