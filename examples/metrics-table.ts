import type { PerformanceMetrics } from "../src/index.ts"

const pct = (x: number | null) => (x === null ? "n/a" : `${(x * 100).toFixed(2)}%`)
const ratio = (x: number | null) => (x === null ? "n/a" : x.toFixed(3))
const money = (x: string | null) => (x === null ? "n/a" : Number(x).toFixed(2))

/** Prints a run's performance metrics as a table (every example shows the same figures the same way). */
export const printMetrics = (m: PerformanceMetrics, cash: string): void =>
  console.table({
    "final equity": money(m.finalEquity),
    "net profit": money(m.netProfit),
    cash: money(cash),
    "total return": pct(m.totalReturn),
    "Sharpe (annualised)": ratio(m.sharpeRatio),
    "Sortino (annualised)": ratio(m.sortinoRatio),
    "max drawdown": pct(m.maxDrawdown),
    "closed trades": m.totalTrades,
    "win rate": pct(m.winRate),
    "profit factor": ratio(m.profitFactor),
    "average win": money(m.averageWin),
    "average loss": money(m.averageLoss),
    commissions: money(m.totalCommission)
  })
