/**
 * Alpaca's market-data stream at `/v2/{feed}` (`iex`, `sip`, `delayed_sip`, `test`): on connect
 * `[{"T":"success","msg":"connected"}]`; `{"action":"auth","key","secret"}` with an account's key
 * pair; `{"action":"subscribe"|"unsubscribe","trades":[…],"quotes":[…],"bars":[…]}` (`"*"` for
 * every symbol), answered with the subscription; then the tape's records as they are fed, each
 * once every account has journaled it: trades `T:"t"`, quotes `T:"q"`, bars `T:"b"`. Frames are
 * JSON, or msgpack when the client asks for it (`Content-Type: application/msgpack`, as the
 * official client does). Errors are Alpaca's: `{"T":"error","code":400|401|402|403,"msg"}`.
 * msgpack is `@msgpack/msgpack`, the official client's own codec.
 */
import { decode, encode } from "@msgpack/msgpack"
import type { IncomingMessage } from "node:http"
import type { Duplex } from "node:stream"
import { type WebSocket, WebSocketServer } from "ws"
import type { AlignedUpdate } from "../data/aligned-updates.ts"
import { symbolRuleBroken } from "../domain/simulation-config.ts"
import type { AccountBook } from "./account-book.ts"
import { alpacaBar, alpacaQuote, alpacaTrade, type TimeEncoding } from "./market-objects.ts"
import { barOf } from "./market-store.ts"

export const MARKET_DATA_FEEDS: ReadonlySet<string> = new Set(["iex", "sip", "delayed_sip", "test"])

/** The channels that carry data; the others Alpaca has are taken and echoed, and carry nothing here. */
const CHANNELS = ["trades", "quotes", "bars", "updatedBars", "dailyBars", "statuses", "lulds", "corrections", "cancelErrors", "imbalances"] as const
type Channel = (typeof CHANNELS)[number]

/** How a client's frames go on the wire. */
interface Codec {
  readonly binary: boolean
  readonly encode: (frames: ReadonlyArray<unknown>) => string | Uint8Array
  readonly decode: (raw: Buffer) => unknown
}

const JSON_CODEC: Codec = { binary: false, encode: (frames) => JSON.stringify(frames), decode: (raw) => JSON.parse(raw.toString("utf8")) }

const MSGPACK_CODEC: Codec = { binary: true, encode: (frames) => encode(frames), decode: (raw) => decode(raw) }

interface Client {
  readonly socket: WebSocket
  codec: Codec
  authenticated: boolean
  readonly subscriptions: Record<Channel, Set<string>>
}

const isRecord = (u: unknown): u is Record<string, unknown> => u !== null && typeof u === "object" && !Array.isArray(u)

