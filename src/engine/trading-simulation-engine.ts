import { Result } from "effect"
import {
  initialSimulationContext,
  type OrderEvent,
  type SimulationContext,
  type SimulationEvent,
  type SimulationStatus,
  simulationTable
} from "../../machines/index.ts"
import { Decimal, ZERO } from "../domain/decimal.ts"
import { SimulationStateError, UnknownOrderError, ValidationError } from "../domain/errors.ts"
import type { Fill } from "../domain/fill.ts"
import { type OrderId, orderIdFromSeq } from "../domain/ids.ts"
import {
  type MarketUpdateInput,
  type NormalizedUpdate,
  normalizeMarketUpdate,
  type PriceInput,
  type Quote,
  quoteDecimal
} from "../domain/market-update.ts"
import {
  makeOrderRequestValidator,
  needsLimitPrice,
  needsStopPrice,
  type OrderRequest,
  type ReplaceRequest,
  validateReplaceRequest
} from "../domain/order.ts"
import type { Portfolio, PositionView } from "../domain/portfolio.ts"
import { makeSimulationConfig, periodsPerYear, type SimulationConfig, type SimulationConfigInput } from "../domain/simulation-config.ts"
import type { Trade } from "../domain/trade.ts"
import { tradingDayOf } from "../domain/trading-day.ts"
import type { CheckRecord, EngineEvent, EngineEventName, EngineEvents, EngineListener } from "./engine-events.ts"
import { EquityCurve, type EquityPoint } from "./equity-curve.ts"
import { type FeeModel, proportionalFee } from "./fee-model.ts"
import { barFillModel, type FillModel } from "./fill-model.ts"
import { Ledger, type LedgerSnapshot, splitAgainst } from "./ledger.ts"
import { computePerformanceMetrics, type MetricsOptions, type PerformanceMetrics } from "./metrics.ts"
import { OrderEntry, type OrderEntrySnapshot, type OrderView } from "./order-entry.ts"
import { type AccountView, builtInRiskRules, type RiskCheck, type RiskRule } from "./risk-rule.ts"
import { proportionalSlippage, type SlippageModel } from "./slippage-model.ts"
import { TradeBook, type TradeBookSnapshot } from "./trade-book.ts"

/** The engine's pluggable parts. Each defaults to DESIGN.md's execution semantics. */
export interface EngineOptions {
  readonly fillModel?: FillModel
  readonly slippageModel?: SlippageModel
  readonly feeModel?: FeeModel
  /** Extra pre-trade checks, run after the built-in ones. */
  readonly riskRules?: ReadonlyArray<RiskRule>
  /** Start in `running` (default), or stay `deployed` until `start()`. */
  readonly autoStart?: boolean
}

interface Mark {
  number: number
  source: PriceInput
  decimal: Decimal | null
}


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
  readonly marks: ReadonlyArray<{ readonly symbol: string; readonly price: number; readonly source: PriceInput }>
  readonly dayStart: { readonly estimate: number; readonly cash: string; readonly holdings: ReadonlyArray<readonly [string, PriceInput]> }
  readonly equityCurve: ReturnType<EquityCurve["snapshot"]>
}

const TRADING: ReadonlySet<SimulationStatus> = new Set(["running", "halted"])
const TAKES_UPDATES: ReadonlySet<SimulationStatus> = new Set(["running", "paused", "halted"])
// Below this relative distance from the stop-loss threshold the float estimate is not trusted.
const STOP_LOSS_FLOAT_MARGIN = 1e-9

const toDecimal = (p: PriceInput): Decimal => new Decimal(p)

/** A part of a fill as a string: mostly the whole fill or nothing, whose strings are at hand. */
const partString = (part: Decimal, whole: Decimal, wholeString: string): string => (part === whole ? wholeString : part.isZero() ? "0" : part.toString())

/** The update's quote for a symbol: a loop, not `find`, since this runs for every pending and working order. */
const quoteFor = (quotes: ReadonlyArray<Quote>, symbol: string): Quote | undefined => {
  for (let i = 0; i < quotes.length; i++) if (quotes[i]!.symbol === symbol) return quotes[i]
  return undefined
}

const checkRecord = (check: RiskCheck): CheckRecord => ({
  referencePrice: check.referencePrice.toString(),
  equity: check.account.equity.toString(),
  maxPositionValue: check.account.maxPositionValue.toString()
})

