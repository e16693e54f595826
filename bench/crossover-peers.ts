import { DataFrame } from "data-forge"
import { backtest, type IBar, type IStrategy } from "grademark"
import {
  type AveragePair,
  CrossoverSignal,
  crossedDown,
  crossedUp
} from "../examples/strategies/moving-average-crossover.ts"
import type { BenchBar } from "./bars.ts"

/**
 * The benchmark strategy, the same for every runner: a 10/30 simple-moving-average crossover on
 * closes, long only, 100 shares; market orders decided after a bar's close fill at the next
 * bar's open; commission 0.001 × quantity × price per fill; no slippage.
 */
export const crossoverRules = {
  fastPeriod: 10,
  slowPeriod: 30,
  quantity: 100,
  commissionRate: 0.001,
  initialCapital: 100_000
} as const

export interface CrossoverResult {
  /** Round trips, an open one at the end included (as grademark and `getTrades()` count them). */
  readonly trades: number
  readonly finalEquity: number
}

/** The rules as a bare loop over floats: the floor any runner can be compared with. */
export const runPlainLoop = (bars: ReadonlyArray<BenchBar>): CrossoverResult => {
  const { quantity, commissionRate, initialCapital } = crossoverRules
  const sma = new CrossoverSignal(crossoverRules.fastPeriod, crossoverRules.slowPeriod)
  const equity = new Float64Array(bars.length)
  let cash: number = initialCapital
  let position = 0
  let pending = 0 // +quantity to buy, -quantity to sell at the next open
  let trades = 0
  for (let i = 0; i < bars.length; i++) {
    const bar = bars[i]!
    if (pending !== 0) {
      const notional = pending * bar.open
      cash -= notional + commissionRate * Math.abs(notional)
      position += pending
      if (pending > 0) trades++
      pending = 0
    }
    equity[i] = cash + position * bar.close
    sma.update(bar.close)
    if (position === 0 && crossedUp(sma)) pending = quantity
    else if (position > 0 && crossedDown(sma)) pending = -quantity
  }
  return { trades, finalEquity: bars.length === 0 ? initialCapital : equity[bars.length - 1]! }
}

interface SmaBar extends IBar, AveragePair {}

const grademarkStrategy: IStrategy<SmaBar, SmaBar> = {
  entryRule: (enterPosition, { bar }) => {
    if (crossedUp(bar)) enterPosition()
  },
  exitRule: (exitPosition, { bar }) => {
    if (crossedDown(bar)) exitPosition()
  }
}

/**
 * The rules in grademark 0.3.0. grademark wants indicators on the bars and `Date` times, so that
 * conversion is part of the run. grademark has no commission: `finalEquity` is without it, and
 * its trades are per unit, scaled here by the quantity.
 */
export const runGrademark = (bars: ReadonlyArray<BenchBar>): CrossoverResult => {
  const sma = new CrossoverSignal(crossoverRules.fastPeriod, crossoverRules.slowPeriod)
  const withIndicators: SmaBar[] = []
  for (const { time, open, high, low, close, volume } of bars) {
    sma.update(close)
    const { fast, slow, previousFast, previousSlow } = sma
    withIndicators.push({ time: new Date(time), open, high, low, close, volume, fast, slow, previousFast, previousSlow })
  }
  const trades = backtest(grademarkStrategy, new DataFrame<number, SmaBar>(withIndicators))
  let profit = 0
  for (const trade of trades) profit += trade.profit
  return { trades: trades.length, finalEquity: crossoverRules.initialCapital + crossoverRules.quantity * profit }
}
