/**
 * What the live page shows, as JSON: a row per simulation in the store (every account's, and any
 * other), and one simulation's whole view: its state, portfolio, positions, orders with their
 * paths through the order machine, equity and drawdown, and event log. Read from the engine
 * through the deployer (between inputs), and from the page's own event memory.
 */
import type { OrderStatus, SimulationStatus } from "../../../machines/index.ts"
import { portfolioRecord, type PortfolioRecord } from "../../domain/portfolio.ts"
import type { OrderView } from "../../engine/order-entry.ts"
import type { TradingSimulationEngine } from "../../engine/trading-simulation-engine.ts"
import { downsample } from "../../report/downsample.ts"
import { drawdownPercent, xOf } from "../../report/run-charts.ts"
import type { Broker } from "../broker.ts"
import type { PathStep } from "./order-path.ts"
import type { LogEntry, SimulationLog } from "./simulation-log.ts"

/** Points of the first equity chart a page gets; later points are sent as they come, all of them. */
export const FIRST_POINTS = 4000
/** Orders in a view: every open one up to this, and as many of the latest others. */
export const ORDER_LIMIT = 100
/** Events of the log in a view. */
export const LOG_VIEW_LIMIT = 200

export interface SimulationRow {
  readonly id: string
  readonly modelId: string
  readonly modelVersion: string
  /** The account's key id when the simulation is one of the server's accounts. */
  readonly keyId: string | null
  /** The engine's state, or `unavailable` (with `reason`) when the simulation cannot be read. */
  readonly state: SimulationStatus | "unavailable"
  readonly reason: string | null
  readonly updates: number
  readonly portfolioValue: string | null
  readonly openOrders: number
  /** Changes whenever anything the page shows of the simulation does. */
  readonly version: string
}

export interface PageOrder {
  readonly id: string
  readonly clientOrderId: string
  readonly symbol: string
  readonly side: string
  readonly type: string
  readonly timeInForce: string
  readonly quantity: string
  readonly filledQuantity: string
  readonly averageFillPrice: string | null
  readonly limitPrice: string | null
  readonly stopPrice: string | null
  readonly orderList: string | null
  readonly status: OrderStatus
  readonly open: boolean
  /** Its steps through the order machine so far: from its placing when `complete`, else from when the server first saw it. */
  readonly path: ReadonlyArray<PathStep>
  readonly complete: boolean
}

export interface EquitySeries {
  /** The index of the curve's point the first value is: 0 for the whole curve (then maybe downsampled), else the next points only. */
  readonly from: number
  /** Points in the curve after these. */
  readonly length: number
  readonly xKind: "time" | "index"
  readonly x: ReadonlyArray<number>
  readonly equity: ReadonlyArray<number | null>
  /** Percent below the running peak (which starts at the initial capital). */
  readonly drawdown: ReadonlyArray<number | null>
}

export interface SimulationView extends SimulationRow {
  readonly lastUpdateTime: number | null
  readonly portfolio: PortfolioRecord
  readonly openOrderIds: ReadonlyArray<string>
  readonly orders: ReadonlyArray<PageOrder>
  readonly equity: EquitySeries
  readonly log: ReadonlyArray<LogEntry>
}

const listName = (order: OrderView) => (order.orderList === null ? null : `${order.orderList.kind} ${order.orderList.role}`)

const pageOrder = (order: OrderView, open: boolean, recorded: ReadonlyArray<PathStep>): PageOrder => ({
  id: order.id,
  clientOrderId: order.clientOrderId,
  symbol: order.symbol,
  side: order.side,
  type: order.type,
  timeInForce: order.timeInForce,
  quantity: order.quantity,
  filledQuantity: order.filledQuantity,
  averageFillPrice: order.averageFillPrice,
  limitPrice: order.limitPrice,
  stopPrice: order.stopPrice,
  orderList: listName(order),
  status: order.status,
  open,
  // An order the server saw no event of is where it was found.
  path: recorded.length > 0 ? recorded : [{ state: order.status, event: "SEEN" }],
  complete: recorded[0]?.event === "PLACE"
})

const finiteOrNull = (values: ArrayLike<number | null>): Array<number | null> => Array.from(values, (v) => (v === null || !Number.isFinite(v) ? null : v))