/**
 * One simulation in memory, synchronous and deterministic: orders go in, market updates go in,
 * and fills, positions, trades and metrics come out. Every order moves only through the order
 * machine; the simulation's own status moves only through the simulation machine.
 *
 * Methods throw tagged errors (`ValidationError`, `UnknownOrderError`,
 * `IllegalOrderTransitionError`, `SimulationStateError`); when they do, nothing has changed.
 */
export class TradingSimulationEngine {
  readonly config: SimulationConfig
  readonly #symbols: ReadonlySet<string>
  readonly #validateOrder: ReturnType<typeof makeOrderRequestValidator>
  readonly #fillModel: FillModel
  readonly #slippage: SlippageModel
  readonly #fees: FeeModel
  readonly #riskRules: ReadonlyArray<RiskRule>
  readonly #initialCapital: Decimal
  readonly #slippageFactor: Decimal
  readonly #commissionRate: Decimal
  readonly #minimumCommission: Decimal
  readonly #maxPositionSize: Decimal

  #status: SimulationStatus = "deployed"
  #simulationContext: SimulationContext = initialSimulationContext
  #ledger: Ledger
  #trades = new TradeBook()
  #curve = new EquityCurve()
  readonly #marks = new Map<string, Mark>()
  readonly #markNumbers = new Map<string, number>()
  readonly #orders = new Map<OrderId, OrderEntry>()
  #pending: OrderEntry[] = []
  #working: OrderEntry[] = []
  // Kept as strings: a long run holds every fill, and decimals would cost the garbage collector far more.
  readonly #fills: Fill[] = []
  #orderSeq = 0
  #updateIndex = 0
  #lastTime: number | null = null
  #day: number | null = null
  // The equity at the start of the trading day: a float estimate, plus the cash and holdings it
  // came from (decimals are immutable, so references do) for an exact check near the threshold.
  #dayStartEstimate: number
  #dayStartCash: Decimal
  #dayStartHoldings: ReadonlyArray<readonly [Decimal, PriceInput]> = []

  readonly #listeners = new Map<EngineEventName, Set<(event: EngineEvent) => void>>()
  readonly #anyListeners = new Set<(event: EngineEvent) => void>()
  #batchDepth = 0
  #buffer: EngineEvent[] = []
  /** Events ready for listeners, in order; a listener's own commands queue theirs behind them. */
  readonly #outbox: EngineEvent[] = []
  #delivering = false

  constructor(config: SimulationConfigInput = {}, options: EngineOptions = {}) {
    const valid = makeSimulationConfig(config)
    if (Result.isFailure(valid)) throw valid.failure
    this.config = valid.success
    this.#symbols = new Set(this.config.symbols)
    this.#validateOrder = makeOrderRequestValidator(this.config.symbols)
    this.#initialCapital = new Decimal(this.config.initialCapital)
    this.#ledger = new Ledger(this.#initialCapital)
    this.#slippageFactor = new Decimal(1).plus(this.config.slippageRate)
    this.#commissionRate = new Decimal(this.config.commissionRate)
    this.#minimumCommission = new Decimal(this.config.minimumCommission)
    this.#maxPositionSize = new Decimal(this.config.maxPositionSize)
    this.#dayStartEstimate = this.#initialCapital.toNumber()
    this.#dayStartCash = this.#initialCapital
    this.#fillModel = options.fillModel ?? barFillModel
    this.#slippage = options.slippageModel ?? proportionalSlippage(this.config.slippageRate)
    this.#fees = options.feeModel ?? proportionalFee(this.config.commissionRate, new Decimal(this.config.minimumCommission))
    this.#riskRules = [...builtInRiskRules, ...(options.riskRules ?? [])]
    if (options.autoStart ?? true) this.start()
  }

  // ── Snapshots ─────────────────────────────────────────────────────────

