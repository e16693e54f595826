/**
 * `npm run postgres -- start|stop --dir DIR [--port PORT]` (scripts/postgres.ts), as the README's
 * cluster section runs it: the URL it prints reaches a PostgreSQL the store opens, and the data
 * outlives a stop and a start.
 */
import { execFile } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { Effect } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { freePort } from "../../scripts/local-postgres.ts"
import { PostgresStore } from "../../src/runtime/postgres-store.ts"
import { SimulationStore } from "../../src/runtime/simulation-store.ts"

const root = fileURLToPath(new URL("../..", import.meta.url))
// The cluster directory's parent must be one the `postgres` user can enter (mkdtemp's is 0700, so it is the cluster itself).
const directory = mkdtempSync(path.join(tmpdir(), "paperfloor-npm-postgres-"))

const npmPostgres = (args: ReadonlyArray<string>) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile("npm", ["run", "-s", "postgres", "--", ...args], { cwd: root, encoding: "utf8" }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr })
    )
  })

afterAll(async () => {
  await npmPostgres(["stop", "--dir", directory])
  rmSync(directory, { recursive: true, force: true })
})

const storeAt = (url: string) => <A>(body: (store: SimulationStore["Service"]) => Effect.Effect<A, unknown>) =>
  Effect.runPromise(SimulationStore.use(body).pipe(Effect.provide(PostgresStore.layer({ url }))))

describe("npm run postgres", () => {
  it("start prints the URL and leaves it running; start again prints it again; stop keeps the data for the next start", async () => {
    const port = await freePort()
    const started = await npmPostgres(["start", "--dir", directory, "--port", String(port)])
    expect(started).toMatchObject({ code: 0, stdout: `postgres://paperfloor@127.0.0.1:${port}/paperfloor\n` })
    const url = started.stdout.trim()
    await storeAt(url)((store) => store.write([{ type: "put", key: "k", value: "kept" }], [["s", 1]]))

    expect(await npmPostgres(["start", "--dir", directory])).toMatchObject({ code: 0, stdout: `${url}\n` })
    const conflicting = await npmPostgres(["start", "--dir", directory, "--port", String(port + 1)])
    expect(conflicting.code).toBe(2)
    expect(conflicting.stderr).toContain(`the cluster in ${directory} already runs on port ${port}`)

    expect(await npmPostgres(["stop", "--dir", directory])).toMatchObject({ code: 0, stderr: `postgres: stopped (${directory})\n` })
    expect((await npmPostgres(["stop", "--dir", directory])).stderr).toBe(`postgres: none was running in ${directory}\n`)

    expect(await npmPostgres(["start", "--dir", directory, "--port", String(port)])).toMatchObject({ code: 0, stdout: `${url}\n` })
    expect(await storeAt(url)((store) => Effect.all([store.get("k"), store.acknowledgedOf("s")]))).toEqual(["kept", 1])
  })

  it("refuses a missing --dir, a bad port or an unknown command with the usage", async () => {
    for (const [args, message] of [
      [["start"], "postgres: --dir is required"],
      [["start", "--dir", directory, "--port", "99999"], `--port must be a port number 1-65535 (got "99999")`],
      [["restart", "--dir", directory], `unknown command "restart"`]
    ] as const) {
      const { code, stderr } = await npmPostgres(args)
      expect(code).toBe(2)
      expect(stderr).toContain(message)
      expect(stderr).toContain("usage: npm run postgres -- start --dir DIR [--port PORT] | stop --dir DIR")
    }
  })
})
