import { Result } from "effect"
import {
  initialSimulationContext,
  type OrderEvent,
  type SimulationContext,
  type SimulationEvent,
  type SimulationStatus,
  SimulationStatuses,
  simulationStatusesTagged,
  simulationTable
} from "../../machines/index.ts"
import { Decimal, decimalOf, decimalString, isAboveZero, ZERO } from "../domain/decimal.ts"
import { add, compare, multiply, plus, subtract } from "../domain/decimal-arithmetic.ts"
import { DuplicateClientOrderIdError, ExecutionModelError, SimulationStateError, UnknownOrderError, ValidationError, type ValidationIssue } from "../domain/errors.ts"
import type { Fill } from "../domain/fill.ts"
import { flatText } from "../domain/flat-text.ts"
import { type OrderId, orderIdFromSeq, orderListIdFromSeq } from "../domain/ids.ts"
import { type MarketUpdateInput, type NormalizedUpdate, normalizeMarketUpdate, type Quote, quoteDecimal, quoteForSide } from "../domain/market-update.ts"
import {
  makeOrderRequestValidator,
  type OrderListLink,
  type OrderRequest,
  type OrderSpec,
  type ReplaceRequest,
  type ValidOrderRequest,
  type ValidReplaceRequest,
  validateReplaceRequest,
  withExpireAt
} from "../domain/order.ts"
import { type OrderListRequest, validateOrderList } from "../domain/order-list.ts"
import { orderTypes } from "../domain/order-types.ts"
import { trailAfter, trailingStopPrice } from "../domain/trailing-stop.ts"
import type { Portfolio, PositionView } from "../domain/portfolio.ts"
import { makeSimulationConfig, periodsPerYear, type SimulationConfig, type SimulationConfigInput } from "../domain/simulation-config.ts"
import type { Trade } from "../domain/trade.ts"
import { DailyStopLoss } from "./daily-stop-loss.ts"
import type { EngineEvent, EngineEventName, EngineEvents, EngineListener } from "./engine-events.ts"
import {
  assembleSnapshot,
  type EngineCheckpoint,
  type EngineHistory,
  CheckpointMarksError,
  ENGINE_LIVE_SNAPSHOT_FORMAT,
  type EngineLiveSnapshot,
  HistoryGapError,
  type HistoryMarks,
  NO_HISTORY,
  type RestoredHistory
} from "./engine-checkpoint.ts"
import { decodedSnapshot, ENGINE_SNAPSHOT_FORMAT, encodeEngineSnapshot, type EngineSnapshot, type EngineState } from "./engine-snapshot.ts"
import { EquityCurve, type EquityPoint } from "./equity-curve.ts"
import { EventBus } from "./event-bus.ts"
import { ExecutionPricing } from "./execution-pricing.ts"
import { type FeeModel, proportionalFee } from "./fee-model.ts"
import { checkedFeeModel, checkedFillModel, checkedSlippageModel } from "./checked-models.ts"
import { barFillModel, type FillModel, type MatchResult } from "./fill-model.ts"
import { Ledger, splitAgainst } from "./ledger.ts"
import { Marks } from "./marks.ts"
import { computePerformanceMetrics, type MetricsOptions, type PerformanceMetrics } from "./metrics.ts"
import { type BookedOrder, isEnded, OrderBook, type OrderList, snapshotOf, viewOf } from "./order-book.ts"
import { endedSnapshot } from "./ended-order.ts"
import { FillLog } from "./history/fill-log.ts"
import { inPathOrder, type PathFill } from "./intrabar-path.ts"
import { OrderEntry, type OrderEntrySnapshot, type OrderView } from "./order-entry.ts"
import { afterListEnded, afterListFill, type ListActions } from "./order-list-rules.ts"
import { checkRecord, type Rejection, RiskGate, type RiskInputs } from "./risk-gate.ts"
import type { AccountView, RiskCheck, RiskRule } from "./risk-rule.ts"
import { QuoteFinder } from "./quote-finder.ts"
import { proportionalSlippage, type SlippageModel } from "./slippage-model.ts"
import { formatThrown } from "../domain/format-value.ts"
import { fieldOf } from "../domain/input-path.ts"
import { readPlainInput, unreadableIssue } from "../domain/plain-input.ts"
import { SessionClock, type SessionMark, type UpdateClock } from "./session-clock.ts"
import { timeInForcePolicies } from "./time-in-force.ts"
import { keepShapes } from "./shape-keeper.ts"
import { TradeBook } from "./trade-book.ts"
import { VolumeParticipation } from "./volume-participation.ts"
import { largestHeldBack } from "./working-totals.ts"

export { ENGINE_SNAPSHOT_FORMAT, type EngineSnapshot } from "./engine-snapshot.ts"
export {
  type EngineCheckpoint,
  type EngineHistory,
  CheckpointMarksError,
  ENGINE_LIVE_SNAPSHOT_FORMAT,
  type EngineLiveSnapshot,
  HistoryGapError,
  type HistoryMarks,
  NO_HISTORY,
  type RestoredHistory
} from "./engine-checkpoint.ts"
export { type StoredPoints } from "./equity-curve.ts"

/** The engine's pluggable parts. Each defaults to DESIGN.md's execution semantics. */
export interface EngineOptions {
  readonly fillModel?: FillModel
  readonly slippageModel?: SlippageModel
  readonly feeModel?: FeeModel
  /** Extra checks, run after the built-in ones, at acceptance, at replace and at fill time. */
  readonly riskRules?: ReadonlyArray<RiskRule>
  /** Start in `running` (default), or stay `deployed` until `start()`. */
  readonly autoStart?: boolean
}

/** The statuses that take market updates and new orders, and those in which orders trade: tags of the simulation machine. */
const TAKES_UPDATES = simulationStatusesTagged("takesUpdates")
const TRADING = simulationStatusesTagged("trades")
type StatusTags = { readonly takesUpdates: boolean; readonly trades: boolean }
/** The same tags as each status's fields, for the per-update path: a property read, where a Set lookup per update adds up. */
const STATUS_TAGS = Object.fromEntries(
  SimulationStatuses.map((status): [SimulationStatus, StatusTags] => [status, { takesUpdates: TAKES_UPDATES.has(status), trades: TRADING.has(status) }])
) as Readonly<Record<SimulationStatus, StatusTags>>

/** An update whose reading threw, refused naming the part that could not be read (apart from `#normalize`, which runs for every update). */
const unreadableUpdate = (update: unknown, thrown: unknown): ValidationError => {
  const read = readPlainInput(update)
  const issue = Result.isFailure(read)
    ? unreadableIssue(read.failure, fieldOf(read.failure.path) || "(update)")
    : { field: "(update)", rule: `could not be read (${formatThrown(thrown)})`, value: undefined }
  return new ValidationError({ subject: "marketUpdate", issues: [issue] })
}

/** A part of a fill as a string: mostly the whole fill or nothing, whose strings are at hand. */
const partString = (part: Decimal, whole: Decimal, wholeString: string): string => (part === whole ? wholeString : part.isZero() ? "0" : decimalString(part))

/** Refused for a reason outside the risk rules: a replace may not take the quantity to or below what has filled. */
const QUANTITY_NOT_ABOVE_FILLED = "quantityNotAboveFilled"

/** What `submitOrderList` placed: the list's id and its orders' ids (an OTO's or a bracket's entry first, then take-profit, then stop-loss). */
export interface OrderListPlacement {
  readonly listId: string
  readonly orderIds: ReadonlyArray<OrderId>
}

/**
 * An order ready to be placed: its validated request, with what the engine worked out for a
 * trailing stop (its first stop and its watermark). Any other order is its request itself: no copy per order.
 */
