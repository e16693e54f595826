/**
 * How the command line finds the server that owns a store: `paperfloor serve` writes
 * `<store>/server/endpoint.json` (its URL, a token for this run, its pid; mode 0600, so only the
 * store's owner reads the token) once it listens, and removes it when it stops. A server killed
 * outright leaves the file behind: it is believed only while its process lives and the store's
 * lock is held, which the OS drops with the process.
 */
import { randomBytes } from "node:crypto"
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { isStorageRootHeld } from "../../deploy/storage-root-lock.ts"

export interface Endpoint {
  /** The server's base URL: `http://127.0.0.1:8700`. */
  readonly url: string
  /** This run's bearer token for paperfloor's API and the admin API. */
  readonly token: string
  readonly pid: number
}

export const endpointPath = (storageRoot: string) => join(storageRoot, "server", "endpoint.json")

/** A new run's token: 256 random bits. */
export const newRunToken = () => randomBytes(32).toString("base64url")

export const writeEndpoint = async (storageRoot: string, endpoint: Endpoint): Promise<void> => {
  const path = endpointPath(storageRoot)
  await mkdir(join(storageRoot, "server"), { recursive: true })
  const temp = `${path}.${process.pid}.tmp`
  await writeFile(temp, `${JSON.stringify(endpoint, null, 2)}\n`, { mode: 0o600 })
  await rename(temp, path)
}

export const removeEndpoint = (storageRoot: string): Promise<void> => rm(endpointPath(storageRoot), { force: true })

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    // ESRCH: none; EPERM: a process of another user has that pid (so not the server this user started).
    return false
  }
}

const isEndpoint = (u: unknown): u is Endpoint => {
  const e = u as Partial<Endpoint> | null
  return typeof e === "object" && e !== null && typeof e.url === "string" && typeof e.token === "string" && Number.isSafeInteger(e.pid)
}

/** The endpoint of the server that owns the store now, if one does; undefined without one, or for the trace of a server that is gone. */
export const liveEndpoint = async (storageRoot: string): Promise<Endpoint | undefined> => {
  let endpoint: unknown
  try {
    endpoint = JSON.parse(await readFile(endpointPath(storageRoot), "utf8"))
  } catch {
    return undefined
  }
  if (!isEndpoint(endpoint) || !alive(endpoint.pid)) return undefined
  return (await isStorageRootHeld(storageRoot)) ? endpoint : undefined
}
