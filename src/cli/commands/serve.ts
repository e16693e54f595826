import { readFile } from "node:fs/promises"
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
        "so Alpaca's clients trade it unchanged. With --create-account, creates an account, prints its key pair once, and exits. " +
        "The admin API (/v1/admin: accounts, market updates) takes the key in PAPERFLOOR_ADMIN_KEY, and is off without it."
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
      if (options.createAccount) {
        const config: Record<string, unknown> = options.accountConfig === undefined ? {} : (JSON.parse(await readFile(options.accountConfig, "utf8")) as Record<string, unknown>)
        if (options.symbols !== undefined) config["symbols"] = options.symbols
        const broker = await Broker.open(storageRoot)
        try {
          const { account, keys } = await broker.createAccount(config)
          if (options.json) printJson({ id: account.id, key_id: keys.keyId, secret_key: keys.secretKey })
          else printText(`created account ${account.id}`, `APCA-API-KEY-ID=${keys.keyId}`, `APCA-API-SECRET-KEY=${keys.secretKey}`, "(the secret is shown only now: the store keeps its hash)")
        } finally {
          await broker.close()
        }
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
