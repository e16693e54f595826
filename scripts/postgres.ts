// A PostgreSQL for trying the PostgreSQL store and cluster mode on one machine, from Debian's
// packages (`node scripts/ensure-postgres.ts` installs them), on 127.0.0.1 only, trust login:
//
//   npm run postgres -- start --dir ./pg [--port 5433]   makes the cluster if ./pg holds none, starts it,
//                                                         prints its URL and leaves it running
//   npm run postgres -- stop --dir ./pg                   stops it; the data stays in ./pg
//
// Starting one that already runs prints its URL again.
import * as path from "node:path"
import { parseArgs } from "node:util"
import { localPostgresUrl, runningPort, startLocalPostgres, stopLocalPostgresAt } from "./local-postgres.ts"

const usage = "usage: npm run postgres -- start --dir DIR [--port PORT] | stop --dir DIR"

const fail = (message: string): never => {
  console.error(`postgres: ${message}\n${usage}`)
  process.exit(2)
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { dir: { type: "string" }, port: { type: "string" } }
})

const [command, ...rest] = positionals
if (rest.length > 0) fail(`unexpected arguments: ${rest.join(" ")}`)
if (values.dir === undefined) fail("--dir is required")
// npm runs scripts in the package root; a relative --dir means where the user typed it.
const directory = path.resolve(process.env["INIT_CWD"] ?? process.cwd(), values.dir!)

if (command === "start") {
  const port = values.port === undefined ? undefined : Number(values.port)
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) fail(`--port must be a port number 1-65535 (got ${JSON.stringify(values.port)})`)
  const running = runningPort(directory)
  if (running !== undefined) {
    if (port !== undefined && port !== running) fail(`the cluster in ${directory} already runs on port ${running}`)
    console.error(`postgres: already running (${directory})`)
    console.log(localPostgresUrl(running))
  } else {
    const postgres = await startLocalPostgres({ directory, ...(port === undefined ? {} : { port }) })
    console.error(`postgres: started (${directory}); stop it with: npm run postgres -- stop --dir ${values.dir}`)
    console.log(postgres.url)
  }
} else if (command === "stop") {
  console.error(stopLocalPostgresAt(directory) ? `postgres: stopped (${directory})` : `postgres: none was running in ${directory}`)
} else fail(command === undefined ? "a command is required" : `unknown command ${JSON.stringify(command)}`)
