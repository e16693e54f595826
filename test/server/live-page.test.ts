// The live page's doors, over HTTP against the real server: nothing but the sign-in page without
// a session, the admin key only in a form body, sessions that end, hostile sign-ins refused and
// nothing changed, and the page's data and live feed once signed in.
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import { uplotAssets } from "../../src/report/uplot-assets.ts"
import { startBrokerServer } from "../../src/server/index.ts"
import { SESSION_MS } from "../../src/server/page/page-sessions.ts"
import { ADMIN_KEY, type Harness, startHarness } from "./broker-harness.ts"

let h: Harness
let account: string

const get = (path: string, cookie?: string) => h.raw(path, cookie === undefined ? {} : { headers: { cookie } })

/** Signs in with `key` from the page's own origin, as the page's form does. */
const signIn = (baseUrl: string, key: string, headers: Record<string, string> = {}) =>
  fetch(`${baseUrl}/ui/login`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "same-origin", ...headers },
    body: new URLSearchParams({ key }),
    redirect: "manual"
  })

const sessionOf = (response: Response) => response.headers.get("set-cookie")?.split(";")[0]

/** A server-sent event stream's events, one at a time. */
const eventsOf = (response: Response) => {
  const reader = response.body!.getReader()
  const decoder = new TextDecoder()
  let text = ""
  return {
    next: async (): Promise<{ event: string; data: unknown }> => {
      for (;;) {
        let end: number
        while ((end = text.indexOf("\n\n")) >= 0) {
          const block = text.slice(0, end)
          text = text.slice(end + 2)
          const event = /^event: (.*)$/m.exec(block)?.[1]
          const data = /^data: (.*)$/m.exec(block)?.[1]
          if (event !== undefined && data !== undefined) return { event, data: JSON.parse(data) }
        }
        const { value, done } = await reader.read()
        if (done) throw new Error("the stream ended")
        text += decoder.decode(value, { stream: true })
      }
    },
    close: () => reader.cancel()
  }
}

const PAGE_PATHS = ["/", "/ui", "/ui/app.js", "/ui/app.css", "/ui/uplot.js", "/ui/uplot.css", "/ui/api/simulations", "/ui/live", "/ui/nothing-here"]

beforeAll(async () => {
  h = await startHarness()
  account = (await h.account()).id
  await h.push(account, { time: "2024-01-02T14:30:00Z", bars: { AAPL: { open: 100, high: 101, low: 99, close: 100, volume: 1000 } } })
})

afterAll(() => h.close())

