/**
 * A wire layout: how one vendor's WebSocket market-data stream is spoken. The live feed owns the
 * connection (reconnects, ordering, backpressure); a layout only says what to send and how to
 * read what comes. paperfloor's own layout and Alpaca's are built in; another vendor's is one
 * object of this shape.
 */
import type { ValidationError } from "../../domain/errors.ts"
import type { FeedMessage } from "./feed-message.ts"

/** The symbols to receive, by kind of message. */
export interface LiveSubscription {
  readonly trades?: ReadonlyArray<string>
  readonly quotes?: ReadonlyArray<string>
  readonly bars?: ReadonlyArray<string>
}

/** What a layout knows of the connection it speaks on. */
export interface LayoutSession {
  readonly subscription: LiveSubscription
  /** The last sequence number passed on, per channel: where a resumed subscription starts. */
  readonly positions: () => Readonly<Record<string, number>>
}

/** One thing read from a frame. */
export type LayoutItem =
  | { readonly type: "market"; readonly message: FeedMessage }
  /**
   * A message that breaks the layout's rules; reported and skipped. `at` is its place when it
   * can be read, so that the messages after it are not held waiting for it.
   */
  | { readonly type: "invalid"; readonly error: ValidationError; readonly at?: { readonly channel: string; readonly seq: number } }
  /** A message to send back (a login answered, a subscription to make). */
  | { readonly type: "send"; readonly message: unknown }
  /** Something the feed has no use for (a status message, a kind not mapped); counted. */
  | { readonly type: "ignored"; readonly what: string }
  /** The server says it has nothing more: the feed ends. */
  | { readonly type: "end" }
  /** The server reports an error; a fatal one (bad credentials, say) ends the feed with it. */
  | { readonly type: "serverError"; readonly code: string; readonly message: string; readonly fatal: boolean }

export interface LiveFeedLayout {
  /** Its name, as events and errors show it. */
  readonly name: string
  /**
   * Whether the server replays, after a reconnect, what the client missed (from the positions it
   * sends). When it does not, whatever was sent while the connection was down is lost, and each
   * reconnect is reported as a gap.
   */
  readonly resumable: boolean
  /** What to send once the socket is open (on every connection, so a reconnect resubscribes). */
  readonly open: (session: LayoutSession) => ReadonlyArray<unknown>
  /** The items of one frame, parsed from JSON. */
  readonly read: (frame: unknown, session: LayoutSession) => ReadonlyArray<LayoutItem>
}
