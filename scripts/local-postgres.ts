/**
 * A throwaway PostgreSQL cluster on loopback, from the binaries of Debian's `postgresql` package:
 * the tests' and the benchmarks' database, and what `npm run postgres` starts for a user trying
 * cluster mode on one machine. PostgreSQL refuses to run as root, so as root the cluster belongs
 * to the `postgres` user the package creates, and its commands run through `runuser`.
 */
import { type SpawnSyncReturns, spawnSync } from "node:child_process"
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import net from "node:net"
import os from "node:os"
import path from "node:path"

export interface LocalPostgres {
  /** `postgres://paperfloor@127.0.0.1:<port>/paperfloor` (trust authentication on loopback only). */
  readonly url: string
  readonly port: number
  /** The cluster's data directory (its log is `postgres.log` in it). */
  readonly directory: string
  /** Stops the server (fast shutdown) and, when it made the directory, removes it. */
  readonly stop: () => void
}

export interface LocalPostgresOptions {
  /** Where the cluster lives; a new temporary directory by default (removed by `stop`). An existing cluster there is started as it is. */
  readonly directory?: string
  /** A free port by default. */
  readonly port?: number
}

const DATABASE = "paperfloor"
const USER = "paperfloor"

/** The directory of Debian's PostgreSQL binaries (the newest version installed), or of those on the PATH. */
export const postgresBinaries = (): string | undefined => {
  const debian = "/usr/lib/postgresql"
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => existsSync(path.join(debian, v, "bin", "pg_ctl")))
      .sort((a, b) => Number(b) - Number(a))
    if (versions[0] !== undefined) return path.join(debian, versions[0], "bin")
  }
  const found = spawnSync("sh", ["-c", "command -v pg_ctl"], { encoding: "utf8" })
  return found.status === 0 && found.stdout.trim() !== "" ? path.dirname(found.stdout.trim()) : undefined
}

const asRoot = process.getuid?.() === 0

/** The `postgres` user's ids, to own the cluster when running as root. */
const postgresUser = (): { readonly uid: number; readonly gid: number } => {
  const uid = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" })
  const gid = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" })
  if (uid.status !== 0 || gid.status !== 0) throw new Error("local-postgres: running as root needs the `postgres` user (Debian's postgresql package makes it)")
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) }
}

/** Runs one of PostgreSQL's programs (as the `postgres` user when root: they refuse to run as root). */
const spawnProgram = (binaries: string, command: string, args: ReadonlyArray<string>): SpawnSyncReturns<string> => {
  const program = path.join(binaries, command)
  return asRoot
    ? spawnSync("runuser", ["-u", "postgres", "--", program, ...args], { encoding: "utf8" })
    : spawnSync(program, args, { encoding: "utf8" })
}

const run = (binaries: string, command: string, args: ReadonlyArray<string>): SpawnSyncReturns<string> => {
  const result = spawnProgram(binaries, command, args)
  if (result.error !== undefined || result.status !== 0)
    throw new Error(`local-postgres: \`${command} ${args.join(" ")}\` failed (${result.error?.message ?? `exit code ${result.status}`}): ${(result.stderr ?? "").trim()}`)
  return result
}

/** A port nothing listens on now (the kernel's pick). */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))))
    })
  })

/** Starts a PostgreSQL cluster on 127.0.0.1 (made first when `directory` holds none) and waits until it takes connections. */
export const startLocalPostgres = async (options: LocalPostgresOptions = {}): Promise<LocalPostgres> => {
  const binaries = postgresBinaries()
  if (binaries === undefined) throw new Error("local-postgres: PostgreSQL is not installed (run `node scripts/ensure-postgres.ts`, or `apt-get install -y postgresql`)")
  const temporary = options.directory === undefined
  const directory = options.directory ?? mkdtempSync(path.join(os.tmpdir(), "paperfloor-pg-"))
  mkdirSync(directory, { recursive: true })
  if (asRoot) {
    const { uid, gid } = postgresUser()
    chownSync(directory, uid, gid)
  }
  const port = options.port ?? (await freePort())
  if (!existsSync(path.join(directory, "PG_VERSION")))
    run(binaries, "initdb", ["-D", directory, "-U", USER, "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-instructions"])
  // Loopback only; its socket in its own directory (the system's may not be writable); fsync on, as durability needs.
  const settings = `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${directory} -c fsync=on -c max_connections=200`
  run(binaries, "pg_ctl", ["-D", directory, "-l", path.join(directory, "postgres.log"), "-o", settings, "-w", "-t", "60", "start"])
  const url = localPostgresUrl(port)
  const exists = run(binaries, "psql", ["-h", "127.0.0.1", "-p", String(port), "-U", USER, "-d", "postgres", "-tAc", `SELECT 1 FROM pg_database WHERE datname = '${DATABASE}'`])
  if (exists.stdout.trim() !== "1") run(binaries, "createdb", ["-h", "127.0.0.1", "-p", String(port), "-U", USER, DATABASE])
  let stopped = false
  return {
    url,
    port,
    directory,
    stop: () => {
      if (stopped) return
      stopped = true
      run(binaries, "pg_ctl", ["-D", directory, "-m", "fast", "-w", "stop"])
      if (temporary) rmSync(directory, { recursive: true, force: true })
    }
  }
}

/** The port of the server running on the cluster in `directory` (from its postmaster.pid), or undefined when none runs there. */
export const runningPort = (directory: string): number | undefined => {
  const pidFile = path.join(directory, "postmaster.pid")
  if (!existsSync(pidFile)) return undefined
  const binaries = postgresBinaries()
  if (binaries === undefined || spawnProgram(binaries, "pg_ctl", ["status", "-D", directory]).status !== 0) return undefined
  // Line 4 of postmaster.pid is the port.
  const port = Number(readFileSync(pidFile, "utf8").split("\n")[3])
  return Number.isInteger(port) && port > 0 ? port : undefined
}

/** Stops the server of the cluster in `directory` (fast shutdown), keeping its data; false when none ran there. */
export const stopLocalPostgresAt = (directory: string): boolean => {
  const binaries = postgresBinaries()
  if (binaries === undefined || runningPort(directory) === undefined) return false
  run(binaries, "pg_ctl", ["-D", directory, "-m", "fast", "-w", "stop"])
  return true
}

/** The URL of a cluster this module started on `port`. */
export const localPostgresUrl = (port: number): string => `postgres://${USER}@127.0.0.1:${port}/${DATABASE}`
