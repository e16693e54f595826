/**
 * The live page at `/` (with its files, data and live feed under `/ui/`): the store's simulations,
 * and each one's machines, orders, equity, positions and events, updated as they change.
 *
 * Every request needs a session, made by signing in with the admin key (`POST /ui/login`, a form:
 * the key never travels in a URL, so it is never logged); without one, the sign-in page is all a
 * request gets. Sign-in attempts are limited per address (SIGN_IN_LIMIT), and a sign-in or
 * sign-out from another origin is refused, as is any method but GET and those two POSTs.
 */
import type { IncomingMessage, ServerResponse } from "node:http"
import { simulationIdPattern } from "../../runtime/store-keys.ts"
import type { Broker } from "../broker.ts"
import { sendJson, readBodyText } from "../http-json.ts"
import { makeRateLimiter, type RateLimitOptions } from "../rate-limit.ts"
import { liveFeed } from "./live-feed.ts"
import { appShell, LOGIN_POLICY, loginPage, PAGE_POLICY, pageFile } from "./page-assets.ts"
import { PageSessions } from "./page-sessions.ts"
import { SimulationLog } from "./simulation-log.ts"
import { simulationViews } from "./simulation-view.ts"

export const SIGN_IN_LIMIT: RateLimitOptions = { requests: 10, perMs: 60_000 }
/** A sign-in form holds one key: anything longer is refused unread. */
const FORM_BYTES = 4096

const COMMON_HEADERS = {
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
  "x-frame-options": "DENY"
} as const

export interface LivePageOptions {
  readonly broker: Broker
  /** Without one, nobody can sign in (the sign-in page says so). */
  readonly adminKey: string | undefined
  readonly now: () => Date
}

/** Whether a path is the page's: `/`, and everything under `/ui/`. */
export const isPagePath = (pathname: string): boolean => pathname === "/" || pathname === "/ui" || pathname.startsWith("/ui/")

const send = (response: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}) => {
  response.writeHead(status, { ...COMMON_HEADERS, "content-type": type, "content-length": Buffer.byteLength(body), ...headers })
  response.end(body)
}

const html = (response: ServerResponse, status: number, body: string, policy: string, headers: Record<string, string> = {}) =>
  send(response, status, "text/html; charset=utf-8", body, { "content-security-policy": policy, ...headers })

const redirectHome = (response: ServerResponse, headers: Record<string, string> = {}) => {
  response.writeHead(303, { ...COMMON_HEADERS, location: "/", "content-length": 0, ...headers })
  response.end()
}

const problem = (response: ServerResponse, status: number, message: string) => {
  response.setHeader("cache-control", "no-store")
  sendJson(response, status, { code: status, message })
}

/** A path segment percent-decoded; null when it is not valid percent-encoding (then no simulation has it). */
const decoded = (segment: string): string | null => {
  try {
    return decodeURIComponent(segment)
  } catch {
    return null
  }
}

/**
 * A cross-site form post says where it came from (`Sec-Fetch-Site` in today's browsers, `Origin`
 * in older ones): only this server's own page may sign in or out. A client that is no browser
 * sends neither, and needs the key anyway.
 */
const sameOrigin = (request: IncomingMessage) => {
  const site = request.headers["sec-fetch-site"]
  if (site !== undefined) return site === "same-origin"
  const origin = request.headers.origin
  if (origin === undefined) return true
  try {
    return new URL(origin).host === request.headers.host
  } catch {
    return false
  }
}

