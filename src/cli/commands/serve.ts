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

export const serveCommand = (program: Program) =>
  program
    .command("serve")
    .summary("a local paper broker: Alpaca's Trading API v2 over the store's simulations")
    .description(
      "Serves the store: each account is one simulation, reached by its own key pair (APCA-API-KEY-ID / APCA-API-SECRET-KEY), " +
        "so Alpaca's clients trade it unchanged. With --create-account, creates an account, prints its key pair once, and exits " +
        "(through the running server, if one owns the store). paperfloor's own API (/v1: models, simulations, results, reports, diagrams; " +
        "OpenAPI at /v1/openapi.json) and the admin API (/v1/admin: accounts, market updates) take the key in PAPERFLOOR_ADMIN_KEY as a bearer token; " +
        "while the server runs, the other commands on its store go through its API."
    )
    .option("--host <host>", "the address to bind", "127.0.0.1")
    .option("--port <port>", "the port (0: any free port)", portOf, 8700)
    .option("--rate-limit <n>", "requests a minute per key; 0 for no limit", perMinuteOf, 200)
    .option("--create-account", "create an account (a simulation started now), print its id and key pair, and exit")
    .option("--symbols <list>", "with --create-account: the symbols it trades, comma-separated", symbolsOf)
    .option("--account-config <file>", "with --create-account: a JSON simulation config (initialCapital, calendar, …) over the account defaults")
    .option("--json", "with --create-account: print { id, key_id, secret_key } as JSON")
    .action(async (options, command) => {
      const storageRoot = command.optsWithGlobals().store
      const { Broker, startBrokerServer } = await import("../../server/index.ts")
      const { liveEndpoint } = await import("../../server/api/endpoint-file.ts")
      const { createAccountThrough } = await import("../remote-store.ts")
      /** A new account in the store, opened here. */
      const createAccount = async (root: string, config: Record<string, unknown>) => {
        const broker = await Broker.open(root)
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
      const server = await startBrokerServer({ storageRoot, host: options.host, port: options.port, rateLimit: options.rateLimit === 0 ? null : { requests: options.rateLimit, perMs: 60_000 }, ...(adminKey ? { adminKey } : {}) })
      printText(`paperfloor serve: listening on ${server.url} (store ${shownPath(server.broker.root)}; accounts: ${server.broker.accounts.list().length}; admin API ${adminKey ? "on" : "off"})`)
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
