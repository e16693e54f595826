/**
 * Session 13 adversarial review of ended orders kept in columns (commits 07c64bd..7ad7be3): the
 * book keeps an order that ended here as its row in an EndedOrderLog, and `#misplaced` and
 * `#byClientId` hold places in the book rather than objects. Everything here goes through the
 * public API. The passing tests pin behaviour that held (it is the behaviour of the tree before the
 * change, 52c6da7, checked by running this same file there and by a differential of random
 * scenarios and hand-made snapshots against it). The two tests under "defects found and fixed"
 * failed on 7ad7be3 (a choice column that threw on its 65,536th value midway through a record; a
 * client order id that led to the order which took its order's place) and pass since 128856e.
 */
import { fc, test } from "@fast-check/vitest"
import { describe, expect, it } from "vitest"
import {
  DuplicateClientOrderIdError,
  IllegalOrderTransitionError,
  type OrderView,
  TradingSimulationEngine,
  UnknownOrderError,
  ValidationError
} from "../../src/index.ts"
import { scenarioArb } from "../../src/testing/index.ts"
import { thrown } from "./fixtures.ts"
import { scenarioOptions, scenarioPlayer } from "./play-scenario.ts"

const DAY = 86_400_000
const T0 = Date.UTC(2024, 0, 1, 15, 0)
const cfg = (symbols: string[] = ["ACME"]) => ({ symbols, initialCapital: "100000000", commissionRate: 0, slippageRate: 0, maxPositionSize: 1, dailyStopLoss: null })
const bar = (p: number) => ({ open: p, high: p + 1, low: p - 1, close: p })
const json = (x: unknown): string => JSON.stringify(x)
/** What a caller can read of the engine's orders, as JSON. */
const ordersState = (e: TradingSimulationEngine): string => json([e.getOrders(), e.snapshot(), e.historyMarks(), e.checkpoint()])

describe("random scenarios: ended orders read back through every door alike", () => {
  test.prop([scenarioArb(25), fc.double({ min: 0, max: 1, noNaN: true })], { numRuns: 30 })(
    "getOrder, getOrderByClientOrderId, getOrders, snapshot and a two-segment checkpoint chain agree; restoring either changes nothing",
    (scenario, where) => {
      const opts = scenarioOptions(scenario)
      const steps = scenario.steps.length
      const split = Math.floor(where * steps)
      const e = new TradingSimulationEngine(scenario.config, opts)
      const play = scenarioPlayer(scenario, e)
      for (let k = 0; k < split; k++) play(k)
      const first = JSON.parse(json(e.checkpoint()))
      for (let k = split; k < steps; k++) play(k)
      const second = JSON.parse(json(e.checkpoint(first.live.history)))
      const views = e.getOrders()
      const snapshot = e.snapshot()
      expect(views.map((v) => v.id)).toEqual(snapshot.orders.map((o) => o.context.order.id))
      for (const v of views) {
        expect(json(e.getOrder(v.id))).toBe(json(v))
        expect(json(e.getOrderByClientOrderId(v.clientOrderId))).toBe(json(v))
      }
      // Every ended order is in the history once, in the order it ended.
      const ended = [...first.history.orders, ...second.history.orders]
      expect(ended.length).toBe(e.historyMarks().orders)
      expect(new Set(ended.map((o) => o.context.order.id)).size).toBe(ended.length)
      expect(ended.map((o) => o.endedTime ?? null)).toEqual([...ended.map((o) => o.endedTime ?? null)].sort((a, b) => (a ?? -Infinity) - (b ?? -Infinity)))
      for (const o of ended) expect(json(o)).toBe(json(snapshot.orders.find((s) => s.context.order.id === o.context.order.id)))
      const chained = TradingSimulationEngine.fromCheckpoint(second.live, [first.history, second.history], opts)
      if (chained instanceof Error) throw chained
      expect(json(chained.snapshot())).toBe(json(snapshot))
      expect(json(chained.getOrders())).toBe(json(views))
      const again = TradingSimulationEngine.fromSnapshot(JSON.parse(json(snapshot)), opts)
      expect(json(again.snapshot())).toBe(json(snapshot))
    }
  )
})

