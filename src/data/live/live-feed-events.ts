/** What a live feed reports as it runs: events as they happen, counters, and the error that ends it. */
import { Data } from "effect"
import type { ValidationError } from "../../domain/errors.ts"

export type LiveFeedEvent =
  /** A connection opened (the first, or a reconnect); `connection` counts them from 1. */
  | { readonly type: "connected"; readonly url: string; readonly connection: number }
  | { readonly type: "disconnected"; readonly code: number; readonly reason: string }
  /** A reconnect is due in `delayMs`; `attempt` counts the attempts since the feed last received data. */
  | { readonly type: "reconnecting"; readonly attempt: number; readonly delayMs: number }
  /** Messages `from`…`to` (sequence numbers, inclusive) of a channel never came and were given up on. */
  | { readonly type: "gap"; readonly reason: "sequence"; readonly channel: string; readonly from: number; readonly to: number }
  /** Nothing came for `silentMs` (longer than the bound): the connection is dropped and made again. */
  | { readonly type: "gap"; readonly reason: "silence"; readonly silentMs: number }
  /** The connection was down for `downMs` and the layout cannot replay: what was sent meanwhile is lost. */
  | { readonly type: "gap"; readonly reason: "reconnect"; readonly downMs: number }
  /** A message that breaks the format's rules, skipped. */
  | { readonly type: "invalid"; readonly error: ValidationError }
  | { readonly type: "serverError"; readonly code: string; readonly message: string; readonly fatal: boolean }
  /** The buffer reached its high-water mark: the socket stopped being read. */
  | { readonly type: "paused"; readonly buffered: number }
  /** The consumer drained the buffer to its low-water mark: reading goes on. */
  | { readonly type: "resumed"; readonly buffered: number }

export interface LiveFeedStats {
  /** Connections opened. */
  readonly connections: number
  /** Reconnects scheduled. */
  readonly reconnects: number
  /** Market messages read (valid ones, duplicates included). */
  readonly received: number
  /** Updates passed on to the consumer. */
  readonly passed: number
  /** Messages dropped because they were passed on already. */
  readonly duplicates: number
  /** Messages dropped because they came after their place was given up (a gap) or, without sequence numbers, after a later one. */
  readonly late: number
  readonly invalid: number
  /** Messages of no use to a simulation (status messages, kinds not mapped). */
  readonly ignored: number
  /** Updates whose time was moved up to the previous update's, so that time never goes back. */
  readonly restamped: number
  readonly gaps: number
  /** Times the socket was paused because the buffer was full. */
  readonly pauses: number
  /** Updates waiting for the consumer now, and the most there ever were. */
  readonly buffered: number
  readonly maxBuffered: number
  /** Messages held back now, waiting for a missing one before them. */
  readonly held: number
}

/** Why a live feed ended with an error: a fatal server error, or a reconnect limit reached. */
export class LiveFeedError extends Data.TaggedError("LiveFeedError")<{
  readonly url: string
  readonly layout: string
  readonly reason: "serverError" | "reconnectLimit" | "eventListener"
  readonly detail: string
  readonly cause?: unknown
}> {
  override get message(): string {
    return `Live feed ${this.url} (${this.layout}): ${this.detail}`
  }
}
