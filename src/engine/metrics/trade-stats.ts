/** Statistics over the closed trades (in the order they closed), exact in Decimal, and per symbol. */
import { Decimal, ZERO } from "../../domain/decimal.ts"
import type { Trade } from "../../domain/trade.ts"

export interface TradeExtremes {
  /** Σ net P&L / closed trades (= win rate × average win − loss rate × average loss); null with no closed trade. */
  readonly expectancy: string | null
  /** The largest net P&L of a winning trade; null with no winning trade. */
  readonly largestWin: string | null
  /** The largest |net P&L| of a losing trade, positive; null with no losing trade. */
  readonly largestLoss: string | null
  /** Most consecutive winning closed trades (a trade at exactly 0 breaks a streak). */
  readonly longestWinningStreak: number
  readonly longestLosingStreak: number
}

export const tradeExtremes = (trades: ReadonlyArray<Trade>): TradeExtremes => {
  let closed = 0
  let net = ZERO
  let largestWin: Decimal | null = null
  let largestLoss: Decimal | null = null
  let wins = 0
  let losses = 0
  let longestWinningStreak = 0
  let longestLosingStreak = 0
  for (const trade of trades) {
    if (trade.open) continue
    closed++
    const pnl = new Decimal(trade.netPnl)
    net = net.plus(pnl)
    wins = pnl.gt(0) ? wins + 1 : 0
    losses = pnl.lt(0) ? losses + 1 : 0
    longestWinningStreak = Math.max(longestWinningStreak, wins)
    longestLosingStreak = Math.max(longestLosingStreak, losses)
    if (pnl.gt(0) && (largestWin === null || pnl.gt(largestWin))) largestWin = pnl
    if (pnl.lt(0) && (largestLoss === null || pnl.abs().gt(largestLoss))) largestLoss = pnl.abs()
  }
  return {
    expectancy: closed === 0 ? null : net.div(closed).toString(),
    largestWin: largestWin?.toString() ?? null,
    largestLoss: largestLoss?.toString() ?? null,
    longestWinningStreak,
    longestLosingStreak
  }
}

export interface SymbolStats {
  readonly symbol: string
  readonly closedTrades: number
  /** Trades still open at the end (0 or 1). */
  readonly openTrades: number
  /** Closed trades with net P&L > 0. */
  readonly winningTrades: number
  /** winningTrades / closedTrades; null with no closed trade. */
  readonly winRate: number | null
  /** Σ net P&L of every trade: realised, after commissions (an open trade counts what it has realised so far); exact. */
  readonly netPnl: string
  /** Σ commissions of every trade; exact. */
  readonly commission: string
}

/** One entry per traded symbol, by symbol name. */
export const symbolStats = (trades: ReadonlyArray<Trade>): ReadonlyArray<SymbolStats> => {
  const rows = new Map<string, { closed: number; open: number; wins: number; net: Decimal; commission: Decimal }>()
  for (const t of trades) {
    let row = rows.get(t.symbol)
    if (row === undefined) {
      row = { closed: 0, open: 0, wins: 0, net: ZERO, commission: ZERO }
      rows.set(t.symbol, row)
    }
    if (t.open) row.open++
    else {
      row.closed++
      if (new Decimal(t.netPnl).gt(0)) row.wins++
    }
    row.net = row.net.plus(t.netPnl)
    row.commission = row.commission.plus(t.commission)
  }
  return [...rows.keys()].sort().map((symbol) => {
    const r = rows.get(symbol)!
    return {
      symbol,
      closedTrades: r.closed,
      openTrades: r.open,
      winningTrades: r.wins,
      winRate: r.closed === 0 ? null : r.wins / r.closed,
      netPnl: r.net.toString(),
      commission: r.commission.toString()
    }
  })
}
