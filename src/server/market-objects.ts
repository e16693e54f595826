/**
 * Bars, trades and quotes as Alpaca's Market Data API v2 spells them (`{ t, o, h, l, c, v, n, vw }`,
 * `{ t, x, p, s, c, i, z }`, `{ t, ax, ap, as, bx, bp, bs, c, z }`), for REST (times as RFC-3339
 * strings) and for the stream (with `T` and `S`, times as the caller encodes them). The exchange is
 * `V` (IEX, the feed Alpaca's free plan streams) and the tape `C`: the server is one venue.
 */
import type { MinuteBar, StoredQuote, StoredTrade } from "./market-store.ts"

const EXCHANGE = "V"
const TAPE = "C"

const iso = (ms: number) => new Date(ms).toISOString()
const round = (n: number) => Math.round(n * 1e6) / 1e6

/** `time` is how a time goes on the wire: an RFC-3339 string for JSON, a Date for msgpack. */
export type TimeEncoding = (ms: number) => string | Date

export const alpacaBar = (bar: MinuteBar, time: TimeEncoding = iso) => ({
  t: time(bar.t),
  o: bar.o,
  h: bar.h,
  l: bar.l,
  c: bar.c,
  v: bar.v,
  n: bar.n,
  vw: round(bar.v > 0 ? bar.pv / bar.v : (bar.h + bar.l + bar.c) / 3)
})

export const alpacaTrade = (trade: StoredTrade, time: TimeEncoding = iso) => ({ t: time(trade.t), x: EXCHANGE, p: trade.p, s: trade.s, c: ["@"], i: trade.i, z: TAPE })

export const alpacaQuote = (quote: StoredQuote, time: TimeEncoding = iso) => ({
  t: time(quote.t),
  ax: EXCHANGE,
  ap: quote.ap,
  as: quote.as,
  bx: EXCHANGE,
  bp: quote.bp,
  bs: quote.bs,
  c: ["R"],
  z: TAPE
})
