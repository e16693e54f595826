/** Per-symbol results of a run: the metrics' per-symbol statistics joined with its final positions. */
import type { SymbolStats } from "../engine/metrics.ts"
import type { ReportPosition } from "./report-input.ts"

export interface SymbolBreakdown extends SymbolStats {
  /** The final position's quantity (negative when short), "0" when flat. */
  readonly position: string
  readonly marketValue: string | null
  readonly unrealizedPnl: string | null
}

const untraded = (symbol: string): SymbolStats => ({ symbol, closedTrades: 0, openTrades: 0, winningTrades: 0, winRate: null, netPnl: "0", commission: "0" })

/** One row per symbol: the configured ones first, in their order, then any other traded or held, by name. */
export const symbolBreakdown = (
  symbols: ReadonlyArray<string>,
  stats: ReadonlyArray<SymbolStats>,
  positions: ReadonlyArray<ReportPosition>
): ReadonlyArray<SymbolBreakdown> => {
  const others = new Set<string>()
  for (const s of stats) others.add(s.symbol)
  for (const p of positions) others.add(p.symbol)
  for (const s of symbols) others.delete(s)
  const order = [...symbols, ...[...others].sort()]

  const traded = new Map(stats.map((s) => [s.symbol, s]))
  const held = new Map(positions.map((p) => [p.symbol, p]))
  return order.map((symbol) => {
    const position = held.get(symbol)
    return {
      ...(traded.get(symbol) ?? untraded(symbol)),
      position: position?.quantity ?? "0",
      marketValue: position?.marketValue ?? null,
      unrealizedPnl: position?.unrealizedPnl ?? null
    }
  })
}
