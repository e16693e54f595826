import { Data } from "effect"
import type { Fill } from "../domain/fill.ts"
import type { Trade } from "../domain/trade.ts"
import { ENGINE_SNAPSHOT_FORMAT, type EngineSnapshot } from "./engine-snapshot.ts"
import type { EquityCurveSnapshot, StoredPoints } from "./equity-curve.ts"
import type { OrderEntrySnapshot } from "./order-entry.ts"
import type { TradeBookSnapshot } from "./trade-book.ts"

export const ENGINE_LIVE_SNAPSHOT_FORMAT = 3

/** How much history a simulation has made: orders ended, fills, closed trades and equity points. */
export interface HistoryMarks {
  readonly orders: number
  readonly fills: number
  readonly trades: number
  readonly updates: number
}

export const NO_HISTORY: HistoryMarks = { orders: 0, fills: 0, trades: 0, updates: 0 }

/**
 * The history made between two marks, in the order it happened: the orders that ended (their
 * final state), the fills, the trades that closed and the equity points. Once written it never
 * changes, so a long run's history is written once, a segment at a time.
 */
export interface EngineHistory {
  readonly from: HistoryMarks
  readonly to: HistoryMarks
  readonly orders: ReadonlyArray<OrderEntrySnapshot>
  readonly fills: ReadonlyArray<Fill>
  readonly trades: ReadonlyArray<Trade>
  readonly equityCurve: EquityCurveSnapshot
}

/** A history segment as restored: its equity points may still be as they were stored (`StoredPoints`). */
export interface RestoredHistory extends Omit<EngineHistory, "equityCurve"> {
  readonly equityCurve: EquityCurveSnapshot | StoredPoints
}

const isStored = (curve: EquityCurveSnapshot | StoredPoints): curve is StoredPoints => "read" in curve

const pointsIn = (curve: EquityCurveSnapshot | StoredPoints): number => (isStored(curve) ? curve.length : curve.equity.length)

/**
 * A simulation without its history: what it needs to go on (the machine, open orders, the ledger,
 * open trades, marks, the day's state) and the marks of the history behind it. Its size follows
 * the open book, not the length of the run.
 */
export interface EngineLiveSnapshot extends Omit<EngineSnapshot, "formatVersion" | "orders" | "trades" | "fills" | "equityCurve"> {
  readonly formatVersion: typeof ENGINE_LIVE_SNAPSHOT_FORMAT
  /** The open orders, in submission order. */
  readonly orders: ReadonlyArray<OrderEntrySnapshot>
  /** The open trades (`closed` is empty: closed ones are history). */
  readonly trades: TradeBookSnapshot
  readonly history: HistoryMarks
}

/** A checkpoint: the live state, and the history made since the marks it was asked from. */
export interface EngineCheckpoint {
  readonly live: EngineLiveSnapshot
  readonly history: EngineHistory
}

/** History segments that do not add up to what a live snapshot says is behind it. */
export class HistoryGapError extends Data.TaggedError("HistoryGapError")<{
  readonly expected: HistoryMarks
  readonly found: HistoryMarks
}> {
  override get message(): string {
    return `The history segments end at ${JSON.stringify(this.found)}, but the live snapshot needs ${JSON.stringify(this.expected)}: segments are missing or out of order`
  }
}

/**
 * `checkpoint(since)` on an engine restored from a whole snapshot, with marks inside the ended
 * orders that snapshot held: it keeps them, but not the order they ended in, so the orders ended
 * since those marks are not known. Continue a chain restored with `fromCheckpoint`, or start a new
 * one from NO_HISTORY.
 */
export class CheckpointMarksError extends Data.TaggedError("CheckpointMarksError")<{
  readonly since: HistoryMarks
  readonly restoredEnded: number
}> {
  override get message(): string {
    return `checkpoint cannot go on from ${JSON.stringify(this.since)}: this engine was restored from a whole snapshot of ${this.restoredEnded} ended orders, which does not keep the order they ended in; restore the chain with fromCheckpoint, or start a new one from NO_HISTORY`
  }
}

const sameMarks = (a: HistoryMarks, b: HistoryMarks): boolean =>
  a.orders === b.orders && a.fills === b.fills && a.trades === b.trades && a.updates === b.updates

/**
 * The parts one after another, in a new array: a single part (the usual restore, one segment since
 * the start) by a native copy, more by a loop (a spread of 100,000+ items overflows the call stack).
 */
const joined = <A>(parts: ReadonlyArray<ReadonlyArray<A>>): A[] => {
  if (parts.length === 1) return parts[0]!.slice()
  const out: A[] = []
  for (const part of parts) for (let i = 0; i < part.length; i++) out.push(part[i]!)
  return out
}

const orderSeq = (o: OrderEntrySnapshot): number => Number(o.context.order.id.slice(2))

const NO_POINTS: EquityCurveSnapshot = { times: [], equity: [], longValue: [], shortValue: [] }

/** A segment's points as stored points, those already read included. */
const storedPoints = (curve: EquityCurveSnapshot | StoredPoints): StoredPoints => (isStored(curve) ? curve : { length: curve.equity.length, read: () => curve })

/**
 * The whole snapshot a live snapshot and its history segments (oldest first, from the start)
 * stand for, its equity curve apart (the snapshot's is empty): every segment's points, for the
 * restore to read when first needed. A HistoryGapError when the segments do not chain from nothing
 * to its marks.
 */
export const assembleSnapshot = (
  live: EngineLiveSnapshot,
  segments: ReadonlyArray<RestoredHistory>
): { readonly snapshot: EngineSnapshot; readonly points: ReadonlyArray<StoredPoints> } | HistoryGapError => {
  let at = NO_HISTORY
  for (const s of segments) {
    if (!sameMarks(s.from, at)) return new HistoryGapError({ expected: s.from, found: at })
    at = {
      orders: at.orders + s.orders.length,
      fills: at.fills + s.fills.length,
      trades: at.trades + s.trades.length,
      updates: at.updates + pointsIn(s.equityCurve)
    }
    if (!sameMarks(s.to, at)) return new HistoryGapError({ expected: s.to, found: at })
  }
  if (!sameMarks(live.history, at)) return new HistoryGapError({ expected: live.history, found: at })
  const of = <A>(part: (s: RestoredHistory) => ReadonlyArray<A>): A[] => joined(segments.map(part))
  const orders = joined([...segments.map((s) => s.orders), live.orders])
  const fills = of((s) => s.fills)
  const closed = of((s) => s.trades)
  // Ended orders are written in the order they ended; the book keeps submission order.
  orders.sort((a, b) => orderSeq(a) - orderSeq(b))
  const { formatVersion: _live, history: _marks, ...state } = live
  const snapshot: EngineSnapshot = { ...state, formatVersion: ENGINE_SNAPSHOT_FORMAT, orders, fills, trades: { ...live.trades, closed }, equityCurve: NO_POINTS }
  return { snapshot, points: segments.map((s) => storedPoints(s.equityCurve)) }
}
