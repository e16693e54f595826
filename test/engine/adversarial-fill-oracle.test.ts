/**
 * The bar fill rules of README "Execution semantics" and "Trailing stops", written out once more as
 * an independent oracle, and compared fill by fill with the engine over random bars, quotes and orders.
 * Orders do not interact here (ample capital, shorting on, no costs, no lists), so each order's
 * fate follows from the rules and the bars alone. Prices are on a coarse integer grid so that
 * the inclusive comparisons (open = limit, high = stop) are hit often.
 */
import { fc, test } from "@fast-check/vitest"
import { describe, expect } from "vitest"
import { type OrderRequest, TradingSimulationEngine } from "../../src/index.ts"
import { frictionless } from "./fixtures.ts"

interface Bar {
  readonly open: number
  readonly high: number
  readonly low: number
  readonly close: number
  /** A bid/ask quote instead of a bar: a buy trades against the ask, a sell the bid, each as a tick; the mark is the mid. */
  readonly quote?: { readonly bid: number; readonly ask: number }
}
type Kind = "market" | "limit" | "stop" | "stopLimit" | "trailingStop"
interface Order {
  readonly kind: Kind
  readonly side: "buy" | "sell"
  readonly a: number
  readonly b: number
  readonly tif: "gtc" | "ioc"
}

const barArb: fc.Arbitrary<Bar> = fc
  .tuple(fc.integer({ min: 95, max: 105 }), fc.integer({ min: 95, max: 105 }), fc.nat(3), fc.nat(3))
  .map(([open, close, up, down]) => ({ open, close, high: Math.max(open, close) + up, low: Math.min(open, close) - down }))
const orderArb: fc.Arbitrary<Order> = fc.record({
  kind: fc.constantFrom<Kind>("market", "limit", "stop", "stopLimit", "trailingStop"),
  side: fc.constantFrom("buy" as const, "sell" as const),
  a: fc.integer({ min: 94, max: 106 }),
  b: fc.integer({ min: -2, max: 2 }),
  tif: fc.constantFrom("gtc" as const, "ioc" as const)
})
const quoteArb: fc.Arbitrary<Bar> = fc.tuple(fc.integer({ min: 95, max: 105 }), fc.nat(2)).map(([bid, spread]) => {
  const mid = bid + spread / 2
  return { open: mid, high: mid, low: mid, close: mid, quote: { bid, ask: bid + spread } }
})
const stepArb = fc.record({ orders: fc.array(orderArb, { maxLength: 2 }), bar: fc.oneof({ weight: 3, arbitrary: barArb }, quoteArb) })
/** What one side trades against on an update: the bar, or its side of the quote as a tick. */
const sideOf = (bar: Bar, buy: boolean): Bar => {
  if (bar.quote === undefined) return bar
  const p = buy ? bar.quote.ask : bar.quote.bid
  return { open: p, high: p, low: p, close: p }
}

const request = (o: Order): OrderRequest => {
  const base = { symbol: "ACME", side: o.side, quantity: 1, timeInForce: o.tif } as const
  switch (o.kind) {
    case "market":
      return { ...base, type: "market" }
    case "limit":
      return { ...base, type: "limit", limitPrice: o.a }
    case "stop":
      return { ...base, type: "stop", stopPrice: o.a }
    case "stopLimit":
      return { ...base, type: "stopLimit", stopPrice: o.a, limitPrice: o.a + o.b }
    case "trailingStop":
      return { ...base, type: "trailingStop", trailAmount: Math.abs(o.b) + 1 }
  }
}

