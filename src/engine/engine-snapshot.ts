import { ValidationError } from "../domain/errors.ts"
import { formatThrown } from "../domain/format-value.ts"
import type { SimulationContext, SimulationStatus } from "../../machines/index.ts"
import type { Fill } from "../domain/fill.ts"
import type { OrderId } from "../domain/ids.ts"
import type { SimulationConfig } from "../domain/simulation-config.ts"
import { DailyStopLoss, type DailyStopLossSnapshot } from "./daily-stop-loss.ts"
import { FillLog } from "./history/fill-log.ts"
import { EquityCurve, type EquityCurveSnapshot } from "./equity-curve.ts"
import { Ledger, type LedgerSnapshot } from "./ledger.ts"
import { Marks, type MarksSnapshot } from "./marks.ts"
import { liveStateIssue, snapshotIssue } from "./snapshot-issue.ts"
import { OrderBook } from "./order-book.ts"
import type { OrderEntrySnapshot } from "./order-entry.ts"
import { TradeBook, type TradeBookSnapshot } from "./trade-book.ts"

export const ENGINE_SNAPSHOT_FORMAT = 2

/**
 * Everything a simulation is, as plain JSON: the simulation machine's state, every order's machine
 * state, the ledger, trades, fills, marks and the equity curve. Restoring it and feeding the same
 * inputs gives exactly what an uninterrupted run gives, down to the serialised bytes.
 */
export interface EngineSnapshot {
  readonly formatVersion: typeof ENGINE_SNAPSHOT_FORMAT
  readonly config: SimulationConfig
  readonly simulation: { readonly status: SimulationStatus; readonly context: SimulationContext }
  readonly orderSeq: number
  readonly updateIndex: number
  readonly lastTime: number | null
  readonly day: number | null
  readonly orders: ReadonlyArray<OrderEntrySnapshot>
  readonly pending: ReadonlyArray<OrderId>
  readonly working: ReadonlyArray<OrderId>
  readonly ledger: LedgerSnapshot
  readonly trades: TradeBookSnapshot
  readonly fills: ReadonlyArray<Fill>
  readonly marks: MarksSnapshot
  readonly dayStart: DailyStopLossSnapshot
  readonly equityCurve: EquityCurveSnapshot
  /** With a calendar only: the trading day of the last update in its session (what tells an opening). */
  readonly sessionDay?: number | null
}

/** A simulation's state, as the engine holds it. */
export interface EngineState {
  readonly status: SimulationStatus
  readonly simulationContext: SimulationContext
  readonly orderSeq: number
  readonly updateIndex: number
  readonly lastTime: number | null
  readonly day: number | null
  readonly book: OrderBook
  readonly ledger: Ledger
  readonly trades: TradeBook
  /** Kept in columns: a long run holds every fill, and objects would cost the garbage collector far more. */
  readonly fills: FillLog
  readonly marks: Marks
  readonly stopLoss: DailyStopLoss
  readonly curve: EquityCurve
  readonly sessionDay: number | null
}

/** The parts of a snapshot that grow with the run: all of them in a full snapshot, only the open part in a live one. */
export interface GrowingParts {
  readonly orders: ReadonlyArray<OrderEntrySnapshot>
  readonly trades: TradeBookSnapshot
  readonly fills: ReadonlyArray<Fill>
  readonly equityCurve: EquityCurveSnapshot
}

export const encodeEngineSnapshot = (config: SimulationConfig, s: EngineState, parts: GrowingParts = wholeParts(s)): EngineSnapshot => ({
  formatVersion: ENGINE_SNAPSHOT_FORMAT,
  config,
  simulation: { status: s.status, context: s.simulationContext },
  orderSeq: s.orderSeq,
  updateIndex: s.updateIndex,
  lastTime: s.lastTime,
  day: s.day,
  orders: parts.orders,
  pending: s.book.pending.map((e) => e.spec.id),
  working: s.book.working.map((e) => e.spec.id),
  ledger: s.ledger.snapshot(),
  trades: parts.trades,
  fills: parts.fills,
  marks: s.marks.snapshot(),
  dayStart: s.stopLoss.snapshot(),
  equityCurve: parts.equityCurve,
  // Snapshots without a calendar keep the form they had before calendars.
  ...(config.calendar === undefined ? {} : { sessionDay: s.sessionDay })
})

const wholeParts = (s: EngineState): GrowingParts => ({
  orders: s.book.snapshot().orders,
  trades: s.trades.snapshot(),
  fills: s.fills.slice(),
  equityCurve: s.curve.snapshot()
})

/** `decodeEngineSnapshot` of a live state in shape, with a snapshot it cannot read refused as a ValidationError naming the first field out of shape, rather than whatever its reading threw. */
export const decodedSnapshot = (s: EngineSnapshot): EngineState => {
  const live = liveStateIssue(s)
  if (live !== null) throw new ValidationError({ subject: "snapshot", issues: [live] })
  try {
    return decodeEngineSnapshot(s)
  } catch (thrown) {
    if (thrown instanceof ValidationError) throw thrown
    const issue = snapshotIssue(s) ?? { field: "(snapshot)", rule: `must be a snapshot this version wrote; reading it failed: ${formatThrown(thrown)}`, value: undefined }
    throw new ValidationError({ subject: "snapshot", issues: [issue] })
  }
}

export const decodeEngineSnapshot = (s: EngineSnapshot): EngineState => ({
  status: s.simulation.status,
  // Its own copy of the fields it has: a key the caller's object has besides (a cycle, say) is not kept.
  simulationContext: { haltReason: s.simulation.context.haltReason, haltedDay: s.simulation.context.haltedDay, failureCause: s.simulation.context.failureCause },
  orderSeq: s.orderSeq,
  updateIndex: s.updateIndex,
  lastTime: s.lastTime,
  day: s.day,
  book: OrderBook.fromSnapshot(s),
  ledger: Ledger.fromSnapshot(s.ledger),
  trades: TradeBook.fromSnapshot(s.trades),
  fills: FillLog.of(s.fills),
  marks: Marks.fromSnapshot(s.marks),
  stopLoss: DailyStopLoss.fromSnapshot(s.config.dailyStopLoss, s.dayStart),
  curve: EquityCurve.fromSnapshot(s.equityCurve),
  sessionDay: s.sessionDay ?? null
})
