// Runner processes on loopback for the cluster tests and benchmark: each a child running
// runner-child.ts, started on a free port and SIGKILLed at will; and a fresh database per test,
// so that tests sharing a PostgreSQL server share no store and no cluster tables.
import { type ChildProcess, spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import { fileURLToPath } from "node:url"
import { createInterface } from "node:readline"
import { Cause, Effect, Exit, Redacted } from "effect"
import { PgClient } from "@effect/sql-pg"
import { SqlClient } from "effect/sql"
import { freePort } from "../../../scripts/local-postgres.ts"

const childScript = fileURLToPath(new URL("./runner-child.ts", import.meta.url))
// The real Node 22 binary (a symlink, not a shim): a SIGKILL must reach the process doing the work.
const node = fileURLToPath(new URL("../../../node_modules/.bin/node", import.meta.url))

export interface RunnerProcess {
  readonly port: number
  readonly child: ChildProcess
  /** Everything it printed (stdout and stderr), for a failure's message. */
  readonly output: () => string
  /** Resolves with the exit code or signal. */
  readonly exited: Promise<string>
  readonly kill: () => Promise<string>
  /** SIGKILLs it at its next "@@ committed" (started with pauseAfterCommit): inputs durable, their callers not yet answered. */
  readonly killAfterCommit: () => Promise<string>
}

export interface RunnerStart {
  readonly port?: number
  /** See runner-child.ts: a pause after each commit, announced, for a kill to land in. */
  readonly pauseAfterCommit?: number
}

/** Starts a runner and resolves once it prints "@@ ready"; rejects with its output when it fails or exits first. */
export const startRunner = async (postgresUrl: string, options: RunnerStart = {}): Promise<RunnerProcess> => {
  const chosen = options.port ?? (await freePort())
  const pause = options.pauseAfterCommit === undefined ? [] : ["--pause-after-commit", String(options.pauseAfterCommit)]
  // No PORT/HOST of ours leaks into the runner's sharding config (STACK.md's pitfall): it gets its address explicitly.
  const child = spawn(node, [childScript, postgresUrl, String(chosen), ...pause], { stdio: ["pipe", "pipe", "pipe"] })
  let text = ""
  child.stderr!.on("data", (chunk: Buffer) => (text += chunk.toString()))
  const exited = new Promise<string>((resolve) => child.once("exit", (code, signal) => resolve(signal ?? `exit ${code}`)))
  const lines = createInterface({ input: child.stdout! })
  let onCommit: (() => void) | null = null
  lines.on("line", (line) => {
    if (line === "@@ committed") onCommit?.()
    else text += `${line}\n`
  })
  const kill = () => {
    child.kill("SIGKILL")
    return exited
  }
  const ready = new Promise<void>((resolve, reject) => {
    lines.on("line", (line) => {
      if (line === "@@ ready") resolve()
      else if (line.startsWith("@@ fail")) reject(new Error(`runner on port ${chosen} failed: ${line.slice(8)}`))
    })
    void exited.then((how) => reject(new Error(`runner on port ${chosen} ended (${how}) before it was ready:\n${text}`)))
  })
  await ready
  return {
    port: chosen,
    child,
    output: () => text,
    exited,
    kill,
    killAfterCommit: () => new Promise<string>((resolve) => (onCommit = () => void kill().then(resolve)))
  }
}

/** `count` runners, started together; if one fails to start, the others are killed. */
export const startRunners = async (postgresUrl: string, count: number, options: RunnerStart = {}): Promise<RunnerProcess[]> => {
  const started = await Promise.allSettled(Array.from({ length: count }, () => startRunner(postgresUrl, options)))
  const runners = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []))
  const failed = started.find((s) => s.status === "rejected")
  if (failed === undefined) return runners
  await Promise.all(runners.map((r) => r.kill()))
  throw failed.reason
}

/** Runs an effect on a connection to `url`. */
export const withSql = <A>(url: string, f: (sql: SqlClient.SqlClient) => Effect.Effect<A, unknown>): Promise<A> =>
  Effect.runPromise(Effect.gen(function* () { return yield* f(yield* SqlClient.SqlClient) }).pipe(Effect.provide(PgClient.layer({ url: Redacted.make(url), maxConnections: 1 })), Effect.orDie))

/** A new empty database on the server of `url`; its URL. */
export const freshDatabase = async (url: string, prefix: string): Promise<string> => {
  const name = `${prefix}_${randomBytes(4).toString("hex")}`
  await withSql(url, (sql) => sql.unsafe(`CREATE DATABASE ${name}`))
  const fresh = new URL(url)
  fresh.pathname = `/${name}`
  return fresh.toString()
}

/** The call's outcome within `bound` ms: "succeeded", its error's tag, or "hung". */
export const within = <A, E>(bound: number, call: Effect.Effect<A, E>) =>
  call.pipe(
    Effect.timeoutOption(`${bound} millis`),
    Effect.exit,
    Effect.map((exit) =>
      Exit.isSuccess(exit) ? (exit.value._tag === "None" ? "hung" : "succeeded") : ((Cause.squash(exit.cause) as { _tag?: string })._tag ?? String(Cause.squash(exit.cause)))
    )
  )