/** One order under the README's rules, update by update: `match` says at what price it fills on a bar, or null, and moves its state. */
const ruled = (first: Order, mark: number, trailBy: "extremes" | "close") => {
  let o = first
  const buy = o.side === "buy"
  const limitFill = (bar: Bar, limit: number): number | null =>
    buy ? (bar.open <= limit ? bar.open : bar.low <= limit ? limit : null) : bar.open >= limit ? bar.open : bar.high >= limit ? limit : null
  let triggered = false
  let watermark = mark
  /** The fill on this bar, or null; with `dryRun`, nothing moves. `replaced`: the order as replaced before this bar. */
  return (whole: Bar, dryRun = false, replaced: Order = o): number | null => {
    o = replaced
    const amount = Math.abs(o.b) + 1
    const bar = sideOf(whole, buy)
    let fill: number | null = null
    const wasTriggered = triggered
    const wasWatermark = watermark
    if (o.kind === "market") fill = bar.open
    else if (o.kind === "limit") fill = limitFill(bar, o.a)
    else {
      const stop = o.kind === "trailingStop" ? (buy ? watermark + amount : watermark - amount) : o.a
      if (triggered) fill = o.kind === "stopLimit" ? limitFill(bar, o.a + o.b) : bar.open
      else {
        const gapped = buy ? bar.open >= stop : bar.open <= stop
        const reached = gapped || (buy ? bar.high >= stop : bar.low <= stop)
        if (reached) {
          triggered = true
          if (o.kind !== "stopLimit") fill = gapped ? bar.open : stop
          else {
            const limit = o.a + o.b
            fill = gapped ? limitFill(bar, limit) : (buy ? stop <= limit : stop >= limit) ? stop : null
          }
        }
      }
      if (fill === null && !triggered && o.kind === "trailingStop") {
        const seen = trailBy === "close" ? bar.close : buy ? bar.low : bar.high
        watermark = buy ? Math.min(watermark, seen) : Math.max(watermark, seen)
      }
    }
    if (dryRun) {
      triggered = wasTriggered
      watermark = wasWatermark
    }
    return fill
  }
}

/** The README's rules for one order: the update index and price it fills at, or null. */
const oracle = (o: Order, submittedAfter: number, bars: ReadonlyArray<Bar>, trailBy: "extremes" | "close"): string | null => {
  const match = ruled(o, bars[submittedAfter]!.close, trailBy)
  for (let i = submittedAfter + 1; i < bars.length; i++) {
    const fill = match(bars[i]!)
    if (fill !== null) return `${i} ${fill}`
    if (o.tif === "ioc") return null
  }
  return null
}

describe("the engine's bar fills are the README's rules", () => {
  test.prop([fc.array(stepArb, { minLength: 1, maxLength: 12 }), fc.constantFrom("extremes" as const, "close" as const)], { numRuns: 200 })(
    "every order fills where and when the rules say, or not at all",
    (steps, trailBy) => {
      const e = new TradingSimulationEngine(frictionless(["ACME"], { enableShorting: true, initialCapital: "100000000", trailBy }))
      const bars: Bar[] = [{ open: 100, high: 100, low: 100, close: 100 }]
      e.processMarketUpdate({ bars: { ACME: bars[0]! } })
      const placed: { id: string; order: Order; after: number }[] = []
      for (const step of steps) {
        for (const order of step.orders) placed.push({ id: e.submitOrder(request(order)), order, after: bars.length - 1 })
        bars.push(step.bar)
        const { quote, ...ohlc } = step.bar
        e.processMarketUpdate(quote === undefined ? { bars: { ACME: ohlc } } : { quotes: { ACME: quote } })
      }
      for (const { id, order, after } of placed) {
        const fill = e.getFills().find((f) => f.orderId === id)
        const got = fill === undefined ? null : `${fill.updateIndex - 1} ${fill.price}`
        expect(got, `${id}: ${JSON.stringify(order)} after bar ${after}`).toBe(oracle(order, after, bars, trailBy))
      }
    }
  )
})

/** How far along the adaptive path (open, the nearer extreme, the high on a tie, the other, the close) a price is first reached. */
const pathAt = (bar: Bar, p: number): number => {
  const path = bar.high - bar.open <= bar.open - bar.low ? [bar.open, bar.high, bar.low, bar.close] : [bar.open, bar.low, bar.high, bar.close]
  for (let leg = 0; leg < 3; leg++) {
    const [from, to] = [path[leg]!, path[leg + 1]!]
    if (p >= Math.min(from, to) && p <= Math.max(from, to)) return leg + (from === to ? 0 : Math.abs(p - from) / Math.abs(to - from))
  }
  return 3
}

