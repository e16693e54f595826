import { describe, expect, it } from "vitest"
import {
  barFillModel,
  Decimal,
  finalOrderStatuses,
  IllegalOrderTransitionError,
  initialOrderContext,
  orderTable,
  TradingSimulationEngine
} from "../../src/index.ts"
import type {
  BarInput,
  EngineEvent,
  EngineOptions,
  FillModel,
  OrderContext,
  OrderEvent,
  OrderSpec,
  OrderStatus,
  OrderView,
  SimulationConfigInput
} from "../../src/index.ts"
import { type OrderPath, orderPaths } from "../machines/order-paths.ts"
import { MONDAY, record } from "./fixtures.ts"

/**
 * The order machine's shortest path to each status, driven through the real engine: for every
 * status a path reaches, a market scenario puts a real order of the path's own shape there. The
 * engine's events for that order, read back as machine events, must start with the path's events
 * and, replayed through the machine, end exactly where the engine's order is.
 */
const paths = orderPaths()

type ReplaceChanges = Extract<OrderEvent, { type: "REPLACE_REQUEST" }>["changes"]

/** The machine events an order went through, read from the engine's events about it. */
const machineEvents = (events: ReadonlyArray<EngineEvent>, id: string, replaces: ReadonlyArray<ReplaceChanges>): OrderEvent[] => {
  const out: OrderEvent[] = []
  let replace = 0
  for (const e of events) {
    if (e.type === "simulationStatusChanged" || e.order.id !== id) continue
    switch (e.type) {
      case "orderSubmitted":
        // A child of an OTO or a bracket is held from the start.
        if (e.order.status === "held") out.push({ type: "HOLD" })
        break
      case "orderActivated":
        out.push({ type: "ACTIVATE", quantity: e.order.quantity })
        break
      case "orderReduced":
        out.push({ type: "REDUCE", quantity: e.order.quantity })
        break
      case "orderAccepted":
        out.push({ type: "ACCEPT", sessionDay: null })
        break
      case "orderRejected":
        out.push({ type: "REJECT", code: e.code, reason: e.reason })
        break
      case "orderTriggered":
        out.push({ type: "TRIGGER" })
        break
      case "orderPartiallyFilled":
      case "orderFilled":
        out.push({ type: "FILL", quantity: e.fill.quantity, price: e.fill.price, commission: e.fill.commission })
        break
      case "orderCancelled":
        out.push({ type: "CANCEL_REQUEST" }, { type: "CANCEL_CONFIRM", reason: e.reason })
        break
      case "orderExpired":
        out.push({ type: "EXPIRE", reason: e.reason })
        break
      case "orderReplaced":
        out.push({ type: "REPLACE_REQUEST", changes: replaces[replace++]! }, { type: "REPLACE_CONFIRM" })
        break
      case "orderReplaceRejected":
        out.push({ type: "REPLACE_REQUEST", changes: replaces[replace++]! }, { type: "REPLACE_REJECT", reason: e.reason })
        break
    }
  }
  return out
}

interface MachineState {
  readonly status: OrderStatus
  readonly context: OrderContext
}

/** Runs events through the order machine's table; each must be legal. */
const replay = (spec: OrderSpec, events: ReadonlyArray<OrderEvent>): MachineState =>
  events.reduce<MachineState>(
    (state, event) => {
      const next = orderTable.step(state.status, state.context, event)
      expect(next, `${event.type} must be legal in ${state.status}`).toBeDefined()
      return next!
    },
    { status: "submitted", context: initialOrderContext(spec) }
  )

const specOf = (view: OrderView): OrderSpec => {
  const { status: _s, filledQuantity: _f, averageFillPrice: _a, commission: _c, triggered: _t, reasons: _r, ...spec } = view
  return spec
}

/** The machine state an engine order view corresponds to (the engine's own context fields that views leave out are irrelevant here). */
const stateOf = (view: OrderView): MachineState => ({
  status: view.status,
  context: {
    ...initialOrderContext(specOf(view)),
    filledQuantity: view.filledQuantity,
    averageFillPrice: view.averageFillPrice,
    commission: view.commission,
    triggered: view.triggered,
    reasons: view.reasons
  }
})

/** At most `max` per update, at the default model's prices. */
const capped = (max: Decimal): FillModel => ({
  match: (order, quote) => {
    const r = barFillModel.match(order, quote)
    return r.fill === null ? r : { ...r, fill: { ...r.fill, quantity: Decimal.min(r.fill.quantity, max) } }
  }
})

interface Scenario {
  readonly engine: TradingSimulationEngine
  readonly events: ReadonlyArray<EngineEvent>
  readonly id: string
  readonly replaces: ReadonlyArray<ReplaceChanges>
}

