/** Starts the real broker server on an ephemeral loopback port and points the official Alpaca client at it. */
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Alpaca, ApiError, marketData, trading } from "@alpacahq/alpaca-trade-api"
import { type BrokerServer, type MarketOptions, type RateLimitOptions, startBrokerServer } from "../../src/server/index.ts"

export const ADMIN_KEY = "test-admin-key-0123456789"

export interface Harness {
  readonly server: BrokerServer
  readonly root: string
  /** A new account over `config` and the official client signed in to it. */
  readonly account: (config?: Record<string, unknown>) => Promise<{ id: string; keyId: string; secretKey: string; alpaca: Alpaca }>
  /** Pushes market updates into an account's simulation through the admin API. */
  readonly push: (accountId: string, ...updates: ReadonlyArray<Record<string, unknown>>) => Promise<Response>
  /** A raw request to the server (for what the client cannot send). */
  readonly raw: (path: string, init?: RequestInit & { keys?: { keyId: string; secretKey: string } }) => Promise<Response>
  readonly close: () => Promise<void>
}

/** The official client, its trading and market-data hosts rewritten to the local server; no retries or throttling, so every answer is the server's. */
export const clientFor = (baseUrl: string, keyId: string, secret: string): Alpaca =>
  new Alpaca({
    keyId,
    secret,
    paper: true,
    retry: false,
    rateLimit: false,
    middleware: [{ pre: async ({ url, init }) => ({ url: url.replace(trading.TRADING_PAPER_HOST, baseUrl).replace(marketData.MARKET_DATA_HOST, baseUrl), init }) }]
  })

/** The server without a rate limit unless given one: tests make many requests quickly. */
export const startHarness = async (options: { readonly rateLimit?: RateLimitOptions; readonly market?: MarketOptions; readonly root?: string } = {}): Promise<Harness> => {
  const root = options.root ?? (await mkdtemp(join(tmpdir(), "paperfloor-serve-")))
  const server = await startBrokerServer({ storageRoot: root, adminKey: ADMIN_KEY, rateLimit: options.rateLimit ?? null, ...(options.market === undefined ? {} : { market: options.market }) })
  const raw: Harness["raw"] = (path, init = {}) => {
    const { keys, ...rest } = init
    const headers = new Headers(rest.headers)
    if (keys !== undefined) {
      headers.set("APCA-API-KEY-ID", keys.keyId)
      headers.set("APCA-API-SECRET-KEY", keys.secretKey)
    }
    return fetch(`${server.url}${path}`, { ...rest, headers })
  }
  const admin = (path: string, body: unknown) =>
    raw(path, { method: "POST", headers: { authorization: `Bearer ${ADMIN_KEY}`, "content-type": "application/json" }, body: JSON.stringify(body) })
  return {
    server,
    root,
    raw,
    account: async (config = { symbols: ["AAPL", "MSFT"] }) => {
      const response = await admin("/v1/admin/accounts", config)
      if (response.status !== 200) throw new Error(`account creation: ${response.status} ${await response.text()}`)
      const { id, key_id: keyId, secret_key: secretKey } = (await response.json()) as { id: string; key_id: string; secret_key: string }
      return { id, keyId, secretKey, alpaca: clientFor(server.url, keyId, secretKey) }
    },
    push: async (accountId, ...updates) => {
      const response = await admin(`/v1/admin/accounts/${accountId}/updates`, { updates })
      if (response.status !== 200) throw new Error(`updates: ${response.status} ${await response.text()}`)
      return response
    },
    close: async () => {
      await server.close()
      await rm(root, { recursive: true, force: true })
    }
  }
}

/** The error the official client threw for a refused call, with Alpaca's status and code. */
export const refusal = async (call: Promise<unknown>): Promise<ApiError> => {
  try {
    await call
  } catch (e) {
    if (e instanceof ApiError) return e
    throw e
  }
  throw new Error("expected the server to refuse the call")
}
