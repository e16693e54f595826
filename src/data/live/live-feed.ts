/**
 * A live market-data feed over a WebSocket: the updates of a stream of trades, quotes and bars,
 * for a running simulation, as an async iterable and as an Effect Stream.
 *
 * ```ts
 * const feed = openLiveFeed({ url: "ws://127.0.0.1:8080", subscription: { trades: ["AAPL"], bars: ["AAPL"] } })
 * for await (const update of feed) await paper.processMarketUpdate(id, update)
 * ```
 *
 * - **Reconnects** after a drop, waiting an exponential backoff with full jitter
 *   (`reconnect.initialDelayMs` doubling up to `reconnect.maxDelayMs`; `reconnect.maxAttempts`
 *   consecutive attempts without data end the feed with `LiveFeedError`), and subscribes again,
 *   telling a server that can replay where each channel stopped.
 * - **Order and duplicates**: see `FeedSequencer`. Dropped messages are counted in `stats`.
 * - **Gaps** are events: missing sequence numbers, a silence longer than `silenceTimeoutMs` (the
 *   connection is then dropped and made again), a reconnect on a layout that cannot replay.
 * - **Backpressure**: updates wait in a buffer for the consumer. When `highWaterMark` of them are
 *   waiting, the socket is paused: nothing more is read from it (the server's writes back up in
 *   TCP) until the consumer has taken the buffer down to half the mark. What the socket had
 *   already read when it was paused (at most one read, 64 KiB) is still buffered, so the buffer
 *   holds at most `highWaterMark` updates plus those of one read. A paused socket is not silent.
 * - **Time never goes back**: an update earlier than the one before it (another channel's clock)
 *   is passed on at the previous update's time, and counted as `restamped`.
 * - **Time and randomness** come from `clock` and `random`, so tests can drive them.
 */
import { Effect, Result, Schema, Stream } from "effect"
import { WebSocket } from "ws"
import { ValidationError } from "../../domain/errors.ts"
import type { MarketUpdateInput } from "../../domain/market-update.ts"
import { decodeOrFail } from "../../domain/validation.ts"
import type { LayoutItem, LayoutSession, LiveFeedLayout, LiveSubscription } from "./feed-layout.ts"
import type { FeedMessage } from "./feed-message.ts"
import { FeedSequencer, type SequencerOutput } from "./feed-sequencer.ts"
import { type LiveFeedClock, systemClock } from "./live-feed-clock.ts"
import { LiveFeedError, type LiveFeedEvent, type LiveFeedStats } from "./live-feed-events.ts"
import { rule, SymbolField } from "./message-fields.ts"
import { paperfloorLayout } from "./paperfloor-layout.ts"
import { backoffDelay } from "./reconnect-backoff.ts"

export interface ReconnectOptions {
  /** The ceiling of the first wait, ms (default 250). */
  readonly initialDelayMs?: number
  /** The largest ceiling, ms (default 30 000). */
  readonly maxDelayMs?: number
  /** Consecutive attempts without data before the feed gives up (default: never). */
  readonly maxAttempts?: number
}

export interface LiveFeedOptions {
  /** `ws://` or `wss://`. */
  readonly url: string
  readonly subscription: LiveSubscription
  /** The wire layout: paperfloor's own (the default), `alpacaLayout(credentials)`, or one of yours. */
  readonly layout?: LiveFeedLayout
  /** Updates waiting for the consumer before the socket is paused (default 1000). */
  readonly highWaterMark?: number
  /** A silence longer than this (ms) is a gap, and the connection is made again (default 30 000; 0 never). */
  readonly silenceTimeoutMs?: number
  /** Messages held per channel while one before them is missing (default 100). */
  readonly reorderWindow?: number
  /** How long a channel waits for a missing message before reporting a gap, ms (default 2 000). */
  readonly reorderTimeoutMs?: number
  readonly reconnect?: ReconnectOptions
  readonly clock?: LiveFeedClock
  /** Uniform in [0, 1): the jitter of the reconnect waits (default Math.random). */
  readonly random?: () => number
  /** Called with each event as it happens; must not throw (a throw ends the feed with `LiveFeedError`). */
  readonly onEvent?: (event: LiveFeedEvent) => void
}