describe("without a session", () => {
  it("answers every page path with the sign-in page and nothing else", async () => {
    for (const path of [...PAGE_PATHS, `/ui/api/simulations/${account}`, `/ui/live?simulation=${account}`]) {
      const response = await get(path)
      expect(response.status, path).toBe(path === "/" ? 200 : 401)
      expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8")
      expect(response.headers.get("content-security-policy")).toMatch(/^default-src 'none'; script-src 'self'; style-src 'sha256-/)
      const body = await response.text()
      expect(body).toContain('<form method="post" action="/ui/login">')
      expect(body).not.toContain(account)
      expect(body).not.toContain("<script")
    }
  })

  it("refuses a forged or stale cookie", async () => {
    for (const cookie of ["paperfloor_session=forged", "paperfloor_session=", `paperfloor_session=${ADMIN_KEY}`, "other=1"]) {
      expect((await get("/ui/api/simulations", cookie)).status).toBe(401)
    }
  })
})

describe("signing in", () => {
  it("takes the admin key in a form and sets an HttpOnly, SameSite=Strict session cookie, never the key", async () => {
    const response = await signIn(h.server.url, ADMIN_KEY)
    expect(response.status).toBe(303)
    expect(response.headers.get("location")).toBe("/")
    const cookie = response.headers.get("set-cookie")!
    expect(cookie).toMatch(/^paperfloor_session=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/; Max-Age=43200$/)
    expect(cookie).not.toContain(ADMIN_KEY)
    const page = await get("/", sessionOf(response))
    expect(page.status).toBe(200)
    expect(page.headers.get("content-security-policy")).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )
    const body = await page.text()
    expect(body).toContain('<script src="/ui/app.js"></script>')
    expect(body).not.toContain(ADMIN_KEY)
  })

  it("refuses a wrong key, a key from another site, and a body too large, setting no cookie", async () => {
    const refusals = [
      [await signIn(h.server.url, "wrong"), 401],
      [await signIn(h.server.url, ""), 401],
      [await signIn(h.server.url, ADMIN_KEY, { "sec-fetch-site": "cross-site" }), 403],
      [await fetch(`${h.server.url}/ui/login`, { method: "POST", headers: { origin: "http://evil.example" }, body: new URLSearchParams({ key: ADMIN_KEY }), redirect: "manual" }), 403],
      [await signIn(h.server.url, "x".repeat(5000)), 413]
    ] as const
    for (const [response, status] of refusals) {
      expect(response.status).toBe(status)
      expect(response.headers.get("set-cookie")).toBeNull()
    }
  })

  it("limits sign-in attempts per address: past ten a minute even the right key is refused", async () => {
    const limited = await startHarness()
    try {
      for (let i = 0; i < 10; i++) expect((await signIn(limited.server.url, "wrong")).status).toBe(401)
      const refused = await signIn(limited.server.url, ADMIN_KEY)
      expect(refused.status).toBe(429)
      expect(refused.headers.get("set-cookie")).toBeNull()
    } finally {
      await limited.close()
    }
  })

  it("ends a session on sign-out, and after twelve hours", async () => {
    const root = await mkdtemp(join(tmpdir(), "paperfloor-page-"))
    let clock = Date.UTC(2024, 0, 2)
    const server = await startBrokerServer({ storageRoot: root, adminKey: ADMIN_KEY, rateLimit: null, now: () => new Date(clock) })
    try {
      const first = sessionOf(await signIn(server.url, ADMIN_KEY))!
      const second = sessionOf(await signIn(server.url, ADMIN_KEY))!
      const reads = (cookie: string) => fetch(`${server.url}/ui/api/simulations`, { headers: { cookie } }).then((r) => r.status)
      expect([await reads(first), await reads(second)]).toEqual([200, 200])
      const out = await fetch(`${server.url}/ui/logout`, { method: "POST", headers: { cookie: first, "sec-fetch-site": "same-origin" }, redirect: "manual" })
      expect(out.status).toBe(303)
      expect(out.headers.get("set-cookie")).toBe("paperfloor_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0")
      expect([await reads(first), await reads(second)]).toEqual([401, 200])
      clock += SESSION_MS
      expect(await reads(second)).toBe(401)
    } finally {
      await server.close()
      await rm(root, { recursive: true, force: true })
    }
  })

  it("cannot sign in to a server started without an admin key: the page says it is off", async () => {
    const root = await mkdtemp(join(tmpdir(), "paperfloor-page-"))
    const server = await startBrokerServer({ storageRoot: root, rateLimit: null })
    try {
      expect(await (await fetch(`${server.url}/`)).text()).toContain("The page is off: start the server with an admin key (PAPERFLOOR_ADMIN_KEY).")
      const response = await signIn(server.url, "")
      expect(response.status).toBe(401)
      expect(response.headers.get("set-cookie")).toBeNull()
    } finally {
      await server.close()
      await rm(root, { recursive: true, force: true })
    }
  })
})

describe("after a restart", () => {
  it("shows an order placed before the server started from the state it is in, marked incomplete, and the next steps as they come", async () => {
    const root = await mkdtemp(join(tmpdir(), "paperfloor-page-"))
    const bar = (minute: number) => ({ time: Date.UTC(2024, 0, 2, 14, 30 + minute), bars: { AAPL: { open: 100, high: 101, low: 99, close: 100, volume: 1000 } } })
    let server = await startBrokerServer({ storageRoot: root, adminKey: ADMIN_KEY, rateLimit: null })
    try {
      const { account } = await server.broker.createAccount({ symbols: ["AAPL"] })
      await server.broker.paper.processMarketUpdate(account.id, bar(0))
      const orderId = await server.broker.paper.submitOrder(account.id, { symbol: "AAPL", side: "buy", type: "limit", quantity: 1, limitPrice: 50, timeInForce: "gtc" })
      await server.broker.paper.processMarketUpdate(account.id, bar(1))
      await server.close()
      server = await startBrokerServer({ storageRoot: root, adminKey: ADMIN_KEY, rateLimit: null })
      const cookie = sessionOf(await signIn(server.url, ADMIN_KEY))!
      const orderOf = async () => {
        const view = (await (await fetch(`${server.url}/ui/api/simulations/${account.id}`, { headers: { cookie } })).json()) as { orders: Array<{ id: string; path: unknown; complete: boolean }> }
        return view.orders.find((o) => o.id === orderId)
      }
      expect(await orderOf()).toMatchObject({ path: [{ state: "accepted", event: "SEEN" }], complete: false })
      await server.broker.paper.cancelOrder(account.id, orderId)
      await vi.waitFor(async () =>
        expect(await orderOf()).toMatchObject({
          path: [{ state: "accepted", event: "SEEN" }, { state: "pendingCancel", event: "CANCEL_REQUEST" }, { state: "cancelled", event: "CANCEL_CONFIRM" }],
          complete: false
        })
      )
    } finally {
      await server.close()
      await rm(root, { recursive: true, force: true })
    }
  })
})

