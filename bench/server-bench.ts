/**
 * `paperfloor serve` under load (issue 14): the real server (`paperfloor serve`, its own process)
 * driven over loopback by autocannon's concurrent clients.
 * - Orders: `POST /v2/orders` (a GTC limit far below the market, so it rests), each answered 200
 *   only once journaled, spread round-robin over 1, 100 and 1,000 accounts: orders/s and latency
 *   percentiles; before them `GET /v2/account` (a read) as the floor of a request's cost. The
 *   orders rest: each row's accounts hold those of the rows before it too.
 * - Accounts: the server's resident memory with 0, then 100, then 1,000 accounts (memory per
 *   account), the time to create them through the admin API, and the time one update pushed to
 *   the whole server takes to be journaled by every account.
 * - The market: a replay stepped through the admin API (`--speed step`, batches of 500), updates
 *   a second given to every account, with 1 and 100 accounts.
 * Prints its own lines; `npm run bench` runs it as part `server`.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import autocannon from "autocannon"

const ADMIN_KEY = "bench-admin-key-0123456789"
const CONNECTIONS = 32
const DURATION_S = 10
const main = fileURLToPath(new URL("../src/cli/main.ts", import.meta.url))

interface Keys {
  readonly id: string
  readonly key_id: string
  readonly secret_key: string
}

const startServer = async (cwd: string, args: ReadonlyArray<string> = []): Promise<{ child: ChildProcess; url: string }> => {
  const child = spawn(process.execPath, [main, "serve", "--port", "0", "--rate-limit", "0", ...args], { cwd, env: { ...process.env, PAPERFLOOR_ADMIN_KEY: ADMIN_KEY }, stdio: ["ignore", "pipe", "inherit"] })
  const url = await new Promise<string>((resolve, reject) => {
    let out = ""
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk
      const match = /listening on (http:\/\/[^ ]+)/.exec(out)
      if (match !== null) resolve(match[1]!)
    })
    child.on("exit", (code) => reject(new Error(`paperfloor serve exited ${code}`)))
  })
  return { child, url }
}

const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024

const admin = async (url: string, pathname: string, body: unknown) => {
  const response = await fetch(`${url}/v1/admin${pathname}`, { method: "POST", headers: { authorization: `Bearer ${ADMIN_KEY}` }, body: JSON.stringify(body) })
  if (response.status !== 200) throw new Error(`${pathname}: ${response.status} ${await response.text()}`)
  return response.json() as Promise<unknown>
}

/** Creates accounts up to `total`, eight at a time; returns the seconds it took. */
const createAccounts = async (url: string, accounts: Keys[], total: number): Promise<number> => {
  const start = performance.now()
  while (accounts.length < total) {
    const batch = Math.min(8, total - accounts.length)
    accounts.push(...((await Promise.all(Array.from({ length: batch }, () => admin(url, "/accounts", { symbols: ["AAPL"] })))) as Keys[]))
  }
  return (performance.now() - start) / 1000
}

let minute = 0
/** One bar pushed to the whole server; ms until every account has journaled it. */
const pushToAll = async (url: string): Promise<number> => {
  const time = new Date(Date.UTC(2024, 0, 2, 14, 30 + minute++)).toISOString()
  const start = performance.now()
  await admin(url, "/market/updates", { time, bars: { AAPL: { open: 185, high: 186, low: 184, close: 185.5, volume: 1000 } } })
  return performance.now() - start
}

/** autocannon for DURATION_S with CONNECTIONS clients, each request on the next account round-robin. */
const load = (url: string, accounts: ReadonlyArray<Keys>, request: { method: "GET" | "POST"; path: string; body?: (n: number) => string }) =>
  new Promise<autocannon.Result>((resolve, reject) => {
    let n = 0
    autocannon(
      {
        url,
        connections: CONNECTIONS,
        duration: DURATION_S,
        requests: [
          {
            method: request.method,
            path: request.path,
            setupRequest: (req: autocannon.Request) => {
              const account = accounts[n % accounts.length]!
              const body = request.body?.(n)
              n++
              return {
                ...req,
                headers: { "APCA-API-KEY-ID": account.key_id, "APCA-API-SECRET-KEY": account.secret_key, "content-type": "application/json" },
                ...(body === undefined ? {} : { body })
              }
            }
          }
        ]
      },
      (error, result) => (error ? reject(error) : resolve(result))
    )
  })

const REPLAYED = 10_000