/** The curve's points from `from` on; the whole curve, downsampled for display, when `from` is 0. */
const equitySeries = (engine: TradingSimulationEngine, from: number): EquitySeries => {
  const curve = engine.getEquityCurve()
  const { kind, x } = xOf(curve)
  const equity = Float64Array.from(curve, (p) => p.equity)
  const drawdown = drawdownPercent(curve, Number(engine.config.initialCapital))
  const start = Math.min(from, curve.length)
  if (start === 0) {
    const shown = downsample(x, [equity, drawdown], FIRST_POINTS)
    return { from: 0, length: curve.length, xKind: kind, x: shown.x, equity: finiteOrNull(shown.series[0]!), drawdown: finiteOrNull(shown.series[1]!) }
  }
  return { from: start, length: curve.length, xKind: kind, x: Array.from(x.subarray(start)), equity: finiteOrNull(equity.subarray(start)), drawdown: finiteOrNull(drawdown.subarray(start)) }
}

const versionOf = (engine: TradingSimulationEngine, log: SimulationLog, id: string) => `${engine.status}|${engine.statusReason ?? ""}|${engine.updateCount}|${log.seq(id)}`

/** The page's reads of a store's simulations. */
export const simulationViews = (broker: Broker, log: SimulationLog) => {
  const keyIds = () => new Map(broker.accounts.list().map((a) => [a.id, a.keyId]))

  const rowOf = async (id: string, modelId: string, modelVersion: string, keyId: string | null): Promise<SimulationRow> => {
    try {
      return await broker.paper.inspectSimulation(id, (engine) => ({
        id,
        modelId,
        modelVersion,
        keyId,
        state: engine.status,
        reason: engine.statusReason,
        updates: engine.updateCount,
        portfolioValue: portfolioRecord(engine.getPortfolio()).totalValue,
        openOrders: engine.getOpenOrders().length,
        version: versionOf(engine, log, id)
      }))
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e)
      return { id, modelId, modelVersion, keyId, state: "unavailable", reason, updates: 0, portfolioValue: null, openOrders: 0, version: `unavailable|${reason}` }
    }
  }

  return {
    /** Every simulation in the store, oldest first. */
    list: async (): Promise<ReadonlyArray<SimulationRow>> => {
      const accounts = keyIds()
      const records = await broker.paper.listSimulations()
      return Promise.all(records.map((r) => rowOf(r.id, r.modelId, r.modelVersion, accounts.get(r.id) ?? null)))
    },

    /** What changes whenever the simulation's view does: its state, updates and events. */
    version: (id: string): Promise<string> => broker.paper.inspectSimulation(id, (engine) => versionOf(engine, log, id)),

    /** The simulation's view, with its equity from point `from` on (0: the whole curve). */
    view: async (id: string, from = 0): Promise<SimulationView> => {
      const record = await broker.paper.deploymentManager.getDeployment(id)
      const keyId = keyIds().get(id) ?? null
      return broker.paper.inspectSimulation(id, (engine) => {
        const open = engine.getOpenOrders()
        const openIds = new Set(open.map((o) => o.id))
        const latest = engine.getOrders().filter((o) => !openIds.has(o.id)).slice(-ORDER_LIMIT).reverse()
        const orders = [...open.slice(0, ORDER_LIMIT), ...latest].map((o) => pageOrder(o, openIds.has(o.id), log.path(id, o.id)))
        const portfolio = portfolioRecord(engine.getPortfolio())
        return {
          id,
          modelId: record.modelId,
          modelVersion: record.modelVersion,
          keyId,
          state: engine.status,
          reason: engine.statusReason,
          updates: engine.updateCount,
          portfolioValue: portfolio.totalValue,
          openOrders: open.length,
          version: versionOf(engine, log, id),
          lastUpdateTime: engine.lastUpdateTime,
          portfolio,
          openOrderIds: open.map((o) => o.id),
          orders,
          equity: equitySeries(engine, from),
          log: log.entries(id, LOG_VIEW_LIMIT)
        }
      })
    }
  }
}

export type SimulationViews = ReturnType<typeof simulationViews>