const isWebSocketUrl = (u: string): boolean => {
  try {
    const { protocol } = new URL(u)
    return protocol === "ws:" || protocol === "wss:"
  } catch {
    return false
  }
}

const Count = Schema.Number.check(rule((n) => Number.isSafeInteger(n) && n >= 1, "must be a whole number of at least 1"))
const Millis = Schema.Number.check(rule((n) => Number.isFinite(n) && n >= 0, "must be a finite number of ms, at least 0"))
const Symbols = Schema.Array(SymbolField)
const settingsSchema = Schema.Struct({
  url: Schema.String.check(rule(isWebSocketUrl, "must be a ws:// or wss:// URL")),
  subscription: Schema.Struct({ trades: Schema.optionalKey(Symbols), quotes: Schema.optionalKey(Symbols), bars: Schema.optionalKey(Symbols) }).check(
    rule((s) => (s.trades?.length ?? 0) + (s.quotes?.length ?? 0) + (s.bars?.length ?? 0) > 0, "must name at least one symbol")
  ),
  highWaterMark: Schema.optionalKey(Count),
  silenceTimeoutMs: Schema.optionalKey(Millis),
  reorderWindow: Schema.optionalKey(Count),
  reorderTimeoutMs: Schema.optionalKey(Millis),
  reconnect: Schema.optionalKey(
    Schema.Struct({
      initialDelayMs: Schema.optionalKey(Millis),
      maxDelayMs: Schema.optionalKey(Millis),
      maxAttempts: Schema.optionalKey(Schema.Number.check(rule((n) => n === Infinity || (Number.isSafeInteger(n) && n >= 0), "must be a whole number of at least 0, or Infinity")))
    })
  )
})
const decodeSettings = decodeOrFail(settingsSchema, "config")
const SETTINGS = Object.keys(settingsSchema.fields)

type State = "open" | "ended" | "failed" | "closed"

/** A live feed: connect with `openLiveFeed`, iterate its updates, `close()` it when done. */
export class LiveFeed implements AsyncIterableIterator<MarketUpdateInput> {
  readonly url: string
  readonly #layout: LiveFeedLayout
  readonly #session: LayoutSession
  readonly #clock: LiveFeedClock
  readonly #random: () => number
  readonly #onEvent: ((event: LiveFeedEvent) => void) | undefined
  readonly #highWaterMark: number
  readonly #silenceTimeoutMs: number
  readonly #backoff: { readonly initialDelayMs: number; readonly maxDelayMs: number; readonly maxAttempts: number }
  readonly #sequencer: FeedSequencer
  readonly #out: SequencerOutput[] = []

  #state: State = "open"
  #socket: WebSocket | undefined
  #socketClosed: Promise<void> = Promise.resolve()
  readonly #buffer: MarketUpdateInput[] = []
  #waiter: { readonly resolve: (r: IteratorResult<MarketUpdateInput>) => void; readonly reject: (e: unknown) => void } | undefined
  #failure: LiveFeedError | undefined
  #paused = false
  /** Reconnect attempts since data last came. */
  #attempts = 0
  #lastFrameAt = 0
  /** When the connection went down; null while it is up (or before the first). */
  #downSince: number | null = null
  #lastTime = -Infinity
  #cancelSilence: (() => void) | undefined
  #cancelReconnect: (() => void) | undefined
  #cancelReorder: (() => void) | undefined
  #stats = { connections: 0, reconnects: 0, received: 0, passed: 0, invalid: 0, ignored: 0, restamped: 0, gaps: 0, pauses: 0, maxBuffered: 0 }