describe("an OCO group on bars, intrabarPath adaptive: the first level the path touches fills, the rest are cancelled", () => {
  const ocoArb = fc.array(orderArb.map((o) => ({ ...o, tif: "gtc" as const })), { minLength: 2, maxLength: 3 })
  test.prop([ocoArb, fc.array(barArb, { minLength: 1, maxLength: 8 }), fc.constantFrom("extremes" as const, "close" as const)], { numRuns: 200 })(
    "the member the README's path picks, at its price, on its bar",
    (members, bars, trailBy) => {
      const e = new TradingSimulationEngine(frictionless(["ACME"], { enableShorting: true, initialCapital: "100000000", trailBy }))
      e.processMarketUpdate({ bars: { ACME: { open: 100, high: 100, low: 100, close: 100 } } })
      const { orderIds } = e.submitOrderList({ kind: "oco", orders: members.map(request) })
      for (const bar of bars) e.processMarketUpdate({ bars: { ACME: bar } })
      const matchers = members.map((m) => ruled(m, 100, trailBy))
      let expected: string | null = null
      for (let i = 0; i < bars.length && expected === null; i++) {
        const bar = bars[i]!
        const fills = matchers.map((match) => match(bar, true))
        let winner = -1
        fills.forEach((f, k) => {
          if (f !== null && (winner === -1 || pathAt(bar, f) < pathAt(bar, fills[winner]!))) winner = k
        })
        if (winner === -1) matchers.forEach((match) => match(bar))
        else expected = `${orderIds[winner]} on bar ${i + 1} at ${fills[winner]}`
      }
      const got = e.getFills().map((f) => `${f.orderId} on bar ${f.updateIndex - 1} at ${f.price}`)
      expect(got, JSON.stringify({ members, bars })).toEqual(expected === null ? [] : [expected])
    }
  )
})

describe("replaced orders fill by their new prices from the next update", () => {
  const replaceArb = fc.record({ pick: fc.nat(), a: fc.integer({ min: 94, max: 106 }), b: fc.integer({ min: -2, max: 2 }) })
  const replacingStepArb = fc.record({ orders: fc.array(orderArb.map((o) => ({ ...o, tif: "gtc" as const })), { maxLength: 2 }), replaces: fc.array(replaceArb, { maxLength: 2 }), bar: barArb })
  test.prop([fc.array(replacingStepArb, { minLength: 1, maxLength: 12 })], { numRuns: 200 })("limit, stop and trailing-stop replaces, checked against the oracle", (steps) => {
    const e = new TradingSimulationEngine(frictionless(["ACME"], { enableShorting: true, initialCapital: "100000000" }))
    const bars: Bar[] = [{ open: 100, high: 100, low: 100, close: 100 }]
    e.processMarketUpdate({ bars: { ACME: bars[0]! } })
    const placed: { id: string; order: Order; after: number; changes: Map<number, Order> }[] = []
    for (const step of steps) {
      for (const r of step.replaces) {
        const open = placed.filter((p) => p.order.kind !== "market" && p.order.kind !== "stopLimit" && e.getOrder(p.id).status === "accepted")
        const target = open[r.pick % Math.max(open.length, 1)]
        if (target === undefined) continue
        const latest = [...target.changes.values()].at(-1) ?? target.order
        const next = { ...latest, a: r.a, b: r.b }
        const change = target.order.kind === "limit" ? { limitPrice: next.a } : target.order.kind === "stop" ? { stopPrice: next.a } : { trailAmount: Math.abs(next.b) + 1 }
        if (e.replaceOrder(target.id as never, change).replaced) target.changes.set(bars.length, next)
      }
      for (const order of step.orders) placed.push({ id: e.submitOrder(request(order)), order, after: bars.length - 1, changes: new Map() })
      bars.push(step.bar)
      e.processMarketUpdate({ bars: { ACME: step.bar } })
    }
    for (const { id, order, after, changes } of placed) {
      const match = ruled(order, bars[after]!.close, "extremes")
      let expected: string | null = null
      let current = order
      for (let i = after + 1; i < bars.length && expected === null; i++) {
        current = changes.get(i) ?? current
        const fill = match(bars[i]!, false, current)
        if (fill !== null) expected = `${i} ${fill}`
      }
      const fill = e.getFills().find((f) => f.orderId === id)
      expect(fill === undefined ? null : `${fill.updateIndex - 1} ${fill.price}`, `${id}: ${JSON.stringify({ order, changes: [...changes] })}`).toBe(expected)
    }
  })
})
