/**
 * A WebSocket server on loopback for the live feed's tests, scripted per connection: each
 * connection's script gets the subscription the client sent and sends frames, drops the
 * connection or goes silent, as the test says.
 */
import { WebSocketServer, type WebSocket } from "ws"
import type { LiveMessage, LiveSubscribe } from "../../../src/data/live/live-feed-format.ts"
import type { BarInput, MarketUpdateInput } from "../../../src/domain/market-update.ts"
import { parseTime } from "../../../src/domain/time.ts"

export interface ServerConnection {
  /** 1 for the first connection. */
  readonly index: number
  /** What the client sent first (its subscription, for paperfloor's layout). */
  readonly hello: LiveSubscribe
  readonly socket: WebSocket
  /** Every message the client sent, parsed. */
  readonly received: unknown[]
  /** One frame: a message, or an array of messages. Resolves once written to the socket. */
  send(frame: LiveMessage | ReadonlyArray<LiveMessage> | unknown): Promise<void>
  /** Closes the TCP connection at once, with no close frame (a dropped connection). */
  drop(): void
}

export interface FeedServer {
  readonly url: string
  readonly port: number
  readonly connections: ServerConnection[]
  close(): Promise<void>
}

/**
 * Starts a server; `script` runs for each connection once the client's first message came (or,
 * with `greet`, as soon as it connects: for layouts where the server speaks first).
 */
export const startFeedServer = async (
  script: (connection: ServerConnection) => Promise<void> | void,
  options: { readonly greet?: boolean; readonly port?: number } = {}
): Promise<FeedServer> => {
  const server = new WebSocketServer({ host: "127.0.0.1", port: options.port ?? 0 })
  const connections: ServerConnection[] = []
  server.on("connection", (socket) => {
    const received: unknown[] = []
    const start = (hello: unknown) => {
      const connection: ServerConnection = {
        index: connections.length + 1,
        hello: hello as LiveSubscribe,
        socket,
        received,
        send: (frame) =>
          new Promise<void>((resolve) => {
            if (socket.readyState !== socket.OPEN) return resolve()
            socket.send(JSON.stringify(frame), () => resolve())
          }),
        drop: () => socket.terminate()
      }
      connections.push(connection)
      void Promise.resolve(script(connection)).catch(() => socket.terminate())
    }
    socket.on("message", (data: Buffer) => {
      const message = JSON.parse(data.toString("utf8")) as unknown
      received.push(message)
      if (received.length === 1 && options.greet !== true) start(message)
    })
    if (options.greet === true) start(undefined)
  })
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve)
    server.once("error", reject)
  })
  const address = server.address()
  const port = typeof address === "object" && address !== null ? address.port : 0
  return {
    url: `ws://127.0.0.1:${port}`,
    port,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate()
        server.close(() => resolve())
      })
  }
}

const BASE = Date.UTC(2024, 0, 2, 14, 30)

/**
 * `n` numbered messages over `symbols`: trades, quotes and bars in turn, one second apart, prices
 * in a wave. All in one `channel` when one is given, else each stream (`trade:AAPL`) its own.
 */
export const marketMessages = (n: number, options: { readonly symbols?: ReadonlyArray<string>; readonly channel?: string; readonly from?: number } = {}): LiveMessage[] => {
  const symbols = options.symbols ?? ["AAPL"]
  const seqs = new Map<string, number>()
  const out: LiveMessage[] = []
  for (let i = 0; i < n; i++) {
    const k = i + (options.from ?? 0)
    const symbol = symbols[k % symbols.length]!
    const kind = k % 3
    const channel = options.channel ?? `${["trade", "quote", "bar"][kind]}:${symbol}`
    const seq = (seqs.get(channel) ?? 0) + 1
    seqs.set(channel, seq)
    const time = BASE + k * 1000
    const p = Math.round((100 + 10 * Math.sin(k / 7) + symbols.indexOf(symbol) * 50) * 100) / 100
    const place = { symbol, time, seq, ...(options.channel === undefined ? {} : { channel }) }
    if (kind === 0) out.push({ type: "trade", ...place, price: p, size: 100 })
    else if (kind === 1) out.push({ type: "quote", ...place, bid: (p - 0.01).toFixed(2), ask: (p + 0.01).toFixed(2), bidSize: 3, askSize: 4 })
    else out.push({ type: "bar", ...place, open: p, high: p + 0.5, low: p - 0.5, close: p + 0.25, volume: 1000 + k })
  }
  return out
}

/** The messages of `all` the client has not passed on yet, by its `resume` positions. */
export const after = (all: ReadonlyArray<LiveMessage>, hello: LiveSubscribe): LiveMessage[] =>
  all.filter((m) => !("seq" in m) || m.seq === undefined || m.seq > (hello.resume?.[m.channel ?? `${m.type}:${m.symbol}`] ?? 0))

/** Resolves when `test` holds, checking every few ms (bounded by the test's timeout). */
export const until = async (test: () => boolean, everyMs = 5): Promise<void> => {
  while (!test()) await new Promise((r) => setTimeout(r, everyMs))
}

/**
 * The engine's update for a message, written out here rather than taken from the library: a
 * trade's price, a quote's bid and ask, a bar.
 */
export const updateOf = (m: LiveMessage): MarketUpdateInput => {
  if (m.type === "trade") return { time: parseTime(m.time), prices: { [m.symbol]: m.price as number | string } }
  if (m.type === "quote") return { time: parseTime(m.time), quotes: { [m.symbol]: { bid: m.bid as number | string, ask: m.ask as number | string } } }
  if (m.type === "bar") {
    const { open, high, low, close, volume } = m
    return { time: parseTime(m.time), bars: { [m.symbol]: { open, high, low, close, ...(volume === undefined ? {} : { volume }) } as BarInput } }
  }
  throw new Error(`not a market message: ${m.type}`)
}