describe("client order ids of ended orders", () => {
  it("an ended order is found by its client order id (or its own id), and its client order id stays taken", () => {
    const e = new TradingSimulationEngine(cfg())
    e.processMarketUpdate({ time: T0, bars: { ACME: bar(100) } })
    const filled = e.submitOrder({ symbol: "ACME", side: "buy", type: "market", quantity: 5, clientOrderId: "mine-1" })
    const cancelled = e.submitOrder({ symbol: "ACME", side: "buy", type: "limit", limitPrice: 50, quantity: 5, clientOrderId: "mine-2", tag: "t" })
    const bare = e.submitOrder({ symbol: "ACME", side: "buy", type: "limit", limitPrice: 50, quantity: 1 })
    e.processMarketUpdate({ time: T0 + 60_000, bars: { ACME: bar(100) } })
    e.cancelOrder(cancelled)
    e.cancelOrder(bare)
    expect(e.getOrderByClientOrderId("mine-1")).toMatchObject({ id: filled, status: "filled", clientOrderId: "mine-1" })
    expect(e.getOrderByClientOrderId("mine-2")).toMatchObject({ id: cancelled, status: "cancelled", tag: "t" })
    expect(e.getOrderByClientOrderId(bare)).toMatchObject({ id: bare, clientOrderId: bare, status: "cancelled" })
    for (const [cid, id] of [
      ["mine-1", filled],
      ["mine-2", cancelled]
    ] as const) {
      const err = thrown(() => e.submitOrder({ symbol: "ACME", side: "buy", type: "market", quantity: 1, clientOrderId: cid }))
      expect(err).toBeInstanceOf(DuplicateClientOrderIdError)
      expect(err).toMatchObject({ clientOrderId: cid, orderId: id })
    }
    // A list is refused as a whole when one of its ids belongs to an ended order.
    const listErr = thrown(() =>
      e.submitOrderList({
        kind: "oco",
        orders: [
          { symbol: "ACME", side: "sell", type: "limit", limitPrice: 200, quantity: 1, clientOrderId: "fresh" },
          { symbol: "ACME", side: "sell", type: "stop", stopPrice: 10, quantity: 1, clientOrderId: "mine-2" }
        ]
      })
    )
    expect(listErr).toBeInstanceOf(DuplicateClientOrderIdError)
    expect(e.getOrders()).toHaveLength(3)
    expect(thrown(() => e.getOrderByClientOrderId("fresh"))).toBeInstanceOf(UnknownOrderError)
    // Restored, the same.
    const r = TradingSimulationEngine.fromSnapshot(JSON.parse(json(e.snapshot())))
    expect(json(r.getOrderByClientOrderId("mine-2"))).toBe(json(e.getOrderByClientOrderId("mine-2")))
    expect(thrown(() => r.submitOrder({ symbol: "ACME", side: "buy", type: "market", quantity: 1, clientOrderId: "mine-1" }))).toBeInstanceOf(DuplicateClientOrderIdError)
  })

  it("cancel and replace of an ended order give the errors they gave before, by id and never by client order id", () => {
    const e = new TradingSimulationEngine(cfg())
    e.processMarketUpdate({ time: T0, bars: { ACME: bar(100) } })
    const f = e.submitOrder({ symbol: "ACME", side: "buy", type: "market", quantity: 5, clientOrderId: "f" })
    const c = e.submitOrder({ symbol: "ACME", side: "buy", type: "limit", limitPrice: 90, quantity: 5, tag: "t" })
    const r = e.submitOrder({ symbol: "ACME", side: "buy", type: "market", quantity: 5e9 })
    e.processMarketUpdate({ time: T0 + 60_000, bars: { ACME: bar(100) } })
    e.cancelOrder(c, "bye")
    const before = ordersState(e)
    for (const [id, status] of [
      [f, "filled"],
      [c, "cancelled"],
      [r, "rejected"]
    ] as const) {
      const cancel = thrown(() => e.cancelOrder(id))
      expect(cancel).toBeInstanceOf(IllegalOrderTransitionError)
      expect(cancel).toMatchObject({ orderId: id, status, event: "CANCEL_REQUEST" })
      const replace = thrown(() => e.replaceOrder(id, { quantity: 1 }))
      expect(replace).toBeInstanceOf(IllegalOrderTransitionError)
      expect(replace).toMatchObject({ orderId: id, status, event: "REPLACE_REQUEST" })
      expect(thrown(() => e.replaceOrder(id, { quantity: -1 }))).toBeInstanceOf(ValidationError)
    }
    expect(thrown(() => e.cancelOrder("f"))).toBeInstanceOf(UnknownOrderError)
    expect(thrown(() => e.getOrder("f"))).toBeInstanceOf(UnknownOrderError)
    expect(ordersState(e)).toBe(before)
  })
})

