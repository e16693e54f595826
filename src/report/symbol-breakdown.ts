/** Per-symbol results of a run, from its trades and its final positions. */
import { Decimal, ZERO } from "../domain/decimal.ts"
import type { Trade } from "../domain/trade.ts"
import type { ReportPosition } from "./report-input.ts"

export interface SymbolBreakdown {
  readonly symbol: string
  /** Closed round trips. */
  readonly closedTrades: number
  /** Trades still open at the end (0 or 1). */
  readonly openTrades: number
  /** Closed trades with net P&L > 0. */
  readonly wins: number
  /** Σ net P&L of every trade: realised, after commissions (an open trade counts what it has realised so far). */
  readonly netPnl: string
  /** Σ commissions of every trade. */
  readonly commission: string
  /** The final position's quantity (negative when short), "0" when flat. */
  readonly position: string
  readonly marketValue: string | null
  readonly unrealizedPnl: string | null
}

/** One row per symbol: the configured ones first, in their order, then any other traded or held, by name. */
export const symbolBreakdown = (
  symbols: ReadonlyArray<string>,
  trades: ReadonlyArray<Trade>,
  positions: ReadonlyArray<ReportPosition>
): ReadonlyArray<SymbolBreakdown> => {
  const others = new Set<string>()
  for (const t of trades) others.add(t.symbol)
  for (const p of positions) others.add(p.symbol)
  for (const s of symbols) others.delete(s)
  const order = [...symbols, ...[...others].sort()]

  const rows = new Map(order.map((symbol) => [symbol, { closed: 0, open: 0, wins: 0, net: ZERO, commission: ZERO }]))
  for (const t of trades) {
    const row = rows.get(t.symbol)!
    if (t.open) row.open += 1
    else {
      row.closed += 1
      if (new Decimal(t.netPnl).gt(0)) row.wins += 1
    }
    row.net = row.net.plus(t.netPnl)
    row.commission = row.commission.plus(t.commission)
  }
  const held = new Map(positions.map((p) => [p.symbol, p]))
  return order.map((symbol) => {
    const row = rows.get(symbol)!
    const position = held.get(symbol)
    return {
      symbol,
      closedTrades: row.closed,
      openTrades: row.open,
      wins: row.wins,
      netPnl: row.net.toString(),
      commission: row.commission.toString(),
      position: position?.quantity ?? "0",
      marketValue: position?.marketValue ?? null,
      unrealizedPnl: position?.unrealizedPnl ?? null
    }
  })
}
