import { readFile } from "node:fs/promises"
import { resolve } from "node:path"
import { InvalidArgumentError } from "@commander-js/extra-typings"
import { printJson, printText, shownPath } from "../output.ts"
import type { Program } from "../program.ts"

const portOf = (value: string): number => {
  const port = Number(value)
  if (!/^\d+$/.test(value) || port > 65_535) throw new InvalidArgumentError("must be a port number from 0 to 65535 (0: any free port)")
  return port
}

const perMinuteOf = (value: string): number => {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError("must be a whole number of requests a minute (0: no limit)")
  return Number(value)
}

const symbolsOf = (value: string): string[] => value.split(",").map((s) => s.trim()).filter((s) => s !== "")

const wholeOf = (value: string): number => {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError("must be a whole number of at least 1")
  return Number(value)
}

const speedOf = (value: string) => {
  if (value === "max" || value === "step") return value
  if (!/^\d+(\.\d+)?$/.test(value) || !(Number(value) > 0)) throw new InvalidArgumentError("must be a number above 0 (a multiple of the files' own pace), max, or step")
  return Number(value)
}

/** The cluster's PostgreSQL as `host:port/database`, without its credentials. */
const clusterAddress = async (url: string) => {
  const { Redacted } = await import("effect")
  const { postgresTarget } = await import("../../runtime/postgres-client.ts")
  const target = postgresTarget({ url: Redacted.make(url) })
  return `${target.address}/${target.database}`
}

/** The market options of `serve`: what feeds the server's market, besides the admin API. */
const marketOptions = async (options: { replay?: string[]; speed: number | "max" | "step"; liveFeed?: string; liveSymbols?: string[]; liveLayout: string; marketWindow?: number }) => {
  const { alpacaLayout } = await import("../../data/live/alpaca-layout.ts")
  const { parseReplayFile } = await import("../../server/market-replay.ts")
  if (options.liveLayout !== "paperfloor" && options.liveLayout !== "alpaca") throw new InvalidArgumentError(`--live-layout must be paperfloor or alpaca (got ${JSON.stringify(options.liveLayout)})`)
  const alpaca = options.liveLayout === "alpaca" ? alpacaLayout({ key: process.env["APCA_API_KEY_ID"] ?? "", secret: process.env["APCA_API_SECRET_KEY"] ?? "" }) : undefined
  const symbols = options.liveSymbols
  return {
    ...(options.replay === undefined ? {} : { replay: { files: options.replay.map(parseReplayFile), speed: options.speed } }),
    ...(options.liveFeed === undefined
      ? {}
      : { live: { url: options.liveFeed, ...(symbols === undefined ? {} : { subscription: { trades: symbols, quotes: symbols, bars: symbols } }), ...(alpaca === undefined ? {} : { layout: alpaca }) } }),
    ...(options.marketWindow === undefined ? {} : { window: options.marketWindow })
  }
}