/**
 * Market scenarios for the sample order (a buy stop-limit with its stop below its limit), with
 * prices placed relative to its stop S and limit L.
 */
const scenarios = (order: OrderSpec) => {
  const S = new Decimal(order.stopPrice!)
  const L = new Decimal(order.limitPrice!)
  const q = new Decimal(order.quantity)
  const p = (x: Decimal) => x.toString()
  const flat = (x: Decimal): BarInput => ({ open: p(x), high: p(x), low: p(x), close: p(x) })
  const belowStop = flat(S.times("0.95"))
  // Opens through the stop and the limit and stays above the limit: triggered, unfilled.
  const gapPastLimit: BarInput = { open: p(L.times("1.05")), high: p(L.times("1.06")), low: p(L.times("1.02")), close: p(L.times("1.04")) }
  // Rises to exactly the stop inside the bar: triggered and filled at S (within the limit).
  const touchStop: BarInput = { open: p(S.times("0.95")), high: p(S), low: p(S.times("0.94")), close: p(S) }

  const start = (config: SimulationConfigInput = {}, options: EngineOptions = {}, timeInForce = order.timeInForce, expireAt?: number) => {
    const engine = new TradingSimulationEngine(
      { commissionRate: 0.001, slippageRate: 0, maxPositionSize: 1, dailyStopLoss: null, symbols: [order.symbol], ...config },
      options
    )
    // Order events only: the scenarios are about one order's machine.
    const events = record(engine, (e) => e.type !== "simulationStatusChanged")
    const id = engine.submitOrder({
      symbol: order.symbol,
      side: order.side,
      type: order.type,
      quantity: order.quantity,
      limitPrice: order.limitPrice!,
      stopPrice: order.stopPrice!,
      timeInForce,
      ...(expireAt !== undefined ? { expireAt } : {})
    })
    const update = (bar: BarInput, time = MONDAY) => engine.processMarketUpdate({ time, bars: { [order.symbol]: bar } })
    return { engine, events, id, update }
  }

  const done = (s: { engine: TradingSimulationEngine; events: EngineEvent[]; id: string }, replaces: ReadonlyArray<ReplaceChanges> = []): Scenario => ({ ...s, replaces })

  return {
    submitted: () => done(start()),
    accepted: () => {
      const s = start()
      s.update(belowStop)
      return done(s)
    },
    rejected: () => {
      // The account is worth half the order at the stop.
      const s = start({ initialCapital: p(q.times(S).dividedBy(2)) })
      s.update(belowStop)
      expect(s.engine.getOrder(s.id).reasons[0]).toMatch(/^maxPositionSize: /)
      return done(s)
    },
    triggered: () => {
      const s = start()
      s.update(gapPastLimit)
      return done(s)
    },
    partiallyFilled: () => {
      const s = start({}, { fillModel: capped(q.times("0.4").floor()) })
      s.update(touchStop)
      return done(s)
    },
    filled: () => {
      const s = start()
      s.update(touchStop)
      return done(s)
    },
    // The shortest way: a gtd order whose time has passed by the first update expires before its check.
    expired: () => {
      const s = start({}, {}, "gtd", MONDAY - 1)
      s.update(belowStop, MONDAY)
      return done(s)
    },
    cancelled: () => {
      const s = start()
      s.engine.cancelOrder(s.id)
      return done(s)
    },
    // Transient inside cancelOrder: the engine confirms at once, so the order ends cancelled.
    pendingCancel: () => {
      const s = start()
      s.engine.cancelOrder(s.id)
      return done(s)
    },
    // The order as the stop-loss of a bracket whose sell entry has not filled: its children wait.
    held: () => {
      const s = start()
      const { orderIds } = s.engine.submitOrderList({
        kind: "bracket",
        entry: { symbol: order.symbol, side: order.side === "buy" ? "sell" : "buy", type: "limit", quantity: order.quantity, limitPrice: p(L.times(100)) },
        takeProfit: { limitPrice: p(S.times("0.5")) },
        stopLoss: { type: order.type, limitPrice: order.limitPrice!, stopPrice: order.stopPrice!, timeInForce: order.timeInForce }
      })
      return done({ ...s, id: orderIds[2]! })
    },
    // Transient inside replaceOrder: the engine confirms at once, so the order ends accepted again.
    pendingReplace: () => {
      const s = start()
      s.update(belowStop)
      const changes: ReplaceChanges = { quantity: p(q.times("1.2")), limitPrice: p(L.times("1.05")) }
      expect(s.engine.replaceOrder(s.id, changes)).toEqual({ replaced: true })
      return done(s, [changes])
    }
  } satisfies Record<OrderStatus, () => Scenario>
}

