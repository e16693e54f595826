// The wire layouts alone (frames in, items out), and the reconnect backoff.
import { fc, test } from "@fast-check/vitest"
import { describe, expect, it } from "vitest"
import { alpacaLayout, alpacaStockStreamUrl } from "../../../src/data/live/alpaca-layout.ts"
import type { LayoutItem, LayoutSession } from "../../../src/data/live/feed-layout.ts"
import { paperfloorLayout } from "../../../src/data/live/paperfloor-layout.ts"
import { backoffDelay } from "../../../src/data/live/reconnect-backoff.ts"

const session = (positions: Record<string, number> = {}): LayoutSession => ({ subscription: { trades: ["AAPL"], quotes: ["AAPL"], bars: ["MSFT"] }, positions: () => positions })

/** Items as short strings: what a test reads at a glance. */
const brief = (items: ReadonlyArray<LayoutItem>) =>
  items.map((i) => {
    switch (i.type) {
      case "market":
        return { channel: i.message.channel, seq: i.message.seq, update: i.message.update }
      case "invalid":
        return { invalid: i.error.issues.map((x) => `${x.field} ${x.rule}`), ...(i.at === undefined ? {} : { at: i.at }) }
      default:
        return i
    }
  })

describe("paperfloor's layout (format version 1)", () => {
  it("subscribes with its symbols on every connection, and with each channel's position after a reconnect", () => {
    expect(paperfloorLayout.open(session())).toEqual([{ action: "subscribe", v: 1, trades: ["AAPL"], quotes: ["AAPL"], bars: ["MSFT"] }])
    expect(paperfloorLayout.open(session({ "trade:AAPL": 41 }))).toEqual([
      { action: "subscribe", v: 1, trades: ["AAPL"], quotes: ["AAPL"], bars: ["MSFT"], resume: { "trade:AAPL": 41 } }
    ])
  })

  it("reads trades, quotes (their bid and ask) and bars, one per frame or an array; times as ms or ISO-8601", () => {
    const frame = [
      { type: "trade", symbol: "AAPL", seq: 1, time: "2024-01-02T14:30:00.250Z", price: "187.15", size: 100 },
      { type: "quote", symbol: "AAPL", seq: 1, time: 1704205800500, bid: 187.1, ask: "187.25", bidSize: 2, askSize: 3 },
      { type: "bar", v: 1, symbol: "MSFT", channel: "minute-bars", seq: 9, time: "2024-01-02T14:31:00Z", open: 370, high: 371.5, low: 369.9, close: 371 }
    ]
    expect(brief(paperfloorLayout.read(frame, session()))).toEqual([
      { channel: "trade:AAPL", seq: 1, update: { time: 1704205800250, prices: { AAPL: "187.15" } } },
      { channel: "quote:AAPL", seq: 1, update: { time: 1704205800500, quotes: { AAPL: { bid: 187.1, ask: "187.25" } } } },
      { channel: "minute-bars", seq: 9, update: { time: 1704205860000, bars: { MSFT: { open: 370, high: 371.5, low: 369.9, close: 371 } } } }
    ])
    expect(paperfloorLayout.read({ type: "heartbeat" }, session())).toEqual([{ type: "ignored", what: "heartbeat" }])
    expect(paperfloorLayout.read({ type: "end", v: 1 }, session())).toEqual([{ type: "end" }])
    expect(paperfloorLayout.read({ type: "error", code: 7, message: "x", fatal: true }, session())).toEqual([{ type: "serverError", code: "7", message: "x", fatal: true }])
  })

  it("refuses what breaks a rule, naming each field; a message it cannot use still takes its place in its sequence", () => {
    const items = paperfloorLayout.read(
      [
        { type: "trade", symbol: "AAPL", seq: 4, time: "yesterday", price: 0 },
        { type: "quote", symbol: "AAPL", seq: 2, time: 0, bid: 10, ask: 9 },
        { type: "trade", v: 2, symbol: "AAPL", time: 0, price: 1 },
        { type: "bar", symbol: "NOT A SYMBOL", time: 0, open: 1, high: 1, low: 1, close: 1, colour: "red" },
        { type: "trade", symbol: "AAPL", seq: 0.5, time: 0, price: 1 },
        "hello"
      ],
      session()
    )
    expect(brief(items)).toEqual([
      { invalid: ["time must be ms since the epoch or an ISO-8601 time (UTC when it has no zone)", "price must be greater than 0"], at: { channel: "trade:AAPL", seq: 4 } },
      { invalid: ["quotes.AAPL.bid must be at most the ask"], at: { channel: "quote:AAPL", seq: 2 } },
      { invalid: ["v must be 1 (this reader reads version 1 of the format)"] },
      { invalid: ["colour is not a known field", "symbol must be 1–32 letters, digits or . _ : / -"] },
      { invalid: ["seq must be a whole number of at least 1"] },
      { invalid: ['type must be one of "trade", "quote", "bar", "heartbeat", "end", "error"'] }
    ])
  })
})