export const serveCommand = (program: Program) =>
  program
    .command("serve")
    .summary("a local paper broker: Alpaca's Trading API v2 over the store's simulations")
    .description(
      "Serves the store: each account is one simulation, reached by its own key pair (APCA-API-KEY-ID / APCA-API-SECRET-KEY), " +
        "so Alpaca's clients trade it unchanged. With --create-account, creates an account, prints its key pair once, and exits " +
        "(through the running server, if one owns the store). paperfloor's own API (/v1: models, simulations, results, reports, diagrams; " +
        "OpenAPI at /v1/openapi.json) and the admin API (/v1/admin: accounts, market updates) take the key in PAPERFLOOR_ADMIN_KEY as a bearer token; " +
        "while the server runs, the other commands on its store go through its API. " +
        "The market (Alpaca's Market Data API v2 at /v2/stocks, its stream at /v2/iex) is what the server is fed: --replay files, a --live-feed, or the admin API's pushes."
    )
    .option("--host <host>", "the address to bind", "127.0.0.1")
    .option("--port <port>", "the port (0: any free port)", portOf, 8700)
    .option("--rate-limit <n>", "requests a minute per key; 0 for no limit", perMinuteOf, 200)
    .option("--create-account", "create an account (a simulation started now), print its id and key pair, and exit")
    .option("--symbols <list>", "with --create-account: the symbols it trades, comma-separated", symbolsOf)
    .option("--account-config <file>", "with --create-account: a JSON simulation config (initialCapital, calendar, …) over the account defaults")
    .option("--json", "with --create-account: print { id, key_id, secret_key } as JSON")
    .option("--replay <files...>", "replay market data files to every account: [bars:|trades:|quotes:][SYMBOL=]file.csv|.jsonl|.parquet")
    .option("--speed <x>", "with --replay: a multiple of the files' own pace, max (as fast as the accounts take it), or step (only POST /v1/admin/market/replay/step advances it)", speedOf, "max" as const)
    .option("--live-feed <url>", "feed a live WebSocket feed to every account (paperfloor's live format, or Alpaca's with --live-layout alpaca)")
    .option("--live-symbols <list>", "with --live-feed: the symbols to subscribe to, comma-separated (default: every account's)", symbolsOf)
    .option("--live-layout <layout>", "with --live-feed: paperfloor, or alpaca (keys in APCA_API_KEY_ID / APCA_API_SECRET_KEY)", "paperfloor")
    .option("--market-window <n>", "minute bars kept per symbol for the Market Data API", wholeOf)
    .action(async (options, command) => {
      const storageRoot = command.optsWithGlobals().store
      const { Broker, startBrokerServer } = await import("../../server/index.ts")
      const { liveEndpoint } = await import("../../server/api/endpoint-file.ts")
      const { createAccountThrough } = await import("../remote-store.ts")
      /** A new account in the store, opened here. */
      const cluster: string | undefined = command.optsWithGlobals().cluster
      const createAccount = async (root: string, config: Record<string, unknown>) => {
        const broker = await Broker.open(root, undefined, cluster === undefined ? {} : { cluster: { postgresUrl: cluster } })
        try {
          const { account, keys } = await broker.createAccount(config)
          return { id: account.id, key_id: keys.keyId, secret_key: keys.secretKey }
        } finally {
          await broker.close()
        }
      }
      if (options.createAccount) {
        const config: Record<string, unknown> = options.accountConfig === undefined ? {} : (JSON.parse(await readFile(options.accountConfig, "utf8")) as Record<string, unknown>)
        if (options.symbols !== undefined) config["symbols"] = options.symbols
        // Through the server that owns the store, if one does.
        const endpoint = await liveEndpoint(resolve(storageRoot))
        const created = endpoint !== undefined ? await createAccountThrough(endpoint, config) : await createAccount(storageRoot, config)
        if (options.json) printJson({ id: created.id, key_id: created.key_id, secret_key: created.secret_key })
        else printText(`created account ${created.id}`, `APCA-API-KEY-ID=${created.key_id}`, `APCA-API-SECRET-KEY=${created.secret_key}`, "(the secret is shown only now: the store keeps its hash)")
        return
      }
      const adminKey = process.env["PAPERFLOOR_ADMIN_KEY"]
      const market = await marketOptions(options)
      const server = await startBrokerServer({
        storageRoot,
        host: options.host,
        port: options.port,
        rateLimit: options.rateLimit === 0 ? null : { requests: options.rateLimit, perMs: 60_000 },
        market,
        ...(adminKey ? { adminKey } : {}),
        ...(cluster === undefined ? {} : { cluster: { postgresUrl: cluster } })
      })
      const feeding = [
        ...(options.replay === undefined ? [] : [`replaying ${options.replay.length} file${options.replay.length === 1 ? "" : "s"} at speed ${options.speed}`]),
        ...(options.liveFeed === undefined ? [] : [`live feed ${options.liveFeed}`])
      ]
      printText(`paperfloor serve: listening on ${server.url} (store ${shownPath(server.broker.root)}${cluster === undefined ? "" : `; simulations on the cluster at ${await clusterAddress(cluster)}`}; accounts: ${server.broker.accounts.list().length}; ${adminKey ? `admin key set: admin API, own API at /v1 and live page at ${server.url}/` : "no admin key: admin API and live page off"}${feeding.map((f) => `; ${f}`).join("")})`)
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off("SIGINT", stop)
          process.off("SIGTERM", stop)
          resolve()
        }
        process.on("SIGINT", stop)
        process.on("SIGTERM", stop)
      })
      await server.close()
      process.stderr.write("paperfloor serve: stopped\n")
    })
