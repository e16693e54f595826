import { finalOrderStatuses } from "../../machines/index.ts"
import { Decimal, ZERO } from "../domain/decimal.ts"
import type { Fill } from "../domain/fill.ts"
import { roundToTick } from "../domain/instrument.ts"
import { type NormalizedUpdate, quoteDecimal } from "../domain/market-update.ts"
import type { EngineEvent } from "../engine/engine-events.ts"
import type { OrderView } from "../engine/order-entry.ts"
import { SessionClock } from "../engine/session-clock.ts"
import type { TradingSimulationEngine } from "../engine/trading-simulation-engine.ts"
import { checkPortfolioInvariants, type InvariantName, type InvariantViolation } from "./portfolio-invariants.ts"


interface Cap {
  readonly referencePrice: Decimal
  readonly maxPositionValue: Decimal
}

interface StatusChange {
  readonly index: number
  readonly day: number | null
}

/**
 * Watches one engine from its creation (or restoration) and checks, after each step, every
 * invariant the engine keeps: those of any single state (`checkPortfolioInvariants`) and those
 * that relate a state to the ones before it:
 * - filledMonotonic: a filled quantity never decreases; finalFrozen: a final order never changes;
 * - dayOrderExpiry: a day order works through its session only;
 * - fillOnCommand: commands never fill (only updates do); fillEvents: each fill reaches listeners once, as recorded;
 * - fillShape: a fill's closing + opening parts make its quantity, and it closes only what it reduces;
 * - fillPrice: slippage moves a price against the trader by at most the slippage rate (then to the
 *   next tick against the trader, when the symbol's instrument has one), never past the limit;
 * - fillCommission: an opening fill pays at least rate × notional;
 * - positionCap: no opening fill takes a position past what its order's last check allowed;
 * - haltedNoOpening: after a daily stop-loss halt nothing opens until the next trading day, and
 *   haltEndsOnNewDay: a halt ends only on the first update of a later day;
 * - noLookAhead: a fill happens on the update being processed, after its order's submission, at a
 *   market price within that update's low and high, at its time.
 *
 * Call `check(update)` after each market update (with what `processMarketUpdate` returned) and
 * `check()` after each command. Pass `only` to check some of the invariants.
 */
export class InvariantMonitor {
  readonly engine: TradingSimulationEngine
  readonly #only: ReadonlySet<InvariantName> | undefined
  #fillsSeen: number
  #fillEvents: Fill[] = []
  readonly #positions = new Map<string, Decimal>()
  readonly #previous = new Map<string, OrderView>()
  readonly #frozen = new Map<string, string>()
  readonly #caps = new Map<string, Cap>()
  readonly #sessions = new Map<string, number | null>()
  readonly #halts: StatusChange[] = []
  readonly #resumes: StatusChange[] = []
  /** The trading day of each update seen, by update index. */
  readonly #days = new Map<number, number | null>()
  /** Trading days by the engine's own rule: a UTC date, or a session of its calendar. */
  readonly #dayOf: (time: number) => number

  constructor(engine: TradingSimulationEngine, only?: ReadonlySet<InvariantName>) {
    this.engine = engine
    this.#dayOf = new SessionClock(engine.config.calendar, engine.config.updateFrequency).dayOf
    this.#only = only
    const fills = engine.getFills()
    this.#fillsSeen = fills.length
    for (const f of fills) this.#positions.set(f.symbol, this.#after(f))
    for (const o of engine.getOrders()) this.#remember(o)
    engine.onEvent((e) => this.#onEvent(e))
  }

  #today(): number | null {
    const time = this.engine.lastUpdateTime
    return time === null ? null : this.#dayOf(time)
  }