type PreparedOrder = ValidOrderRequest & { readonly trailWatermark?: string }

const ONE = decimalOf(1)
const TWO = decimalOf(2)

/** Up to this many positions, equity is summed again after a fill rather than moved by it. */
const FEW_POSITIONS = 4

/** The longest reason a caller may give a cancel. */
const MAX_REASON = 1_000

const deepFreeze = <T>(value: T): T => {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const v of Object.values(value)) deepFreeze(v)
  }
  return value
}

/** The built-in rule whose refusal `partialFillCash: "resize"` answers by filling what the cash pays. */
const CASH_RULE = "cash"

/** One decimal per symbol, read from the instruments' `field` (those that have it). */
const instrumentDecimals = (config: SimulationConfig, field: "tickSize" | "lotSize"): ReadonlyMap<string, Decimal> => {
  const out = new Map<string, Decimal>()
  for (const [symbol, instrument] of Object.entries(config.instruments ?? {})) {
    const value = instrument[field]
    if (value !== undefined) out.set(symbol, decimalOf(value))
  }
  return out
}

/** A fill as priced: its quantity, price, notional and commission, and the cash it leaves. */
interface Execution {
  readonly quantity: Decimal
  readonly price: Decimal
  readonly notional: Decimal
  readonly commission: Decimal
  readonly cashAfter: Decimal
}

/**
 * One simulation in memory, synchronous and deterministic: orders go in, market updates go in,
 * and fills, positions, trades and metrics come out. Every order moves only through the order
 * machine; the simulation's own status moves only through the simulation machine.
 *
 * Per update it runs one pipeline (`processMarketUpdate`): time in force, the risk gate for new
 * orders, matching by each order type's fill rule, execution pricing and the risk gate again at
 * fill time, marking, and the daily stop-loss; each of those is its own module.
 *
 * Methods throw tagged errors (`ValidationError`, `UnknownOrderError`,
 * `IllegalOrderTransitionError`, `SimulationStateError`); when they do, nothing has changed. An
 * exception thrown by a plugged-in model or rule passes through: `replaceOrder` runs its checks
 * before anything moves, but inside `processMarketUpdate` it leaves the update part-applied.
 */
export class TradingSimulationEngine {
  readonly config: SimulationConfig
  readonly #symbols: ReadonlySet<string>
  readonly #validateOrder: ReturnType<typeof makeOrderRequestValidator>
  readonly #fillModel: FillModel
  readonly #pricing: ExecutionPricing
  readonly #risk: RiskGate
  readonly #maxPositionSize: Decimal
  readonly #bus = new EventBus()
  /** Each symbol's lot size, for those whose instrument has one. */
  readonly #lots: ReadonlyMap<string, Decimal>
  readonly #participation: VolumeParticipation | null
  readonly #clock: SessionClock
  /** The default fill rules: the working-order index knows which orders a bar's range can fill under them. */
  readonly #matchesByRange: boolean
  readonly #quoteFinder = new QuoteFinder()

  #status: SimulationStatus = "deployed"
  #simulationContext: SimulationContext = initialSimulationContext
  #book = new OrderBook()
  #ledger: Ledger
  #trades = new TradeBook()
  #curve = new EquityCurve()
  #marks = new Marks()
  #stopLoss: DailyStopLoss
  #fills = new FillLog()
  /** Exact equity at the current marks, kept through the fills of an update; null until asked after a change of marks. */
  #equityNow: Decimal | null = null
  /**
   * The orders that had ended before a restore (in the order they ended, when that is known); those
   * that end after it are the book's `ended`. Together, the part of the history a checkpoint takes
   * from its marks on.
   */
  #restoredEnded: ReadonlyArray<BookedOrder> = []
  /** How many of the first ended orders came from a whole snapshot, in an order not known (see `checkpoint`). */
  #unorderedEnded = 0
  #orderSeq = 0
  #updateIndex = 0
  #lastTime: number | null = null
  #day: number | null = null
  /** The trading day of the last update that was in its session. */
  #sessionDay: number | null = null