  /** Validates the options (a `ValidationError` naming each bad field) and connects. */
  constructor(options: LiveFeedOptions) {
    const settings = decodeSettings(Object.fromEntries(SETTINGS.filter((k) => k in options).map((k) => [k, (options as unknown as Record<string, unknown>)[k]])))
    if (Result.isFailure(settings)) throw settings.failure
    const s = settings.success
    this.url = s.url
    this.#layout = options.layout ?? paperfloorLayout
    this.#clock = options.clock ?? systemClock
    this.#random = options.random ?? Math.random
    this.#onEvent = options.onEvent
    this.#highWaterMark = s.highWaterMark ?? 1000
    this.#silenceTimeoutMs = s.silenceTimeoutMs ?? 30_000
    this.#backoff = {
      initialDelayMs: s.reconnect?.initialDelayMs ?? 250,
      maxDelayMs: s.reconnect?.maxDelayMs ?? 30_000,
      maxAttempts: s.reconnect?.maxAttempts ?? Infinity
    }
    this.#sequencer = new FeedSequencer({ reorderWindow: s.reorderWindow ?? 100, reorderTimeoutMs: s.reorderTimeoutMs ?? 2_000 })
    const sequencer = this.#sequencer
    this.#session = { subscription: s.subscription, positions: () => sequencer.positions() }
    this.#connect()
  }

  get stats(): LiveFeedStats {
    return {
      ...this.#stats,
      duplicates: this.#sequencer.duplicates,
      late: this.#sequencer.late,
      buffered: this.#buffer.length,
      held: this.#sequencer.held
    }
  }

  [Symbol.asyncIterator](): this {
    return this
  }

  next(): Promise<IteratorResult<MarketUpdateInput>> {
    const update = this.#buffer.shift()
    if (update !== undefined) {
      this.#maybeResume()
      return Promise.resolve({ value: update, done: false })
    }
    if (this.#failure !== undefined) return Promise.reject(this.#failure)
    if (this.#state !== "open") return Promise.resolve({ value: undefined, done: true })
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject }
    })
  }

  async return(): Promise<IteratorResult<MarketUpdateInput>> {
    await this.close()
    return { value: undefined, done: true }
  }

  /** Stops the feed: no more reconnects, the socket closed, buffered updates dropped. */
  close(): Promise<void> {
    if (this.#state === "open" || this.#state === "ended") this.#state = "closed"
    this.#buffer.length = 0
    this.#stop()
    this.#settle()
    return this.#socketClosed
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }

  #emit(event: LiveFeedEvent): void {
    if (this.#onEvent === undefined) return
    try {
      this.#onEvent(event)
    } catch (cause) {
      this.#fail(new LiveFeedError({ url: this.url, layout: this.#layout.name, reason: "eventListener", detail: `onEvent threw on a ${event.type} event`, cause }))
    }
  }

  #connect(): void {
    this.#cancelReconnect = undefined
    const socket = new WebSocket(this.url, this.#silenceTimeoutMs > 0 ? { handshakeTimeout: this.#silenceTimeoutMs } : {})
    this.#socket = socket
    this.#socketClosed = new Promise((resolve) => socket.once("close", () => resolve()))
    socket.on("open", () => this.#onOpen(socket))
    socket.on("message", (data: Buffer) => this.#onFrame(socket, data))
    // A close always follows; the reconnect is decided there.
    socket.on("error", () => {})
    socket.on("close", (code: number, reason: Buffer) => this.#onClose(socket, code, reason.toString()))
  }

  #onOpen(socket: WebSocket): void {
    if (socket !== this.#socket) return
    this.#stats.connections += 1
    this.#emit({ type: "connected", url: this.url, connection: this.#stats.connections })
    if (this.#downSince !== null && !this.#layout.resumable) {
      this.#stats.gaps += 1
      this.#emit({ type: "gap", reason: "reconnect", downMs: this.#clock.now() - this.#downSince })
    }
    this.#downSince = null
    for (const message of this.#layout.open(this.#session)) socket.send(JSON.stringify(message))
    this.#lastFrameAt = this.#clock.now()
    if (this.#buffer.length >= this.#highWaterMark) this.#pause()
    else this.#armSilence()
  }

  #onFrame(socket: WebSocket, data: Buffer): void {
    if (socket !== this.#socket || this.#state !== "open") return
    this.#lastFrameAt = this.#clock.now()
    let frame: unknown
    try {
      frame = JSON.parse(data.toString("utf8"))
    } catch {
      this.#stats.invalid += 1
      this.#emit({ type: "invalid", error: new ValidationError({ subject: "marketUpdate", issues: [{ field: "(frame)", rule: "must be JSON", value: data.toString("utf8", 0, 200) }] }) })
      return
    }
    for (const item of this.#layout.read(frame, this.#session)) {
      this.#onItem(socket, item)
      if (this.#state !== "open") return
    }
    this.#armReorder()
    if (!this.#paused && this.#buffer.length >= this.#highWaterMark) this.#pause()
  }

  #onItem(socket: WebSocket, item: LayoutItem): void {
    switch (item.type) {
      case "market":
        this.#stats.received += 1
        this.#attempts = 0
        this.#sequencer.accept(item.message, this.#clock.now(), this.#out)
        return this.#flushOut()
      case "invalid":
        this.#stats.invalid += 1
        if (item.at !== undefined) {
          this.#sequencer.acceptUnusable(item.at.channel, item.at.seq, this.#clock.now(), this.#out)
          this.#flushOut()
        }
        return this.#emit({ type: "invalid", error: item.error })
      case "send":
        return socket.send(JSON.stringify(item.message))
      case "ignored":
        this.#stats.ignored += 1
        return
      case "end":
        return this.#end()
      case "serverError":
        this.#emit({ type: "serverError", code: item.code, message: item.message, fatal: item.fatal })
        if (item.fatal) this.#fail(new LiveFeedError({ url: this.url, layout: this.#layout.name, reason: "serverError", detail: `the server reported error ${item.code}: ${item.message}` }))
        return
    }
  }

  /** Passes on what the sequencer let through. */
  #flushOut(): void {
    for (const output of this.#out) {
      if (output.type === "message") this.#push(output.message)
      else {
        this.#stats.gaps += 1
        this.#emit({ type: "gap", reason: "sequence", channel: output.channel, from: output.from, to: output.to })
      }
    }
    this.#out.length = 0
  }

  #push(message: FeedMessage): void {
    let update = message.update
    if (message.time < this.#lastTime) {
      this.#stats.restamped += 1
      update = { ...update, time: this.#lastTime } as MarketUpdateInput
    } else this.#lastTime = message.time
    this.#stats.passed += 1
    const waiter = this.#waiter
    if (waiter !== undefined) {
      this.#waiter = undefined
      waiter.resolve({ value: update, done: false })
      return
    }
    this.#buffer.push(update)
    if (this.#buffer.length > this.#stats.maxBuffered) this.#stats.maxBuffered = this.#buffer.length
  }

  #pause(): void {
    this.#socket?.pause()
    this.#paused = true
    this.#stats.pauses += 1
    this.#cancelSilence?.()
    this.#cancelSilence = undefined
    this.#emit({ type: "paused", buffered: this.#buffer.length })
  }

  #maybeResume(): void {
    if (!this.#paused || this.#buffer.length > this.#highWaterMark >> 1) return
    this.#paused = false
    this.#socket?.resume()
    this.#emit({ type: "resumed", buffered: this.#buffer.length })
    // Paused, the socket was not read: that time was not silence.
    this.#lastFrameAt = this.#clock.now()
    this.#armSilence()
  }

  /** One timer for the silence bound, moved on lazily: a frame only notes its time. */
  #armSilence(): void {
    if (this.#silenceTimeoutMs <= 0 || this.#cancelSilence !== undefined || this.#state !== "open") return
    const due = this.#lastFrameAt + this.#silenceTimeoutMs - this.#clock.now()
    this.#cancelSilence = this.#clock.setTimer(Math.max(0, due), () => {
      this.#cancelSilence = undefined
      if (this.#paused || this.#socket === undefined || this.#state !== "open") return
      const silent = this.#clock.now() - this.#lastFrameAt
      if (silent < this.#silenceTimeoutMs) return this.#armSilence()
      this.#stats.gaps += 1
      this.#emit({ type: "gap", reason: "silence", silentMs: silent })
      this.#socket.terminate()
    })
  }

  #armReorder(): void {
    if (this.#cancelReorder !== undefined) return
    const deadline = this.#sequencer.nextDeadline()
    if (deadline === null) return
    this.#cancelReorder = this.#clock.setTimer(Math.max(0, deadline - this.#clock.now()), () => {
      this.#cancelReorder = undefined
      if (this.#state !== "open") return
      this.#sequencer.expire(this.#clock.now(), this.#out)
      this.#flushOut()
      this.#armReorder()
    })
  }

  #onClose(socket: WebSocket, code: number, reason: string): void {
    if (socket !== this.#socket) return
    this.#socket = undefined
    this.#paused = false
    this.#cancelSilence?.()
    this.#cancelSilence = undefined
    if (this.#state !== "open") return
    this.#emit({ type: "disconnected", code, reason })
    this.#downSince ??= this.#clock.now()
    if (this.#attempts >= this.#backoff.maxAttempts) {
      return this.#fail(
        new LiveFeedError({ url: this.url, layout: this.#layout.name, reason: "reconnectLimit", detail: `no data after ${this.#attempts} reconnect attempts (the last closed with code ${code})` })
      )
    }
    const delayMs = backoffDelay(this.#attempts, this.#backoff, this.#random)
    this.#attempts += 1
    this.#stats.reconnects += 1
    this.#emit({ type: "reconnecting", attempt: this.#attempts, delayMs })
    if (this.#state === "open") this.#cancelReconnect = this.#clock.setTimer(delayMs, () => this.#connect())
  }

  /** The server has nothing more: what is held is passed on, and the feed ends once the consumer has the rest. */
  #end(): void {
    this.#sequencer.flush(this.#clock.now(), this.#out)
    this.#flushOut()
    this.#state = "ended"
    this.#stop()
    this.#settle()
  }

  #fail(error: LiveFeedError): void {
    if (this.#state !== "open") return
    this.#state = "failed"
    this.#failure = error
    this.#stop()
    this.#settle()
  }

  /** No more timers, no more connection. */
  #stop(): void {
    for (const cancel of [this.#cancelSilence, this.#cancelReconnect, this.#cancelReorder]) cancel?.()
    this.#cancelSilence = this.#cancelReconnect = this.#cancelReorder = undefined
    const socket = this.#socket
    if (socket === undefined) return
    if (socket.readyState === WebSocket.OPEN) socket.close(1000)
    else socket.terminate()
  }

  /** A consumer waiting on an empty buffer learns that the feed is over. */
  #settle(): void {
    const waiter = this.#waiter
    if (waiter === undefined || this.#buffer.length > 0) return
    this.#waiter = undefined
    if (this.#failure !== undefined) waiter.reject(this.#failure)
    else waiter.resolve({ value: undefined, done: true })
  }
}

/** Connects a live feed (see `LiveFeed`); throws `ValidationError` for bad options. */
export const openLiveFeed = (options: LiveFeedOptions): LiveFeed => new LiveFeed(options)

/** A live feed as an Effect Stream: connected when the stream starts, closed when it ends or is interrupted. */
export const liveFeedStream = (options: LiveFeedOptions): Stream.Stream<MarketUpdateInput, LiveFeedError | ValidationError> =>
  Stream.unwrap(
    Effect.map(
      Effect.acquireRelease(
        Effect.try({ try: () => new LiveFeed(options), catch: (e) => e as ValidationError }),
        (feed) => Effect.promise(() => feed.close())
      ),
      (feed) => Stream.fromAsyncIterable(feed, (e) => e as LiveFeedError)
    )
  )
