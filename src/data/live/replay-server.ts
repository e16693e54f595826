/**
 * A live feed server that replays recorded messages in paperfloor's format: for trying a
 * deployment on the live path with data you have, and for examples and tests. Each connection
 * gets, after its subscription, the messages for its symbols and kinds, then `end`. It numbers
 * what it sends itself (any `seq` given is replaced): per channel, counting only what the
 * subscription gets, so a client that reconnects with `resume` gets exactly what it missed.
 */
import { Result } from "effect"
import { WebSocketServer, type WebSocket } from "ws"
import { decodeOrFail } from "../../domain/validation.ts"
import { streamOf } from "./feed-message.ts"
import { type LiveMessage, LiveSubscribe } from "./live-feed-format.ts"

export interface ReplayServerOptions {
  /** The messages, in the order to send them. */
  readonly messages: ReadonlyArray<LiveMessage>
  /** Default 127.0.0.1. */
  readonly host?: string
  /** Default 0: a free port. */
  readonly port?: number
}

export interface ReplayServer {
  /** `ws://host:port`. */
  readonly url: string
  readonly port: number
  close(): Promise<void>
}

const decodeSubscribe = decodeOrFail(LiveSubscribe, "config")
const KINDS = { trade: "trades", quote: "quotes", bar: "bars" } as const

/** The messages a subscription gets, numbered, from where its `resume` says. */
const forSubscription = (subscription: LiveSubscribe, messages: ReadonlyArray<LiveMessage>): LiveMessage[] => {
  const numbers = new Map<string, number>()
  const out: LiveMessage[] = []
  for (const message of messages) {
    if (message.type !== "trade" && message.type !== "quote" && message.type !== "bar") {
      out.push(message)
      continue
    }
    if (!(subscription[KINDS[message.type]] ?? []).includes(message.symbol)) continue
    const channel = message.channel ?? streamOf(message.type, message.symbol)
    const seq = (numbers.get(channel) ?? 0) + 1
    numbers.set(channel, seq)
    if (seq > (subscription.resume?.[channel] ?? 0)) out.push({ ...message, seq })
  }
  return out
}

const send = (socket: WebSocket, message: unknown) => new Promise<void>((resolve) => socket.send(JSON.stringify(message), () => resolve()))

const replay = async (socket: WebSocket, messages: ReadonlyArray<LiveMessage>, raw: string) => {
  let request: unknown
  try {
    request = JSON.parse(raw)
  } catch {
    request = raw
  }
  const subscription = decodeSubscribe(request)
  if (Result.isFailure(subscription)) {
    await send(socket, { type: "error", code: "subscribe", message: subscription.failure.message, fatal: true })
    return socket.close(1008)
  }
  for (const message of forSubscription(subscription.success, messages)) {
    if (socket.readyState !== socket.OPEN) return
    // Waiting for each write keeps a slow client's backlog in TCP rather than in this process.
    await send(socket, message)
  }
  await send(socket, { type: "end" })
}

/** Starts a replay server on loopback (by default) and resolves once it listens. */
export const serveLiveFeed = (options: ReplayServerOptions): Promise<ReplayServer> =>
  new Promise((resolve, reject) => {
    const server = new WebSocketServer({ host: options.host ?? "127.0.0.1", port: options.port ?? 0 })
    server.on("connection", (socket) => {
      socket.once("message", (data: Buffer) => void replay(socket, options.messages, data.toString("utf8")))
    })
    server.once("error", reject)
    server.once("listening", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      const host = options.host ?? "127.0.0.1"
      resolve({
        url: `ws://${host}:${port}`,
        port,
        close: () =>
          new Promise<void>((done) => {
            for (const client of server.clients) client.terminate()
            server.close(() => done())
          })
      })
    })
  })