describe("what a caller is given is a copy", () => {
  it("changing views, snapshots and checkpoints of ended orders changes nothing in the engine", () => {
    const e = new TradingSimulationEngine(cfg())
    e.processMarketUpdate({ time: T0, bars: { ACME: bar(100) } })
    e.submitOrder({ symbol: "ACME", side: "buy", type: "market", quantity: 5, clientOrderId: "a", tag: "x" })
    e.submitOrder({ symbol: "ACME", side: "buy", type: "market", quantity: 5e9 })
    const c = e.submitOrder({ symbol: "ACME", side: "buy", type: "limit", limitPrice: 50, quantity: 2, timeInForce: "gtd", expireAt: T0 + DAY })
    e.processMarketUpdate({ time: T0 + 60_000, bars: { ACME: bar(100) } })
    e.cancelOrder(c, "why")
    const before = ordersState(e)
    const scribble = (o: any) => {
      o.status = "working"
      o.quantity = "999"
      o.reasons?.push?.("scribbled")
      o.clientOrderId = "zzz"
      if (o.context) {
        o.context.reasons.push("scribbled")
        o.context.order.quantity = "999"
        o.context.order.id = "O-999999"
      }
    }
    for (const v of e.getOrders()) scribble(v)
    for (const id of ["O-000001", "O-000002", "O-000003"]) scribble(e.getOrder(id))
    scribble(e.getOrderByClientOrderId("a"))
    for (const o of e.snapshot().orders) scribble(o)
    for (const o of e.checkpoint().history.orders) scribble(o)
    expect(ordersState(e)).toBe(before)
  })
})

