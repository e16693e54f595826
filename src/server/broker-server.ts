/**
 * `paperfloor serve`'s HTTP server: Alpaca's Trading API v2 at `/v2/…` for each account (its key
 * pair in `APCA-API-KEY-ID` / `APCA-API-SECRET-KEY`), its `trade_updates` stream at `/stream`
 * (WebSocket), Alpaca's Market Data API v2 at `/v2/stocks/…` and its stream at `/v2/{feed}` (from
 * the market the server is fed: see market-tape.ts), the admin API at `/v1/admin/…`, paperfloor's
 * own API at `/v1/…` (`./api/`), and the live page at `/` (`./page/`). It binds 127.0.0.1 unless
 * told otherwise, and owns its store while it runs; while it listens, `<store>/server/endpoint.json`
 * tells the command line where it is.
 */
import { createHash, timingSafeEqual } from "node:crypto"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { adminRoutes } from "./admin-routes.ts"
import { apiServer } from "./api/api-server.ts"
import { newRunToken, removeEndpoint, writeEndpoint } from "./api/endpoint-file.ts"
import { Broker } from "./broker.ts"
import { BrokerApiError, badRequest, forbidden, notFound, unauthorized } from "./broker-error.ts"
import { errorAnswer } from "./error-answer.ts"
import { MAX_BODY_BYTES, readJsonBody, sendJson } from "./http-json.ts"
import { marketAdminRoutes } from "./market-admin-routes.ts"
import { marketDataRoutes } from "./market-data-routes.ts"
import { MARKET_DATA_FEEDS, marketDataStream } from "./market-data-stream.ts"
import { type LiveMarket, type LiveMarketOptions, startLiveMarket } from "./market-live.ts"
import { MarketReplay, type ReplayClock, type ReplayFile, type ReplaySpeed } from "./market-replay.ts"
import { DEFAULT_RATE_LIMIT, makeRateLimiter, type RateLimitOptions } from "./rate-limit.ts"
import { tradeUpdatesStream } from "./trade-updates-stream.ts"
import { tradingRoutes } from "./trading-routes.ts"
import { isPagePath, startLivePage } from "./page/live-page.ts"
import type { ClusterClientOptions } from "../runtime/cluster/cluster-supervisor.ts"

export interface BrokerServerOptions {
  /** The store's root (`paperfloor --store`). */
  readonly storageRoot: string
  /** 127.0.0.1 unless given. */
  readonly host?: string
  /** 0 (the default) picks a free port. */
  readonly port?: number
  /** The admin API's key; without one the admin API is off (403). */
  readonly adminKey?: string
  readonly maxBodyBytes?: number
  /** Requests per key (an account's, or the admin key) over a window: 200 a minute by default, as Alpaca's; null for none. */
  readonly rateLimit?: RateLimitOptions | null
  /** How long a stream socket (trade_updates, market data) may stay open without authenticating: 10 s unless given. */
  readonly streamAuthTimeoutMs?: number
  /** The wall clock: the time of an account before its first update. */
  readonly now?: () => Date
  /** The market the server is fed, besides the admin API's pushes. */
  readonly market?: MarketOptions
  /** Cluster mode: the accounts' simulations run on the runners of the cluster whose PostgreSQL this is (see PaperTradingDeployer's `cluster`). */
  readonly cluster?: ClusterClientOptions
}

export interface MarketOptions {
  /** Replays these files onto the market, at `speed` (`step`: only the admin API's steps advance it). */
  readonly replay?: { readonly files: ReadonlyArray<ReplayFile>; readonly speed: ReplaySpeed; readonly clock?: ReplayClock }
  /** Feeds a live feed onto the market; its subscription is every account's symbols unless given. */
  readonly live?: Omit<LiveMarketOptions, "subscription"> & { readonly subscription?: LiveMarketOptions["subscription"] }
  /** Minute bars kept per symbol for the Market Data API (DEFAULT_MARKET_WINDOW). */
  readonly window?: number
}

export interface BrokerServer {
  readonly broker: Broker
  /** `http://host:port`: the base URL a client is pointed at. */
  readonly url: string
  readonly host: string
  readonly port: number
  /** This run's bearer token for paperfloor's API (also in `<store>/server/endpoint.json`, for the command line): as the admin key, without its rate limit. */
  readonly runToken: string
  /** Stops taking requests, waits for those in flight, and releases the store. */
  readonly close: () => Promise<void>
}