/** A replay stepped REPLAYED updates at a time to 1, then 100 accounts: updates per second. */
const replayRates = async (root: string): Promise<string[]> => {
  const cwd = path.join(root, "replay")
  mkdirSync(cwd)
  const open = Date.UTC(2024, 0, 2, 14, 30)
  const rows = ["time,symbol,open,high,low,close,volume"]
  for (let i = 0; i < 2 * REPLAYED; i++) rows.push(`${new Date(open + i * 1000).toISOString()},AAPL,100,101,99,100.5,10`)
  writeFileSync(path.join(cwd, "aapl.csv"), rows.join("\n"))
  const server = await startServer(cwd, ["--replay", "aapl.csv", "--speed", "step"])
  try {
    const accounts: Keys[] = []
    const out: string[] = []
    for (const count of [1, 100]) {
      await createAccounts(server.url, accounts, count)
      const start = performance.now()
      await admin(server.url, "/market/replay/step", { updates: REPLAYED })
      const seconds = (performance.now() - start) / 1000
      out.push(`| ${count} | ${Math.round(REPLAYED / seconds).toLocaleString("en")} | ${Math.round((REPLAYED * count) / seconds).toLocaleString("en")} |`)
    }
    return out
  } finally {
    server.child.kill("SIGTERM")
    await new Promise((resolve) => server.child.on("exit", resolve))
  }
}

const row = (what: string, accounts: number, r: autocannon.Result) => {
  const ok = r["2xx"]
  const rate = ok / (r.duration || DURATION_S)
  const l = r.latency
  return `| ${what} | ${accounts.toLocaleString("en")} | ${Math.round(rate).toLocaleString("en")} | ${l.p50} | ${l.p90} | ${l.p99} | ${r.non2xx + r.errors} |`
}

const root = mkdtempSync(path.join(os.tmpdir(), "paperfloor-server-bench-"))
const { child, url } = await startServer(root)
const lines: string[] = []
try {
  const load0 = os.loadavg()[0]!
  const rss0 = rssMiB(child.pid!)
  const accounts: Keys[] = []
  const memory: string[] = []
  const throughput: string[] = []
  let previous = { count: 0, rss: rss0 }
  for (const count of [1, 100, 1000]) {
    const seconds = await createAccounts(url, accounts, count)
    // Every account gets a price; the first push of a count warms it, the median of five is kept.
    const pushes = [] as number[]
    for (let i = 0; i < 6; i++) pushes.push(await pushToAll(url))
    const push = pushes.slice(1).sort((a, b) => a - b)[2]!
    const rss = rssMiB(child.pid!)
    const perAccount = count === 1 ? "" : `${(((rss - previous.rss) * 1024) / (count - previous.count)).toFixed(0)} KiB`
    memory.push(`| ${count.toLocaleString("en")} | ${rss.toFixed(0)} MiB | ${perAccount} | ${(seconds * 1000 / (count - previous.count)).toFixed(1)} ms | ${push.toFixed(1)} ms |`)
    previous = { count, rss }
    const chosen = accounts.slice(0, count)
    // The read first: the orders placed after rest in the accounts' books.
    throughput.push(row("`GET /v2/account`", count, await load(url, chosen, { method: "GET", path: "/v2/account" })))
    const orders = await load(url, chosen, { method: "POST", path: "/v2/orders", body: (n) => JSON.stringify({ symbol: "AAPL", qty: "1", side: "buy", type: "limit", limit_price: "50", time_in_force: "gtc", client_order_id: `bench-${count}-${n}` }) })
    throughput.push(row(`\`POST /v2/orders\` (limit, GTC, journaled; ${Math.round(orders["2xx"] / count).toLocaleString("en")} placed per account, resting)`, count, orders))
  }
  const replay = await replayRates(root)
  const cpus = os.cpus()
  lines.push(
    "",
    `paperfloor serve under load: ${CONNECTIONS} concurrent connections for ${DURATION_S} s per row, over loopback (autocannon ${(await import("autocannon/package.json", { with: { type: "json" } })).default.version})`,
    `machine: ${cpus[0]?.model ?? "?"} x ${cpus.length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; load average at start ${load0.toFixed(2)}, at end ${os.loadavg()[0]!.toFixed(2)}`,
    "",
    "| request | accounts | per second (2xx) | p50 ms | p90 ms | p99 ms | non-2xx / errors |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...throughput,
    "",
    `| accounts | server RSS (${rss0.toFixed(0)} MiB with none) | per account added | to create one | one update to every account, journaled |`,
    "| ---: | ---: | ---: | ---: | ---: |",
    ...memory,
    "",
    `| accounts | replayed updates/s (${REPLAYED.toLocaleString("en")} stepped at once) | account updates/s (journaled) |`,
    "| ---: | ---: | ---: |",
    ...replay
  )
  console.log(lines.join("\n"))
} finally {
  child.kill("SIGTERM")
  await new Promise((resolve) => child.on("exit", resolve))
  rmSync(root, { recursive: true, force: true })
}
