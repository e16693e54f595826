import { Decimal, decimalOf } from "../domain/decimal.ts"
import type { PriceInput } from "../domain/market-update.ts"
import type { EquityCurve, Valuation } from "./equity-curve.ts"
import type { Ledger } from "./ledger.ts"
import type { Marks } from "./marks.ts"

const ESTIMATE = 0
const FLOOR = 1

// Below this relative distance from the threshold the float estimate is not trusted.
const FLOAT_MARGIN = 1e-9

/** The equity estimate at or below which the exact check runs; none without a limit. */
const floorOf = (estimate: number, limit: number | null): number => (limit === null ? -Infinity : estimate * (1 - limit) * (1 + FLOAT_MARGIN))

export interface DailyStopLossSnapshot {
  readonly estimate: number
  readonly cash: string
  readonly holdings: ReadonlyArray<readonly [string, PriceInput]>
}

/**
 * The daily stop-loss (DESIGN.md, risk rules): equity below the day's starting equity ×
 * (1 − `dailyStopLoss`) halts new risk until the next trading day. It keeps the day's starting
 * equity as a float estimate, for the quick check every update, plus the cash and holdings it
 * came from (decimals are immutable, so references do) for the exact check near the threshold.
 * The holdings are columns rewritten in place each day (a day starts at every update of daily
 * bars), of which the first `#holdings` count: the quantities, the symbols, and each one's mark as
 * the caller gave it, a number in a typed array or else a string.
 */
export class DailyStopLoss {
  readonly #limit: number | null
  /**
   * The day's starting equity estimate, and its `floorOf` (worked out once a day rather than on
   * every update). Slots of a typed array, written and read in place: the day starts at every
   * update of daily bars, and a float that passes through a call or a field may be boxed there.
   */
  readonly #day = new Float64Array(2)
  #cash: Decimal
  #holdings = 0
  readonly #quantities: Decimal[] = []
  readonly #symbols: string[] = []
  #priceNumbers = new Float64Array(4)
  /** Null where the price is a number. */
  readonly #priceTexts: Array<string | null> = []

  constructor(limit: number | null, initialCapital: Decimal) {
    this.#limit = limit
    this.#setEstimate(initialCapital.toNumber())
    this.#cash = initialCapital
  }

  /** A new trading day starts at the equity the last update ended with (nothing trades between updates), if there was one. */
  startDay(curve: EquityCurve, ledger: Ledger, marks: Marks): void {
    curve.copyLastInto(this.#day, ESTIMATE)
    const limit = this.#limit
    if (limit === null) return
    this.#day[FLOOR] = floorOf(this.#day[ESTIMATE]!, limit)
    this.#cash = ledger.cash
    // An account that has never traded has no holdings to walk, day after day (with daily bars, on every update).
    if (ledger.positionCount > 0 || this.#holdings > 0) {
      const holdings = (this.#holdings = ledger.holdingsInto(this.#quantities, this.#symbols))
      this.#roomFor(holdings)
      marks.sourcesInto(this.#symbols, holdings, this.#priceNumbers, this.#priceTexts)
    }
  }

  #roomFor(count: number): void {
    if (this.#priceNumbers.length >= count) return
    const grown = new Float64Array(Math.max(count, 2 * this.#priceNumbers.length))
    grown.set(this.#priceNumbers)
    this.#priceNumbers = grown
  }

  /** Holding `i`'s price as the caller gave it. */
  #price(i: number): PriceInput {
    return this.#priceTexts[i] ?? this.#priceNumbers[i]!
  }

  #setEstimate(estimate: number): void {
    this.#day[ESTIMATE] = estimate
    this.#day[FLOOR] = floorOf(estimate, this.#limit)
  }

  /** Why trading must halt at the update's valuation (its float estimate first, the exact equity near the threshold), or null. */
  breach(valuation: Valuation, equity: () => Decimal): string | null {
    // Small, with the exact check apart: it runs on every update, and is taken into the caller's code whole.
    return valuation.equity > this.#day[FLOOR]! ? null : this.#exactBreach(equity)
  }

  #exactBreach(equity: () => Decimal): string | null {
    const limit = this.#limit
    if (limit === null) return null
    let start = this.#cash
    for (let i = 0; i < this.#holdings; i++) start = start.plus(this.#quantities[i]!.times(decimalOf(this.#price(i))))
    const threshold = start.times(decimalOf(1).minus(limit))
    const exact = equity()
    if (exact.greaterThanOrEqualTo(threshold)) return null
    return `daily stop-loss: equity ${exact.toDecimalPlaces(2)} fell below ${threshold.toDecimalPlaces(2)} (day start ${start.toDecimalPlaces(2)} × (1 − ${limit}))`
  }

  snapshot(): DailyStopLossSnapshot {
    return { estimate: this.#day[ESTIMATE]!, cash: this.#cash.toString(), holdings: this.#quantities.slice(0, this.#holdings).map((q, i) => [q.toString(), this.#price(i)] as const) }
  }

  static fromSnapshot(limit: number | null, s: DailyStopLossSnapshot): DailyStopLoss {
    const stopLoss = new DailyStopLoss(limit, decimalOf(s.cash))
    stopLoss.#setEstimate(s.estimate)
    stopLoss.#roomFor(s.holdings.length)
    for (const [q, p] of s.holdings) {
      const i = stopLoss.#holdings++
      stopLoss.#quantities.push(decimalOf(q))
      if (typeof p === "number") {
        stopLoss.#priceNumbers[i] = p
        stopLoss.#priceTexts.push(null)
      } else stopLoss.#priceTexts.push(p)
    }
    return stopLoss
  }
}
