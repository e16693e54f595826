// The live page in headless Chromium against the real server: sign in with the admin key, open a
// simulation, check that the highlighted states are the engine's (read through the deployer),
// push a market update through the admin API and see the page change (within 1 s), and click an
// order to see its path. Every request the page makes goes to the server and nowhere else.
// Screenshots land in test-artifacts/live-page-*.png. Needs /usr/bin/chromium.
import { mkdir } from "node:fs/promises"
import { fileURLToPath } from "node:url"
import type { Browser, BrowserContext, Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { OrderView } from "../../src/engine/order-entry.ts"
import { launchChromium } from "../report/browser.ts"
import { ADMIN_KEY, type Harness, startHarness } from "./broker-harness.ts"

const artifacts = fileURLToPath(new URL("../../test-artifacts/", import.meta.url))
/** How long the page may take to show a change pushed to the server: the live feed's promise. */
const LIVE_MS = 1000

const minute = (m: number) => new Date(Date.UTC(2024, 0, 2, 14, 30 + m)).toISOString()
const bars = (m: number, aapl: number, msft = 300) => ({
  time: minute(m),
  bars: { AAPL: { open: aapl, high: aapl + 0.5, low: aapl - 0.5, close: aapl, volume: 1_000_000 }, MSFT: { open: msft, high: msft, low: msft, close: msft, volume: 1_000_000 } }
})

let h: Harness
let browser: Browser
let context: BrowserContext
let page: Page
const problems: string[] = []
let trader: { id: string; resting: string; cancelled: string; market: string; bracket: string }
let idle: { id: string }

const engine = <A>(id: string, read: (e: { status: string; orders: ReadonlyArray<OrderView>; open: ReadonlyArray<OrderView>; updates: number }) => A) =>
  h.server.broker.paper.inspectSimulation(id, (e) => read({ status: e.status, orders: e.getOrders(), open: e.getOpenOrders(), updates: e.updateCount }))

/** The `data-*` attribute of every element the selector finds, in document order. */
const attrs = (selector: string, name: string) => page.locator(selector).evaluateAll((nodes, n) => nodes.map((node) => node.getAttribute(n as string)), name)

const shoot = (name: string) => page.screenshot({ path: `${artifacts}live-page-${name}.png`, fullPage: true })

beforeAll(async () => {
  await mkdir(artifacts, { recursive: true })
  h = await startHarness()
  // One account trading: a resting limit order, a cancelled one, a bracket; a market order placed last waits for the next update.
  const { id, alpaca } = await h.account()
  await h.push(id, bars(0, 185))
  const resting = await alpaca.trading.orders.limit({ symbol: "AAPL", qty: 5, side: "buy", limitPrice: 150, timeInForce: "gtc" })
  const cancelled = await alpaca.trading.orders.limit({ symbol: "MSFT", qty: 2, side: "buy", limitPrice: 250, timeInForce: "gtc" })
  const bracket = await alpaca.trading.orders.bracket({
    symbol: "MSFT", qty: 3, side: "buy", limitPrice: 301, timeInForce: "gtc", takeProfit: { limitPrice: 330 }, stopLoss: { stopPrice: 280 }
  })
  await h.push(id, bars(1, 185))
  await alpaca.trading.orders.deleteOrderByOrderID({ orderId: cancelled.id! })
  const market = await alpaca.trading.orders.market({ symbol: "AAPL", qty: 10, side: "buy" })
  trader = { id, resting: resting.id!, cancelled: cancelled.id!, market: market.id!, bracket: bracket.id! }
  // A second account, paused: its state is not the first one's.
  idle = await h.account({ symbols: ["AAPL"] })
  await h.server.broker.paper.pauseSimulation(idle.id)

  browser = await launchChromium()
  context = await browser.newContext({ viewport: { width: 1400, height: 1000 } })
  await context.route("**/*", async (route) => {
    const url = route.request().url()
    if (url.startsWith(`${h.server.url}/`)) return route.continue()
    problems.push(`network request: ${url}`)
    return route.abort()
  })
  page = await context.newPage()
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") problems.push(`console ${message.type()}: ${message.text()}`)
  })
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`))
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await h?.close()
})

describe("the live page", () => {
  it("shows only the sign-in form until the admin key is given, and refuses a wrong key", async () => {
    await page.goto(`${h.server.url}/`)
    await expect(page.locator("input[name=key]").count()).resolves.toBe(1)
    await expect(page.locator("#main").count()).resolves.toBe(0)
    await shoot("sign-in")
    await page.fill("input[name=key]", "not-the-key")
    await page.click("button[type=submit]")
    await expect(page.locator("p.message").textContent()).resolves.toBe("That is not the admin key.")
    expect((await context.cookies()).map((c) => c.name)).toEqual([])
    await page.fill("input[name=key]", ADMIN_KEY)
    await page.click("button[type=submit]")
    await page.waitForSelector("tr[data-simulation]")
    // The refused key's 401 is the one error Chromium logs on purpose; from here on there must be none.
    expect(problems).toEqual(["console error: Failed to load resource: the server responded with a status of 401 (Unauthorized)"])
    problems.length = 0
    const [cookie] = await context.cookies()
    expect(cookie).toMatchObject({ name: "paperfloor_session", httpOnly: true, sameSite: "Strict", path: "/" })
    expect(cookie!.value).not.toContain(ADMIN_KEY)
  })

  it("lists every simulation with the engine's state, and follows a change live", async () => {
    expect(await attrs("tr[data-simulation]", "data-simulation")).toEqual([trader.id, idle.id])
    expect(await attrs("tr[data-simulation] .badge", "data-state")).toEqual([await engine(trader.id, (e) => e.status), await engine(idle.id, (e) => e.status)])
    await expect(page.locator(".live.on").count()).resolves.toBe(1)
    await shoot("simulations")
    await h.server.broker.paper.resumeSimulation(idle.id)
    await page.waitForSelector(`tr[data-simulation="${idle.id}"] .badge[data-state="running"]`, { timeout: LIVE_MS })
  })

  it("draws the simulation machine and each open order on the order machine, the engine's states highlighted", async () => {
    await page.click(`a[href="#/simulations/${trader.id}"]`)
    await page.waitForSelector("#simulation-machine svg g.state.current")
    expect(await attrs("#simulation-machine g.state.current", "data-state")).toEqual([await engine(trader.id, (e) => e.status)])
    const open = await engine(trader.id, (e) => e.open.map((o) => ({ id: o.id, status: o.status })))
    expect(open.map((o) => o.id)).toEqual(expect.arrayContaining([trader.resting, trader.market]))
    expect(await attrs(".open-order", "data-order")).toEqual(open.map((o) => o.id))
    for (const order of open) expect(await attrs(`.open-order[data-order="${order.id}"] g.state.current`, "data-state")).toEqual([order.status])
    // The resting limit order is accepted; the orders placed since the last update are not yet.
    expect(new Set(open.map((o) => o.status))).toEqual(new Set(["accepted", "submitted"]))
    expect(await page.locator("#equity-chart canvas").count()).toBe(1)
    expect(await page.locator("#drawdown-chart canvas").count()).toBe(1)
    await expect(page.locator("#event-log li").count()).resolves.toBeGreaterThan(0)
    await shoot("simulation")
  })

  it("shows a market update pushed through the admin API without a reload", async () => {
    const points = Number(await page.getAttribute("#equity-chart", "data-points"))
    await expect(page.locator('#positions tr[data-symbol="AAPL"]').count()).resolves.toBe(0)
    await h.push(trader.id, bars(2, 186, 301))
    // The market order fills at this update's open.
    await page.waitForSelector('#positions tr[data-symbol="AAPL"]', { timeout: LIVE_MS })
    // Waited for by selector, not a string predicate: the page's CSP refuses the eval a string predicate takes once Playwright has to poll.
    await page.waitForSelector(`#equity-chart[data-points="${points + 1}"]`, { timeout: LIVE_MS })
    const updates = await engine(trader.id, (e) => e.updates)
    expect(await page.locator('[data-card="updates"] .v').textContent()).toBe(String(updates))
    expect(await page.locator('#positions tr[data-symbol="AAPL"] td:nth-child(2)').textContent()).toBe("10")
    // The market order has left the open orders; the bracket's legs work now.
    const open = await engine(trader.id, (e) => e.open.map((o) => ({ id: o.id, status: o.status })))
    expect(open.map((o) => o.id)).not.toContain(trader.market)
    expect(await attrs(".open-order", "data-order")).toEqual(open.map((o) => o.id))
    for (const order of open) expect(await attrs(`.open-order[data-order="${order.id}"] g.state.current`, "data-state")).toEqual([order.status])
    await shoot("after-update")
  })

  it("draws an order's path through the machine when it is clicked", async () => {
    await page.click(`#orders tr[data-order="${trader.cancelled}"]`)
    await page.waitForSelector("#order-path svg g.state.visited")
    expect(await attrs("#path-steps li", "data-state")).toEqual(["submitted", "accepted", "pendingCancel", "cancelled"])
    expect(await attrs("#order-path g.state.visited", "data-state")).toEqual(["accepted", "pendingCancel", "submitted", "cancelled"].sort((a, b) => orderStates.indexOf(a) - orderStates.indexOf(b)))
    expect(await attrs("#order-path g.state[data-steps]", "data-steps")).toEqual(expect.arrayContaining(["1", "2", "3", "4"]))
    expect(await attrs('#order-path g.state[data-state="cancelled"]', "data-steps")).toEqual(["4"])
    expect(await attrs("#order-path g.edge.taken", "data-target")).toEqual(expect.arrayContaining(["accepted", "pendingCancel", "cancelled"]))
    expect(await attrs("#order-path g.state.current", "data-state")).toEqual([await engine(trader.id, (e) => e.orders.find((o) => o.id === trader.cancelled)!.status)])
    expect(page.url()).toBe(`${h.server.url}/#/simulations/${trader.id}/orders/${trader.cancelled}`)
    await shoot("order-path")

    // The filled market order, clicked on its open-order card earlier gone: from the orders table.
    await page.click(`#orders tr[data-order="${trader.market}"]`)
    await page.locator("#order-path h2", { hasText: new RegExp(`${trader.market}$`) }).waitFor()
    expect(await attrs("#path-steps li", "data-state")).toEqual(["submitted", "accepted", "filled"])
  })

  it("made no request beyond the server, and no script error", () => {
    expect(problems).toEqual([])
  })
})

const orderStates = ["submitted", "held", "accepted", "triggered", "partiallyFilled", "pendingCancel", "pendingReplace", "filled", "rejected", "cancelled", "expired"]
