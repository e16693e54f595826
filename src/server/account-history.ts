/**
 * An account's history as Alpaca gives it: its fills as `FILL` activities
 * (`GET /v2/account/activities`) and its equity over time (`GET /v2/account/portfolio/history`),
 * both from the simulation's own records (fills and equity curve), in its time.
 */
import { Decimal } from "../domain/decimal.ts"
import type { TradingSimulationEngine } from "../engine/trading-simulation-engine.ts"
import { unprocessable } from "./broker-error.ts"
import { choiceParam, timeParam } from "./query-params.ts"

const MS = { Min: 60_000, H: 3_600_000, D: 86_400_000, W: 7 * 86_400_000, M: 30 * 86_400_000, A: 365 * 86_400_000 } as const
type Unit = keyof typeof MS

const durationOf = (name: string, text: string, units: ReadonlyArray<Unit>): number => {
  const match = /^(\d+)(Min|H|D|W|M|A)$/.exec(text)
  if (match === null || !(units as ReadonlyArray<string>).includes(match[2]!) || Number(match[1]) === 0)
    throw unprocessable(`${name} must be a positive number and one of ${units.join(", ")} (got ${JSON.stringify(text)})`)
  return Number(match[1]) * MS[match[2] as Unit]
}

/** Alpaca's activity types: this account has FILLs only, the others are valid and empty. */
const ACTIVITY_TYPES = new Set([
  "FILL", "TRANS", "MISC", "ACATC", "ACATS", "CFEE", "CSD", "CSW", "DIV", "DIVCGL", "DIVCGS", "DIVFEE", "DIVFT", "DIVNRA", "DIVROC", "DIVTW",
  "DIVTXEX", "FEE", "INT", "INTNRA", "INTTW", "JNL", "JNLC", "JNLS", "MA", "NC", "OPASN", "OPCA", "OPCSH", "OPEXC", "OPEXP", "OPTRD", "PTC",
  "PTR", "REORG", "SC", "SSO", "SSP", "SPIN", "SPLIT"
])

const stamp = (time: number) => new Date(time).toISOString().replace(/[-:TZ.]/g, "")

/** The account's fills as Alpaca's FILL activities (any other activity type: none). */
export const alpacaActivities = (engine: TradingSimulationEngine, query: URLSearchParams, onlyType?: string): ReadonlyArray<Record<string, unknown>> => {
  const types = onlyType !== undefined ? [onlyType] : (query.get("activity_types")?.split(",") ?? ["FILL"])
  const unknown = types.find((t) => !ACTIVITY_TYPES.has(t))
  if (unknown !== undefined)
    throw unprocessable(`${onlyType !== undefined ? "activity_type" : "activity_types"} must be Alpaca's activity types (FILL, TRANS, DIV, …) (got ${JSON.stringify(unknown)})`)
  const direction = choiceParam(query, "direction", ["asc", "desc"] as const, "desc")
  const sizeText = query.get("page_size") ?? "100"
  if (!/^\d+$/.test(sizeText) || Number(sizeText) < 1 || Number(sizeText) > 100) throw unprocessable(`page_size must be a whole number from 1 to 100 (got ${JSON.stringify(sizeText)})`)
  const date = timeParam(query, "date")
  const after = date ?? timeParam(query, "after")
  const until = date === null ? timeParam(query, "until") : date + MS.D
  if (!types.includes("FILL")) return []
  const cumulative = new Map<string, Decimal>()
  const activities = engine.getFills().map((fill, i) => {
    const order = engine.getOrder(fill.orderId)
    const cum = (cumulative.get(fill.orderId) ?? new Decimal(0)).plus(fill.quantity)
    cumulative.set(fill.orderId, cum)
    // An OCO sibling's reduction can leave less than the order's first quantity: never below zero.
    const leaves = Decimal.max(new Decimal(order.quantity).minus(cum), 0)
    const time = fill.time ?? 0
    return {
      id: `${stamp(time)}::${fill.orderId}-${String(i + 1).padStart(9, "0")}`,
      activity_type: "FILL",
      transaction_time: new Date(time).toISOString(),
      type: leaves.isZero() ? "fill" : "partial_fill",
      price: fill.price,
      qty: fill.quantity,
      side: fill.side,
      symbol: fill.symbol,
      leaves_qty: leaves.toString(),
      order_id: fill.orderId,
      cum_qty: cum.toString(),
      order_status: leaves.isZero() ? "filled" : "partially_filled",
      time
    }
  })
  const chosen = activities.filter((a) => (after === null || a.time > after) && (until === null || a.time < until))
  const ordered = direction === "desc" ? chosen.reverse() : chosen
  const token = query.get("page_token")
  // A token is the last id of the previous page: one that names none would start over at the first.
  const from = token === null ? 0 : ordered.findIndex((a) => a.id === token) + 1
  if (token !== null && from === 0) throw unprocessable(`page_token must be the id of an activity of this query (got ${JSON.stringify(token)})`)
  return ordered.slice(from, from + Number(sizeText)).map(({ time: _, ...activity }) => activity)
}

/** The equity curve over a period, one point per timeframe (the last in it), as Alpaca's portfolio history. */
export const alpacaPortfolioHistory = (engine: TradingSimulationEngine, query: URLSearchParams): Record<string, unknown> => {
  const curve = engine.getEquityCurve().filter((p) => p.time !== null) as ReadonlyArray<{ readonly time: number; readonly equity: number }>
  const timeframeText = query.get("timeframe") ?? "1D"
  const timeframe = durationOf("timeframe", timeframeText, ["Min", "H", "D"])
  const end = timeParam(query, "end") ?? timeParam(query, "date_end") ?? curve.at(-1)?.time ?? 0
  const periodText = query.get("period")
  const start = timeParam(query, "start") ?? (periodText === null ? -Infinity : end - durationOf("period", periodText, ["D", "W", "M", "A"]))
  const before = curve.filter((p) => p.time < start).at(-1)
  const base = before?.equity ?? Number(engine.config.initialCapital)
  const buckets = new Map<number, number>()
  for (const p of curve) if (p.time >= start && p.time <= end) buckets.set(Math.floor(p.time / timeframe) * timeframe, p.equity)
  const times = [...buckets.keys()]
  const equity = [...buckets.values()]
  return {
    timestamp: times.map((t) => Math.floor(t / 1000)),
    equity,
    profit_loss: equity.map((e) => e - base),
    profit_loss_pct: equity.map((e) => (base === 0 ? 0 : (e - base) / base)),
    base_value: base,
    timeframe: timeframeText
  }
}