  #onEvent(e: EngineEvent): void {
    switch (e.type) {
      case "orderAccepted":
      case "orderReplaced":
        if (e.type === "orderAccepted") this.#sessions.set(e.order.id, this.#today())
        // A held child's replace is not checked: its acceptance fixes its cap.
        if (e.check !== null) this.#caps.set(e.order.id, { referencePrice: new Decimal(e.check.referencePrice), maxPositionValue: new Decimal(e.check.maxPositionValue) })
        break
      case "orderFilled":
      case "orderPartiallyFilled":
        this.#fillEvents.push(e.fill)
        break
      case "simulationStatusChanged":
        if (e.to === "halted") this.#halts.push({ index: this.engine.updateCount, day: this.#today() })
        else if (e.from === "halted" && e.to === "running") this.#resumes.push({ index: this.engine.updateCount, day: this.#today() })
        break
      default:
        break
    }
  }

  #after(fill: Fill): Decimal {
    const before = this.#positions.get(fill.symbol) ?? ZERO
    return fill.side === "buy" ? before.plus(fill.quantity) : before.minus(fill.quantity)
  }

  #remember(o: OrderView): void {
    this.#previous.set(o.id, o)
    if (finalOrderStatuses.has(o.status) && !this.#frozen.has(o.id)) this.#frozen.set(o.id, JSON.stringify(o))
  }

  /** The violations after a step: a market update (pass what `processMarketUpdate` returned) or a command (no argument). */
  check(update?: NormalizedUpdate): ReadonlyArray<InvariantViolation> {
    const only = this.#only
    const violations: InvariantViolation[] = [...checkPortfolioInvariants(this.engine, only)]
    const fail = (invariant: InvariantName, detail: string) => {
      if (only === undefined || only.has(invariant)) violations.push({ invariant, detail })
    }
    const engine = this.engine
    const index = engine.updateCount
    const day = update === undefined ? this.#today() : update.time === null ? null : this.#dayOf(update.time)
    if (update !== undefined) this.#days.set(index, day)
    const orders = engine.getOrders()
    const byId = new Map(orders.map((o) => [o.id as string, o]))
    const fills = engine.getFills()
    const fresh = fills.slice(this.#fillsSeen)
    this.#fillsSeen = fills.length
    const events = this.#fillEvents
    this.#fillEvents = []
    if (JSON.stringify(events) !== JSON.stringify(fresh)) fail("fillEvents", `fill events ${JSON.stringify(events)} ≠ new fills ${JSON.stringify(fresh)}`)
    if (update === undefined && fresh.length > 0) fail("fillOnCommand", `a command produced fills: ${JSON.stringify(fresh)}`)
    for (const fill of fresh) this.#checkFill(fill, byId.get(fill.orderId), update, index, day, fail)

    for (const o of orders) {
      const previous = this.#previous.get(o.id)
      if (previous !== undefined && new Decimal(o.filledQuantity).lessThan(previous.filledQuantity))
        fail("filledMonotonic", `order ${o.id} filled went ${previous.filledQuantity} → ${o.filledQuantity}`)
      const frozen = this.#frozen.get(o.id)
      if (frozen !== undefined && frozen !== JSON.stringify(o)) fail("finalFrozen", `final order changed:\n  was ${frozen}\n  now ${JSON.stringify(o)}`)
      const session = this.#sessions.get(o.id) ?? null
      if (!finalOrderStatuses.has(o.status) && o.timeInForce === "day" && session !== null && session !== day)
        fail("dayOrderExpiry", `day order ${o.id} of the session on day ${session} still ${o.status} on day ${day}`)
      this.#remember(o)
    }
    for (const r of this.#resumes) {
      const halt = this.#halts.findLast((h) => h.index < r.index)
      if (halt !== undefined && halt.day === r.day) fail("haltEndsOnNewDay", `the halt of update ${halt.index} (day ${halt.day}) ended on update ${r.index} of the same day`)
      if (r.index >= 2 && this.#days.has(r.index - 1) && this.#days.get(r.index - 1) === r.day)
        fail("haltEndsOnNewDay", `a halt ended on update ${r.index}, which is not the first of day ${r.day}`)
    }
    return violations
  }

  #checkFill(
    fill: Fill,
    order: OrderView | undefined,
    update: NormalizedUpdate | undefined,
    index: number,
    day: number | null,
    fail: (invariant: InvariantName, detail: string) => void
  ): void {
    const at = `fill ${JSON.stringify(fill)}`
    if (order === undefined) return fail("fillSums", `${at} of an unknown order`)
    const q = new Decimal(fill.quantity)
    const before = this.#positions.get(fill.symbol) ?? ZERO
    const after = this.#after(fill)
    this.#positions.set(fill.symbol, after)
    const opening = new Decimal(fill.openingQuantity)
    const closing = new Decimal(fill.closingQuantity)

    const reduces = fill.side === "buy" ? before.lessThan(0) : before.greaterThan(0)
    if (!q.greaterThan(0) || !closing.plus(opening).equals(q) || closing.greaterThan(before.abs()) || (!reduces && !closing.isZero()))
      fail("fillShape", `${at} against a position of ${before}`)

    const market = new Decimal(fill.marketPrice)
    const price = new Decimal(fill.price)
    const slip = new Decimal(this.engine.config.slippageRate)
    const limit = order.limitPrice
    const tick = this.engine.config.instruments?.[fill.symbol]?.tickSize
    const slipped = market.times(fill.side === "buy" ? slip.plus(1) : new Decimal(1).minus(slip))
    const worst = tick === undefined ? slipped : roundToTick(slipped, new Decimal(tick), fill.side)
    const priceOk =
      fill.side === "buy"
        ? price.greaterThanOrEqualTo(market) && price.lessThanOrEqualTo(worst) && (limit === null || price.lessThanOrEqualTo(limit))
        : price.lessThanOrEqualTo(market) && price.greaterThanOrEqualTo(worst) && (limit === null || price.greaterThanOrEqualTo(limit))
    if (!priceOk) fail("fillPrice", `${at}: price ${price} against market ${market}, slippage ${slip}, limit ${limit}`)
    // Multiplied as the fee model does (40-digit rounding is order-sensitive). A fill that only
    // closes may be charged less: never more than the cash it leaves.
    const proportional = new Decimal(this.engine.config.commissionRate).times(price.times(q))
    if (!opening.isZero() && new Decimal(fill.commission).lessThan(proportional)) fail("fillCommission", `${at}: commission below rate × notional = ${proportional}`)

    if (opening.greaterThan(0)) {
      const cap = this.#caps.get(fill.orderId)
      const value = cap === undefined ? null : after.abs().times(cap.referencePrice)
      if (cap === undefined || value === null || value.greaterThan(cap.maxPositionValue))
        fail("positionCap", `${at} takes ${fill.symbol} to ${after}, worth ${value} at ${cap?.referencePrice}, over ${cap?.maxPositionValue}`)
      const halt = this.#halts.find((h) => h.index < fill.updateIndex && h.day === day)
      if (halt !== undefined) fail("haltedNoOpening", `opening ${at} on update ${fill.updateIndex}, after the halt on update ${halt.index} of the same day ${halt.day}`)
    }

    const quote = update?.quotes.find((q) => q.symbol === fill.symbol)
    if (update === undefined || quote === undefined) return fail("noLookAhead", `${at} on update ${index}, which has no quote for ${fill.symbol}`)
    if (fill.updateIndex !== index) fail("noLookAhead", `${at} seen after update ${index}`)
    if (market.lessThan(quoteDecimal(quote, "low")) || market.greaterThan(quoteDecimal(quote, "high")))
      fail("noLookAhead", `${at}: market price outside [${quote.source.low}, ${quote.source.high}] of update ${index}`)
    if (fill.updateIndex <= order.submittedAfterUpdate) fail("noLookAhead", `${at} of an order submitted after update ${order.submittedAfterUpdate}`)
    if (fill.time !== update.time) fail("noLookAhead", `${at}: fill time ≠ update time ${update.time}`)
    const session = this.#sessions.get(fill.orderId) ?? null
    if (order.timeInForce === "day" && session !== null && session !== day) fail("noLookAhead", `${at}: day order of day ${session} filled on day ${day}`)
  }
}