describe("signed in", () => {
  let cookie: string
  beforeAll(async () => {
    cookie = sessionOf(await signIn(h.server.url, ADMIN_KEY))!
  })

  it("serves its script, styles and uPlot from the server itself", async () => {
    const uplot = uplotAssets()
    const files = [
      ["/ui/app.js", "text/javascript", undefined],
      ["/ui/app.css", "text/css", undefined],
      ["/ui/uplot.js", "text/javascript", uplot.script],
      ["/ui/uplot.css", "text/css", uplot.css]
    ] as const
    for (const [path, type, installed] of files) {
      const response = await get(path, cookie)
      expect(response.status).toBe(200)
      expect(response.headers.get("content-type")).toBe(`${type}; charset=utf-8`)
      expect(response.headers.get("x-content-type-options")).toBe("nosniff")
      const body = await response.text()
      // The page's own files name no other host (but SVG's namespace); uPlot's are the installed package's.
      if (installed === undefined) expect(body).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/)
      else expect(body).toBe(installed)
    }
  })

  it("reads the simulations and one simulation's view, as the engine has them", async () => {
    const rows = (await (await get("/ui/api/simulations", cookie)).json()) as Array<Record<string, unknown>>
    const status = await h.server.broker.paper.getSimulationStatus(account)
    expect(rows.find((r) => r["id"] === account)).toMatchObject({ state: status.state, updates: status.updates, portfolioValue: status.portfolioValue, openOrders: 0 })
    const view = (await (await get(`/ui/api/simulations/${account}`, cookie)).json()) as Record<string, unknown>
    expect(view).toMatchObject({ id: account, state: "running", updates: 1, equity: { from: 0, length: 1, xKind: "time", x: [Date.parse("2024-01-02T14:30:00Z")], equity: [100000], drawdown: [0] } })
  })

  it("answers an unknown simulation, a malformed path or another method with a 4xx naming it", async () => {
    const unknown = await get("/ui/api/simulations/no-such-simulation", cookie)
    expect([unknown.status, ((await unknown.json()) as { message: string }).message]).toEqual([404, 'simulation not found: "no-such-simulation"'])
    expect((await get("/ui/api/simulations/%E0%A4%A", cookie)).status).toBe(404)
    expect((await get("/ui/live?simulation=..%2F..", cookie)).status).toBe(404)
    const put = await h.raw("/ui/api/simulations", { method: "PUT", headers: { cookie } })
    expect([put.status, ((await put.json()) as { message: string }).message]).toEqual([405, "method not allowed: PUT"])
  })

  it("streams a simulation's view, then each change: a pushed update's new equity point only", async () => {
    const stream = await get(`/ui/live?simulation=${account}`, cookie)
    expect(stream.headers.get("content-type")).toBe("text/event-stream; charset=utf-8")
    const feed = eventsOf(stream)
    const first = await feed.next()
    expect(first).toMatchObject({ event: "simulation", data: { id: account, equity: { from: 0 } } })
    await h.push(account, { time: "2024-01-02T14:31:00Z", bars: { AAPL: { open: 100, high: 101, low: 99, close: 100, volume: 1000 } } })
    const second = await feed.next()
    await feed.close()
    const before = (first.data as { updates: number }).updates
    expect(second).toMatchObject({ event: "simulation", data: { updates: before + 1, equity: { from: before, length: before + 1, x: [Date.parse("2024-01-02T14:31:00Z")] } } })
  })
})
