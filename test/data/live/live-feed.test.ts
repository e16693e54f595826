// The live feed against a WebSocket server on loopback that each test starts: reconnects,
// duplicates and reordering, a stalled server, a flood, backoff, errors, the Alpaca layout and
// the Effect Stream. No timing is asserted: silences come from a clock the test moves.
import { Effect, Stream } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { WebSocket } from "ws"
import { alpacaLayout } from "../../../src/data/live/alpaca-layout.ts"
import { LiveFeedError, type LiveFeedEvent } from "../../../src/data/live/live-feed-events.ts"
import type { LiveMessage } from "../../../src/data/live/live-feed-format.ts"
import { type LiveFeed, liveFeedStream, type LiveFeedOptions, openLiveFeed } from "../../../src/data/live/live-feed.ts"
import { serveLiveFeed } from "../../../src/data/live/replay-server.ts"
import { ValidationError } from "../../../src/domain/errors.ts"
import type { MarketUpdateInput } from "../../../src/domain/market-update.ts"
import { after, type FeedServer, marketMessages, startFeedServer, until, updateOf } from "./feed-server.ts"
import { manualClock } from "./manual-clock.ts"

const servers: Array<{ close(): Promise<void> }> = []
const feeds: LiveFeed[] = []
afterEach(async () => {
  await Promise.all(feeds.splice(0).map((f) => f.close()))
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

const serve = async (...args: Parameters<typeof startFeedServer>): Promise<FeedServer> => {
  const server = await startFeedServer(...args)
  servers.push(server)
  return server
}

/** A feed with instant reconnects, collecting its events. */
const open = (url: string, options: Partial<LiveFeedOptions> = {}) => {
  const events: LiveFeedEvent[] = []
  const feed = openLiveFeed({
    url,
    subscription: { trades: ["AAPL", "MSFT"], quotes: ["AAPL", "MSFT"], bars: ["AAPL", "MSFT"] },
    random: () => 0,
    onEvent: (e) => events.push(e),
    ...options
  })
  feeds.push(feed)
  return { feed, events }
}

const collect = async (feed: AsyncIterable<MarketUpdateInput>): Promise<MarketUpdateInput[]> => {
  const out: MarketUpdateInput[] = []
  for await (const u of feed) out.push(u)
  return out
}

const rejection = async (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => {
      throw new Error("expected a rejection")
    },
    (e: unknown) => e
  )

describe("live feed: order, duplicates, reconnects", () => {
  it("passes on every message once and in order when the server duplicates and reorders them", async () => {
    // One sequence across two symbols and every kind, so the order is total.
    const all = marketMessages(60, { symbols: ["AAPL", "MSFT"], channel: "feed" })
    // Frames: the first message (it starts the sequence), then pairs swapped; every fifth message
    // is sent again a few frames later.
    const frames: LiveMessage[][] = [[all[0]!]]
    for (let i = 1; i < all.length; i += 2) frames.push(i + 1 < all.length ? [all[i + 1]!, all[i]!] : [all[i]!])
    let dups = 0
    for (let i = 0; i < all.length; i += 5) {
      frames.splice(Math.min(frames.length, Math.floor(i / 2) + 3), 0, [all[i]!])
      dups += 1
    }
    const server = await serve(async (c) => {
      for (const frame of frames) await c.send(frame)
      await c.send({ type: "end" })
    })
    const { feed, events } = open(server.url)
    expect(await collect(feed)).toEqual(all.map(updateOf))
    expect(feed.stats).toMatchObject({ received: 60 + dups, passed: 60, duplicates: dups, late: 0, gaps: 0, held: 0, connections: 1 })
    expect(events.filter((e) => e.type === "gap")).toEqual([])
  })

  it("a connection dropped in the middle of a burst: reconnects, resubscribes from where it stopped, loses nothing", async () => {
    const all = marketMessages(200, { symbols: ["AAPL", "MSFT"] })
    const server = await serve(async (c) => {
      if (c.index === 1) {
        // The burst is written without waiting; the connection goes down part way through.
        all.forEach((m, i) => {
          if (i === 120) c.drop()
          else if (i < 120) void c.send(m)
        })
        return
      }
      for (const m of after(all, c.hello)) await c.send(m)
      await c.send({ type: "end" })
    })
    const { feed, events } = open(server.url)
    expect(await collect(feed)).toEqual(all.map(updateOf))
    expect(server.connections).toHaveLength(2)
    // The second subscription is the first one again, plus each channel's position.
    const [first, second] = server.connections.map((c) => c.hello)
    expect(first!.resume).toBeUndefined()
    expect({ ...second, resume: undefined }).toEqual({ ...first, resume: undefined })
    // Each stream (kind and symbol) is its own sequence by default.
    expect(Object.keys(second!.resume ?? {}).sort()).toEqual(["bar:AAPL", "bar:MSFT", "quote:AAPL", "quote:MSFT", "trade:AAPL", "trade:MSFT"])
    expect(feed.stats).toMatchObject({ connections: 2, reconnects: 1, passed: 200, late: 0, gaps: 0 })
    expect(events.map((e) => e.type).filter((t) => t === "connected" || t === "disconnected" || t === "reconnecting")).toEqual([
      "connected",
      "disconnected",
      "reconnecting",
      "connected"
    ])
  })

  it("a server that cannot replay: the missing messages are a sequence gap, and one that turns up after is dropped as late", async () => {
    const all = marketMessages(30, { channel: "AAPL" })
    const server = await serve(async (c) => {
      if (c.index === 1) {
        for (const m of all.slice(0, 10)) await c.send(m)
        return c.drop()
      }
      for (const m of all.slice(15)) await c.send(m)
      await c.send(all[11]!)
      await c.send({ type: "end" })
    })
    const { feed, events } = open(server.url, { reorderWindow: 4 })
    expect(await collect(feed)).toEqual([...all.slice(0, 10), ...all.slice(15)].map(updateOf))
    expect(events.filter((e) => e.type === "gap")).toEqual([{ type: "gap", reason: "sequence", channel: "AAPL", from: 11, to: 15 }])
    expect(feed.stats).toMatchObject({ late: 1, duplicates: 0, gaps: 1 })
  })

  it("a missing message waited on longer than the reorder timeout is a gap (the clock decides, not the test's speed)", async () => {
    const { clock, advance } = manualClock()
    const all = marketMessages(6, { channel: "AAPL" })
    const server = await serve(async (c) => {
      for (const m of [all[0]!, all[1]!, all[3]!, all[4]!]) await c.send(m)
    })
    const { feed, events } = open(server.url, { clock, reorderTimeoutMs: 500 })
    const seen: MarketUpdateInput[] = []
    for await (const u of feed) {
      seen.push(u)
      if (seen.length === 2) {
        await until(() => feed.stats.held === 2)
        advance(499)
        expect(feed.stats.held).toBe(2)
        advance(1)
      }
      if (seen.length === 4) break
    }
    expect(seen).toEqual([all[0]!, all[1]!, all[3]!, all[4]!].map(updateOf))
    expect(events.filter((e) => e.type === "gap")).toEqual([{ type: "gap", reason: "sequence", channel: "AAPL", from: 3, to: 3 }])
  })

  it("a stalled server: a silence longer than the bound is a gap, and the feed reconnects and carries on", async () => {
    const { clock, advance } = manualClock()
    const all = marketMessages(30)
    const server = await serve(async (c) => {
      // The first connection sends ten messages and then nothing, without closing.
      for (const m of c.index === 1 ? all.slice(0, 10) : after(all, c.hello)) await c.send(m)
      if (c.index > 1) await c.send({ type: "end" })
    })
    const { feed, events } = open(server.url, { clock, silenceTimeoutMs: 1000 })
    const seen: MarketUpdateInput[] = []
    for await (const u of feed) {
      seen.push(u)
      if (seen.length === 10) {
        advance(999)
        expect(events.some((e) => e.type === "gap")).toBe(false)
        advance(1)
      }
    }
    expect(seen).toEqual(all.map(updateOf))
    expect(events.filter((e) => e.type === "gap")).toEqual([{ type: "gap", reason: "silence", silentMs: 1000 }])
    expect(feed.stats).toMatchObject({ connections: 2, gaps: 1 })
  })

  it("heartbeats keep a quiet connection from counting as stalled", async () => {
    const { clock, advance } = manualClock()
    const all = marketMessages(3)
    let beat: (() => Promise<void>) | undefined
    const server = await serve(async (c) => {
      for (const m of all) await c.send(m)
      beat = () => c.send({ type: "heartbeat" })
    })
    const { feed, events } = open(server.url, { clock, silenceTimeoutMs: 1000 })
    const seen: MarketUpdateInput[] = []
    for await (const u of feed) {
      seen.push(u)
      if (seen.length === 3) {
        for (let i = 0; i < 5; i++) {
          advance(600)
          const ignored = feed.stats.ignored
          await beat!()
          await until(() => feed.stats.ignored === ignored + 1)
        }
        break
      }
    }
    expect(events.some((e) => e.type === "gap")).toBe(false)
    expect(feed.stats).toMatchObject({ connections: 1, ignored: 5 })
  })

  it("an update earlier than the one before it (another channel's clock) is passed on at the previous time", async () => {
    const server = await serve(async (c) => {
      await c.send({ type: "trade", symbol: "AAPL", seq: 1, time: 10_000, price: 100 })
      await c.send({ type: "trade", symbol: "MSFT", seq: 1, time: 5_000, price: 300 })
      await c.send({ type: "end" })
    })
    const { feed } = open(server.url)
    expect(await collect(feed)).toEqual([
      { time: 10_000, prices: { AAPL: 100 } },
      { time: 10_000, prices: { MSFT: 300 } }
    ])
    expect(feed.stats.restamped).toBe(1)
  })
})

describe("live feed: backpressure", () => {
  it("a flood faster than the consumer pauses the socket; the buffer stays within its bound and nothing is lost", async () => {
    const n = 20_000
    const all = marketMessages(n, { symbols: ["AAPL", "MSFT", "GOOGL"], channel: "feed" })
    const frames = all.map((m) => JSON.stringify(m))
    let written = 0
    let backedUp = false
    const server = await serve((c) => {
      // Everything at once, as fast as the socket takes it.
      for (const frame of frames)
        c.socket.send(frame, () => {
          written += 1
        })
      c.socket.send(JSON.stringify({ type: "end" }))
      const watch = setInterval(() => {
        if (c.socket.bufferedAmount > 0) backedUp = true
        if (written === n) clearInterval(watch)
      }, 1)
    })
    const highWaterMark = 100
    const { feed, events } = open(server.url, { highWaterMark, subscription: { trades: ["AAPL", "MSFT", "GOOGL"], quotes: ["AAPL", "MSFT", "GOOGL"], bars: ["AAPL", "MSFT", "GOOGL"] } })
    // The consumer takes nothing until the socket has been paused and the server has written all
    // it could: had the feed kept reading, all 20 000 updates would now be in its buffer.
    await until(() => feed.stats.pauses > 0 && (written === n || backedUp))
    const paused = feed.stats.buffered
    const seen = await collect(feed)
    expect(seen).toEqual(all.map(updateOf))
    // Paused at the mark, a socket still hands over what it had already read: one read of at most 64 KiB.
    const smallestFrame = Math.min(...frames.map((f) => Buffer.byteLength(f)))
    const oneRead = Math.ceil(65_536 / smallestFrame) + 1
    expect(paused).toBeGreaterThanOrEqual(highWaterMark)
    expect(feed.stats.maxBuffered).toBeLessThanOrEqual(highWaterMark + oneRead)
    expect(feed.stats.maxBuffered).toBeLessThan(n / 10)
    expect(feed.stats.pauses).toBeGreaterThan(1)
    expect(events.filter((e) => e.type === "paused")).toHaveLength(feed.stats.pauses)
    expect(events.filter((e) => e.type === "resumed").length).toBeGreaterThanOrEqual(feed.stats.pauses - 1)
    expect(feed.stats).toMatchObject({ passed: n, connections: 1, gaps: 0 })
  })
})

describe("live feed: reconnect backoff and errors", () => {
  it("waits an exponential backoff with full jitter between attempts, and gives up after maxAttempts with LiveFeedError", async () => {
    const gone = await startFeedServer(() => {})
    await gone.close()
    const { feed, events } = open(gone.url, { random: () => 0.5, reconnect: { initialDelayMs: 10, maxDelayMs: 40, maxAttempts: 4 } })
    const error = await rejection(collect(feed))
    expect(error).toBeInstanceOf(LiveFeedError)
    expect(error).toMatchObject({ reason: "reconnectLimit" })
    // 0.5 × min(40, 10 × 2^attempt)
    expect(events.filter((e) => e.type === "reconnecting")).toEqual([
      { type: "reconnecting", attempt: 1, delayMs: 5 },
      { type: "reconnecting", attempt: 2, delayMs: 10 },
      { type: "reconnecting", attempt: 3, delayMs: 20 },
      { type: "reconnecting", attempt: 4, delayMs: 20 }
    ])
    expect(feed.stats.connections).toBe(0)
  })

  it("a server that comes up late is reached by a later attempt", async () => {
    const gone = await startFeedServer(() => {})
    await gone.close()
    const all = marketMessages(5)
    const { feed, events } = open(gone.url, { reconnect: { initialDelayMs: 5 }, random: () => 1 })
    await until(() => events.filter((e) => e.type === "reconnecting").length >= 2)
    await serve(
      async (c) => {
        for (const m of all) await c.send(m)
        await c.send({ type: "end" })
      },
      { port: gone.port }
    )
    expect(await collect(feed)).toEqual(all.map(updateOf))
    expect(feed.stats.connections).toBe(1)
  })

  it("a non-fatal server error is reported and the feed carries on; a fatal one ends it with LiveFeedError", async () => {
    const all = marketMessages(4)
    const server = await serve(async (c) => {
      await c.send(all.slice(0, 2))
      await c.send({ type: "error", code: 503, message: "catching up" })
      await c.send(all.slice(2))
      await c.send({ type: "error", code: "auth", message: "bad key", fatal: true })
    })
    const { feed, events } = open(server.url)
    const seen: MarketUpdateInput[] = []
    const error = await rejection(
      (async () => {
        for await (const u of feed) seen.push(u)
      })()
    )
    expect(seen).toEqual(all.map(updateOf))
    expect(error).toMatchObject({ _tag: "LiveFeedError", reason: "serverError" })
    expect((error as LiveFeedError).message).toContain("bad key")
    expect(events.filter((e) => e.type === "serverError")).toEqual([
      { type: "serverError", code: "503", message: "catching up", fatal: false },
      { type: "serverError", code: "auth", message: "bad key", fatal: true }
    ])
  })

  it("bad frames and messages are reported with the field and the rule, skipped, and do not hold up the ones after them", async () => {
    const all = marketMessages(6, { channel: "AAPL" })
    const server = await serve(async (c) => {
      await c.send(all[0])
      c.socket.send("not json")
      await c.send({ ...all[1]!, v: 2 })
      await c.send({ type: "bar", symbol: "AAPL", channel: "AAPL", seq: 3, time: 0, open: 10, high: 9, low: 8, close: 9 })
      await c.send({ type: "tick", symbol: "AAPL" })
      await c.send(all.slice(3))
      await c.send({ type: "end" })
    })
    const { feed, events } = open(server.url)
    expect(await collect(feed)).toEqual([all[0]!, ...all.slice(3)].map(updateOf))
    const invalid = events.flatMap((e) => (e.type === "invalid" ? [e.error.issues.map((i) => `${i.field} ${i.rule}`)] : []))
    expect(invalid).toEqual([
      ["(frame) must be JSON"],
      ["v must be 1 (this reader reads version 1 of the format)"],
      ["bars.AAPL.high must be at least the open, the close and the low"],
      ['type must be one of "trade", "quote", "bar", "heartbeat", "end", "error"']
    ])
    expect(feed.stats).toMatchObject({ invalid: 4, gaps: 0, held: 0 })
  })

  it("refuses bad options with a ValidationError naming each field", () => {
    let error: unknown
    try {
      openLiveFeed({ url: "http://example.com", subscription: {}, highWaterMark: 0, reconnect: { maxAttempts: -1 } })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ValidationError)
    expect((error as ValidationError).issues.map((i) => i.field)).toEqual(["url", "subscription", "highWaterMark", "reconnect.maxAttempts"])
  })
})

describe("live feed: Alpaca's layout", () => {
  // Alpaca's message shapes, as its SDK's mock server sends them.
  const trade = (i: number, t: string, p: number) => ({ T: "t", i, S: "AAPL", x: "Q", p, s: 25, t, c: ["@"], z: "C" })
  const quote = (t: string, bp: number, ap: number) => ({ T: "q", S: "AAPL", bx: "Z", bp, bs: 3, ax: "Q", ap, as: 1, t, c: ["R"], z: "C" })
  const bar = (t: string) => ({ T: "b", S: "AAPL", o: 127.82, h: 128.32, l: 126.32, c: 126.9, v: 72015712, t, vw: 127.07, n: 462915 })

  it("logs in after `connected`, subscribes after `authenticated`, maps t/q/b, judges duplicates by time, reports a reconnect as a gap", async () => {
    const server = await serve(
      async (c) => {
        await c.send([{ T: "success", msg: "connected" }])
        await until(() => c.received.length === 1)
        expect(c.received[0]).toEqual({ action: "auth", key: "k", secret: "s" })
        await c.send([{ T: "success", msg: "authenticated" }])
        await until(() => c.received.length === 2)
        expect(c.received[1]).toEqual({ action: "subscribe", trades: ["AAPL"], quotes: ["AAPL"], bars: ["AAPL"] })
        await c.send([{ T: "subscription", trades: ["AAPL"], quotes: ["AAPL"], bars: ["AAPL"] }])
        if (c.index === 1) {
          await c.send([trade(1, "2021-01-27T10:35:34.828401270Z", 144.6), trade(2, "2021-01-27T10:35:34.828999Z", 144.61)])
          // The same trade again; an earlier quote than one passed on; a quote with no bid (ignored: no side to sell at); an updated bar.
          await c.send([trade(2, "2021-01-27T10:35:34.828999Z", 144.61), quote("2021-01-27T10:35:35Z", 144.5, 144.7)])
          await c.send([quote("2021-01-27T10:35:34Z", 144.4, 144.6), quote("2021-01-27T10:35:36Z", 0, 144.8), { T: "u", S: "AAPL" }])
          return c.drop()
        }
        await c.send([bar("2021-01-27T10:36:00Z"), quote("2021-01-27T10:36:01Z", 0, 0)])
      },
      { greet: true }
    )
    const { feed, events } = open(server.url, { layout: alpacaLayout({ key: "k", secret: "s" }), subscription: { trades: ["AAPL"], quotes: ["AAPL"], bars: ["AAPL"] } })
    const seen: MarketUpdateInput[] = []
    // Alpaca never says it is done: the consumer stops when it has what it wants.
    for await (const u of feed) {
      seen.push(u)
      if (seen.length === 4) break
    }
    const at = (iso: string) => Date.parse(iso)
    expect(seen).toEqual([
      { time: at("2021-01-27T10:35:34.828Z"), prices: { AAPL: 144.6 } },
      // Two trades in the same millisecond, told apart by their ids: both are real.
      { time: at("2021-01-27T10:35:34.828Z"), prices: { AAPL: 144.61 } },
      { time: at("2021-01-27T10:35:35Z"), quotes: { AAPL: { bid: 144.5, ask: 144.7 } } },
      { time: at("2021-01-27T10:36:00Z"), bars: { AAPL: { open: 127.82, high: 128.32, low: 126.32, close: 126.9, volume: 72015712 } } }
    ])
    expect(feed.stats).toMatchObject({ duplicates: 1, late: 1, connections: 2 })
    expect(events.filter((e) => e.type === "gap")).toEqual([{ type: "gap", reason: "reconnect", downMs: expect.any(Number) }])
  })
})

describe("live feed: as an Effect Stream, and the replay server", () => {
  it("liveFeedStream gives the updates; taking part of it closes the connection", async () => {
    const all = marketMessages(50, { symbols: ["AAPL", "MSFT"] })
    const server = await serveLiveFeed({ messages: all })
    servers.push(server)
    const subscription = { trades: ["AAPL", "MSFT"], quotes: ["AAPL", "MSFT"], bars: ["AAPL", "MSFT"] }
    const whole = await Effect.runPromise(Stream.runCollect(liveFeedStream({ url: server.url, subscription })))
    expect(whole).toEqual(all.map(updateOf))
    // A server that never ends: the stream's end closes the connection.
    const endless = await serve(async (c) => {
      for (const m of all) await c.send(m)
    })
    const some = await Effect.runPromise(Stream.runCollect(Stream.take(liveFeedStream({ url: endless.url, subscription }), 5)))
    expect(some).toEqual(all.slice(0, 5).map(updateOf))
    await until(() => endless.connections[0]?.socket.readyState === WebSocket.CLOSED)
  })

  it("the replay server sends only the subscribed symbols and kinds, numbered per stream, from where `resume` says", async () => {
    // Recorded messages carry no numbers: the server gives them.
    const all = marketMessages(30, { symbols: ["AAPL", "MSFT"] }).map((m) => ({ ...m, seq: undefined }) as LiveMessage)
    const server = await serveLiveFeed({ messages: all })
    servers.push(server)
    const { feed } = open(server.url, { subscription: { trades: ["AAPL"], bars: ["AAPL", "MSFT"] } })
    const wanted = all.filter((m) => (m.type === "trade" && m.symbol === "AAPL") || m.type === "bar")
    expect(await collect(feed)).toEqual(wanted.map(updateOf))

    const client = new WebSocket(server.url)
    const frames: unknown[] = []
    client.on("message", (data: Buffer) => frames.push(JSON.parse(data.toString("utf8"))))
    await new Promise((resolve) => client.once("open", resolve))
    client.send(JSON.stringify({ action: "subscribe", v: 1, trades: ["AAPL"], resume: { "trade:AAPL": 3 } }))
    await until(() => frames.at(-1) !== undefined && (frames.at(-1) as { type: string }).type === "end")
    client.close()
    const trades = all.filter((m) => m.type === "trade" && m.symbol === "AAPL")
    expect(frames).toEqual([...trades.slice(3).map((m, i) => ({ ...m, seq: 4 + i })), { type: "end" }])
  })
})