export const marketDataStream = (accounts: AccountBook, authTimeoutMs: number) => {
  const server = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 })
  const clients = new Set<Client>()

  const send = (client: Client, frames: ReadonlyArray<unknown>) => {
    if (client.socket.readyState === client.socket.OPEN) client.socket.send(client.codec.encode(frames))
  }
  const error = (client: Client, code: number, msg: string) => send(client, [{ T: "error", code, msg }])
  const subscription = (client: Client) => ({ T: "subscription", ...Object.fromEntries(CHANNELS.map((c) => [c, [...client.subscriptions[c]]])) })

  const onFrame = (client: Client, frame: unknown) => {
    if (!isRecord(frame)) return error(client, 400, "invalid syntax: a frame must be an object with an action")
    const action = frame["action"]
    if (action === "auth") {
      if (client.authenticated) return error(client, 403, "already authenticated")
      // Only strings are keys: an object's own toString is the client's code, and may throw.
      const text = (v: unknown) => (typeof v === "string" ? v : "")
      const account = accounts.authenticate(text(frame["key"]), text(frame["secret"]))
      if (account === undefined) {
        error(client, 402, "auth failed")
        client.socket.close(1008, "auth failed")
        return
      }
      client.authenticated = true
      return send(client, [{ T: "success", msg: "authenticated" }])
    }
    if (action !== "subscribe" && action !== "unsubscribe") return error(client, 400, `invalid syntax: action must be auth, subscribe or unsubscribe (got ${JSON.stringify(action)})`)
    if (!client.authenticated) return error(client, 401, "not authenticated")
    // Checked whole before any of it is taken.
    for (const channel of CHANNELS) {
      const symbols = frame[channel]
      if (symbols === undefined) continue
      if (!Array.isArray(symbols)) return error(client, 400, `invalid syntax: ${channel} must be an array of symbols`)
      const bad = symbols.findIndex((s) => typeof s !== "string" || (s !== "*" && symbolRuleBroken(s) !== undefined))
      if (bad !== -1) return error(client, 400, `invalid syntax: ${channel}[${bad}] must be a symbol or "*" (got ${JSON.stringify(symbols[bad])})`)
    }
    for (const channel of CHANNELS) {
      for (const symbol of (frame[channel] as string[] | undefined) ?? []) {
        if (action === "subscribe") client.subscriptions[channel].add(symbol)
        else client.subscriptions[channel].delete(symbol)
      }
    }
    send(client, [subscription(client)])
  }

  server.on("connection", (socket: WebSocket, request: IncomingMessage) => {
    const client: Client = {
      socket,
      codec: JSON_CODEC,
      authenticated: false,
      subscriptions: Object.fromEntries(CHANNELS.map((c) => [c, new Set<string>()])) as Client["subscriptions"]
    }
    clients.add(client)
    // Alpaca's: a socket that does not authenticate in time is told so and closed.
    const authTimer = setTimeout(() => {
      if (client.authenticated) return
      error(client, 404, "auth timeout")
      socket.close(1008, "auth timeout")
    }, authTimeoutMs)
    socket.on("close", () => {
      clearTimeout(authTimer)
      clients.delete(client)
    })
    // A frame over the limit or not UTF-8: ws closes that socket; unheard, the error would end the process.
    socket.on("error", () => clients.delete(client))
    if (/application\/msgpack/i.test(request.headers["content-type"] ?? "")) client.codec = MSGPACK_CODEC
    socket.on("message", (raw: Buffer) => {
      let frame: unknown
      try {
        frame = client.codec.decode(raw)
      } catch {
        return error(client, 400, "invalid syntax")
      }
      onFrame(client, frame)
    })
    send(client, [{ T: "success", msg: "connected" }])
  })

  const wants = (client: Client, channel: Channel, symbol: string) => client.subscriptions[channel].has(symbol) || client.subscriptions[channel].has("*")

  return {
    /** Takes an HTTP upgrade to `/v2/{feed}`. */
    upgrade: (request: IncomingMessage, socket: Duplex, head: Buffer) => server.handleUpgrade(request, socket, head, (ws) => server.emit("connection", ws, request)),
    /** Sends a batch of the tape to the clients subscribed to its symbols. */
    publish: (from: number, updates: ReadonlyArray<AlignedUpdate>) => {
      for (const client of clients) {
        if (!client.authenticated) continue
        const time: TimeEncoding = client.codec.binary ? (ms) => new Date(ms) : (ms) => new Date(ms).toISOString()
        const frames: unknown[] = []
        updates.forEach((update, i) => {
          for (const record of update.records) {
            const { symbol } = record
            if (record.kind === "trade" && wants(client, "trades", symbol))
              frames.push({ T: "t", S: symbol, ...alpacaTrade({ t: record.time, p: record.price, s: record.size, i: from + i }, time) })
            else if (record.kind === "quote" && wants(client, "quotes", symbol))
              frames.push({ T: "q", S: symbol, ...alpacaQuote({ t: record.time, bp: record.bid, bs: record.bidSize, ap: record.ask, as: record.askSize }, time) })
            else if (record.kind === "bar" && wants(client, "bars", symbol)) frames.push({ T: "b", S: symbol, ...alpacaBar(barOf(record), time) })
          }
        })
        if (frames.length > 0) send(client, frames)
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const { socket } of clients) socket.terminate()
        server.close(() => resolve())
      })
  }
}