describe("hand-made snapshots", () => {
  /** A snapshot of three open orders (limit, gtd limit, trailing stop) and one filled, for a test to change. */
  const base = (): any => {
    const e = new TradingSimulationEngine(cfg())
    e.processMarketUpdate({ time: T0, bars: { ACME: bar(100) } })
    e.submitOrder({ symbol: "ACME", side: "buy", type: "market", quantity: 10 })
    e.submitOrder({ symbol: "ACME", side: "buy", type: "limit", limitPrice: 50, quantity: 2, clientOrderId: "lim" })
    e.submitOrder({ symbol: "ACME", side: "buy", type: "limit", limitPrice: 40, quantity: 3, timeInForce: "gtd", expireAt: T0 + 10 * DAY, tag: "g" })
    e.submitOrder({ symbol: "ACME", side: "buy", type: "trailingStop", trailAmount: "2.5", quantity: 1 })
    e.processMarketUpdate({ time: T0 + 60_000, bars: { ACME: bar(100) } })
    return JSON.parse(json(e.snapshot()))
  }

  it("orders out of their number's place (O-000009 first) and ids not of the engine's form are found, end, and write back as they were", () => {
    const s = base()
    const rename = (i: number, id: string) => {
      const old = s.orders[i].context.order.id
      s.orders[i].context.order.id = id
      if (s.orders[i].context.order.clientOrderId === old) s.orders[i].context.order.clientOrderId = id
      s.pending = s.pending.map((x: string) => (x === old ? id : x))
      s.working = s.working.map((x: string) => (x === old ? id : x))
    }
    rename(0, "O-000009")
    rename(2, "X-1")
    rename(3, "O-0000004")
    s.orderSeq = 9
    const e = TradingSimulationEngine.fromSnapshot(s)
    expect(e.getOrders().map((o) => o.id)).toEqual(["O-000009", "O-000002", "X-1", "O-0000004"])
    for (const id of ["O-000002", "X-1", "O-0000004"]) e.cancelOrder(id, `end ${id}`)
    const n = e.submitOrder({ symbol: "ACME", side: "buy", type: "limit", limitPrice: 1, quantity: 1, clientOrderId: "new" })
    expect(n).toBe("O-000010")
    e.cancelOrder(n)
    for (const id of ["O-000009", "O-000002", "X-1", "O-0000004", "O-000010"]) expect(e.getOrder(id).id).toBe(id)
    expect(thrown(() => e.getOrder("O-000001"))).toBeInstanceOf(UnknownOrderError)
    expect(thrown(() => e.getOrder("O-000004"))).toBeInstanceOf(UnknownOrderError)
    expect(e.getOrder("X-1")).toMatchObject({ status: "cancelled", reasons: ["end X-1"], timeInForce: "gtd", expireAt: T0 + 10 * DAY, tag: "g" })
    expect(e.getOrderByClientOrderId("lim")).toMatchObject({ id: "O-000002", status: "cancelled" })
    expect(e.getOrderByClientOrderId("new")).toMatchObject({ id: "O-000010", status: "cancelled" })
    // Unchanged from before (52c6da7): an order whose own id, not of the engine's form, is its client order id is not found by it.
    expect(thrown(() => e.getOrderByClientOrderId("X-1"))).toBeInstanceOf(UnknownOrderError)
    expect(e.historyMarks().orders).toBe(5)
    const history = e.checkpoint(e.historyMarks()).history
    expect(history.orders).toEqual([])
    const snap = json(e.snapshot())
    const again = TradingSimulationEngine.fromSnapshot(JSON.parse(snap))
    expect(json(again.snapshot())).toBe(snap)
    expect(json(again.getOrders())).toBe(json(e.getOrders()))
    // A gtd order keeps its expiry between its trail and its watermark; the one without has none.
    const keys = (id: string) => Object.keys(e.snapshot().orders.find((o) => o.context.order.id === id)!.context.order)
    expect(keys("X-1").slice(10, 13)).toEqual(["trailPercent", "expireAt", "trailWatermark"])
    expect(keys("O-000002")).not.toContain("expireAt")
  })

  it("numerals the columns cannot hold (more than 30 digits, exponents, trailing zeros) come back as they were restored", () => {
    const s = base()
    const odd = ["1234567890.123456789012345678901", "4e1", "2.50"]
    s.orders[1].context.order.quantity = odd[0]
    s.orders[1].context.order.limitPrice = odd[1]
    s.orders[3].context.order.trailAmount = odd[2]
    const e = TradingSimulationEngine.fromSnapshot(s)
    e.cancelOrder("O-000002")
    e.cancelOrder("O-000004")
    expect(e.getOrder("O-000002")).toMatchObject({ quantity: odd[0], limitPrice: odd[1], status: "cancelled" })
    expect(e.getOrder("O-000004")).toMatchObject({ trailAmount: odd[2], status: "cancelled" })
    const snap = json(e.snapshot())
    expect(json(TradingSimulationEngine.fromSnapshot(JSON.parse(snap)).snapshot())).toBe(snap)
    const history = e.checkpoint().history.orders
    expect(history.map((o) => o.context.order.id)).toEqual(["O-000001", "O-000002", "O-000004"])
    expect(json(history[1]!.context.order)).toBe(json(e.snapshot().orders[1]!.context.order))
    expect(history[1]!.context.order).toMatchObject({ quantity: odd[0], limitPrice: odd[1] })
  })

  it("numerals the engine writes up to 30 digits and beyond, negative and tiny, read back digit for digit", () => {
    const e = new TradingSimulationEngine(cfg())
    e.processMarketUpdate({ time: T0, bars: { ACME: bar(100) } })
    const prices = ["123456789012345.123456789012345", "0.000000000000000000000000000001", "99999999999999.9999999999999999", "0.1", "1000000000000000", "1.000000000000001"]
    const quantities = ["0.00000000000000000000000000001", "999999999999999.999999999999999", "123456789012345", "7", "0.5", "100000000000000.000000000000001"]
    const shown: string[] = []
    prices.forEach((limitPrice, i) => {
      const id = e.submitOrder({ symbol: "ACME", side: "buy", type: "limit", limitPrice, quantity: quantities[i]!, tag: `n${i}` })
      shown.push(json({ ...e.getOrder(id), status: "cancelled", reasons: ["r"], endedTime: T0 }))
      e.cancelOrder(id, "r")
    })
    expect(e.getOrders().map((o) => json(o))).toEqual(shown)
    const snap = json(e.snapshot())
    expect(json(TradingSimulationEngine.fromSnapshot(JSON.parse(snap)).snapshot())).toBe(snap)
  })

  it("a rejected order's code is the last key of its context, read from the columns or restored", () => {
    const e = new TradingSimulationEngine(cfg())
    e.processMarketUpdate({ time: T0, bars: { ACME: bar(100) } })
    e.submitOrder({ symbol: "ACME", side: "buy", type: "market", quantity: 5e9 })
    e.processMarketUpdate({ time: T0 + 60_000, bars: { ACME: bar(100) } })
    const [o] = e.snapshot().orders
    expect(o!.status).toBe("rejected")
    expect(Object.keys(o!.context).at(-1)).toBe("rejectionCode")
    expect(e.getOrder("O-000001")).toMatchObject({ rejectionCode: "maxPositionSize", endedTime: T0 + 60_000 })
    const r = TradingSimulationEngine.fromSnapshot(JSON.parse(json(e.snapshot())))
    expect(json(r.checkpoint().history.orders)).toBe(json(e.checkpoint().history.orders))
  })
})

