/**
 * paperfloor serve against hostile and careless clients: frames and requests a bot written against
 * Alpaca's paper API (or an attacker) might send. Each is refused with a 4xx naming the field (or
 * an error frame), changes nothing, and leaves the server serving.
 */
import { mkdtemp, rm } from "node:fs/promises"
import { connect } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import { startBrokerServer } from "../../src/server/index.ts"
import { SESSION_MS } from "../../src/server/page/page-sessions.ts"
import { ADMIN_KEY, type Harness, startHarness } from "./broker-harness.ts"

let h: Harness
beforeAll(async () => {
  h = await startHarness()
})
afterAll(() => h.close())

const at = (m: number) => new Date(Date.UTC(2024, 0, 2, 14, 30 + m)).toISOString()
const prices = (m: number, AAPL: number, MSFT = 200) => ({ time: at(m), prices: { AAPL, MSFT } })

type Keys = { keyId: string; secretKey: string }
const json = async (response: Response) => ({ status: response.status, body: (await response.json()) as Record<string, unknown> })
const post = (keys: Keys, path: string, body: unknown) =>
  h.raw(path, { method: "POST", keys, headers: { "content-type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) })

/** Opens the stream, sends `frames` one by one, and gathers what comes back until `count` frames arrived or the socket closed. */
const streamFrames = async (frames: ReadonlyArray<string>, count: number, path = "/stream") => {
  const socket = new WebSocket(`${h.server.url.replace("http", "ws")}${path}`)
  const received: unknown[] = []
  await new Promise((resolve) => socket.addEventListener("open", resolve))
  const done = new Promise<void>((resolve) => {
    socket.addEventListener("message", (m) => {
      received.push(JSON.parse(String(m.data)))
      if (received.length === count) resolve()
    })
    socket.addEventListener("close", () => resolve())
  })
  for (const frame of frames) socket.send(frame)
  await done
  socket.close()
  return received
}

describe("the trade_updates stream", () => {
  it("answers a frame that is JSON but not an object (null, a number, a list) with an error frame, and keeps serving", async () => {
    const frames = await streamFrames(["null", "42", "[]", '"authenticate"'], 4)
    expect(frames).toEqual(Array.from({ length: 4 }, () => ({ stream: "error", data: { error_message: expect.stringContaining("object") } })))
    const a = await h.account()
    expect((await h.raw("/v2/account", { keys: a })).status).toBe(200)
  })

  it("answers an authenticate frame whose keys are not strings (an object with its own toString) as unauthorized, and keeps serving", async () => {
    const frames = await streamFrames([JSON.stringify({ action: "authenticate", data: { key_id: { toString: 1 }, secret_key: { valueOf: 1 } } })], 1)
    expect(frames).toEqual([{ stream: "authorization", data: { action: "authenticate", status: "unauthorized" } }])
    const a = await h.account()
    expect((await h.raw("/v2/account", { keys: a })).status).toBe(200)
  })

  it("closes a socket that sends a frame over the limit, or text that is not UTF-8, and keeps serving", () => closesBadFrames("/stream"))
})

describe("the market-data stream", () => {
  it("answers frames that are not objects with an error frame, and keeps serving", async () => {
    const frames = await streamFrames(["null", "42", "[]"], 4, "/v2/iex")
    expect(frames).toEqual([
      [{ T: "success", msg: "connected" }],
      ...Array.from({ length: 3 }, () => [{ T: "error", code: 400, msg: expect.stringContaining("object") }])
    ])
  })

  it("refuses an auth frame whose key and secret are not strings (objects with their own toString) as a failed auth, and keeps serving", async () => {
    const frames = await streamFrames([JSON.stringify({ action: "auth", key: { toString: 1 }, secret: { valueOf: 1 } })], 2, "/v2/iex")
    expect(frames).toEqual([[{ T: "success", msg: "connected" }], [{ T: "error", code: 402, msg: "auth failed" }]])
    const a = await h.account()
    expect((await h.raw("/v2/account", { keys: a })).status).toBe(200)
  })

  it("closes a socket that sends a frame over the limit, or text that is not UTF-8, and keeps serving", () => closesBadFrames("/v2/iex"))
})

/** A socket on `path` sending a frame over the limit, then one sending text that is not UTF-8: each is closed, and the server keeps serving. */
const closesBadFrames = async (path: string) => {
  const socket = new WebSocket(`${h.server.url.replace("http", "ws")}${path}`)
  await new Promise((resolve) => socket.addEventListener("open", resolve))
  const closed = new Promise<number>((resolve) => socket.addEventListener("close", (e) => resolve(e.code)))
  socket.send("x".repeat(70_000))
  expect(await closed).toBe(1009)

  // A hand-made client: the upgrade, then one masked text frame holding bytes that are not UTF-8.
  const raw = connect(h.server.port, "127.0.0.1")
  const ended = new Promise<void>((resolve) => raw.on("close", () => resolve()))
  raw.on("data", () => undefined)
  raw.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`)
  const mask = [1, 2, 3, 4]
  raw.write(Buffer.from([0x81, 0x83, ...mask, ...[0xff, 0xfe, 0xfd].map((b, i) => b ^ mask[i]!)]))
  await ended
  const a = await h.account()
  expect((await h.raw("/v2/account", { keys: a })).status).toBe(200)
}

describe("stream sockets that never authenticate", () => {
  it("are told the time ran out and closed, on both streams, while an authenticated one stays", async () => {
    const root = await mkdtemp(join(tmpdir(), "paperfloor-auth-timeout-"))
    const server = await startBrokerServer({ storageRoot: root, rateLimit: null, streamAuthTimeoutMs: 300 })
    try {
      const { keys } = await server.broker.createAccount({ symbols: ["AAPL"] })
      const ws = server.url.replace("http", "ws")
      /** The frames a socket got and the code it closed with, or "open" if it was still open after `waitMs`. */
      const watch = async (path: string, frames: ReadonlyArray<string>, waitMs: number) => {
        const socket = new WebSocket(`${ws}${path}`)
        const received: unknown[] = []
        socket.addEventListener("message", (m) => received.push(JSON.parse(String(m.data))))
        await new Promise((resolve) => socket.addEventListener("open", resolve))
        for (const frame of frames) socket.send(frame)
        const closed = new Promise<number>((resolve) => socket.addEventListener("close", (e) => resolve(e.code)))
        const outcome = await Promise.race([closed, new Promise<"open">((resolve) => setTimeout(() => resolve("open"), waitMs))])
        socket.close()
        return { received, outcome }
      }
      expect(await watch("/v2/iex", [], 5_000)).toEqual({ received: [[{ T: "success", msg: "connected" }], [{ T: "error", code: 404, msg: "auth timeout" }]], outcome: 1008 })
      expect(await watch("/stream", [], 5_000)).toEqual({ received: [{ stream: "error", data: { error_message: "auth timeout" } }], outcome: 1008 })
      // Authenticated in time: still open well past the limit.
      const authed = await watch("/v2/iex", [JSON.stringify({ action: "auth", key: keys.keyId, secret: keys.secretKey })], 900)
      expect(authed.outcome).toBe("open")
      expect(authed.received).toEqual([[{ T: "success", msg: "connected" }], [{ T: "success", msg: "authenticated" }]])
    } finally {
      await server.close()
      await rm(root, { recursive: true, force: true })
    }
  })
})

describe("the admin API", () => {
  it("refuses a JSON null as an account's config and a non-array updates, naming what is wrong, and creates or applies nothing", async () => {
    const admin = { authorization: `Bearer ${ADMIN_KEY}` }
    const count = async () => ((await (await h.raw("/v1/admin/accounts", { headers: admin })).json()) as unknown[]).length
    const before = await count()
    const nullConfig = await json(await h.raw("/v1/admin/accounts", { method: "POST", headers: admin, body: "null" }))
    expect(nullConfig.status).toBe(422)
    expect(String(nullConfig.body["message"])).toContain("config")
    expect(await count()).toBe(before)

    const a = await h.account()
    for (const [body, says] of [[{ updates: "x" }, "updates must be an array"], [{ updates: [], time: at(0) }, "takes no other field"]] as const) {
      const refused = await json(await h.raw(`/v1/admin/accounts/${a.id}/updates`, { method: "POST", headers: admin, body: JSON.stringify(body) }))
      expect(refused.status).toBe(422)
      expect(String(refused.body["message"])).toContain(says)
    }
    expect((await json(await h.raw("/v2/account", { keys: a }))).body["cash"]).toBe("100000")
  })
})

describe("closing positions", () => {
  it("never closes more than the position: a second close while the first is working, or concurrent closes, are refused (403) and leave no short", async () => {
    const a = await h.account()
    await h.push(a.id, prices(0, 100))
    await a.alpaca.trading.orders.market({ symbol: "AAPL", qty: 10, side: "buy" })
    await h.push(a.id, prices(1, 100))
    // The first close is a market sell of 10, working until the next update: the 10 are held for it.
    expect((await h.raw("/v2/positions/AAPL", { method: "DELETE", keys: a })).status).toBe(200)
    const positions = (await json(await h.raw("/v2/positions", { keys: a }))).body as unknown as ReadonlyArray<Record<string, unknown>>
    expect(positions.map((p) => [p["qty"], p["qty_available"]])).toEqual([["10", "0"]])
    const again = await json(await h.raw("/v2/positions/AAPL", { method: "DELETE", keys: a }))
    expect([again.status, again.body["code"]]).toEqual([403, 40310000])
    expect(again.body["message"]).toMatch(/^qty /)
    expect((await json(await h.raw("/v2/positions", { method: "DELETE", keys: a }))).body).toEqual([
      { symbol: "AAPL", status: 403, body: { code: 40310000, message: expect.stringMatching(/^qty /) } }
    ])
    await h.push(a.id, prices(2, 101))
    expect(await a.alpaca.trading.positions.getAllOpenPositions()).toEqual([])

    // Concurrent closes of a position: one sells it, the others are refused.
    await a.alpaca.trading.orders.market({ symbol: "MSFT", qty: 4, side: "buy" })
    await h.push(a.id, prices(3, 101))
    const closes = await Promise.all(Array.from({ length: 6 }, () => h.raw("/v2/positions/MSFT", { method: "DELETE", keys: a })))
    expect(closes.map((r) => r.status).sort()).toEqual([200, 403, 403, 403, 403, 403])
    await h.push(a.id, prices(4, 101))
    expect(await a.alpaca.trading.positions.getAllOpenPositions()).toEqual([])
  })
})

describe("query parameters", () => {
  it("refuses a time or date that is not RFC-3339 or not a real day (which Date.parse would guess), naming the parameter", async () => {
    const a = await h.account()
    for (const [path, field] of [
      ["/v2/orders?after=1", "after"],
      ["/v2/orders?after=March%207", "after"],
      ["/v2/orders?until=2024-01-02%2014:30", "until"],
      ["/v2/orders?until=2024-02-30", "until"],
      ["/v2/account/activities?after=7", "after"],
      ["/v2/account/activities?date=2024-13-01", "date"],
      ["/v2/account/portfolio/history?start=Tuesday", "start"],
      ["/v2/calendar?start=2024-02-30", "start"],
      ["/v2/calendar?start=2024-01-01garbage", "start"],
      ["/v2/calendar?end=2024-04-31T00:00:00Z", "end"]
    ] as const) {
      const answer = await json(await h.raw(path, { keys: a }))
      expect([path, answer.status, answer.body["code"]]).toEqual([path, 422, 42210000])
      expect(answer.body["message"]).toMatch(new RegExp(`^${field} `))
    }
    // What the official client sends (toISOString) and plain dates still work.
    for (const path of ["/v2/orders?after=2024-01-02T14:30:00.000Z", "/v2/orders?until=2024-01-02T09:30:00-05:00", "/v2/orders?after=2024-01-02", "/v2/calendar?start=2024-01-02T00:00:00.000Z&end=2024-01-05"])
      expect([path, (await h.raw(path, { keys: a })).status]).toEqual([path, 200])
  })

  it("refuses an activities page_token that names no activity (it restarted at the first page), and an activity type Alpaca does not have", async () => {
    const a = await h.account()
    await h.push(a.id, prices(0, 100))
    await a.alpaca.trading.orders.market({ symbol: "AAPL", qty: 1, side: "buy" })
    await h.push(a.id, prices(1, 100))
    const first = (await json(await h.raw("/v2/account/activities?page_size=1", { keys: a }))).body as unknown as ReadonlyArray<{ id: string }>
    expect(first.length).toBe(1)
    expect((await json(await h.raw(`/v2/account/activities?page_size=1&page_token=${encodeURIComponent(first[0]!.id)}`, { keys: a }))).body).toEqual([])
    for (const [path, field] of [
      ["/v2/account/activities?page_token=nope", "page_token"],
      ["/v2/account/activities?activity_types=NOPE", "activity_types"],
      ["/v2/account/activities/BOGUS", "activity_type"]
    ] as const) {
      const answer = await json(await h.raw(path, { keys: a }))
      expect([path, answer.status]).toEqual([path, 422])
      expect(answer.body["message"]).toMatch(new RegExp(`^${field} `))
    }
    // Alpaca's other activity types are valid: the account has none of them.
    expect((await json(await h.raw("/v2/account/activities/DIV", { keys: a }))).body).toEqual([])
  })

  it("refuses qty and percentage together on a close, and closes a percentage of a whole-share position in whole shares, as Alpaca", async () => {
    const a = await h.account()
    await h.push(a.id, prices(0, 100))
    await a.alpaca.trading.orders.market({ symbol: "AAPL", qty: 10, side: "buy" })
    await h.push(a.id, prices(1, 100))
    for (const [query, field] of [["qty=1&percentage=50", "qty"], ["qty=0.0000000001", "qty"], ["percentage=0.0000000001", "percentage"]] as const) {
      const answer = await json(await h.raw(`/v2/positions/AAPL?${query}`, { method: "DELETE", keys: a }))
      expect([query, answer.status]).toEqual([query, 422])
      expect(answer.body["message"]).toMatch(new RegExp(`^${field} `))
    }
    expect(await a.alpaca.trading.orders.getAllOrders({ status: "open" })).toEqual([])
    const quarter = await json(await h.raw("/v2/positions/AAPL?percentage=25", { method: "DELETE", keys: a }))
    expect([quarter.status, quarter.body["qty"]]).toEqual([200, "2"])
  })
})

describe("order requests", () => {
  it("refuses a qty or notional finer than Alpaca's nine decimals, and changes nothing", async () => {
    const a = await h.account()
    await h.push(a.id, prices(0, 100))
    const order = { symbol: "AAPL", side: "buy", type: "market", time_in_force: "day" }
    for (const body of [{ ...order, qty: "1e-400" }, { ...order, qty: "0.0000000001" }, { ...order, qty: 1e-10 }, { ...order, notional: "0.0000000001" }]) {
      const answer = await json(await post(a, "/v2/orders", body))
      expect([JSON.stringify(body), answer.status, answer.body["code"]]).toEqual([JSON.stringify(body), 422, 42210000])
      expect(answer.body["message"]).toMatch(/^(qty|notional) .*nine decimals/)
    }
    expect(await a.alpaca.trading.orders.getAllOrders({ status: "all" })).toEqual([])
    expect((await json(await post(a, "/v2/orders", { ...order, qty: "0.000000001" }))).status).toBe(200)
  })
})

describe("racing requests on one account", () => {
  it("answers concurrent cancel-alls (and single cancels racing them) with 207s that report no failure for orders that did end cancelled", async () => {
    const a = await h.account()
    await h.push(a.id, prices(0, 100))
    const placed = await Promise.all(
      Array.from({ length: 20 }, (_, i) => post(a, "/v2/orders", { symbol: "MSFT", qty: "1", side: "buy", type: "limit", limit_price: String(50 + i), time_in_force: "gtc" }).then(json))
    )
    const ids = placed.map((p) => p.body["id"] as string)
    const [first, second, ...singles] = await Promise.all([
      h.raw("/v2/orders", { method: "DELETE", keys: a }).then(json),
      h.raw("/v2/orders", { method: "DELETE", keys: a }).then(json),
      ...ids.slice(10).map((id) => h.raw(`/v2/orders/${id}`, { method: "DELETE", keys: a }))
    ])
    for (const answer of [first!, second!]) {
      expect(answer.status).toBe(207)
      expect((answer.body as unknown as ReadonlyArray<{ status: number }>).filter((r) => r.status !== 200)).toEqual([])
    }
    expect(singles.every((r) => r.status === 204 || r.status === 422)).toBe(true)
    const orders = await a.alpaca.trading.orders.getAllOrders({ status: "all", limit: 500 })
    expect(orders.map((o) => o.status)).toEqual(ids.map(() => "canceled"))
  })
})

describe("clients that go away", () => {
  it("takes a client that closes the connection part-way through its body as the client's doing: nothing logged as a server error, nothing placed", async () => {
    const a = await h.account()
    const written: string[] = []
    const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk))
      return true
    })
    try {
      for (let i = 0; i < 3; i++) {
        const raw = connect(h.server.port, "127.0.0.1")
        await new Promise((resolve) => raw.on("connect", resolve))
        raw.write(`POST /v2/orders HTTP/1.1\r\nHost: 127.0.0.1\r\nAPCA-API-KEY-ID: ${a.keyId}\r\nAPCA-API-SECRET-KEY: ${a.secretKey}\r\nContent-Length: 1000\r\n\r\n{"symbol":`)
        await new Promise((resolve) => setTimeout(resolve, 50))
        raw.destroy()
      }
      // The server has taken in the closes when it answers the next request on this account.
      await expect.poll(async () => (await h.raw("/v2/orders?status=all", { keys: a }).then(json)).body).toEqual([])
      await new Promise((resolve) => setTimeout(resolve, 100))
    } finally {
      spy.mockRestore()
    }
    expect(written.filter((line) => line.includes("paperfloor serve"))).toEqual([])
  })
})

describe("a server closing under requests whose clients went away", () => {
  it("finishes them before it releases the store: none reopens it, none is logged as a server error", async () => {
    const root = await mkdtemp(join(tmpdir(), "paperfloor-closing-"))
    try {
      const server = await startBrokerServer({ storageRoot: root, rateLimit: null })
      const { keys } = await server.broker.createAccount({ symbols: ["AAPL"] })
      await server.broker.paper.processMarketUpdate((await server.broker.accounts.list())[0]!.id, { time: at(0), prices: { AAPL: 100 } })
      const written: string[] = []
      const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
        written.push(String(chunk))
        return true
      })
      try {
        const body = JSON.stringify({ symbol: "AAPL", qty: "1", side: "buy", type: "limit", limit_price: "50", time_in_force: "gtc" })
        // Each client sends its order whole and hangs up before the answer.
        const sockets = await Promise.all(
          Array.from({ length: 40 }, async () => {
            const raw = connect(server.port, "127.0.0.1")
            await new Promise((resolve) => raw.on("connect", resolve))
            raw.write(`POST /v2/orders HTTP/1.1\r\nHost: 127.0.0.1\r\nAPCA-API-KEY-ID: ${keys.keyId}\r\nAPCA-API-SECRET-KEY: ${keys.secretKey}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`)
            return raw
          })
        )
        for (const raw of sockets) raw.destroy()
        await server.close()
      } finally {
        spy.mockRestore()
      }
      expect(written.filter((line) => line.includes("paperfloor serve"))).toEqual([])
      // The store is free: no request reopened it after the close.
      const again = await startBrokerServer({ storageRoot: root, rateLimit: null })
      await again.close()
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  })
})

describe("listing orders", () => {
  it("lists a bracket whose entry has filled among the open orders when nested, with its working legs", async () => {
    const a = await h.account()
    await h.push(a.id, prices(0, 100))
    const bracket = await a.alpaca.trading.orders.bracket({ symbol: "AAPL", qty: 10, side: "buy", timeInForce: "gtc", takeProfit: { limitPrice: 120 }, stopLoss: { stopPrice: 80 } })
    await h.push(a.id, prices(1, 100), prices(2, 101))
    const flat = (await a.alpaca.trading.orders.getAllOrders({ status: "open" })).map((o) => o.status)
    expect(flat).toEqual(["new", "new"])
    const nested = await a.alpaca.trading.orders.getAllOrders({ status: "open", nested: true })
    expect(nested.map((o) => [o.id, o.status, o.legs?.map((l) => l.status)])).toEqual([[bracket.id, "filled", ["new", "new"]]])
    // Closed, nested: the filled entry is listed too (with its legs), as any list with a closed member.
    expect((await a.alpaca.trading.orders.getAllOrders({ status: "closed", nested: true })).map((o) => o.id)).toEqual([bracket.id])
  })
})

describe("a stream client that never reads", () => {
  it("is cut off once its unread frames pass the limit, and the server keeps serving", async () => {
    const a = await h.account({ symbols: ["AAPL"], volumeParticipation: 0.001, initialCapital: 1e12 })
    // A hand-made client: upgrade, authenticate, listen, then stop reading.
    const raw = connect(h.server.port, "127.0.0.1")
    let received = 0
    raw.on("data", (chunk: Buffer) => (received += chunk.length))
    const closed = new Promise<void>((resolve) => raw.on("close", () => resolve()))
    const masked = (frame: unknown) => {
      const payload = Buffer.from(JSON.stringify(frame))
      const mask = [1, 2, 3, 4]
      return Buffer.concat([Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 255, ...mask]), Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!))])
    }
    raw.write(`GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`)
    raw.write(masked({ action: "authenticate", data: { key_id: a.keyId, secret_key: a.secretKey } }))
    raw.write(masked({ action: "listen", data: { streams: ["trade_updates"] } }))
    await expect.poll(() => received).toBeGreaterThan(200)
    raw.pause()
    // Another account's client that reads: events are published in the order they became durable,
    // so when it hears of an order placed after the flood, the flood has all been sent.
    const b = await h.account()
    const reader = new WebSocket(`${h.server.url.replace("http", "ws")}/stream`)
    let read = 0
    reader.addEventListener("message", () => (read += 1))
    await new Promise((resolve) => reader.addEventListener("open", resolve))
    reader.send(JSON.stringify({ action: "authenticate", data: { key_id: b.keyId, secret_key: b.secretKey } }))
    reader.send(JSON.stringify({ action: "listen", data: { streams: ["trade_updates"] } }))
    await expect.poll(() => read).toBe(2)

    // 25 orders capped at 0.1 % of each bar's volume: pending_new, new, then a partial fill of each on every bar, ~20 MB of frames.
    let m = 0
    const bar = () => ({ time: new Date(Date.UTC(2024, 0, 2, 14, 30) + 60_000 * m++).toISOString(), bars: { AAPL: { open: 1, high: 1, low: 1, close: 1, volume: 1000 } } })
    await h.push(a.id, bar())
    await Promise.all(Array.from({ length: 25 }, () => a.alpaca.trading.orders.market({ symbol: "AAPL", qty: 100_000, side: "buy", timeInForce: "gtc" })))
    for (let i = 0; i < 10; i++) await h.push(a.id, ...Array.from({ length: 300 }, bar))

    await b.alpaca.trading.orders.limit({ symbol: "AAPL", qty: 1, side: "buy", limitPrice: 1, timeInForce: "gtc" })
    await expect.poll(() => read, { timeout: 30_000 }).toBe(3)
    reader.close()
    raw.resume()
    await closed
    // It got what the kernel held and the server had queued, not the whole ~20 MB.
    expect(received).toBeLessThan(18_000_000)
    expect((await h.raw("/v2/account", { keys: a })).status).toBe(200)
  }, 30_000)
})

describe("replacing orders", () => {
  it("names a trailing stop's refused distance as the request did: trail", async () => {
    const a = await h.account()
    await h.push(a.id, prices(0, 100))
    const percent = await a.alpaca.trading.orders.trailingStop({ symbol: "AAPL", qty: 1, side: "sell", trailPercent: 5, timeInForce: "gtc" })
    const price = await a.alpaca.trading.orders.trailingStop({ symbol: "AAPL", qty: 1, side: "sell", trailPrice: 2, timeInForce: "gtc" })
    await h.push(a.id, prices(1, 100))
    for (const [id, trail, rule] of [[percent.id!, "200", "must be less than 100"], [percent.id!, "0", "must be greater than 0"], [price.id!, "0", "must be greater than 0"]] as const) {
      const answer = await json(await h.raw(`/v2/orders/${id}`, { method: "PATCH", keys: a, body: JSON.stringify({ trail }) }))
      expect([answer.status, answer.body["message"]]).toEqual([422, `trail ${rule}`])
    }
  })
})

describe("the live page's feed", () => {
  it("ends a live stream when its session ends (sign-out, or twelve hours), as every other request is refused then", async () => {
    const root = await mkdtemp(join(tmpdir(), "paperfloor-page-"))
    let clock = Date.UTC(2024, 0, 2)
    const server = await startBrokerServer({ storageRoot: root, adminKey: ADMIN_KEY, rateLimit: null, now: () => new Date(clock) })
    const signIn = async () => {
      const response = await fetch(`${server.url}/ui/login`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "same-origin" },
        body: new URLSearchParams({ key: ADMIN_KEY }),
        redirect: "manual"
      })
      return response.headers.get("set-cookie")!.split(";")[0]!
    }
    /** Reads a stream to its end; resolves with what it carried. */
    const drain = async (response: Response) => {
      const reader = response.body!.getReader()
      let text = ""
      for (;;) {
        const { value, done } = await reader.read()
        if (done) return text
        text += new TextDecoder().decode(value)
      }
    }
    try {
      const { account } = await server.broker.createAccount({ symbols: ["AAPL"] })
      const leaving = await signIn()
      const stream = await fetch(`${server.url}/ui/live?simulation=${account.id}`, { headers: { cookie: leaving } })
      const list = await fetch(`${server.url}/ui/live`, { headers: { cookie: leaving } })
      expect([stream.status, list.status]).toEqual([200, 200])
      const ended = Promise.all([drain(stream), drain(list)])
      await fetch(`${server.url}/ui/logout`, { method: "POST", headers: { cookie: leaving, "sec-fetch-site": "same-origin" }, redirect: "manual" })
      expect((await ended).map((text) => text.includes("event: simulation") || text.includes("event: simulations"))).toEqual([true, true])

      const expiring = await signIn()
      const later = await fetch(`${server.url}/ui/live?simulation=${account.id}`, { headers: { cookie: expiring } })
      const endedLater = drain(later)
      clock += SESSION_MS
      expect(await endedLater).toContain("event: simulation")
    } finally {
      await server.close()
      await rm(root, { recursive: true, force: true })
    }
  })
})