export const startLivePage = async (options: LivePageOptions) => {
  const { broker, now } = options
  const clock = () => now().getTime()
  const sessions = new PageSessions(options.adminKey, clock)
  const log = new SimulationLog(now)
  const views = simulationViews(broker, log)
  const feed = liveFeed(views)
  const signInAllowed = makeRateLimiter(SIGN_IN_LIMIT, clock)
  const unsubscribe = await broker.paper.subscribeEvents((event) => {
    log.record(event)
    feed.changed(event.simulationId)
  })
  // The orders already working start their paths where they are now; their earlier steps are not
  // known. A store or simulation that cannot be read here still serves the broker API: the page
  // shows why when it is opened.
  for (const record of await broker.paper.listSimulations().catch(() => [])) {
    const open = await broker.paper.inspectSimulation(record.id, (engine) => engine.getOpenOrders()).catch(() => [])
    for (const order of open) log.seen(record.id, order.id, order.status)
  }

  /** The simulation named in a path or query, or a 404 answered. */
  const knownSimulation = async (id: string | null, response: ServerResponse): Promise<string | undefined> => {
    if (id !== null && simulationIdPattern.test(id) && (await broker.paper.listSimulations()).some((r) => r.id === id)) return id
    problem(response, 404, `simulation not found: ${JSON.stringify(id)}`)
    return undefined
  }

  const signIn = async (request: IncomingMessage, response: ServerResponse) => {
    if (!sameOrigin(request)) return html(response, 403, loginPage("Sign in from this server's own page.", sessions.enabled), LOGIN_POLICY)
    if (!signInAllowed(request.socket.remoteAddress ?? "(unknown)")) return html(response, 429, loginPage("Too many attempts: wait a minute.", sessions.enabled), LOGIN_POLICY)
    const form = new URLSearchParams(await readBodyText(request, FORM_BYTES))
    const cookie = sessions.signIn(form.get("key") ?? "")
    if (cookie === undefined) return html(response, 401, loginPage(sessions.enabled ? "That is not the admin key." : null, sessions.enabled), LOGIN_POLICY)
    redirectHome(response, { "set-cookie": cookie })
  }

  const route = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? "/", "http://localhost")
    const path = url.pathname
    const method = request.method ?? "GET"
    if (method !== "GET" && method !== "POST") return problem(response, 405, `method not allowed: ${method}`)
    if (path === "/ui/login") return method === "POST" ? signIn(request, response) : redirectHome(response)
    const cookies = request.headers.cookie
    if (!sessions.valid(cookies)) return html(response, path === "/" ? 200 : 401, loginPage(null, sessions.enabled), LOGIN_POLICY)
    if (path === "/ui/logout" && method === "POST") {
      if (!sameOrigin(request)) return problem(response, 403, "sign out from this server's own page")
      return redirectHome(response, { "set-cookie": sessions.signOut(cookies) })
    }
    if (method !== "GET") return problem(response, 405, `method not allowed: ${method} ${path}`)
    if (path === "/") return html(response, 200, appShell(), PAGE_POLICY)
    if (path === "/ui/live") {
      // The stream lives as long as the session that opened it (signed out, or expired, it ends).
      const alive = () => sessions.valid(cookies)
      const watched = url.searchParams.get("simulation")
      if (watched === null) return feed.watch(response, null, COMMON_HEADERS, alive)
      const id = await knownSimulation(watched, response)
      if (id !== undefined) feed.watch(response, id, COMMON_HEADERS, alive)
      return
    }
    if (path === "/ui/api/simulations") return sendJson(response, 200, await views.list())
    const viewed = /^\/ui\/api\/simulations\/([^/]+)$/.exec(path)
    if (viewed !== null) {
      const id = await knownSimulation(decoded(viewed[1]!), response)
      if (id !== undefined) sendJson(response, 200, await views.view(id))
      return
    }
    const file = path.startsWith("/ui/") ? pageFile(path.slice(4)) : undefined
    if (file === undefined) return problem(response, 404, `not found: ${path}`)
    send(response, 200, file.type, file.body, { "content-security-policy": PAGE_POLICY })
  }

  return {
    handle: (request: IncomingMessage, response: ServerResponse): void => {
      route(request, response).catch((error: unknown) => {
        const status = typeof error === "object" && error !== null && "status" in error && typeof error.status === "number" ? error.status : 500
        if (status >= 500) process.stderr.write(`paperfloor serve: ${request.method} ${url(request)}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
        if (status === 413) response.setHeader("connection", "close")
        if (!response.headersSent) problem(response, status, status >= 500 ? "internal server error" : error instanceof Error ? error.message : String(error))
      })
    },
    /** Ends the live streams and stops listening to the engine. */
    close: () => {
      unsubscribe()
      feed.close()
    }
  }
}

/** The request's path without its query: what is logged (a query could hold anything). */
const url = (request: IncomingMessage) => new URL(request.url ?? "/", "http://localhost").pathname

export type LivePage = Awaited<ReturnType<typeof startLivePage>>