  constructor(config: SimulationConfigInput = {}, options: EngineOptions = {}) {
    const valid = makeSimulationConfig(config)
    if (Result.isFailure(valid)) throw valid.failure
    // Frozen: a config changed after construction would differ from what the engine's models were built from and what a snapshot restores.
    this.config = deepFreeze(valid.success)
    this.#symbols = new Set(this.config.symbols)
    this.#validateOrder = makeOrderRequestValidator(this.config.symbols, this.config.instruments)
    const initialCapital = decimalOf(this.config.initialCapital)
    this.#ledger = new Ledger(initialCapital)
    this.#stopLoss = new DailyStopLoss(this.config.dailyStopLoss, initialCapital)
    this.#maxPositionSize = decimalOf(this.config.maxPositionSize)
    // The caller's models are checked on every call (see ./checked-models.ts); the built-in ones need not be.
    this.#matchesByRange = options.fillModel === undefined || options.fillModel === barFillModel
    this.#fillModel = this.#matchesByRange ? barFillModel : checkedFillModel(options.fillModel!)
    this.#pricing = new ExecutionPricing(
      options.slippageModel === undefined ? proportionalSlippage(this.config.slippageRate) : checkedSlippageModel(options.slippageModel),
      options.feeModel === undefined ? proportionalFee(this.config.commissionRate, decimalOf(this.config.minimumCommission)) : checkedFeeModel(options.feeModel),
      instrumentDecimals(this.config, "tickSize")
    )
    this.#lots = instrumentDecimals(this.config, "lotSize")
    this.#participation = this.config.volumeParticipation === undefined ? null : new VolumeParticipation(this.config.volumeParticipation, this.#lots)
    this.#risk = new RiskGate(options.riskRules ?? [], this.#pricing)
    this.#clock = new SessionClock(this.config.calendar, this.config.updateFrequency)
    if (options.autoStart ?? true) this.start()
  }

  // ── Snapshots ─────────────────────────────────────────────────────────

  /** The whole simulation, history included: it grows with the run (a checkpoint does not). */
  snapshot(): EngineSnapshot {
    return encodeEngineSnapshot(this.config, this.#state())
  }

  /** How much history there is: the marks a checkpoint ends at. */
  historyMarks(): HistoryMarks {
    return { orders: this.#restoredEnded.length + this.#book.ended.length, fills: this.#fills.length, trades: this.#trades.closedCount, updates: this.#curve.length }
  }

  /**
   * The live state (what grows with the open book, not with the run) and the history made since
   * `since`, the marks of the previous checkpoint. `fromCheckpoint` with the live state and every
   * segment from the start restores what `snapshot()` would.
   */
  checkpoint(since: HistoryMarks = NO_HISTORY): EngineCheckpoint {
    if (since.orders > 0 && since.orders < this.#unorderedEnded) throw new CheckpointMarksError({ since, restoredEnded: this.#unorderedEnded })
    const state = this.#state()
    const to = this.historyMarks()
    const trades = this.#trades.snapshot(since.trades)
    const { fills: _fills, equityCurve: _curve, formatVersion: _format, ...live } = encodeEngineSnapshot(this.config, state, {
      orders: this.#book.open().map((e) => e.snapshot()),
      trades: { ...trades, closed: [] },
      fills: [],
      equityCurve: this.#curve.snapshot(to.updates)
    })
    const history: EngineHistory = {
      from: since,
      to,
      orders: this.#endedSnapshots(since.orders),
      fills: this.#fills.slice(since.fills),
      trades: trades.closed,
      equityCurve: this.#curve.snapshot(since.updates)
    }
    return { live: { ...live, formatVersion: ENGINE_LIVE_SNAPSHOT_FORMAT, history: to }, history }
  }

  /** Snapshots of the orders that ended from the `from`th on, in the order they ended. */
  #endedSnapshots(from: number): OrderEntrySnapshot[] {
    const restored = this.#restoredEnded
    const snapshots = restored.slice(from).map(snapshotOf)
    const { ended } = this.#book
    for (let row = Math.max(0, from - restored.length); row < ended.length; row++) snapshots.push(endedSnapshot(ended.at(row)))
    return snapshots
  }

  #state(): EngineState {
    return {
      status: this.#status,
      simulationContext: this.#simulationContext,
      orderSeq: this.#orderSeq,
      updateIndex: this.#updateIndex,
      lastTime: this.#lastTime,
      day: this.#day,
      book: this.#book,
      ledger: this.#ledger,
      trades: this.#trades,
      fills: this.#fills,
      marks: this.#marks,
      stopLoss: this.#stopLoss,
      curve: this.#curve,
      sessionDay: this.#sessionDay
    }
  }

  /** A simulation restored from a snapshot, with the given extension points (they are code, not state). */
  static fromSnapshot(snapshot: EngineSnapshot, options: Omit<EngineOptions, "autoStart"> = {}): TradingSimulationEngine {
    const version: unknown = (snapshot as { formatVersion?: unknown } | null)?.formatVersion
    if (version !== ENGINE_SNAPSHOT_FORMAT)
      throw new ValidationError({ subject: "snapshot", issues: [{ field: "formatVersion", rule: `must be ${ENGINE_SNAPSHOT_FORMAT} (a whole snapshot; a checkpoint's live state goes to fromCheckpoint)`, value: version }] })
    const engine = new TradingSimulationEngine(snapshot.config, { ...options, autoStart: false })
    const s = decodedSnapshot(snapshot)
    engine.#status = s.status
    engine.#simulationContext = s.simulationContext
    engine.#orderSeq = s.orderSeq
    engine.#updateIndex = s.updateIndex
    engine.#lastTime = s.lastTime
    engine.#day = s.day
    engine.#book = s.book
    engine.#ledger = s.ledger
    engine.#trades = s.trades
    engine.#fills = s.fills
    engine.#restoredEnded = [...s.book.all()].filter(isEnded)
    // A whole snapshot keeps ended orders, not the order they ended in: a checkpoint chain cannot go on from inside them.
    engine.#unorderedEnded = engine.#restoredEnded.length > 1 ? engine.#restoredEnded.length : 0
    engine.#marks = s.marks
    engine.#stopLoss = s.stopLoss
    engine.#curve = s.curve
    engine.#sessionDay = s.sessionDay
    return engine
  }

  /**
   * A simulation restored from a checkpoint's live state and every history segment from the start,
   * oldest first; a HistoryGapError when the segments do not add up to the live state's marks.
   * Equity points still stored (`StoredPoints`) are read when first asked for.
   */
  static fromCheckpoint(
    live: EngineLiveSnapshot,
    segments: ReadonlyArray<RestoredHistory>,
    options: Omit<EngineOptions, "autoStart"> = {}
  ): TradingSimulationEngine | HistoryGapError {
    const assembled = assembleSnapshot(live, segments)
    if (assembled instanceof HistoryGapError) return assembled
    const engine = TradingSimulationEngine.fromSnapshot(assembled.snapshot, options)
    engine.#curve = EquityCurve.stored(assembled.points)
    // The orders keep the order they ended in, so the next checkpoint's marks count the same ones.
    const ended: BookedOrder[] = []
    for (const segment of segments) for (const o of segment.orders) ended.push(engine.#book.get(o.context.order.id)!)
    engine.#restoredEnded = ended
    engine.#unorderedEnded = 0
    return engine
  }

  // ── Simulation lifecycle ──────────────────────────────────────────────

  get status(): SimulationStatus {
    return this.#status
  }

  /** Why the simulation is halted or failed, if it is. */
  get statusReason(): string | null {
    return this.#simulationContext.haltReason ?? this.#simulationContext.failureCause
  }

  start(): void {
    this.#sendSimulation({ type: "START" }, "start", null)
  }

  pause(): void {
    this.#sendSimulation({ type: "PAUSE" }, "pause", null)
  }

  resume(): void {
    this.#sendSimulation({ type: "RESUME", day: this.#day }, "resume", null)
  }

  /** Stops for good: every open order is cancelled; positions stay as they are, marked at the last prices. */
  stop(): void {
    if (!simulationTable.accepts(this.#status, "STOP")) throw new SimulationStateError({ status: this.#status, command: "stop" })
    this.#bus.batch(() => {
      // Everything goes: the list rules have nothing to add (no child is activated on the way out).
      for (const entry of this.#book.open()) if (!entry.isFinal) this.#cancel(entry, "simulation stopped", false, false)
      this.#sendSimulation({ type: "STOP" }, "stop", null)
    })
  }

  /** Marks the simulation failed (its model threw); the runtime decides to `restart()` or `stop()`. */
  fail(cause: string): void {
    this.#sendSimulation({ type: "FAIL", cause }, "fail", cause)
  }

  restart(): void {
    this.#sendSimulation({ type: "RESTART", day: this.#day }, "restart", null)
  }

  // ── Orders ────────────────────────────────────────────────────────────

  /** Validates and queues an order; it is checked and first matched on the next market update. */
  submitOrder(request: OrderRequest): OrderId {
    // A field of the status rather than a Set lookup: this runs for every order.
    if (!STATUS_TAGS[this.#status].takesUpdates) throw new SimulationStateError({ status: this.#status, command: "submitOrder" })
    const valid = this.#validateOrder(request)
    if (Result.isFailure(valid)) throw valid.failure
    const issues: ValidationIssue[] = []
    const prepared = this.#prepare(valid.success, "", issues)
    if (issues.length > 0) throw new ValidationError({ subject: "order", issues })
    this.#refuseDuplicate(prepared)
    return this.#place(prepared, null).spec.id
  }

  /**
   * Validates and queues an order list (an OCO group, an OTO or a bracket, see `OrderListRequest`)
   * as one: every order is valid and every client order id free, or nothing is placed. Each order
   * is then checked on its own at the next update, as `submitOrder`'s are; the children of an OTO
   * or a bracket are held until their entry has filled.
   */
  submitOrderList(request: OrderListRequest): OrderListPlacement {
    this.#require(TAKES_UPDATES, "submitOrderList")
    const valid = validateOrderList(request, this.#validateOrder)
    if (Result.isFailure(valid)) throw valid.failure
    const issues: ValidationIssue[] = []
    const prepared = valid.success.orders.map((o) => ({ role: o.role, order: this.#prepare(o.order, `${o.path}.`, issues) }))
    if (issues.length > 0) throw new ValidationError({ subject: "orderList", issues })
    for (const p of prepared) this.#refuseDuplicate(p.order)
    const listId = orderListIdFromSeq(this.#orderSeq + 1)
    const orderIds: OrderId[] = []
    this.#bus.batch(() => {
      for (const p of prepared) orderIds.push(this.#place(p.order, { id: listId, kind: valid.success.kind, role: p.role }).spec.id)
    })
    return { listId, orderIds }
  }

  /** Cancels an open order at once (no update can come between the request and its confirmation here). */
  cancelOrder(orderId: OrderId | string, reason = "cancelled on request"): void {
    // The reason is kept in the order and its snapshots: plain text of a bounded size.
    if (typeof reason !== "string" || reason.length > MAX_REASON)
      throw new ValidationError({ subject: "order", issues: [{ field: "reason", rule: `must be a string of at most ${MAX_REASON} characters`, value: reason }] })
    const entry = this.#entry(orderId)
    this.#bus.batch(() => this.#cancel(entry, reason, true))
  }

  /**
   * Changes a working order's quantity or prices. The change passes the same checks as a new
   * order; a refused change leaves the order as it was and says why. The checks run before the
   * order moves, so a rule that throws leaves everything as it was.
   */
  replaceOrder(
    orderId: OrderId | string,
    changes: ReplaceRequest
  ): { readonly replaced: true } | ({ readonly replaced: false } & Rejection) {
    const entry = this.#entry(orderId)
    const { symbol } = entry.spec
    const valid = validateReplaceRequest(changes, entry.spec, { symbol, instrument: this.config.instruments?.[symbol] })
    if (Result.isFailure(valid)) throw valid.failure
    const request: OrderEvent = { type: "REPLACE_REQUEST", changes: this.#retrail(entry.spec, valid.success) }
    const illegal = entry.refuses(request)
    if (illegal !== undefined) throw illegal
    // A held child is checked when it is activated, against the position its entry built.
    const outcome = entry.status === "held" ? { check: null } : this.#replaceCheck(entry, valid.success.quantity)
    this.#bus.batch(() => {
      this.#transition(entry, request)
      if ("check" in outcome) {
        if (outcome.check !== null) this.#commit(entry, outcome.check)
        this.#transition(entry, { type: "REPLACE_CONFIRM" })
        this.#bus.emit({ type: "orderReplaced", order: entry.view(), check: outcome.check === null ? null : checkRecord(outcome.check) })
      } else {
        this.#transition(entry, { type: "REPLACE_REJECT", reason: outcome.reason })
        this.#bus.emit({ type: "orderReplaceRejected", order: entry.view(), code: outcome.code, reason: outcome.reason })
      }
    })
    return "check" in outcome ? { replaced: true } : { replaced: false, code: outcome.code, reason: outcome.reason }
  }

  /** The signed position in a symbol (zero when flat): cheaper than `getPortfolio()` inside a strategy's loop. */
  positionOf(symbol: string): Decimal {
    return this.#ledger.position(symbol)
  }

  getOrder(orderId: OrderId | string): OrderView {
    return this.#entry(orderId).view()
  }

  /** The order with this client order id (a caller's own, or the order id of one placed without). */
  getOrderByClientOrderId(clientOrderId: string): OrderView {
    const order = this.#book.byClientOrderId(clientOrderId)
    if (order === undefined) throw new UnknownOrderError({ orderId: clientOrderId })
    return viewOf(order)
  }

  /** Every order, final ones included, in submission order. */
  getOrders(): ReadonlyArray<OrderView> {
    return [...this.#book.all()].map(viewOf)
  }

  getOpenOrders(): ReadonlyArray<OrderView> {
    return this.#book.open().map((e) => e.view())
  }

  getFills(): ReadonlyArray<Fill> {
    return this.#fills.slice()
  }

  // ── Market data ───────────────────────────────────────────────────────

  /**
   * One market update (last prices or OHLCV bars). Per update, in this order: working orders whose
   * time in force has run out expire; a new trading day ends a halt; orders submitted since the
   * last update are checked and accepted or rejected; working orders are matched, oldest first;
   * the portfolio is marked to the close; the daily stop-loss is checked; then the update's events
   * are emitted. With an exchange calendar, an update outside its session only marks the
   * portfolio (nothing is checked or trades on it). Returns the update as validated (its time and
   * each symbol's prices), and with a calendar, its session and whether it was inside it.
   */
  processMarketUpdate(update: MarketUpdateInput): NormalizedUpdate & { readonly session?: SessionMark } {
    if (!STATUS_TAGS[this.#status].takesUpdates) throw new SimulationStateError({ status: this.#status, command: "processMarketUpdate" })
    const normalized = this.#normalize(update)
    // Told apart by a field rather than `instanceof`, which costs a lookup of the class on every update.
    if (!("quotes" in normalized)) throw normalized
    const { time, quotes } = normalized
    const clock = this.#clock.at(time, this.#day, this.#sessionDay, this.#updateIndex === 0)
    if ("rule" in clock) throw new ValidationError({ subject: "marketUpdate", issues: [{ field: "time", rule: clock.rule, value: time }] })
    // Batched inline rather than through a closure: this is the per-update hot path.
    this.#bus.open()
    let completed = false
    try {
      this.#updateIndex += 1
      this.#lastTime = time
      const { day } = clock
      if (clock.inSession) this.#sessionDay = day
      if (this.#book.hasExpiring || this.#book.pending.length > 0) this.#expire(clock)
      if (day !== this.#day) this.#startDay(day)
      // Outside its session an update marks the portfolio; nothing is checked or trades on it.
      if (STATUS_TAGS[this.#status].trades && clock.inSession) {
        if (this.#book.pending.length > 0) this.#checkPending(quotes)
        if (this.#book.hasWorking) this.#matchWorking(quotes, clock)
      }
      for (let i = 0; i < quotes.length; i++) this.#marks.set(quotes[i]!)
      this.#equityNow = null
      const valuation = this.#ledger.valuationEstimate(this.#marks)
      this.#curve.push(time, valuation)
      if (this.#status === "running") {
        const breach = this.#stopLoss.breach(valuation, this.#exactEquity)
        if (breach !== null) this.#sendSimulation({ type: "HALT", reason: breach, day: this.#day }, "halt", breach)
      }
      completed = true
    } finally {
      this.#bus.close(completed)
    }
    return clock.session === null ? normalized : { ...normalized, session: { date: clock.session.date, inSession: clock.inSession } }
  }

  // ── Results ───────────────────────────────────────────────────────────

  getPortfolio(): Portfolio {
    const positions: PositionView[] = []
    let unrealizedPnl = ZERO
    for (const symbol of this.#ledger.symbols()) {
      const quantity = this.#ledger.position(symbol)
      const marketPrice = this.#marks.orZero(symbol)
      const averageCost = this.#ledger.averageCost(symbol)
      const unrealized = marketPrice.minus(averageCost).times(quantity)
      unrealizedPnl = unrealizedPnl.plus(unrealized)
      if (quantity.isZero()) continue
      positions.push({
        symbol,
        quantity,
        averageCost,
        marketPrice,
        marketValue: quantity.times(marketPrice),
        unrealizedPnl: unrealized,
        realizedPnl: this.#ledger.realizedPnlOf(symbol)
      })
    }
    return {
      cash: this.#ledger.cash,
      buyingPower: this.#buyingPower(),
      totalValue: this.#equity(),
      realizedPnl: this.#ledger.realizedPnl,
      unrealizedPnl,
      totalCommission: this.#ledger.totalCommission,
      positions
    }
  }

  /** Round trips: closed ones in the order they closed, then open ones (flagged `open`, no exit time). */
  getTrades(): ReadonlyArray<Trade> {
    return this.#trades.trades()
  }

  /** Equity after each update (float64: for charts and statistics; the ledger itself is exact). */
  getEquityCurve(): ReadonlyArray<EquityPoint> {
    return this.#curve.points()
  }

  /** Computed on demand from the curve, fills and trades (nothing on the per-update path). */
  getPerformanceMetrics(options: MetricsOptions = {}): PerformanceMetrics {
    const { times, longValue, shortValue } = this.#curve.columns()
    return computePerformanceMetrics(
      {
        initialCapital: this.config.initialCapital,
        finalEquity: this.#equity().toString(),
        totalCommission: this.#ledger.totalCommission.toString(),
        equityCurve: this.#curve.values(),
        times,
        longValue,
        shortValue,
        fills: this.#fills.slice(),
        trades: this.#trades.trades(),
        periodsPerYear: periodsPerYear[this.config.updateFrequency],
        riskFreeRate: this.config.riskFreeRate
      },
      options
    )
  }

  /** How many market updates have been processed. */
  get updateCount(): number {
    return this.#updateIndex
  }

  /** The time of the last update that carried one (ms since the epoch), or null. */
  get lastUpdateTime(): number | null {
    return this.#lastTime
  }

  // ── Events ────────────────────────────────────────────────────────────

  /** Subscribes to an event; returns the function that unsubscribes. Events of an update arrive after it is fully applied. */
  on<K extends EngineEventName>(name: K, listener: EngineListener<K>): () => void {
    return this.#bus.on(name, listener)
  }

  /** Subscribes to every event, in the order they happen; returns the function that unsubscribes. */
  onEvent(listener: (event: EngineEvent) => void): () => void {
    return this.#bus.onEvent(listener)
  }

  // ── Internals ─────────────────────────────────────────────────────────

  /**
   * What the engine adds to a valid request before it is placed: a trailing stop's first stop,
   * measured from its reference (given, or the symbol's last mark). A problem is added to `issues`
   * under `path`.
   */
  #prepare(valid: ValidOrderRequest, path: string, issues: ValidationIssue[]): PreparedOrder {
    if (!orderTypes[valid.type].trails) return valid
    const reference = valid.trailReference === null ? this.#marks.decimal(valid.symbol) : decimalOf(valid.trailReference)
    if (reference === undefined) {
      issues.push({ field: `${path}trailReference`, rule: `is required before ${valid.symbol} has a price`, value: undefined })
      return valid
    }
    const stop = trailingStopPrice(valid, reference)
    if (!stop.greaterThan(0)) issues.push({ field: `${path}trailAmount`, rule: `must be below the reference price ${reference} for a sell`, value: valid.trailAmount })
    return { ...valid, stopPrice: stop.toString(), trailWatermark: reference.toString() }
  }

  /** Refuses an order whose client order id an earlier order has (those within one list are validation errors). */
  #refuseDuplicate(request: PreparedOrder): void {
    const known = request.clientOrderId === null ? undefined : this.#book.byClientOrderId(request.clientOrderId)
    if (known !== undefined) throw new DuplicateClientOrderIdError({ clientOrderId: request.clientOrderId!, orderId: known.context.order.id })
  }

  /** Places a prepared order: its id, its client order id (its id when it has none), its list; a child is held until its entry fills. */
  #place(o: PreparedOrder, orderList: OrderListLink | null): OrderEntry {
    this.#orderSeq += 1
    const id = orderIdFromSeq(this.#orderSeq)
    // Made field by field in one literal (no spread: one allocation of a known shape) in the order its snapshots have
    // always written; a gtd order's expiry joins it in its place.
    const spec: OrderSpec = {
      symbol: o.symbol,
      side: o.side,
      type: o.type,
      quantity: o.quantity,
      limitPrice: o.limitPrice,
      stopPrice: o.stopPrice,
      timeInForce: o.timeInForce,
      tag: o.tag,
      clientOrderId: o.clientOrderId ?? id,
      trailAmount: o.trailAmount,
      trailPercent: o.trailPercent,
      trailWatermark: o.trailWatermark ?? null,
      id,
      submittedAfterUpdate: this.#updateIndex,
      submittedTime: this.#lastTime,
      orderList
    }
    const entry = new OrderEntry(o.expireAt === undefined ? spec : withExpireAt(spec, o.expireAt))
    if (orderList !== null && orderList.kind !== "oco" && orderList.role !== "entry") this.#transition(entry, { type: "HOLD" })
    this.#book.submit(entry)
    if (this.#bus.wants("orderSubmitted")) this.#bus.emit({ type: "orderSubmitted", order: entry.view() })
    return entry
  }

  #require(allowed: ReadonlySet<SimulationStatus>, command: string): void {
    if (!allowed.has(this.#status)) throw new SimulationStateError({ status: this.#status, command })
  }

  /** An order by its id, as an entry: an ended one's is made again from its record (the commands it is asked for refuse it as its entry did). */
  #entry(orderId: string): OrderEntry {
    const order = this.#book.get(orderId as OrderId)
    if (order === undefined) throw new UnknownOrderError({ orderId })
    return order instanceof OrderEntry ? order : OrderEntry.fromSnapshot(endedSnapshot(order))
  }

  #sendSimulation(event: SimulationEvent, command: string, reason: string | null): void {
    const next = simulationTable.step(this.#status, this.#simulationContext, event)
    if (next === undefined) throw new SimulationStateError({ status: this.#status, command })
    const from = this.#status
    this.#status = next.status
    this.#simulationContext = next.context
    if (from !== next.status) this.#bus.emit({ type: "simulationStatusChanged", from, to: next.status, reason })
  }

  /**
   * Moves an order through its machine. Inside the engine an illegal event is a defect, so it
   * throws; for caller-driven events (`fromCaller`) it is returned as the caller's error.
   */
  #transition(entry: OrderEntry, event: OrderEvent, fromCaller = false) {
    const wasFinal = entry.isFinal
    const error = entry.send(event)
    if (error !== undefined && !fromCaller) throw error
    if (!wasFinal && entry.isFinal) {
      entry.endedTime = this.#lastTime
      this.#book.recordEnded(entry)
    }
    return error
  }

  /** Cancels an order; `followLinks` applies its list's rules (a cancel the list rules make themselves does not). */
  #cancel(entry: OrderEntry, reason: string, fromCaller = false, followLinks = true): void {
    const requested = this.#transition(entry, { type: "CANCEL_REQUEST" }, fromCaller)
    if (requested !== undefined) throw requested
    this.#transition(entry, { type: "CANCEL_CONFIRM", reason })
    this.#book.retire(entry)
    if (this.#bus.wants("orderCancelled")) this.#bus.emit({ type: "orderCancelled", order: entry.view(), reason })
    if (followLinks) this.#afterEnded(entry, "was cancelled")
  }

  #reject(entry: OrderEntry, rejection: Rejection): void {
    // Kept with the order for the rest of the run: in one piece (see flatText).
    const reason = flatText(rejection.reason)
    this.#transition(entry, { type: "REJECT", code: rejection.code, reason })
    if (this.#bus.wants("orderRejected")) this.#bus.emit({ type: "orderRejected", order: entry.view(), code: rejection.code, reason })
    this.#afterEnded(entry, "was rejected")
  }

  // ── Order lists (DESIGN.md, advanced orders; the rules are in ./order-list-rules.ts) ──

  /** What the list rules do, carried out through the order machine with their events. Made once. */
  readonly #listActions: ListActions = {
    cancel: (order, reason) => this.#cancel(order, reason, false, false),
    reduce: (order, quantity, reason) => {
      this.#transition(order, { type: "REDUCE", quantity: quantity.toString() })
      if (this.#bus.wants("orderReduced")) this.#bus.emit({ type: "orderReduced", order: order.view(), reason })
    },
    activate: (child, quantity) => {
      this.#transition(child, { type: "ACTIVATE", quantity })
      child.activatedOn = this.#updateIndex
      this.#book.activate(child)
      if (this.#bus.wants("orderActivated")) this.#bus.emit({ type: "orderActivated", order: child.view() })
    }
  }

  #afterEnded(entry: OrderEntry, what: string): void {
    if (entry.list !== null) afterListEnded(entry, what, this.#listActions)
  }

  /** A trailing stop's replaced distance moves its stop, measured again from its watermark. */
  #retrail(order: OrderSpec, changes: ValidReplaceRequest): ValidReplaceRequest {
    if (changes.trailAmount === undefined && changes.trailPercent === undefined) return changes
    const trail = { side: order.side, trailAmount: changes.trailAmount ?? null, trailPercent: changes.trailPercent ?? null }
    const stop = trailingStopPrice(trail, decimalOf(order.trailWatermark!))
    if (!stop.greaterThan(0))
      throw new ValidationError({ subject: "replace", issues: [{ field: "trailAmount", rule: `must be below the watermark ${order.trailWatermark} for a sell`, value: changes.trailAmount }] })
    return { ...changes, stopPrice: stop.toString() }
  }

  /**
   * Expires the open orders whose time in force has run out at this update, before anything is
   * checked or trades on it: working orders, and those still waiting for their check (a gtd time
   * that passed, an opg opening missed), so that none is accepted or matched on its expiry update.
   */
  #expire(update: UpdateClock): void {
    // Each list apart: a list of the two would be made on every update.
    const pendingExpired = this.#expireIn(this.#book.pending, update)
    if (this.#expireIn(this.#book.expiring, update) || pendingExpired) this.#book.retireFinal()
  }

  /** Expires the orders of `list` whose time has run out; whether any did. */
  #expireIn(list: ReadonlyArray<OrderEntry>, update: UpdateClock): boolean {
    let expired = false
    for (const entry of list) {
      // A sibling's expiry may have cancelled it on the way.
      if (entry.isFinal) continue
      const reason = timeInForcePolicies[entry.spec.timeInForce].expiresOn(entry.context, update)
      if (reason === null) continue
      this.#expireEntry(entry, reason)
      expired = true
    }
    return expired
  }

  #expireEntry(entry: OrderEntry, reason: string): void {
    this.#transition(entry, { type: "EXPIRE", reason })
    if (this.#bus.wants("orderExpired")) this.#bus.emit({ type: "orderExpired", order: entry.view(), reason })
    if (entry.list !== null) this.#afterEnded(entry, "expired")
  }

  #startDay(day: number | null): void {
    this.#stopLoss.startDay(this.#curve, this.#ledger, this.#marks)
    this.#day = day
    if (this.#status === "halted") this.#sendSimulation({ type: "NEW_TRADING_DAY" }, "newTradingDay", null)
  }

  #equity(): Decimal {
    return (this.#equityNow ??= this.#ledger.equity(this.#marks))
  }

  /** `#equity` as a function made once: the daily stop-loss is handed it on every update. */
  readonly #exactEquity = (): Decimal => this.#equity()

  /**
   * Cash less what working orders hold back: all but `except`'s own, and its fill group's (only one
   * of them can fill); a fill group holds back what its largest member does.
   */
  #buyingPower(except?: OrderEntry): Decimal {
    const totals = this.#book.totals
    // Without a hold that is a share, each working order holds its whole reservation, and the totals are exact.
    const held = except === undefined ? totals.held : totals.heldBeside(except)
    let free = this.#ledger.cash
    if (held === null) {
      const own = except?.fillGroup ?? null
      let counted: Set<OrderList> | null = null
      for (const e of this.#book.working) {
        if (e === except || e.reservation.isZero()) continue
        const group = e.fillGroup
        if (group === null) free = subtract(free, e.heldBack())
        else if (group !== own && !(counted ??= new Set()).has(group)) {
          counted.add(group)
          free = subtract(free, largestHeldBack(group))
        }
      }
    } else if (!held.isZero()) free = subtract(free, held)
    return this.#ledger.hasShorts ? subtract(free, multiply(this.#ledger.shortMarketValue(this.#marks), TWO)) : free
  }

  /** Equity moved by one fill: by the cash it moved and the position it moved at the symbol's mark (exact, as the sum over the positions would be). */
  #equityAfterFill(equity: Decimal, cashBefore: Decimal, positionBefore: Decimal, symbol: string): Decimal {
    const moved = subtract(this.#ledger.position(symbol), positionBefore)
    const mark = this.#marks.orZero(symbol)
    const value = moved.isZero() || mark.isZero() ? ZERO : multiply(moved, mark)
    return add(add(equity, subtract(this.#ledger.cash, cashBefore)), value)
  }

  /** The largest position value at an equity, for the last equity asked about (an update's checks mostly share one). */
  #positionLimit: { readonly equity: Decimal; readonly value: Decimal } | null = null

  #maxPositionValue(equity: Decimal): Decimal {
    if (this.#positionLimit?.equity !== equity) this.#positionLimit = { equity, value: isAboveZero(equity) ? multiply(equity, this.#maxPositionSize) : ZERO }
    return this.#positionLimit.value
  }

  #account(except?: OrderEntry): AccountView {
    const equity = this.#equity()
    return {
      equity,
      cash: this.#ledger.cash,
      buyingPower: this.#buyingPower(except),
      maxPositionValue: this.#maxPositionValue(equity),
      positionOf: this.#positionOf,
      markOf: this.#markOf,
      symbols: this.config.symbols,
      halted: this.#status === "halted"
    }
  }

  // Made once: account views hand these out for every check.
  readonly #positionOf = (symbol: string): Decimal => this.#ledger.position(symbol)
  readonly #markOf = (symbol: string): Decimal | undefined => this.#marks.decimal(symbol)
  /** What the risk gate reads of the simulation, read through at each check (a restore replaces the ledger and the book). */
  readonly #riskInputs: RiskInputs = ((engine: TradingSimulationEngine): RiskInputs => ({
    get config() {
      return engine.config
    },
    get ledger() {
      return engine.#ledger
    },
    get totals() {
      return engine.#book.totals
    },
    markOf: engine.#markOf
  }))(this)

  /** Fixes what an accepted order may do: the position value its fills may reach, and the buying power it holds back. */
  #commit(entry: OrderEntry, check: RiskCheck): void {
    entry.commit({ referencePrice: check.referencePrice, maxValue: check.account.maxPositionValue }, check.openingCost, check.quantity)
  }

  /** An order's check before it works: `quantity` valued at `referencePrice`, the opening part priced by the models. */
  #orderCheck(entry: OrderEntry, quantity: Decimal, referencePrice: Decimal, quote: Quote, account: AccountView): RiskCheck {
    const chargedSoFar = entry.context.commission === "0" ? ZERO : decimalOf(entry.context.commission)
    return this.#risk.orderCheck(this.#riskInputs, entry, quantity, referencePrice, account, quote, chargedSoFar)
  }

  #checkPending(quotes: ReadonlyArray<Quote>): void {
    let account: AccountView | null = null
    const stillPending: OrderEntry[] = []
    let linkedRejected = false
    const quoteFinder = this.#quoteFinder
    quoteFinder.use(quotes)
    for (const entry of this.#book.pending) {
      // A sibling's rejection may have cancelled it on the way.
      if (entry.isFinal) continue
      const symbolQuote = quoteFinder.find(entry.spec.symbol)
      // An order can only be checked when its symbol trades: until then it waits. A child
      // activated on this update (its entry expired before matching) waits for the next one.
      if (symbolQuote === undefined || entry.activatedOn === this.#updateIndex) {
        stillPending.push(entry)
        continue
      }
      // Checked at the price it would trade at: a quote's ask for a buy, its bid for a sell.
      const quote = quoteForSide(symbolQuote, entry.spec.side)
      // A list member's account leaves out what its OCO siblings hold back.
      const view = entry.list === null ? (account ??= this.#account()) : this.#account(entry)
      let check: RiskCheck
      try {
        check = this.#orderCheck(entry, entry.remaining, quoteDecimal(quote, "open"), quote, view)
      } catch (thrown) {
        this.#refuseForModel(entry, thrown)
        linkedRejected ||= entry.list !== null
        continue
      }
      const rejection = this.#risk.firstRejection(check, true)
      if (rejection !== null) {
        this.#reject(entry, rejection)
        linkedRejected ||= entry.list !== null
        continue
      }
      this.#commit(entry, check)
      this.#transition(entry, { type: "ACCEPT", sessionDay: this.#day })
      this.#book.accept(entry)
      // Later orders in this update see this one's hold on buying power.
      if (!entry.reservation.isZero()) account = null
      if (this.#bus.wants("orderAccepted")) this.#bus.emit({ type: "orderAccepted", order: entry.view(), check: checkRecord(check) })
    }
    // A list member's rejection may have cancelled a sibling already set aside.
    this.#book.pending = linkedRejected ? stillPending.filter((e) => !e.isFinal) : stillPending
  }

  /**
   * An update validated as the engine uses it. Plain data is read straight, the per-update path;
   * an update whose reading throws (a getter, a Proxy trap, a revoked Proxy) is refused naming
   * the part that could not be read.
   */
  #normalize(update: MarketUpdateInput): ReturnType<typeof normalizeMarketUpdate> {
    try {
      return normalizeMarketUpdate(update, this.#symbols, this.#lastTime)
    } catch (thrown) {
      return unreadableUpdate(update, thrown)
    }
  }

  #matchWorking(quotes: ReadonlyArray<Quote>, clock: UpdateClock): void {
    this.#retired = false
    // OCO siblings already matched on this update, out of turn (see `#matchTogether`).
    let matched: Set<OrderEntry> | null = null
    const quoteFinder = this.#quoteFinder
    quoteFinder.use(quotes)
    // With the default fill rules, only the orders the update's ranges can fill (and those matched on every update).
    const toMatch = this.#matchesByRange ? this.#book.index.candidates(quotes) : this.#book.working
    for (const entry of toMatch) {
      const barQuote = quoteFinder.find(entry.spec.symbol)
      if (barQuote === undefined || entry.isFinal) continue
      if (entry.list !== null && entry !== entry.list.entry && this.config.intrabarPath === "adaptive") {
        if (matched?.has(entry)) continue
        matched ??= new Set()
        this.#matchTogether(entry.list, barQuote, clock, matched)
      } else this.#matchOne(entry, barQuote, clock)
    }
    if (this.#retired) this.#book.retireFinal()
  }

  /** Set when an order became final during a matching pass, so the pass ends by dropping it from the working list. */
  #retired = false

  /**
   * Matches an OCO group's (or a bracket's children's) working members on one bar in the order
   * the bar's path reaches their fill prices (`intrabarPath: "adaptive"`): the first level touched
   * fills first, and its siblings are cancelled or reduced before they are matched. Members the bar
   * does not fill keep their time priority.
   */
  #matchTogether(list: OrderList, barQuote: Quote, clock: UpdateClock, matched: Set<OrderEntry>): void {
    const working = list.members.filter((m) => !m.isFinal && m.status !== "held" && m.status !== "submitted")
    const fillAt = (m: OrderEntry): PathFill | null => {
      // Placed on the path of the prices it trades against: on a bid/ask quote, its side's tick.
      const quote = this.#tradingQuote(m, barQuote, clock)
      if (quote === null || m.isFinal) return null
      let fill: MatchResult["fill"] = null
      try {
        fill = this.#fillModel.match(m, quote).fill
      } catch (thrown) {
        this.#refuseForModel(m, thrown)
      }
      return fill === null ? null : timeInForcePolicies[m.spec.timeInForce].atClose ? "close" : { on: quote, price: fill.price }
    }
    for (const member of inPathOrder(working, fillAt)) {
      matched.add(member)
      if (!member.isFinal) this.#matchOne(member, barQuote, clock)
    }
  }

  /** The prices an order's side trades against (a quote's ask or bid), as far as its time in force lets it trade on this update (opg: the open, cls: the close); null when it does not trade on it. */
  #tradingQuote(entry: OrderEntry, barQuote: Quote, clock: UpdateClock): Quote | null {
    return timeInForcePolicies[entry.spec.timeInForce].tradesAt(quoteForSide(barQuote, entry.spec.side), clock)
  }

  /** One working order against one update; a model of the caller's that fails on it refuses it (before anything of it trades). */
  #matchOne(entry: OrderEntry, barQuote: Quote, clock: UpdateClock): void {
    try {
      this.#match(entry, barQuote, clock)
    } catch (thrown) {
      this.#refuseForModel(entry, thrown)
    }
    if (entry.isFinal) this.#retired = true
  }

  /**
   * Refuses `entry` for an ExecutionModelError its pricing or matching threw (anything else is
   * the engine's own failure, and goes on up). The models run before any part of a fill is
   * applied, so nothing of the order is half done.
   */
  #refuseForModel(entry: OrderEntry, thrown: unknown): void {
    if (!(thrown instanceof ExecutionModelError)) throw thrown
    if (!entry.isFinal) this.#reject(entry, { code: thrown.model, reason: `${thrown.model}: ${thrown.message}, which refuses the order` })
  }

  /** Trigger, fill, what its time in force does after the match, and a trailing stop's move. */
  #match(entry: OrderEntry, barQuote: Quote, clock: UpdateClock): void {
    const policy = timeInForcePolicies[entry.spec.timeInForce]
    const quote = this.#tradingQuote(entry, barQuote, clock)
    if (quote === null) return
    const result = this.#fillModel.match(entry, quote)
    if (result.triggered && !entry.triggered) {
      this.#transition(entry, { type: "TRIGGER" })
      if (this.#bus.wants("orderTriggered")) this.#bus.emit({ type: "orderTriggered", order: entry.view() })
    }
    if (result.fill !== null) {
      const cap = this.#participation === null ? null : this.#participation.cap(quote)
      const wanted = cap === null ? result.fill.quantity : Decimal.min(result.fill.quantity, cap)
      // fok: a fill short of the whole rest (by the fill rule or the volume cap) does not trade at all.
      if (!policy.allOrNothing || wanted.greaterThanOrEqualTo(entry.remaining)) this.#execute(entry, result.fill.price, wanted, quote, clock.time, policy.allOrNothing)
    }
    if (!entry.isFinal) {
      const ended = policy.afterMatch(result)
      if (ended !== null) this.#cancel(entry, ended)
    }
    // Matched against the stop in force first; the moved stop applies from the next update.
    if (entry.trails && entry.status === "accepted" && !entry.triggered) {
      const moved = trailAfter(entry.spec, quote, this.config.trailBy)
      // The machine refuses a move that would not tighten the stop (none should reach it).
      if (moved !== null) entry.send({ type: "TRAIL", stopPrice: moved.stopPrice, watermark: moved.watermark })
    }
  }

  /**
   * Fills (part of) an order at a market price, priced by the models, through the risk gate when
   * it adds to a position. `allOrNothing` (fok): the whole of `wanted` trades or none of it.
   */
  #execute(entry: OrderEntry, marketPrice: Decimal, wanted: Decimal, quote: Quote, time: number | null, allOrNothing: boolean): void {
    const { side, symbol } = entry.spec
    let quantity = wanted === entry.remaining ? wanted : Decimal.min(wanted, entry.remaining)
    if (!isAboveZero(quantity)) return
    const position = this.#ledger.position(symbol)
    let split = splitAgainst(position, side, quantity)
    const { closingQuantity } = split
    // Halted: only the part that reduces the position trades; the rest waits for the next day.
    // (A fok order is matched on the update it is checked on, whose stop-loss rule refuses one that opens while halted.)
    if (this.#status === "halted" && !split.openingQuantity.isZero()) {
      quantity = closingQuantity
      if (quantity.isZero()) return
      split = { closingQuantity, openingQuantity: ZERO }
    }
    const price = this.#pricing.fillPrice(marketPrice, entry, quote)
    const chargedSoFar = entry.context.commission === "0" ? ZERO : decimalOf(entry.context.commission)
    const execution = this.#priced(entry, quantity, price, split.openingQuantity.isZero(), chargedSoFar)
    const rejection = split.openingQuantity.isZero() ? null : this.#fillRejection(entry, execution)
    if (rejection === null) return this.#fill(entry, execution, marketPrice, split, time)
    if (allOrNothing) return this.#reject(entry, rejection)
    // partialFillCash "resize": a fill the cash cannot pay is cut to the whole lots it can.
    if (rejection.code === CASH_RULE && this.config.partialFillCash === "resize") {
      const resized = this.#resized(entry, closingQuantity, split.openingQuantity, price, chargedSoFar)
      if (resized !== null) return this.#fill(entry, resized.execution, marketPrice, resized.split, time)
    }
    // The closing part of the order always trades; what the account cannot carry is refused.
    if (isAboveZero(closingQuantity)) {
      const closing = this.#priced(entry, closingQuantity, price, false, chargedSoFar)
      this.#fill(entry, closing, marketPrice, { closingQuantity, openingQuantity: ZERO }, time)
    }
    if (!entry.isFinal) this.#reject(entry, rejection)
  }

  /**
   * `quantity` of the order at `price`: its commission by the fee model and the cash it leaves. A
   * fill that only closes (`onlyCloses`) always trades, but is never charged more commission than
   * the cash it leaves (a small sale against a minimum commission would otherwise drive cash below zero).
   */
  #priced(entry: OrderEntry, quantity: Decimal, price: Decimal, onlyCloses: boolean, chargedSoFar: Decimal): Execution {
    const notional = multiply(price, quantity)
    const moved = this.#ledger.cashMovedBy(entry.spec.side, notional)
    let commission = this.#pricing.commission(quantity, price, notional, entry, chargedSoFar)
    if (onlyCloses && compare(moved, commission) < 0) commission = Decimal.max(moved, ZERO)
    const cashAfter = commission.isZero() ? moved : subtract(moved, commission)
    return { quantity, price, notional, commission, cashAfter }
  }

  #fillRejection(entry: OrderEntry, execution: Execution): Rejection | null {
    return this.#risk.firstRejection(this.#risk.fillCheck(this.#riskInputs, entry, execution, this.#account(entry)), true)
  }

  /**
   * The largest fill of the closing part plus whole lots of the opening part (lots of 1 without
   * instrument data) that the risk gate passes, found by bisection on the number of lots (each
   * rule refuses more as a fill grows); null when not one lot passes.
   */
  #resized(entry: OrderEntry, closingQuantity: Decimal, openingQuantity: Decimal, price: Decimal, chargedSoFar: Decimal): { execution: Execution; split: { closingQuantity: Decimal; openingQuantity: Decimal } } | null {
    const lotSize = this.#lots.get(entry.spec.symbol) ?? ONE
    const attempt = (lots: Decimal) => {
      const opening = lots.times(lotSize)
      const execution = this.#priced(entry, closingQuantity.plus(opening), price, false, chargedSoFar)
      return this.#fillRejection(entry, execution) === null ? { execution, split: { closingQuantity, openingQuantity: opening } } : null
    }
    // Bisection on [0, all the lots): the whole opening part was refused already.
    let low = ZERO
    let high = openingQuantity.dividedBy(lotSize).ceil()
    let best: ReturnType<typeof attempt> = null
    while (high.minus(low).greaterThan(1)) {
      const middle = low.plus(high).dividedBy(2).floor()
      const passed = attempt(middle)
      if (passed === null) high = middle
      else {
        low = middle
        best = passed
      }
    }
    return best
  }

  #fill(
    entry: OrderEntry,
    execution: { readonly quantity: Decimal; readonly price: Decimal; readonly commission: Decimal; readonly cashAfter: Decimal },
    marketPrice: Decimal,
    split: { readonly closingQuantity: Decimal; readonly openingQuantity: Decimal },
    time: number | null
  ): void {
    const { side, symbol } = entry.spec
    const cashBefore = this.#ledger.cash
    const positionBefore = this.#ledger.position(symbol)
    const legs = this.#ledger.applyFill(symbol, side, execution, split)
    // Moved by the fill where summing the positions again would cost more (many of them).
    if (this.#equityNow !== null) this.#equityNow = this.#ledger.positionCount > FEW_POSITIONS ? this.#equityAfterFill(this.#equityNow, cashBefore, positionBefore, symbol) : null
    // The fill's strings, each written once: the fill, the order and the trade book share them.
    const price = decimalString(execution.price)
    // The usual fill is the whole order in one go: its quantity's string is the order's own (canonical) one.
    const quantity = execution.quantity === entry.remaining && entry.context.filledQuantity === "0" ? entry.spec.quantity : decimalString(execution.quantity)
    const closingQuantity = partString(legs.closingQuantity, execution.quantity, quantity)
    const openingQuantity = partString(legs.openingQuantity, execution.quantity, quantity)
    this.#trades.record(symbol, side, execution.price, { price, closingQuantity, openingQuantity }, legs, time)
    // A bracket's or OTO's entry keeps what it closed: its children protect only what it opened.
    if (entry.list?.entry === entry && !legs.closingQuantity.isZero()) entry.closedQuantity = plus(entry.closedQuantity, legs.closingQuantity)
    const commission = decimalString(execution.commission)
    this.#transition(entry, { type: "FILL", quantity, price, commission })
    const fill: Fill = {
      orderId: entry.spec.id,
      symbol,
      side,
      quantity,
      price,
      marketPrice: marketPrice === execution.price ? price : decimalString(marketPrice),
      commission,
      closingQuantity,
      openingQuantity,
      time,
      updateIndex: this.#updateIndex
    }
    this.#fills.push(fill)
    const type = entry.status === "filled" ? "orderFilled" : "orderPartiallyFilled"
    // Frozen: listeners share it, and none may change the record.
    if (this.#bus.wants(type)) this.#bus.emit({ type, order: entry.view(), fill: Object.freeze(fill) })
    if (entry.list !== null) afterListFill(entry, execution.quantity, this.config.ocoOnPartialFill, this.#listActions)
  }

  /**
   * A replace's check, before the order moves: the new quantity must stay above what is filled,
   * and the rest must pass the checks at the last mark (a working order's symbol always has one).
   */
  #replaceCheck(entry: OrderEntry, newQuantity: string | undefined): { readonly check: RiskCheck } | Rejection {
    const filled = decimalOf(entry.context.filledQuantity)
    const quantity = decimalOf(newQuantity ?? entry.spec.quantity)
    if (quantity.lessThanOrEqualTo(filled)) return { code: QUANTITY_NOT_ABOVE_FILLED, reason: `quantity ${quantity} must stay above the filled quantity ${filled}` }
    const { symbol } = entry.spec
    const check = this.#orderCheck(entry, quantity.minus(filled), this.#marks.decimal(symbol)!, this.#marks.quote(symbol)!, this.#account(entry))
    return this.#risk.firstRejection(check) ?? { check }
  }
}

export type { EngineEvents }

keepShapes(TradingSimulationEngine)