describe("more ended orders than a column chunk holds (4,096, then 8,192)", () => {
  it("values first written past a chunk boundary, restored and chained across it, read back exactly", () => {
    const e = new TradingSimulationEngine(cfg(["AAA", "BBB"]))
    let t = T0
    const bars = () => ({ AAA: bar(100), BBB: bar(50) })
    e.processMarketUpdate({ time: t, bars: bars() })
    const marks = [{ orders: 0, fills: 0, trades: 0, updates: 0 }]
    const segments: any[] = []
    let k = 0
    const N = 8_400
    while (k < N) {
      for (let j = 0; j < 100 && k < N; j++, k++) {
        const symbol = k % 7 === 0 ? "BBB" : "AAA"
        const side = k % 2 ? "buy" : "sell"
        if (k < 4_200) e.submitOrder({ symbol, side, type: "market", quantity: 1 })
        // Limit prices, tags, long numerals and client order ids appear only in the second chunk; gtd, trailing stops and rejections only in the third.
        else if (k < 8_200) {
          const id = e.submitOrder({ symbol, side: "buy", type: "limit", limitPrice: "12345678901234.5678901234567891", quantity: "0.00000000000000000001", tag: `t${k}`, clientOrderId: `c${k}` })
          if (k % 3 === 0) e.cancelOrder(id, `why ${k}`)
        } else if (k % 3 === 0) e.submitOrder({ symbol, side: "buy", type: "limit", limitPrice: 1, quantity: 1, timeInForce: "gtd", expireAt: t + 1 })
        else if (k % 3 === 1) e.submitOrder({ symbol, side: "buy", type: "trailingStop", trailPercent: "1.5", quantity: 1 })
        else e.submitOrder({ symbol, side: "buy", type: "market", quantity: "1000000000" })
      }
      t += 60_000
      e.processMarketUpdate({ time: t, bars: bars() })
      if (k % 2_100 === 0) {
        segments.push(JSON.parse(json(e.checkpoint(marks.at(-1)!))).history)
        marks.push(e.historyMarks())
      }
    }
    for (const o of e.getOpenOrders()) e.cancelOrder(o.id)
    const last = JSON.parse(json(e.checkpoint(marks.at(-1)!)))
    segments.push(last.history)
    expect(e.historyMarks().orders).toBe(N)
    const views = e.getOrders()
    const statuses = new Set(views.map((v) => v.status))
    expect([...statuses].sort()).toEqual(["cancelled", "expired", "filled", "rejected"])
    for (const id of ["O-004096", "O-004097", "O-004201", "O-008192", "O-008193", "O-008201", "O-008202", "O-008203", "O-008400"]) {
      const v = views[Number(id.slice(2)) - 1]!
      expect(v.id).toBe(id)
      expect(json(e.getOrder(id))).toBe(json(v))
      expect(json(e.getOrderByClientOrderId(v.clientOrderId))).toBe(json(v))
    }
    expect(views[4_200]).toMatchObject({ limitPrice: "12345678901234.5678901234567891", quantity: "0.00000000000000000001", tag: "t4200", clientOrderId: "c4200", reasons: ["why 4200"] })
    expect(views[8_200]).toMatchObject({ type: "trailingStop", trailPercent: "1.5" })
    expect(views[8_201]).toMatchObject({ status: "rejected", rejectionCode: "maxPositionSize" })
    expect(views[8_202]).toMatchObject({ timeInForce: "gtd", status: "expired" })
    const snap = json(e.snapshot())
    const restored = TradingSimulationEngine.fromSnapshot(JSON.parse(snap))
    expect(json(restored.snapshot())).toBe(snap)
    const chained = TradingSimulationEngine.fromCheckpoint(last.live, segments)
    if (chained instanceof Error) throw chained
    expect(json(chained.snapshot())).toBe(snap)
    expect(json(chained.checkpoint().history.orders)).toBe(json(e.checkpoint().history.orders))
  })
})