describe("Alpaca's layout", () => {
  const layout = alpacaLayout({ key: "KEY", secret: "SECRET" })

  it("logs in when the server says connected, and subscribes once authenticated", () => {
    expect(layout.open(session())).toEqual([])
    expect(layout.read([{ T: "success", msg: "connected" }], session())).toEqual([{ type: "send", message: { action: "auth", key: "KEY", secret: "SECRET" } }])
    expect(layout.read([{ T: "success", msg: "authenticated" }], session())).toEqual([
      { type: "send", message: { action: "subscribe", trades: ["AAPL"], quotes: ["AAPL"], bars: ["MSFT"] } }
    ])
    expect(alpacaStockStreamUrl("test")).toBe("wss://stream.data.alpaca.markets/v2/test")
  })

  it("maps t, q and b (the fields Alpaca's SDK reads), ignores the other kinds, and tells fatal errors from the rest", () => {
    const frame = [
      { T: "t", i: 96921, S: "AAPL", x: "D", p: 126.55, s: 1, t: "2021-02-22T15:51:44.208Z", c: ["@", "I"], z: "C" },
      { T: "q", S: "AAPL", bx: "U", bp: 87.66, bs: 1, ax: "Q", ap: 87.68, as: 4, t: "2021-02-22T15:51:45.335689322Z", c: ["R"], z: "C" },
      { T: "b", S: "MSFT", o: 388.985, h: 389.13, l: 388.975, c: 389.12, v: 49378, t: "2021-02-22T19:15:00Z", n: 461, vw: 389.06 },
      { T: "q", S: "AAPL", bp: 0, bs: 0, ap: 0, as: 0, t: "2021-02-22T15:51:46Z" },
      { T: "q", S: "AAPL", bp: 0, bs: 0, ap: 87.7, as: 2, t: "2021-02-22T15:51:46Z" },
      { T: "d", S: "AAPL" },
      { T: "t", S: "AAPL", p: -1, t: "yesterday" },
      { T: "error", code: 402, msg: "auth failed" },
      { T: "error", code: 407, msg: "slow client" }
    ]
    expect(brief(layout.read(frame, session()))).toEqual([
      { channel: "trade:AAPL", seq: null, update: { time: Date.parse("2021-02-22T15:51:44.208Z"), prices: { AAPL: 126.55 } } },
      { channel: "quote:AAPL", seq: null, update: { time: Date.parse("2021-02-22T15:51:45.335Z"), quotes: { AAPL: { bid: 87.66, ask: 87.68 } } } },
      { channel: "bar:MSFT", seq: null, update: { time: Date.parse("2021-02-22T19:15:00Z"), bars: { MSFT: { open: 388.985, high: 389.13, low: 388.975, close: 389.12, volume: 49378 } } } },
      { type: "ignored", what: "quote with neither a bid nor an ask" },
      // A sell would trade at the bid, which it lacks.
      { type: "ignored", what: "quote with one side empty" },
      { type: "ignored", what: "T: d" },
      { invalid: ["t must be an RFC-3339 time", "p must be greater than 0"] },
      { type: "serverError", code: "402", message: "auth failed", fatal: true },
      { type: "serverError", code: "407", message: "slow client", fatal: false }
    ])
  })
})

describe("reconnect backoff", () => {
  test.prop([fc.nat({ max: 40 }), fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 100_000 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true })])(
    "is the jitter's share of the ceiling min(max, initial × 2^attempt), so always below it",
    (attempt, initialDelayMs, maxDelayMs, r) => {
      const ceiling = Math.min(maxDelayMs, initialDelayMs * 2 ** attempt)
      const delay = backoffDelay(attempt, { initialDelayMs, maxDelayMs }, () => r)
      expect(delay).toBe(r * ceiling)
      expect(delay).toBeLessThan(ceiling)
      expect(backoffDelay(attempt + 1, { initialDelayMs, maxDelayMs }, () => r)).toBeGreaterThanOrEqual(delay)
    }
  )
})
