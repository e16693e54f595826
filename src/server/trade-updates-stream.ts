/**
 * Alpaca's `trade_updates` stream at `/stream` (WebSocket, JSON frames): a client authenticates
 * with its account's key pair, listens to `trade_updates`, and is sent its account's order events
 * (new, fill, partial_fill, canceled, expired, rejected, replaced, …), each once the batch that
 * caused it is durable. Only events from after it listens: nothing is replayed.
 */
import type { IncomingMessage } from "node:http"
import type { Duplex } from "node:stream"
import { type WebSocket, WebSocketServer } from "ws"
import type { EngineEvent } from "../engine/engine-events.ts"
import type { SupervisedEvent } from "../runtime/simulation-supervisor.ts"
import type { Account, AccountBook } from "./account-book.ts"
import { alpacaOrder } from "./alpaca-objects.ts"

/** The engine's order events in Alpaca's words; the rest (a trigger, an activation, a reduction) are not Alpaca events. */
const EVENT_NAMES: Partial<Record<EngineEvent["type"], string>> = {
  orderSubmitted: "pending_new",
  orderAccepted: "new",
  orderPartiallyFilled: "partial_fill",
  orderFilled: "fill",
  orderCancelled: "canceled",
  orderExpired: "expired",
  orderRejected: "rejected",
  orderReplaced: "replaced",
  orderReplaceRejected: "order_replace_rejected"
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

/** One engine event as Alpaca's trade update, or undefined when Alpaca has no such event. */
export const tradeUpdateOf = (event: EngineEvent, account: Account): Record<string, unknown> | undefined => {
  const name = EVENT_NAMES[event.type]
  if (name === undefined || !("order" in event)) return undefined
  const fill = "fill" in event ? event.fill : null
  const fills = new Map(fill === null ? [] : [[event.order.id, fill.time]])
  const order = alpacaOrder(event.order, fills, Date.parse(account.createdAt), null)
  return {
    event: name,
    order,
    // The simulation's time: a fill's, else the order's last known time.
    timestamp: fill === null ? order["updated_at"] : iso(fill.time),
    ...(fill !== null ? { execution_id: `${fill.orderId}-${fill.updateIndex}-${fill.quantity}`, price: fill.price, qty: fill.quantity } : {}),
    ...("reason" in event ? { reason: event.reason } : {})
  }
}

/** How much a listener may leave unread (beyond what the kernel holds) before it is cut off. */
export const MAX_BUFFERED_BYTES = 8 * 1024 * 1024

interface Listener {
  readonly socket: WebSocket
  account: Account | undefined
  listening: boolean
}

const send = (socket: WebSocket, frame: unknown) => socket.send(JSON.stringify(frame))

const isRecord = (u: unknown): u is Record<string, unknown> => u !== null && typeof u === "object" && !Array.isArray(u)

export const tradeUpdatesStream = (accounts: AccountBook, authTimeoutMs: number) => {
  const server = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 })
  const listeners = new Set<Listener>()

  server.on("connection", (socket: WebSocket) => {
    const listener: Listener = { socket, account: undefined, listening: false }
    listeners.add(listener)
    // A socket that never authenticates holds a connection for nothing.
    const authTimer = setTimeout(() => {
      if (listener.account !== undefined) return
      send(socket, { stream: "error", data: { error_message: "auth timeout" } })
      socket.close(1008, "auth timeout")
    }, authTimeoutMs)
    socket.on("close", () => {
      clearTimeout(authTimer)
      listeners.delete(listener)
    })
    // A frame over the limit or not UTF-8: ws closes that socket (1009, 1007); the error is the client's, and not thrown.
    socket.on("error", () => listeners.delete(listener))
    socket.on("message", (raw) => {
      let parsed: unknown
      try {
        parsed = JSON.parse(String(raw))
      } catch {
        send(socket, { stream: "error", data: { error_message: "frames must be JSON" } })
        return
      }
      // JSON that is no object (null, a number, a list) is a client's mistake, not the server's.
      if (!isRecord(parsed)) {
        send(socket, { stream: "error", data: { error_message: "frames must be JSON objects ({ action, data })" } })
        return
      }
      const frame = parsed as { action?: unknown; data?: { key_id?: unknown; secret_key?: unknown; streams?: unknown } | null }
      if (frame.action === "authenticate" || frame.action === "auth") {
        const text = (v: unknown) => (typeof v === "string" ? v : "")
        const account = accounts.authenticate(text(frame.data?.key_id), text(frame.data?.secret_key))
        send(socket, { stream: "authorization", data: { action: "authenticate", status: account === undefined ? "unauthorized" : "authorized" } })
        if (account === undefined) socket.close(1008, "unauthorized")
        else listener.account = account
        return
      }
      if (frame.action === "listen") {
        if (listener.account === undefined) {
          send(socket, { stream: "authorization", data: { action: "listen", status: "unauthorized" } })
          return
        }
        const streams = Array.isArray(frame.data?.streams) ? frame.data.streams.filter((s) => s === "trade_updates") : []
        listener.listening = streams.length > 0
        send(socket, { stream: "listening", data: { streams } })
        return
      }
      send(socket, { stream: "error", data: { error_message: `unknown action ${JSON.stringify(frame.action)}` } })
    })
  })

  return {
    /** Takes an HTTP upgrade to `/stream`. */
    upgrade: (request: IncomingMessage, socket: Duplex, head: Buffer) => server.handleUpgrade(request, socket, head, (ws) => server.emit("connection", ws, request)),
    /** Sends an event to the listeners of its account. */
    publish: ({ simulationId, event }: SupervisedEvent) => {
      for (const listener of listeners) {
        if (!listener.listening || listener.account?.id !== simulationId) continue
        // A client that does not read (hung, or hostile) would have the server hold its frames
        // without end: past MAX_BUFFERED_BYTES unsent it is cut off (a client reconnects, as after any drop).
        if (listener.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
          listener.socket.terminate()
          listeners.delete(listener)
          continue
        }
        const update = tradeUpdateOf(event, listener.account)
        if (update !== undefined) send(listener.socket, { stream: "trade_updates", data: update })
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const { socket } of listeners) socket.terminate()
        server.close(() => resolve())
      })
  }
}