describe("defects found and fixed", () => {
  // Found by the session 13 review. A ChoiceColumn holds at most 65,535 values; the ended orders' symbol column is one, so the
  // 65,536th distinct symbol among the orders that end throws a RangeError from inside EndedOrderLog.push, after the status,
  // time and id columns have taken their row and before the symbol's has: cancelOrder throws (the order is cancelled all the
  // same), and every order that ends after it is written back from the wrong rows (the next order's symbol, side, quantity and
  // tag are shown against O-065536 in the checkpoint, and O-065537 comes back with symbol null and quantity "0"). Before the
  // change (52c6da7), the ended orders were objects: no error, every record right.
  it("the 65,536th distinct symbol among ended orders neither breaks cancelOrder nor misaligns a later ended order", () => {
    const N = 65_536
    const symbols = Array.from({ length: N }, (_, i) => `S${i}`)
    const e = new TradingSimulationEngine({ symbols, initialCapital: "1000000" })
    const errors: string[] = []
    for (let i = 0; i < N; i++) {
      const id = e.submitOrder({ symbol: symbols[i]!, side: "buy", type: "limit", limitPrice: 1, quantity: 1 })
      const err = thrown(() => e.cancelOrder(id))
      if (err !== undefined) errors.push(`${id} ${String(err)}`)
    }
    const after = e.submitOrder({ symbol: "S7", side: "sell", type: "limit", limitPrice: 2, quantity: 3, tag: "after" })
    e.cancelOrder(after)
    const brief = (o: { context: { order: { id: string; symbol: string; side: string; quantity: string; tag: string | null } } }) => {
      const { id, symbol, side, quantity, tag } = o.context.order
      return `${id} ${symbol} ${side} ${quantity} ${tag}`
    }
    const history = e.checkpoint().history.orders.slice(-2).map(brief)
    const views = e.getOrders().slice(-2).map((v: OrderView) => `${v.id} ${v.symbol} ${v.side} ${v.quantity} ${v.tag}`)
    expect({ errors, history, views }).toEqual({
      errors: [],
      history: ["O-065536 S65535 buy 1 null", "O-065537 S7 sell 3 after"],
      views: ["O-065536 S65535 buy 1 null", "O-065537 S7 sell 3 after"]
    })
  })

  // Found by the session 13 review: when an order of the same id took another's place in the book (a hand-made snapshot
  // with one id twice, or an orderSeq below its orders' numbers, so that the next order is numbered like a restored one),
  // getOrderByClientOrderId gave the order now at the place, whose client order id is another. Keeping the displaced
  // order aside (128856e) left other doors wrong (the session 14 review: a snapshot lost it, a checkpoint chain swapped
  // the two), so such a snapshot is now refused, naming the field: no book ever holds two orders of one id.
  it("a snapshot that would give two orders one id (an orderSeq below its orders' numbers, or one id twice) is refused naming the field", () => {
    const e = new TradingSimulationEngine(cfg())
    e.processMarketUpdate({ time: T0, bars: { ACME: bar(100) } })
    e.submitOrder({ symbol: "ACME", side: "buy", type: "limit", limitPrice: 90, quantity: 5, clientOrderId: "mine" })
    const s = JSON.parse(json(e.snapshot()))
    s.orderSeq = 0
    const lowered = thrown(() => TradingSimulationEngine.fromSnapshot(s))
    expect(lowered).toBeInstanceOf(ValidationError)
    expect((lowered as ValidationError).issues).toEqual([
      { field: "orderSeq", rule: "must be at least 1, the number of orders[0] (O-000001): the engine numbers its next order after it", value: 0 }
    ])
    // The checkpoint's live state goes through the same restore.
    const cp = JSON.parse(json(e.checkpoint()))
    cp.live.orderSeq = 0
    expect(thrown(() => TradingSimulationEngine.fromCheckpoint(cp.live, [cp.history]))).toBeInstanceOf(ValidationError)
    const f = new TradingSimulationEngine(cfg())
    f.processMarketUpdate({ time: T0, bars: { ACME: bar(100) } })
    f.cancelOrder(f.submitOrder({ symbol: "ACME", side: "buy", type: "limit", limitPrice: 90, quantity: 5, clientOrderId: "a" }))
    f.cancelOrder(f.submitOrder({ symbol: "ACME", side: "buy", type: "limit", limitPrice: 80, quantity: 2, clientOrderId: "b" }))
    const snapshotWith = (id: string, orderSeq: number) => {
      const t = JSON.parse(json(f.snapshot()))
      t.orders[1].context.order.id = id
      t.orderSeq = orderSeq
      return t
    }
    const twice = thrown(() => TradingSimulationEngine.fromSnapshot(snapshotWith("O-000001", 2)))
    expect(twice).toBeInstanceOf(ValidationError)
    expect((twice as ValidationError).issues).toEqual([{ field: "orders[1].context.order.id", rule: "must not be the id of an earlier order", value: "O-000001" }])
    // An orderSeq at the orders' numbers, or ids not of the engine's form above it, restore as before.
    s.orderSeq = 1
    expect(TradingSimulationEngine.fromSnapshot(s).getOrderByClientOrderId("mine")).toMatchObject({ clientOrderId: "mine", quantity: "5" })
    const other = TradingSimulationEngine.fromSnapshot(snapshotWith("O-2", 1))
    expect([other.getOrderByClientOrderId("a").id, other.getOrderByClientOrderId("b").id]).toEqual(["O-000001", "O-2"])
    expect(other.submitOrder({ symbol: "ACME", side: "buy", type: "market", quantity: 1 })).toBe("O-000002")
  })
})