  snapshot(): EngineSnapshot {
    return {
      formatVersion: ENGINE_SNAPSHOT_FORMAT,
      config: this.config,
      simulation: { status: this.#status, context: this.#simulationContext },
      orderSeq: this.#orderSeq,
      updateIndex: this.#updateIndex,
      lastTime: this.#lastTime,
      day: this.#day,
      orders: [...this.#orders.values()].map((e) => e.snapshot()),
      pending: this.#pending.map((e) => e.spec.id),
      working: this.#working.map((e) => e.spec.id),
      ledger: this.#ledger.snapshot(),
      trades: this.#trades.snapshot(),
      fills: [...this.#fills],
      marks: [...this.#marks].map(([symbol, m]) => ({ symbol, price: m.number, source: m.source })),
      dayStart: {
        estimate: this.#dayStartEstimate,
        cash: this.#dayStartCash.toString(),
        holdings: this.#dayStartHoldings.map(([q, p]) => [q.toString(), p] as const)
      },
      equityCurve: this.#curve.snapshot()
    }
  }

  /** A simulation restored from a snapshot, with the given extension points (they are code, not state). */
  static fromSnapshot(snapshot: EngineSnapshot, options: Omit<EngineOptions, "autoStart"> = {}): TradingSimulationEngine {
    const engine = new TradingSimulationEngine(snapshot.config, { ...options, autoStart: false })
    engine.#load(snapshot)
    return engine
  }

  #load(s: EngineSnapshot): void {
    this.#status = s.simulation.status
    this.#simulationContext = s.simulation.context
    this.#orderSeq = s.orderSeq
    this.#updateIndex = s.updateIndex
    this.#lastTime = s.lastTime
    this.#day = s.day
    for (const o of s.orders) this.#orders.set(o.context.order.id, OrderEntry.fromSnapshot(o))
    this.#pending = s.pending.map((id) => this.#orders.get(id)!)
    this.#working = s.working.map((id) => this.#orders.get(id)!)
    this.#ledger = Ledger.fromSnapshot(s.ledger)
    this.#trades = TradeBook.fromSnapshot(s.trades)
    this.#fills.push(...s.fills)
    for (const m of s.marks) {
      this.#marks.set(m.symbol, { number: m.price, source: m.source, decimal: null })
      this.#markNumbers.set(m.symbol, m.price)
    }
    this.#dayStartEstimate = s.dayStart.estimate
    this.#dayStartCash = new Decimal(s.dayStart.cash)
    this.#dayStartHoldings = s.dayStart.holdings.map(([q, p]) => [new Decimal(q), p] as const)
    this.#curve = EquityCurve.fromSnapshot(s.equityCurve)
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
    this.#batch(() => {
      for (const entry of [...this.#pending, ...this.#working]) this.#cancel(entry, "simulation stopped")
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
    this.#require(TAKES_UPDATES, "submitOrder")
    const valid = this.#validateOrder(request)
    if (Result.isFailure(valid)) throw valid.failure
    this.#orderSeq += 1
    const entry = new OrderEntry({
      ...valid.success,
      id: orderIdFromSeq(this.#orderSeq),
      submittedAfterUpdate: this.#updateIndex,
      submittedTime: this.#lastTime
    })
    this.#orders.set(entry.spec.id, entry)
    this.#pending.push(entry)
    if (this.#wants("orderSubmitted")) this.#emit({ type: "orderSubmitted", order: entry.view() })
    return entry.spec.id
  }

  /** Cancels an open order at once (no update can come between the request and its confirmation here). */
  cancelOrder(orderId: OrderId | string, reason = "cancelled on request"): void {
    const entry = this.#entry(orderId)
    this.#batch(() => this.#cancel(entry, reason, true))
  }

  /**
   * Changes a working order's quantity or prices. The change passes the same pre-trade checks as
   * a new order; a refused change leaves the order as it was and says why.
   */
  replaceOrder(orderId: OrderId | string, changes: ReplaceRequest): { readonly replaced: true } | { readonly replaced: false; readonly reason: string } {
    const entry = this.#entry(orderId)
    const valid = validateReplaceRequest(changes)
    if (Result.isFailure(valid)) throw valid.failure
    const c = valid.success
    const type = entry.spec.type
    const misplaced = [
      ...(c.limitPrice !== undefined && !needsLimitPrice(type) ? [{ field: "limitPrice", rule: `is not allowed for ${type} orders`, value: c.limitPrice }] : []),
      ...(c.stopPrice !== undefined && !needsStopPrice(type) ? [{ field: "stopPrice", rule: `is not allowed for ${type} orders`, value: c.stopPrice }] : [])
    ]
    if (misplaced.length > 0) throw new ValidationError({ subject: "replace", issues: misplaced })
    const requested = this.#transition(entry, { type: "REPLACE_REQUEST", changes: c }, true)
    if (requested !== undefined) throw requested
    const outcome = this.#replaceCheck(entry)
    this.#batch(() => {
      if ("check" in outcome) {
        this.#transition(entry, { type: "REPLACE_CONFIRM" })
        this.#emit({ type: "orderReplaced", order: entry.view(), check: outcome.check })
      } else {
        this.#transition(entry, { type: "REPLACE_REJECT", reason: outcome.refusal })
        this.#emit({ type: "orderReplaceRejected", order: entry.view(), reason: outcome.refusal })
      }
    })
    return "check" in outcome ? { replaced: true } : { replaced: false, reason: outcome.refusal }
  }

  /** The signed position in a symbol (zero when flat): cheaper than `getPortfolio()` inside a strategy's loop. */
  positionOf(symbol: string): Decimal {
    return this.#ledger.position(symbol)
  }

  getOrder(orderId: OrderId | string): OrderView {
    return this.#entry(orderId).view()
  }

  /** Every order, final ones included, in submission order. */
  getOrders(): ReadonlyArray<OrderView> {
    return [...this.#orders.values()].map((e) => e.view())
  }

  getOpenOrders(): ReadonlyArray<OrderView> {
    return [...this.#pending, ...this.#working].map((e) => e.view())
  }

  getFills(): ReadonlyArray<Fill> {
    return [...this.#fills]
  }

  // ── Market data ───────────────────────────────────────────────────────

  /**
   * One market update (last prices or OHLCV bars). Per update, in this order: a new trading day
   * expires the last session's day orders and ends a halt; orders submitted since the last update
   * are checked and accepted or rejected; working orders are matched, oldest first; the portfolio
   * is marked to the close; the daily stop-loss is checked; then the update's events are emitted.
   * Returns the update as validated (its time and each symbol's prices).
   */
  processMarketUpdate(update: MarketUpdateInput): NormalizedUpdate {
    this.#require(TAKES_UPDATES, "processMarketUpdate")
    const normalized = normalizeMarketUpdate(update, this.#symbols, this.#lastTime)
    if (normalized instanceof ValidationError) throw normalized
    const { time, quotes } = normalized
    // Batched inline rather than through a closure: this is the per-update hot path.
    this.#openBatch()
    let completed = false
    try {
      this.#updateIndex += 1
      this.#lastTime = time
      const day = time === null ? this.#day : tradingDayOf(time)
      if (day !== this.#day) this.#startDay(day)
      if (TRADING.has(this.#status)) {
        if (this.#pending.length > 0) this.#checkPending(quotes)
        if (this.#working.length > 0) this.#matchWorking(quotes, time)
      }
      for (const quote of quotes) this.#mark(quote)
      const valuation = this.#ledger.valuationEstimate(this.#markNumbers)
      this.#curve.push(time, valuation)
      if (this.#status === "running") this.#checkDailyStopLoss(valuation.equity)
      completed = true
    } finally {
      this.#closeBatch(completed)
    }
    return normalized
  }

  // ── Results ───────────────────────────────────────────────────────────

  getPortfolio(): Portfolio {
    const positions: PositionView[] = []
    let unrealizedPnl = ZERO
    for (const symbol of this.#ledger.symbols()) {
      const quantity = this.#ledger.position(symbol)
      const marketPrice = this.#markOrZero(symbol)
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
        fills: this.#fills,
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
    let set = this.#listeners.get(name)
    if (set === undefined) {
      set = new Set()
      this.#listeners.set(name, set)
    }
    const l = listener as unknown as (event: EngineEvent) => void
    set.add(l)
    return () => set.delete(l)
  }

  /** Subscribes to every event, in the order they happen; returns the function that unsubscribes. */
  onEvent(listener: (event: EngineEvent) => void): () => void {
    this.#anyListeners.add(listener)
    return () => this.#anyListeners.delete(listener)
  }

  // ── Internals ─────────────────────────────────────────────────────────

  #require(allowed: ReadonlySet<SimulationStatus>, command: string): void {
    if (!allowed.has(this.#status)) throw new SimulationStateError({ status: this.#status, command })
  }

  #entry(orderId: string): OrderEntry {
    const entry = this.#orders.get(orderId as OrderId)
    if (entry === undefined) throw new UnknownOrderError({ orderId })
    return entry
  }

  #sendSimulation(event: SimulationEvent, command: string, reason: string | null): void {
    const next = simulationTable.step(this.#status, this.#simulationContext, event)
    if (next === undefined) throw new SimulationStateError({ status: this.#status, command })
    const from = this.#status
    this.#status = next.status
    this.#simulationContext = next.context
    if (from !== next.status) this.#emit({ type: "simulationStatusChanged", from, to: next.status, reason })
  }

  /**
   * Moves an order through its machine. Inside the engine an illegal event is a defect, so it
   * throws; for caller-driven events (`fromCaller`) it is returned as the caller's error.
   */
  #transition(entry: OrderEntry, event: OrderEvent, fromCaller = false) {
    const error = entry.send(event)
    if (error !== undefined && !fromCaller) throw error
    return error
  }

  /** Runs `body` with events buffered, then delivers them: listeners see only whole, consistent states. */
  #batch(body: () => void): void {
    this.#openBatch()
    let completed = false
    try {
      body()
      completed = true
    } finally {
      this.#closeBatch(completed)
    }
  }

  #openBatch(): void {
    this.#batchDepth += 1
  }

  /** Delivers the batch's events once the outermost batch completes; a failed batch's are dropped. */
  #closeBatch(completed: boolean): void {
    this.#batchDepth -= 1
    if (this.#batchDepth > 0 || this.#buffer.length === 0) return
    const events = this.#buffer
    this.#buffer = []
    if (completed) this.#post(events)
  }

  /** Delivers events in order. A listener that sends a command gets its events after the rest of the current ones. */
  #post(events: ReadonlyArray<EngineEvent>): void {
    this.#outbox.push(...events)
    if (this.#delivering) return
    this.#delivering = true
    try {
      for (let i = 0; i < this.#outbox.length; i++) this.#deliver(this.#outbox[i]!)
    } finally {
      this.#outbox.length = 0
      this.#delivering = false
    }
  }

  /** Whether anyone listens for an event: views are only built for listeners. */
  #wants(type: EngineEventName): boolean {
    return this.#anyListeners.size > 0 || (this.#listeners.get(type)?.size ?? 0) > 0
  }

  #emit(event: EngineEvent): void {
    if (this.#batchDepth > 0) this.#buffer.push(event)
    else this.#post([event])
  }

  #deliver(event: EngineEvent): void {
    for (const listener of this.#anyListeners) listener(event)
    const set = this.#listeners.get(event.type)
    if (set !== undefined) for (const listener of set) listener(event)
  }

  #cancel(entry: OrderEntry, reason: string, fromCaller = false): void {
    const requested = this.#transition(entry, { type: "CANCEL_REQUEST" }, fromCaller)
    if (requested !== undefined) throw requested
    this.#transition(entry, { type: "CANCEL_CONFIRM", reason })
    this.#retire(entry)
    if (this.#wants("orderCancelled")) this.#emit({ type: "orderCancelled", order: entry.view(), reason })
  }

  /** Drops a final order from the pending and working lists. */
  #retire(entry: OrderEntry): void {
    this.#pending = this.#pending.filter((e) => e !== entry)
    this.#working = this.#working.filter((e) => e !== entry)
  }

  #mark(quote: Quote): void {
    let mark = this.#marks.get(quote.symbol)
    if (mark === undefined) {
      mark = { number: quote.close, source: quote.source.close, decimal: null }
      this.#marks.set(quote.symbol, mark)
    } else {
      mark.number = quote.close
      mark.source = quote.source.close
      mark.decimal = null
    }
    this.#markNumbers.set(quote.symbol, quote.close)
  }

  readonly #markSource = (symbol: string): PriceInput => this.#marks.get(symbol)!.source
  // Made once: account views hand these out for every check.
  readonly #positionOf = (symbol: string): Decimal => this.#ledger.position(symbol)
  readonly #markOf = (symbol: string): Decimal | undefined => this.#markDecimal(symbol)
  /** A position is only ever in a symbol that has traded, so it has a mark; zero covers the rest. */
  readonly #markOrZero = (symbol: string): Decimal => this.#markDecimal(symbol) ?? ZERO

  #markDecimal(symbol: string): Decimal | undefined {
    const mark = this.#marks.get(symbol)
    if (mark === undefined) return undefined
    mark.decimal ??= toDecimal(mark.source)
    return mark.decimal
  }

  #equity(): Decimal {
    return this.#ledger.equity(this.#markOrZero)
  }

  #buyingPower(except?: OrderEntry): Decimal {
    let free = this.#ledger.cash
    for (const e of this.#working) if (e !== except && !e.reservation.isZero()) free = free.minus(e.heldBack())
    return this.#ledger.hasShorts ? free.minus(this.#ledger.shortMarketValue(this.#markOrZero).times(2)) : free
  }

  #startDay(day: number | null): void {
    if (this.#day !== null && this.#working.length > 0) {
      for (const entry of [...this.#working]) {
        if (entry.spec.timeInForce === "day" && entry.context.sessionDay !== null && entry.context.sessionDay !== day) {
          const reason = "day order: its session ended"
          this.#transition(entry, { type: "EXPIRE", reason })
          this.#retire(entry)
          if (this.#wants("orderExpired")) this.#emit({ type: "orderExpired", order: entry.view(), reason })
        }
      }
    }
    // Nothing trades between updates, so the day starts at the equity the last update ended with.
    this.#dayStartEstimate = this.#curve.last() ?? this.#dayStartEstimate
    if (this.config.dailyStopLoss !== null) {
      this.#dayStartCash = this.#ledger.cash
      this.#dayStartHoldings = this.#ledger.holdings(this.#markSource)
    }
    this.#day = day
    if (this.#status === "halted") this.#sendSimulation({ type: "NEW_TRADING_DAY" }, "newTradingDay", null)
  }

  #checkDailyStopLoss(equityEstimate: number): void {
    const limit = this.config.dailyStopLoss
    if (limit === null) return
    if (equityEstimate > this.#dayStartEstimate * (1 - limit) * (1 + STOP_LOSS_FLOAT_MARGIN)) return
    const start = this.#dayStartHoldings.reduce((acc, [q, p]) => acc.plus(q.times(toDecimal(p))), this.#dayStartCash)
    const threshold = start.times(new Decimal(1).minus(limit))
    const equity = this.#equity()
    if (equity.greaterThanOrEqualTo(threshold)) return
    const reason = `daily stop-loss: equity ${equity.toDecimalPlaces(2)} fell below ${threshold.toDecimalPlaces(2)} (day start ${start.toDecimalPlaces(2)} × (1 − ${limit}))`
    this.#sendSimulation({ type: "HALT", reason, day: this.#day }, "halt", reason)
  }

  #account(except?: OrderEntry): AccountView {
    const equity = this.#equity()
    return {
      equity,
      cash: this.#ledger.cash,
      buyingPower: this.#buyingPower(except),
      maxPositionValue: equity.greaterThan(0) ? equity.times(this.#maxPositionSize) : ZERO,
      positionOf: this.#positionOf,
      markOf: this.#markOf,
      symbols: this.config.symbols,
      halted: this.#status === "halted"
    }
  }

  /** The order's pre-trade check against the account and every other working order. */
  #riskCheck(entry: OrderEntry, quantity: Decimal, referencePrice: Decimal, account: AccountView): RiskCheck {
    const { side, symbol } = entry.spec
    let projected = this.#ledger.position(symbol)
    for (const e of this.#working) {
      if (e !== entry && e.spec.symbol === symbol && e.spec.side === side) projected = side === "buy" ? projected.plus(e.remaining) : projected.minus(e.remaining)
    }
    const { closingQuantity, openingQuantity } = splitAgainst(projected, side, quantity)
    return {
      order: entry.spec,
      quantity,
      referencePrice,
      projectedPosition: projected,
      positionAfter: side === "buy" ? projected.plus(quantity) : projected.minus(quantity),
      closingQuantity,
      openingQuantity,
      openingCost: openingQuantity.isZero() ? ZERO : this.#expectedCost(openingQuantity.times(referencePrice)),
      account,
      config: this.config
    }
  }

  /** A notional's expected cost at a check: after slippage, plus the commission at the configured rate and minimum. */
  #expectedCost(notional: Decimal): Decimal {
    const slipped = this.config.slippageRate === 0 ? notional : notional.times(this.#slippageFactor)
    const commission = slipped.times(this.#commissionRate)
    return slipped.plus(commission.lessThan(this.#minimumCommission) ? this.#minimumCommission : commission)
  }

  /** Fixes what an accepted order may do: the position value its fills may reach, and the buying power it holds back. */
  #commit(entry: OrderEntry, check: RiskCheck): void {
    entry.positionCap = { referencePrice: check.referencePrice, maxValue: check.account.maxPositionValue }
    entry.reservation = check.openingCost
    entry.reservedFor = check.quantity
  }

  #firstRejection(check: RiskCheck): string | null {
    for (const rule of this.#riskRules) {
      const decision = rule.check(check)
      if (!decision.approved) return decision.reason
    }
    return null
  }

  #checkPending(quotes: ReadonlyArray<Quote>): void {
    let account: AccountView | null = null
    const stillPending: OrderEntry[] = []
    for (const entry of this.#pending) {
      const quote = quoteFor(quotes, entry.spec.symbol)
      // An order can only be checked when its symbol trades: until then it waits.
      if (quote === undefined) {
        stillPending.push(entry)
        continue
      }
      account ??= this.#account()
      const referencePrice = quoteDecimal(quote, "open")
      const check = this.#riskCheck(entry, entry.remaining, referencePrice, account)
      const reason = this.#firstRejection(check)
      if (reason !== null) {
        this.#transition(entry, { type: "REJECT", reason })
        if (this.#wants("orderRejected")) this.#emit({ type: "orderRejected", order: entry.view(), reason })
        continue
      }
      this.#commit(entry, check)
      this.#transition(entry, { type: "ACCEPT", sessionDay: this.#day })
      this.#working.push(entry)
      // Later orders in this update see this one's hold on buying power.
      if (!entry.reservation.isZero()) account = null
      if (this.#wants("orderAccepted"))
        this.#emit({
        type: "orderAccepted",
        order: entry.view(),
        check: checkRecord(check)
      })
    }
    this.#pending = stillPending
  }

  #matchWorking(quotes: ReadonlyArray<Quote>, time: number | null): void {
    let retired = false
    for (const entry of this.#working) {
      const quote = quoteFor(quotes, entry.spec.symbol)
      if (quote === undefined || entry.isFinal) continue
      const result = this.#fillModel.match(entry, quote)
      if (result.triggered && !entry.triggered) {
        this.#transition(entry, { type: "TRIGGER" })
        if (this.#wants("orderTriggered")) this.#emit({ type: "orderTriggered", order: entry.view() })
      }
      if (result.fill !== null) this.#execute(entry, result.fill.price, result.fill.quantity, quote, time)
      retired ||= entry.isFinal
    }
    if (retired) this.#working = this.#working.filter((e) => !e.isFinal)
  }

  /** Fills (part of) an order at a market price, after slippage, risk and cash. */
  #execute(entry: OrderEntry, marketPrice: Decimal, wanted: Decimal, quote: Quote, time: number | null): void {
    const { side, symbol } = entry.spec
    let quantity = wanted === entry.remaining ? wanted : Decimal.min(wanted, entry.remaining)
    if (!quantity.greaterThan(0)) return
    const position = this.#ledger.position(symbol)
    let split = splitAgainst(position, side, quantity)
    const { closingQuantity } = split
    // Halted: only the part that reduces the position trades; the rest waits for the next day.
    if (this.#status === "halted" && !split.openingQuantity.isZero()) {
      quantity = closingQuantity
      if (quantity.isZero()) return
      split = { closingQuantity, openingQuantity: ZERO }
    }
    let price = this.#slippage.adjust(marketPrice, entry, quote)
    const limit = entry.limitPrice
    if (limit !== null) price = side === "buy" ? Decimal.min(price, limit) : Decimal.max(price, limit)
    const chargedSoFar = entry.context.commission === "0" ? ZERO : new Decimal(entry.context.commission)
    const notional = price.times(quantity)
    const moved = this.#ledger.cashMovedBy(side, notional)
    let commission = this.#fees.commission({ quantity, price, notional }, entry, chargedSoFar)
    // A fill that only closes always trades, but is never charged more commission than the cash it
    // leaves (a small sale against a minimum commission would otherwise drive cash below zero).
    if (split.openingQuantity.isZero() && moved.lessThan(commission)) commission = Decimal.max(moved, ZERO)
    const cashAfter = commission.isZero() ? moved : moved.minus(commission)
    const refusal = split.openingQuantity.isZero() ? null : this.#fillRefusal(entry, quantity, price, cashAfter)
    if (refusal !== null) {
      // The closing part of the order always trades; what the account cannot carry is refused.
      if (closingQuantity.greaterThan(0)) {
        const closingNotional = price.times(closingQuantity)
        const closingCommission = this.#fees.commission({ quantity: closingQuantity, price, notional: closingNotional }, entry, chargedSoFar)
        const closing = { quantity: closingQuantity, price, commission: closingCommission, cashAfter: this.#ledger.cashMovedBy(side, closingNotional).minus(closingCommission) }
        this.#fill(entry, closing, marketPrice, { closingQuantity, openingQuantity: ZERO }, time)
      }
      if (!entry.isFinal) {
        this.#transition(entry, { type: "REJECT", reason: refusal })
        if (this.#wants("orderRejected")) this.#emit({ type: "orderRejected", order: entry.view(), reason: refusal })
      }
      return
    }
    this.#fill(entry, { quantity, price, commission, cashAfter }, marketPrice, split, time)
  }

  /** Why a fill with an opening part cannot trade (position limit, buying power), or null. */
  #fillRefusal(entry: OrderEntry, quantity: Decimal, price: Decimal, cashAfter: Decimal): string | null {
    const { side, symbol } = entry.spec
    const position = this.#ledger.position(symbol)
    const after = side === "buy" ? position.plus(quantity) : position.minus(quantity)
    const cap = entry.positionCap
    if (cap !== null && after.abs().times(cap.referencePrice).greaterThan(cap.maxValue))
      return `maxPositionSize: this fill would take ${symbol} to ${after}, worth ${after.abs().times(cap.referencePrice)} at the check's price ${cap.referencePrice}, over ${cap.maxValue}`
    if (!this.#ledger.hasShorts && after.greaterThanOrEqualTo(0)) return cashAfter.lessThan(0) ? this.#cashRefusal(quantity, symbol, price, cashAfter) : null
    const shortsAfter = this.#ledger
      .shortMarketValue((s) => (s === symbol ? price : (this.#markDecimal(s) ?? ZERO)))
      .minus(Decimal.min(this.#ledger.position(symbol), ZERO).abs().times(price))
      .plus(Decimal.min(after, ZERO).abs().times(price))
    const buyingPowerAfter = cashAfter.minus(shortsAfter.times(2))
    return buyingPowerAfter.lessThan(0) ? this.#cashRefusal(quantity, symbol, price, buyingPowerAfter) : null
  }

  #cashRefusal(quantity: Decimal, symbol: string, price: Decimal, buyingPowerAfter: Decimal): string {
    return `cash: the fill of ${quantity} ${symbol} at ${price} would leave buying power at ${buyingPowerAfter.toDecimalPlaces(2)}`
  }

  #fill(
    entry: OrderEntry,
    execution: { readonly quantity: Decimal; readonly price: Decimal; readonly commission: Decimal; readonly cashAfter: Decimal },
    marketPrice: Decimal,
    split: { readonly closingQuantity: Decimal; readonly openingQuantity: Decimal },
    time: number | null
  ): void {
    const { side, symbol } = entry.spec
    const legs = this.#ledger.applyFill(symbol, side, execution, split)
    this.#trades.record(symbol, side, execution.price, legs, time)
    const quantity = execution.quantity.toString()
    const price = execution.price.toString()
    const commission = execution.commission.toString()
    this.#transition(entry, { type: "FILL", quantity, price, commission })
    const fill: Fill = {
      orderId: entry.spec.id,
      symbol,
      side,
      quantity,
      price,
      marketPrice: marketPrice === execution.price ? price : marketPrice.toString(),
      commission,
      closingQuantity: partString(legs.closingQuantity, execution.quantity, quantity),
      openingQuantity: partString(legs.openingQuantity, execution.quantity, quantity),
      time,
      updateIndex: this.#updateIndex
    }
    this.#fills.push(fill)
    const type = entry.status === "filled" ? "orderFilled" : "orderPartiallyFilled"
    if (this.#wants(type)) this.#emit({ type, order: entry.view(), fill })
  }

  /**
   * A staged replace's pre-trade check: the new quantity must stay above what is filled, and the
   * rest must pass the checks at the last mark (a working order's symbol always has one).
   */
  #replaceCheck(entry: OrderEntry): { readonly refusal: string } | { readonly check: CheckRecord } {
    const changes = entry.context.pendingChanges
    const filled = new Decimal(entry.context.filledQuantity)
    const quantity = changes?.quantity === undefined ? new Decimal(entry.spec.quantity) : new Decimal(changes.quantity)
    if (quantity.lessThanOrEqualTo(filled)) return { refusal: `quantity ${quantity} must stay above the filled quantity ${filled}` }
    const referencePrice = this.#markDecimal(entry.spec.symbol)!
    const check = this.#riskCheck(entry, quantity.minus(filled), referencePrice, this.#account(entry))
    const refusal = this.#firstRejection(check)
    if (refusal !== null) return { refusal }
    this.#commit(entry, check)
    return { check: checkRecord(check) }
  }
}

export type { EngineEvents }
