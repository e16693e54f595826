import { fc, test } from "@fast-check/vitest"
import { describe, expect, it } from "vitest"
import { Decimal, type EngineEvent, TradingSimulationEngine } from "../../../src/index.ts"
import type { EndedOrder } from "../../../src/engine/ended-order.ts"
import { EndedOrderLog } from "../../../src/engine/history/ended-order-log.ts"
import type { OrderEntrySnapshot } from "../../../src/engine/order-entry.ts"
import { scenarioArb } from "../../../src/testing/index.ts"
import { playScenario, scenarioOptions } from "../play-scenario.ts"

const FINAL = new Set(["filled", "rejected", "cancelled", "expired"])

/** An ended order's record as the engine keeps it, from its snapshot. */
const recordOf = (s: OrderEntrySnapshot): EndedOrder => ({
  status: s.status,
  context: s.context,
  endedTime: s.endedTime ?? null,
  closedQuantity: new Decimal(s.closedQuantity ?? 0)
})

/** Whether the columns have a place for everything the order holds (see EndedOrderLog). */
const columnForm = (o: EndedOrder): boolean =>
  o.context.order.orderList === null && o.context.reasons.length <= 1 && o.context.resumeStatus === null && o.context.pendingChanges === null && o.closedQuantity.isZero()

const endedRecords = (engine: TradingSimulationEngine): EndedOrder[] =>
  engine
    .snapshot()
    .orders.filter((o) => FINAL.has(o.status))
    .map(recordOf)

describe("the ended-order log", () => {
  test.prop([scenarioArb(25)], { numRuns: 80 })("gives back every order a scenario ended, in its key order, from its columns unless it has a part they have no place for", (scenario) => {
    const records = endedRecords(playScenario(scenario, new TradingSimulationEngine(scenario.config, scenarioOptions(scenario))))
    const log = new EndedOrderLog()
    for (const r of records) log.add(r)
    expect(log.length).toBe(records.length)
    expect(log.keptCount).toBe(records.filter((r) => !columnForm(r)).length)
    records.forEach((r, row) => {
      expect(JSON.stringify(log.at(row))).toBe(JSON.stringify(r))
      expect(log.idAt(row)).toBe(r.context.order.id)
    })
  })

  test.prop([scenarioArb(25)], { numRuns: 80 })("an order's record once ended is the one its last event showed", (scenario) => {
    const engine = new TradingSimulationEngine(scenario.config, scenarioOptions(scenario))
    const lastShown = new Map<string, string>()
    engine.onEvent((e: EngineEvent) => {
      if ("order" in e && FINAL.has(e.order.status)) lastShown.set(e.order.id, JSON.stringify(e.order))
    })
    playScenario(scenario, engine)
    for (const order of engine.getOrders()) if (FINAL.has(order.status)) expect(JSON.stringify(order)).toBe(lastShown.get(order.id))
  })

  it("keeps an order of another form exactly as it was given: keys moved, a field of another type, a part the columns have no place for", () => {
    const engine = new TradingSimulationEngine({ symbols: ["ORCL"], initialCapital: 100_000 })
    engine.processMarketUpdate({ time: 0, bars: { ORCL: { open: 10, high: 11, low: 9, close: 10, volume: 1000 } } })
    engine.submitOrder({ symbol: "ORCL", side: "buy", type: "market", quantity: 10 })
    engine.submitOrder({ symbol: "ORCL", side: "buy", type: "market", quantity: 1e9 })
    engine.processMarketUpdate({ time: 86_400_000, bars: { ORCL: { open: 10, high: 11, low: 9, close: 10, volume: 1000 } } })
    const [filled, rejected] = endedRecords(engine)
    expect([filled!.status, rejected!.status]).toEqual(["filled", "rejected"])
    const { order, ...rest } = filled!.context
    const odd: EndedOrder[] = [
      { ...filled!, context: { ...rest, order } },
      { ...filled!, context: { ...filled!.context, order: { ...order, quantity: 10 as never } } },
      { ...filled!, context: { ...filled!.context, reasons: ["a", "b"] } },
      { ...filled!, context: { ...filled!.context, triggered: "yes" as never } },
      { ...filled!, context: { ...filled!.context, order: { ...order, orderList: { id: "L-1", kind: "oco", role: "member" } } } },
      { ...filled!, closedQuantity: new Decimal(5) },
      { ...filled!, endedTime: Number.NaN },
      { ...rejected!, context: { ...rejected!.context, rejectionCode: 7 as never } },
      Object.assign(Object.create({ inherited: 1 }) as object, filled) as EndedOrder
    ]
    const log = new EndedOrderLog()
    for (const r of [filled!, rejected!, ...odd]) log.add(r)
    expect(log.keptCount).toBe(odd.length)
    expect(JSON.stringify(log.at(0))).toBe(JSON.stringify(filled))
    expect(JSON.stringify(log.at(1))).toBe(JSON.stringify(rejected))
    odd.forEach((r, i) => expect(log.at(i + 2)).toBe(r))
  })

  it("an order restored with its keys in another order, then ended, is written back in that order (kept as it was, not in the columns)", () => {
    const bar = (close: number) => ({ ORCL: { open: close, high: close + 1, low: close - 1, close, volume: 1000 } })
    const engine = new TradingSimulationEngine({ symbols: ["ORCL"], initialCapital: 100_000 })
    engine.processMarketUpdate({ time: 0, bars: bar(10) })
    engine.submitOrder({ symbol: "ORCL", side: "buy", type: "limit", limitPrice: 5, quantity: 10, tag: "dip" })
    engine.processMarketUpdate({ time: 86_400_000, bars: bar(10) })
    const snapshot = JSON.parse(JSON.stringify(engine.snapshot()))
    const open = snapshot.orders[0]
    const reversed = (o: object) => Object.fromEntries(Object.entries(o).reverse())
    open.context = { ...reversed(open.context), order: reversed(open.context.order) }
    const restored = TradingSimulationEngine.fromSnapshot(snapshot)
    const shown: string[] = []
    restored.onEvent((e: EngineEvent) => {
      if (e.type === "orderFilled") shown.push(JSON.stringify(e.order))
    })
    restored.processMarketUpdate({ time: 2 * 86_400_000, bars: bar(4) })
    const [order] = restored.getOrders()
    expect(order!.status).toBe("filled")
    expect(shown).toEqual([JSON.stringify(order)])
    expect(Object.keys(order!).slice(0, 3)).toEqual(["orderList", "submittedTime", "submittedAfterUpdate"])
    const again = TradingSimulationEngine.fromSnapshot(JSON.parse(JSON.stringify(restored.snapshot())))
    expect(JSON.stringify(again.snapshot())).toBe(JSON.stringify(restored.snapshot()))
    expect(JSON.stringify(restored.checkpoint().history.orders)).toBe(JSON.stringify(restored.snapshot().orders))
  })
})