const digest = (text: string) => createHash("sha256").update(text).digest()

const decodeSegment = (segment: string): string => {
  try {
    return decodeURIComponent(segment)
  } catch {
    throw badRequest(`the path segment ${JSON.stringify(segment)} is not valid percent-encoding`)
  }
}

const header = (request: IncomingMessage, name: string): string | undefined => {
  const value = request.headers[name]
  return typeof value === "string" ? value : undefined
}

/** The symbols of every account, for a live feed's subscription to all of them. */
const everyAccountsSymbols = async (broker: Broker) => {
  const symbols = new Set<string>()
  for (const { id } of broker.accounts.list()) for (const s of await broker.paper.inspectSimulation(id, (e) => e.config.symbols).catch(() => [])) symbols.add(s)
  const all = [...symbols]
  return { trades: all, quotes: all, bars: all }
}

export const startBrokerServer = async (options: BrokerServerOptions): Promise<BrokerServer> => {
  const now = options.now ?? (() => new Date())
  const market = options.market ?? {}
  const broker = await Broker.open(options.storageRoot, now, {
    ...(market.window === undefined ? {} : { marketWindow: market.window }),
    ...(options.cluster === undefined ? {} : { cluster: options.cluster })
  })
  let replay: MarketReplay | undefined
  try {
    if (market.replay !== undefined) replay = await MarketReplay.open(broker.market, market.replay.files, market.replay.speed, market.replay.clock)
  } catch (e) {
    await broker.close()
    throw e
  }
  const limit = options.maxBodyBytes ?? MAX_BODY_BYTES
  const adminDigest = options.adminKey === undefined ? undefined : digest(options.adminKey)
  const admin = adminRoutes(broker)
  let live: LiveMarket | undefined
  const marketAdmin = (request: Parameters<typeof admin>[0]) => marketAdminRoutes({ tape: broker.market, ...(replay === undefined ? {} : { replay }), ...(live === undefined ? {} : { live }) })(request)
  const marketData = marketDataRoutes(broker.market.store)
  const runToken = newRunToken()
  const runDigest = digest(runToken)
  const matches = (bearer: string | undefined, expected: Buffer | undefined) => bearer !== undefined && expected !== undefined && timingSafeEqual(digest(bearer), expected)
  const limited = options.rateLimit === null ? () => true : makeRateLimiter(options.rateLimit ?? DEFAULT_RATE_LIMIT, () => now().getTime())
  const tooMany = () => new BrokerApiError({ status: 429, code: 42910000, message: "rate limit exceeded" })
  // One router per account, made on its first request.
  const routers = new Map<string, ReturnType<typeof tradingRoutes>>()

  const route = async (request: IncomingMessage) => {
    const url = new URL(request.url ?? "/", "http://localhost")
    const segments = url.pathname.split("/").filter((s) => s !== "").map(decodeSegment)
    const method = request.method ?? "GET"
    const body = () => readJsonBody(request, limit)
    if (segments[0] === "v1" && segments[1] === "admin") {
      if (adminDigest === undefined) throw forbidden("the admin API is off: start the server with an admin key (PAPERFLOOR_ADMIN_KEY)")
      const bearer = /^Bearer (.+)$/.exec(header(request, "authorization") ?? "")?.[1]
      if (bearer === undefined || !timingSafeEqual(digest(bearer), adminDigest)) throw unauthorized()
      if (!limited("(admin)")) throw tooMany()
      const adminRequest = { method, segments: segments.slice(2), body }
      return segments[2] === "market" ? marketAdmin(adminRequest) : admin(adminRequest)
    }
    if (segments[0] !== "v2") return undefined
    const account = broker.accounts.authenticate(header(request, "apca-api-key-id") ?? "", header(request, "apca-api-secret-key") ?? "")
    if (account === undefined) throw unauthorized()
    if (!limited(account.keyId)) throw tooMany()
    if (segments[1] === "stocks") return marketData({ method, segments: segments.slice(2), query: url.searchParams })
    let trading = routers.get(account.id)
    if (trading === undefined) routers.set(account.id, (trading = tradingRoutes(broker, account, now)))
    return trading({ method, segments: segments.slice(1), query: url.searchParams, body })
  }

  const api = apiServer({
    broker,
    maxBodyBytes: limit,
    authorize: (bearer) => (matches(bearer, runDigest) ? { key: null } : matches(bearer, adminDigest) ? { key: "(admin)" } : undefined),
    limited
  })

  // Requests being answered: a close lets them finish before it releases the store (the deployer
  // would open it again for one whose client has gone).
  const inFlight = new Set<Promise<void>>()
  const track = (work: Promise<void>) => {
    inFlight.add(work)
    void work.finally(() => inFlight.delete(work))
  }
  const handle = (request: IncomingMessage, response: ServerResponse) => {
    if (isPagePath(new URL(request.url ?? "/", "http://localhost").pathname)) return page.handle(request, response)
    if (api.serves(new URL(request.url ?? "/", "http://localhost").pathname)) {
      track(api.handle(request, response).catch((error: unknown) => {
        process.stderr.write(`paperfloor serve: ${request.method} ${request.url}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
        if (!response.headersSent) sendJson(response, 500, { error: "InternalError", message: "internal server error" })
      }))
      return
    }
    track(route(request).then(
      (answer) => {
        if (answer === undefined) throw notFound(`endpoint not found: ${request.method} ${new URL(request.url ?? "/", "http://localhost").pathname}`)
        sendJson(response, answer.status, answer.body)
      }
    ).catch((error: unknown) => {
      const answer = errorAnswer(error)
      if (answer.status >= 500 && !(error instanceof BrokerApiError)) process.stderr.write(`paperfloor serve: ${request.method} ${request.url}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
      // A body refused part-way is not read further: the connection goes with the answer.
      if (answer.status === 413) response.setHeader("connection", "close")
      if (!response.headersSent) sendJson(response, answer.status, { code: answer.code, message: answer.message })
    }))
  }

  const server = createServer(handle)
  const authTimeoutMs = options.streamAuthTimeoutMs ?? 10_000
  const stream = tradeUpdatesStream(broker.accounts, authTimeoutMs)
  const marketStream = marketDataStream(broker.accounts, authTimeoutMs)
  server.on("upgrade", (request, socket, head) => {
    const path = new URL(request.url ?? "/", "http://localhost").pathname
    if (path === "/stream") stream.upgrade(request, socket, head)
    else if (path.startsWith("/v2/") && MARKET_DATA_FEEDS.has(path.slice(4))) marketStream.upgrade(request, socket, head)
    else socket.destroy()
  })
  const unsubscribeMarket = broker.market.subscribe(marketStream.publish)
  const unsubscribeEvents = await broker.paper.subscribeEvents(stream.publish)
  const unsubscribe = () => {
    unsubscribeEvents()
    unsubscribeMarket()
  }
  const stopMarket = async () => {
    await replay?.close()
    await live?.close()
    unsubscribe()
    await marketStream.close()
  }
  const page = await startLivePage({ broker, adminKey: options.adminKey, now })
  const host = options.host ?? "127.0.0.1"
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject)
      server.listen(options.port ?? 0, host, () => {
        server.off("error", reject)
        resolve()
      })
    })
  } catch (e) {
    await stopMarket()
    page.close()
    await stream.close()
    await api.close()
    await broker.close()
    throw e
  }
  replay?.start()
  if (market.live !== undefined) live = startLiveMarket(broker.market, { ...market.live, subscription: market.live.subscription ?? (await everyAccountsSymbols(broker)) })
  const port = (server.address() as AddressInfo).port
  const shownHost = host.includes(":") ? `[${host}]` : host
  const url = `http://${shownHost}:${port}`
  // The command line reaches a server bound to every address on loopback.
  const local = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "[::1]" : shownHost
  await writeEndpoint(broker.root, { url: `http://${local}:${port}`, token: runToken, pid: process.pid })
  return {
    broker,
    url,
    host,
    port,
    runToken,
    close: async () => {
      await removeEndpoint(broker.root)
      await stopMarket()
      page.close()
      await stream.close()
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeIdleConnections()
      })
      await Promise.all(inFlight)
      await api.close()
      await broker.close()
    }
  }
}
