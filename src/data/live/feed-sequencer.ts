/**
 * Puts a live feed's messages in order and drops the ones seen before. Pure: arrival order and
 * the time (ms, from the feed's clock) go in; messages to pass on and gaps come out.
 *
 * - **With sequence numbers**, each channel (a message's `channel`: by default its stream, such as
 *   `trade:AAPL`) is a sequence. The first message of a channel starts it (or, after a reconnect, the position the
 *   feed holds). A message at or before the last one passed on is dropped: as `late` if its place
 *   was given up as a gap, as a duplicate otherwise. One further ahead than the next is held until
 *   the messages before it come; when more than `reorderWindow` are held in a channel, or the
 *   first missing one has been waited on for `reorderTimeoutMs`, the missing ones are reported as
 *   a gap and the held ones passed on.
 * - **Without sequence numbers** (vendors such as Alpaca), each channel is ordered by time: a message earlier than the stream's last one is dropped as late; one at the
 *   same time as messages already passed on is a duplicate when it is identical to one of them
 *   (the same JSON), and passed on otherwise (two trades in the same millisecond are both real).
 */
import type { FeedMessage } from "./feed-message.ts"

export interface SequencerSettings {
  /** Messages held per channel while one before them is missing. */
  readonly reorderWindow: number
  /** How long a channel waits for a missing message, ms. */
  readonly reorderTimeoutMs: number
}

export type SequencerOutput =
  | { readonly type: "message"; readonly message: FeedMessage }
  | { readonly type: "gap"; readonly channel: string; readonly from: number; readonly to: number }

/** Gaps remembered per channel, to tell a late message from a duplicate. */
const SKIPPED_KEPT = 64

interface Channel {
  /** The last sequence number passed on. */
  last: number
  /** Messages that came ahead of their turn (null: one that came but is unusable). */
  readonly held: Map<number, FeedMessage | null>
  /** When the current wait for a missing message began; null when nothing is held. */
  waitingSince: number | null
  /** Recent gaps, [from, to]. */
  readonly skipped: Array<readonly [number, number]>
}

interface TimedChannel {
  lastTime: number
  /** The messages passed on at `lastTime`. */
  identities: Set<string>
}

export class FeedSequencer {
  readonly #settings: SequencerSettings
  readonly #channels = new Map<string, Channel>()
  readonly #timed = new Map<string, TimedChannel>()
  #duplicates = 0
  #late = 0
  #held = 0

  constructor(settings: SequencerSettings) {
    this.#settings = settings
  }

  get duplicates(): number {
    return this.#duplicates
  }

  get late(): number {
    return this.#late
  }

  /** Messages held now, in every channel. */
  get held(): number {
    return this.#held
  }

  /** One message as it arrived at `now`; what it lets through goes to `out`. */
  accept(message: FeedMessage, now: number, out: SequencerOutput[]): void {
    if (message.seq === null) this.#acceptTimed(message, out)
    else this.#acceptNumbered(message.channel, message.seq, message, now, out)
  }

  /**
   * A numbered message that came but could not be used (it broke the format's rules): its place
   * is taken, so the ones after it are not held waiting for it.
   */
  acceptUnusable(channel: string, seq: number, now: number, out: SequencerOutput[]): void {
    this.#acceptNumbered(channel, seq, null, now, out)
  }

  /** Gives up on each missing message waited on for `reorderTimeoutMs` by `now`. */
  expire(now: number, out: SequencerOutput[]): void {
    for (const [name, channel] of this.#channels) {
      if (channel.waitingSince !== null && now - channel.waitingSince >= this.#settings.reorderTimeoutMs) this.#giveUp(name, channel, now, out)
    }
  }

  /** When `expire` next has something to do; null when nothing is held. */
  nextDeadline(): number | null {
    let deadline: number | null = null
    for (const channel of this.#channels.values()) {
      if (channel.waitingSince !== null) deadline = Math.min(deadline ?? Infinity, channel.waitingSince + this.#settings.reorderTimeoutMs)
    }
    return deadline
  }

  /** Gives up on every missing message (the feed ended): every held message is passed on. */
  flush(now: number, out: SequencerOutput[]): void {
    for (const [name, channel] of this.#channels) while (channel.held.size > 0) this.#giveUp(name, channel, now, out)
  }

  /** The last sequence number passed on, per channel. */
  positions(): Record<string, number> {
    const positions: Record<string, number> = {}
    for (const [name, channel] of this.#channels) positions[name] = channel.last
    return positions
  }

  #acceptNumbered(name: string, seq: number, message: FeedMessage | null, now: number, out: SequencerOutput[]): void {
    const channel = this.#channels.get(name)
    if (channel === undefined) {
      this.#channels.set(name, { last: seq, held: new Map(), waitingSince: null, skipped: [] })
      if (message !== null) out.push({ type: "message", message })
      return
    }
    if (seq <= channel.last) {
      if (channel.skipped.some(([from, to]) => seq >= from && seq <= to)) this.#late += 1
      else this.#duplicates += 1
      return
    }
    if (seq === channel.last + 1) {
      if (message !== null) out.push({ type: "message", message })
      channel.last = seq
      this.#drain(channel, now, out)
      return
    }
    if (channel.held.has(seq)) {
      this.#duplicates += 1
      return
    }
    channel.held.set(seq, message)
    this.#held += 1
    channel.waitingSince ??= now
    if (channel.held.size > this.#settings.reorderWindow) this.#giveUp(name, channel, now, out)
  }

  /** Passes on the held messages that now follow on; a wait for a new missing one starts now. */
  #drain(channel: Channel, now: number, out: SequencerOutput[]): void {
    while (channel.held.has(channel.last + 1)) {
      const next = channel.held.get(channel.last + 1)
      channel.held.delete(channel.last + 1)
      this.#held -= 1
      if (next != null) out.push({ type: "message", message: next })
      channel.last += 1
    }
    channel.waitingSince = channel.held.size === 0 ? null : now
  }

  /** Reports the first run of missing messages as a gap and moves past it. */
  #giveUp(name: string, channel: Channel, now: number, out: SequencerOutput[]): void {
    let first = Infinity
    for (const seq of channel.held.keys()) first = Math.min(first, seq)
    if (first === Infinity) return
    const gap = [channel.last + 1, first - 1] as const
    out.push({ type: "gap", channel: name, from: gap[0], to: gap[1] })
    channel.skipped.push(gap)
    if (channel.skipped.length > SKIPPED_KEPT) channel.skipped.shift()
    channel.last = first - 1
    this.#drain(channel, now, out)
  }

  #acceptTimed(message: FeedMessage, out: SequencerOutput[]): void {
    const stream = this.#timed.get(message.channel)
    if (stream === undefined || message.time > stream.lastTime) {
      this.#timed.set(message.channel, { lastTime: message.time, identities: new Set([message.identity]) })
      out.push({ type: "message", message })
    } else if (message.time < stream.lastTime) {
      this.#late += 1
    } else if (stream.identities.has(message.identity)) {
      this.#duplicates += 1
    } else {
      stream.identities.add(message.identity)
      out.push({ type: "message", message })
    }
  }
}
