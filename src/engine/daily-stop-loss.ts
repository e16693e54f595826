import { Decimal } from "../domain/decimal.ts"
import type { PriceInput } from "../domain/market-update.ts"
import type { EquityCurve } from "./equity-curve.ts"
import type { Ledger, MarkReader } from "./ledger.ts"

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
 * The holdings are two columns rewritten in place each day: a day starts at every update of daily bars.
 */
export class DailyStopLoss {
  readonly #limit: number | null
  // Both numbers from the start: a field that starts undefined holds its float boxed, a new box at every store (each day).
  #estimate = 0
  /** `floorOf` the estimate: worked out once a day rather than on every update. */
  #floor = 0
  #cash: Decimal
  readonly #quantities: Decimal[] = []
  readonly #prices: PriceInput[] = []

  constructor(limit: number | null, initialCapital: Decimal) {
    this.#limit = limit
    this.#estimate = initialCapital.toNumber()
    this.#floor = floorOf(this.#estimate, limit)
    this.#cash = initialCapital
  }

  /** A new trading day starts at the equity the last update ended with (nothing trades between updates), if there was one. */
  startDay(curve: EquityCurve, ledger: Ledger, marks: MarkReader): void {
    const estimate = (this.#estimate = curve.lastOr(this.#estimate))
    const limit = this.#limit
    if (limit === null) return
    this.#floor = floorOf(estimate, limit)
    this.#cash = ledger.cash
    // An account that has never traded has no holdings to walk, day after day (with daily bars, on every update).
    if (ledger.positionCount > 0 || this.#quantities.length > 0) ledger.holdingsInto(this.#quantities, this.#prices, marks)
  }

  /** Why trading must halt at this equity (the float estimate first, the exact equity near the threshold), or null. */
  breach(equityEstimate: number, equity: () => Decimal): string | null {
    // Small, with the exact check apart: it runs on every update, and is taken into the caller's code whole.
    return equityEstimate > this.#floor ? null : this.#exactBreach(equity)
  }

  #exactBreach(equity: () => Decimal): string | null {
    const limit = this.#limit
    if (limit === null) return null
    const start = this.#quantities.reduce((acc, q, i) => acc.plus(q.times(new Decimal(this.#prices[i]!))), this.#cash)
    const threshold = start.times(new Decimal(1).minus(limit))
    const exact = equity()
    if (exact.greaterThanOrEqualTo(threshold)) return null
    return `daily stop-loss: equity ${exact.toDecimalPlaces(2)} fell below ${threshold.toDecimalPlaces(2)} (day start ${start.toDecimalPlaces(2)} × (1 − ${limit}))`
  }

  snapshot(): DailyStopLossSnapshot {
    return { estimate: this.#estimate, cash: this.#cash.toString(), holdings: this.#quantities.map((q, i) => [q.toString(), this.#prices[i]!] as const) }
  }

  static fromSnapshot(limit: number | null, s: DailyStopLossSnapshot): DailyStopLoss {
    const stopLoss = new DailyStopLoss(limit, new Decimal(s.cash))
    stopLoss.#estimate = s.estimate
    stopLoss.#floor = floorOf(s.estimate, limit)
    for (const [q, p] of s.holdings) {
      stopLoss.#quantities.push(new Decimal(q))
      stopLoss.#prices.push(p)
    }
    return stopLoss
  }
}