describe("order machine paths, driven through the engine", () => {
  it("the sample order is a buy stop-limit with its stop below its limit (the scenarios' prices rely on it)", () => {
    const order = paths[0]!.order
    expect([order.side, order.type]).toEqual(["buy", "stopLimit"])
    expect(new Decimal(order.stopPrice!).lessThan(order.limitPrice!)).toBe(true)
  })

  it("every status has a path", () => {
    expect(paths.map((p) => p.finalStatus).sort()).toEqual(
      ["accepted", "cancelled", "expired", "filled", "held", "partiallyFilled", "pendingCancel", "pendingReplace", "rejected", "submitted", "triggered"].sort()
    )
  })

  it.each(paths.map((p) => [p.description, p] as const))("%s", (_name, path: OrderPath) => {
    const scenario = scenarios(path.order)[path.finalStatus]()
    const { engine, events, id, replaces } = scenario
    const view = engine.getOrder(id)
    const submitted = events.find((e): e is Extract<EngineEvent, { type: "orderSubmitted" }> => e.type === "orderSubmitted" && e.order.id === id)
    expect(submitted).toBeDefined()
    const spec = specOf(submitted!.order)
    const derived = machineEvents(events, id, replaces)

    // The engine took the path: its events start with the path's events…
    expect(derived.slice(0, path.events.length).map((e) => e.type)).toEqual(path.events.map((e) => e.type))
    // …which bring the machine to the path's status…
    expect(replay(spec, derived.slice(0, path.events.length)).status).toBe(path.finalStatus)
    // …and the engine's order is where the machine ends on all its events.
    const end = replay(spec, derived)
    expect(end.status).toBe(view.status)
    expect({
      filledQuantity: end.context.filledQuantity,
      averageFillPrice: end.context.averageFillPrice,
      commission: end.context.commission,
      triggered: end.context.triggered,
      reasons: end.context.reasons,
      quantity: end.context.order.quantity,
      limitPrice: end.context.order.limitPrice
    }).toEqual({
      filledQuantity: view.filledQuantity,
      averageFillPrice: view.averageFillPrice,
      commission: view.commission,
      triggered: view.triggered,
      reasons: view.reasons,
      quantity: view.quantity,
      limitPrice: view.limitPrice
    })
    if (path.finalStatus === "pendingCancel" || path.finalStatus === "pendingReplace") {
      // Transient: the engine passes through and confirms within the same call.
      expect(derived.length).toBe(path.events.length + 1)
    } else {
      expect(view.status).toBe(path.finalStatus)
      expect(derived).toHaveLength(path.events.length)
    }
  })
})

describe("cancel and replace requests from the statuses the engine leaves orders in", () => {
  const order = paths[0]!.order
  const resting: ReadonlyArray<OrderStatus> = ["submitted", "accepted", "triggered", "partiallyFilled", "filled", "rejected", "cancelled", "expired"]

  it.each(resting)("%s: the engine allows cancel and replace exactly where the machine does, and ends where the machine confirms", (status) => {
    const all = scenarios(order)
    const key = status as keyof typeof all
    for (const request of ["cancel", "replace"] as const) {
      const { engine, id } = all[key]()
      const before = engine.getOrder(id)
      expect(before.status).toBe(status)
      const state = stateOf(before)
      const changes: ReplaceChanges = { limitPrice: new Decimal(order.limitPrice!).times("1.01").toString() }
      const requestEvent: OrderEvent = request === "cancel" ? { type: "CANCEL_REQUEST" } : { type: "REPLACE_REQUEST", changes }
      const pending = orderTable.step(state.status, state.context, requestEvent)
      const act = () => (request === "cancel" ? engine.cancelOrder(id) : engine.replaceOrder(id, changes))
      if (pending === undefined) {
        // Illegal in the machine: the engine refuses too, and changes nothing.
        expect(finalOrderStatuses.has(status) || (request === "replace" && status === "submitted")).toBe(true)
        const json = JSON.stringify(engine.getOrders())
        expect(act).toThrow(IllegalOrderTransitionError)
        expect(JSON.stringify(engine.getOrders())).toBe(json)
        continue
      }
      expect(pending.status).toBe(request === "cancel" ? "pendingCancel" : "pendingReplace")
      const confirm: OrderEvent = request === "cancel" ? { type: "CANCEL_CONFIRM", reason: "cancelled on request" } : { type: "REPLACE_CONFIRM" }
      const confirmed = orderTable.step(pending.status, pending.context, confirm)
      expect(confirmed).toBeDefined()
      act()
      const after = engine.getOrder(id)
      expect(after.status).toBe(confirmed!.status)
      expect(after.status).toBe(request === "cancel" ? "cancelled" : status)
      if (request === "replace") expect(after.limitPrice).toBe(changes.limitPrice)
    }
  })
})
