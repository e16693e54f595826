/**
 * Session 14 adversarial review of the history columns and the book's client order ids (commits
 * 128856e, 8ee689e): DecimalColumn.push reads through a cache of the last 8 numerals shared by every
 * decimal column of the process, a ChoiceColumn past 65,534 values keeps the rest beside its places,
 * and (section 3) a restore that would give two orders one id, which the review found each door lost
 * differently, is refused. Sections 1 and 2 pin what held (the same as 52c6da7 / 7ad7be3 on every
 * differential run during the review).
 */
import { fc, test } from "@fast-check/vitest"
import { describe, expect, it } from "vitest"
import { ChoiceColumn, DecimalColumn } from "../../src/engine/history/columns.ts"
import { TradingSimulationEngine, ValidationError } from "../../src/index.ts"
import { scenarioArb } from "../../src/testing/index.ts"
import { thrown } from "./fixtures.ts"
import { scenarioOptions, scenarioPlayer } from "./play-scenario.ts"

const T0 = Date.UTC(2024, 0, 1, 15, 0)
const MIN = 60_000
const cfg = (symbols: string[] = ["ACME"]) => ({ symbols, initialCapital: "100000000", commissionRate: 0, slippageRate: 0, maxPositionSize: 1, dailyStopLoss: null })
const bar = (p: number) => ({ open: p, high: p + 1, low: p - 1, close: p })
const json = (x: unknown): string => JSON.stringify(x)
/** A copy of a string that is another object of the same content (not interned, not a slice of the same pointer). */
const copyOf = (s: string): string => [...s].join("")

// ── 1. Decimal columns and the shared cache of numerals ─────────────────────────────────────────

const digits = (n: number) => fc.array(fc.constantFrom(..."0123456789"), { minLength: n, maxLength: n }).map((a) => a.join(""))
/** Numerals of the form and just outside it: 1–33 digits (15/16/30/31 among them), any scale, negative or not, leading zeros, trailing zeros. */
const numeral = fc.oneof(
  fc
    .tuple(fc.boolean(), fc.constantFrom(1, 2, 14, 15, 16, 17, 29, 30, 31, 32), fc.integer({ min: 0, max: 32 }))
    .chain(([neg, n, scale]) => digits(n).map((d) => (neg ? "-" : "") + (scale >= d.length || scale === 0 ? d : `${d.slice(0, d.length - scale)}.${d.slice(d.length - scale)}`))),
  fc.constantFrom("0", "-0", "0.0", "-0.0", "1.50", "1.5", "-1.5", "1e5", "1E5", "00", "01", "-01", ".5", "5.", "-", "", "+1", " 1", "1 ", "Infinity", "NaN", "0x10", "1.2.3", "١٢", "0.000000000000000000000000000001", "0.0000000000000000000000000000001", "123456789012345", "1234567890123456", "-999999999999999.999999999999999", "999999999999999999999999999999", "9999999999999999999999999999999"),
  fc.double({ noNaN: true }).map(String),
  fc.bigInt({ min: -(10n ** 35n), max: 10n ** 35n }).map(String),
  fc.constant(null)
)

describe("decimal columns read through the shared cache", () => {
  test.prop([fc.array(fc.tuple(fc.nat(7), numeral, fc.boolean()), { maxLength: 400 })], { numRuns: 400 })(
    "eight columns pushed in any interleaving give back every value pushed, digit for digit, whether the string is the same object or a copy",
    (ops) => {
      const columns = Array.from({ length: 8 }, () => new DecimalColumn())
      const pushed: Array<Array<string | null>> = columns.map(() => [])
      for (const [c, value, copy] of ops) {
        columns[c]!.push(value === null || !copy ? value : copyOf(value))
        pushed[c]!.push(value)
        expect(columns[c]!.at(pushed[c]!.length - 1)).toBe(value)
      }
      columns.forEach((column, c) => {
        expect(column.length).toBe(pushed[c]!.length)
        expect(Array.from({ length: column.length }, (_, row) => column.at(row))).toEqual(pushed[c])
      })
    }
  )

  it("a string kept as text right after a numeral of the same digits was cached is still text, and the cached numeral still a number", () => {
    const a = new DecimalColumn()
    const b = new DecimalColumn()
    const seq = ["1.5", "1.50", "1.5", "-0", "0", "-0", "15", "1e1", "15", "-1.5", "-1.50", "-1.5", "0.1", "00.1", ".1", "0.1"]
    for (const [i, s] of seq.entries()) (i % 2 ? a : b).push(copyOf(s))
    const back = seq.map((_, i) => (i % 2 ? a : b).at(Math.floor(i / 2)))
    expect(back).toEqual(seq)
    // Exactly the strings outside the form are kept as text: 1.50, -0 twice, 1e1, -1.50, 00.1, .1.
    expect(a.textCount + b.textCount).toBe(7)
  })

  it("nine numerals evict the first from the cache: written again, it is read afresh and comes back the same in every column", () => {
    const columns = Array.from({ length: 3 }, () => new DecimalColumn())
    const values = ["123456789012345.6", "-0.000000000000001", "1000000000000000", "99999999999999.9999999999999999", "7", "-7", "0.7", "70", "1.000000000000001"]
    const want: string[][] = [[], [], []]
    for (let round = 0; round < 5; round++)
      for (const [i, v] of values.entries()) {
        const c = (i + round) % 3
        columns[c]!.push(round % 2 ? copyOf(v) : v)
        want[c]!.push(v)
      }
    columns.forEach((col, c) => expect(Array.from({ length: col.length }, (_, r) => col.at(r))).toEqual(want[c]))
    expect(columns.reduce((n, col) => n + col.textCount, 0)).toBe(0)
  })

  it("a null between numerals and 5,000 rows past a chunk boundary: every row is the value pushed", () => {
    const cols = [new DecimalColumn(), new DecimalColumn()]
    const want: Array<Array<string | null>> = [[], []]
    const pool = [null, "0", "1.25", "-3", "123456789012345678901234567890", "-12345678901234.5678901234567891", "1.2500", null, "2.5"]
    for (let i = 0; i < 9_000; i++) {
      const c = (i * 7) % 2
      const v = pool[(i * i) % pool.length]!
      cols[c]!.push(v)
      want[c]!.push(v)
    }
    cols.forEach((col, c) => expect(Array.from({ length: col.length }, (_, r) => col.at(r))).toEqual(want[c]))
  })
})

/** What a caller reads of the history, as JSON. */
const history = (e: TradingSimulationEngine): string => json([e.getFills(), e.getTrades(), e.getOrders(), e.snapshot(), e.checkpoint()])

describe("engines side by side share the cache and still read back their own values", () => {
  test.prop([scenarioArb(20), scenarioArb(20), scenarioArb(20)], { numRuns: 15 })(
    "three engines interleaved step by step, and a fourth restored mid-way from the first's snapshot, give the history each gives run alone",
    (a, b, c) => {
      const view = (e: TradingSimulationEngine) => json([e.getFills(), e.getTrades(), e.getOrders(), e.snapshot()])
      const alone = [a, b, c].map((s) => {
        const e = new TradingSimulationEngine(s.config, scenarioOptions(s))
        const play = scenarioPlayer(s, e)
        for (let k = 0; k < s.steps.length; k++) play(k)
        return { all: history(e), view: view(e) }
      })
      const engines = [a, b, c].map((s) => new TradingSimulationEngine(s.config, scenarioOptions(s)))
      const plays = [a, b, c].map((s, i) => scenarioPlayer(s, engines[i]!))
      const steps = Math.max(a.steps.length, b.steps.length, c.steps.length)
      const half = Math.floor(a.steps.length / 2)
      let restored: TradingSimulationEngine | null = null
      let playRestored: ((k: number) => void) | null = null
      for (let k = 0; k < steps; k++) {
        if (k === half) {
          restored = TradingSimulationEngine.fromSnapshot(JSON.parse(json(engines[0]!.snapshot())), scenarioOptions(a))
          playRestored = scenarioPlayer(a, restored, half, [...plays[0]!.ids])
        }
        plays.forEach((p) => p(k))
        playRestored?.(k)
      }
      engines.forEach((e, i) => expect(history(e)).toBe(alone[i]!.all))
      if (restored !== null) expect(view(restored)).toBe(alone[0]!.view)
    }
  )

  test.prop(
    [
      fc.array(
        fc.record({
          engine: fc.nat(1),
          side: fc.constantFrom("buy" as const, "sell" as const),
          quantity: fc.tuple(fc.integer({ min: 1, max: 999_999 }), fc.nat(12)).map(([n, s]) => (s === 0 ? String(n) : (n / 10 ** s).toFixed(s).replace(/\.?0+$/, "") || "1")),
          price: fc.tuple(fc.integer({ min: 1, max: 10 ** 9 }), fc.nat(7)).map(([n, s]) => n / 10 ** s + 50),
          limit: fc.boolean()
        }),
        { minLength: 1, maxLength: 40 }
      )
    ],
    { numRuns: 25 }
  )("fills, ended orders and closed trades of two interleaved engines (long numerals, commissions of many digits) read back as the events gave them, restored or not", (orders) => {
    const make = (rate: number) =>
      new TradingSimulationEngine({ symbols: ["ACME"], initialCapital: "1000000000000", commissionRate: rate, slippageRate: 0.0001234567, maxPositionSize: 1, dailyStopLoss: null })
    const engines = [make(0.00012345678901), make(0.0000001)]
    const seen = engines.map(() => ({ fills: [] as string[], ended: new Map<string, string>() }))
    engines.forEach((e, i) => {
      e.on("orderFilled", (ev) => {
        seen[i]!.fills.push(json(ev.fill))
        seen[i]!.ended.set(ev.order.id, json(ev.order))
      })
      e.on("orderPartiallyFilled", (ev) => seen[i]!.fills.push(json(ev.fill)))
      for (const k of ["orderCancelled", "orderRejected", "orderExpired"] as const) e.on(k, (ev) => seen[i]!.ended.set(ev.order.id, json(ev.order)))
      e.processMarketUpdate({ time: T0, bars: { ACME: bar(100) } })
    })
    const closedAt: string[][] = [[], []]
    let t = T0
    for (const o of orders) {
      const e = engines[o.engine]!
      const p = Number(o.price.toFixed(7))
      e.submitOrder(o.limit ? { symbol: "ACME", side: o.side, type: "limit", limitPrice: String(p), quantity: o.quantity } : { symbol: "ACME", side: o.side, type: "market", quantity: o.quantity })
      t += MIN
      e.processMarketUpdate({ time: t, bars: { ACME: { open: p, high: p + 0.5, low: p - 0.5, close: p } } })
      for (const x of e.getOpenOrders()) e.cancelOrder(x.id, `gone ${x.id}`)
      closedAt[o.engine]!.push(json(e.getTrades().filter((tr) => !tr.open)))
    }
    engines.forEach((e, i) => {
      expect(e.getFills().map((f) => json(f))).toEqual(seen[i]!.fills)
      for (const [id, view] of seen[i]!.ended) expect(json(e.getOrder(id))).toBe(view)
      // Closed trades only grow: every earlier list is a prefix of the last.
      const closed = e.getTrades().filter((tr) => !tr.open)
      for (const earlier of closedAt[i]!) expect(json(closed.slice(0, JSON.parse(earlier).length))).toBe(earlier)
      const snap = json(e.snapshot())
      const r = TradingSimulationEngine.fromSnapshot(JSON.parse(snap))
      expect(json(r.snapshot())).toBe(snap)
      expect(r.getFills().map((f) => json(f))).toEqual(seen[i]!.fills)
      const cp = JSON.parse(json(e.checkpoint()))
      const c = TradingSimulationEngine.fromCheckpoint(cp.live, [cp.history])
      if (c instanceof Error) throw c
      expect(json(c.snapshot())).toBe(snap)
      for (const [id, view] of seen[i]!.ended) expect(json(c.getOrder(id))).toBe(view)
    })
  })
})

// ── 2. Choice columns past 65,534 values ───────────────────────────────────────────────────────

describe("choice columns past 65,534 values", () => {
  it("values beyond the set, seen again, interleaved with nulls and values that have a place, read back in every column", () => {
    const cols = [new ChoiceColumn<string>(), new ChoiceColumn<string>()]
    const want: Array<Array<string | null>> = [[], []]
    const push = (c: number, v: string | null) => {
      cols[c]!.push(v)
      want[c]!.push(v)
    }
    for (let i = 0; i < 65_534; i++) push(0, `v${i}`)
    // Column 0's set is now full; column 1's is not.
    const beyond = ["w0", "__proto__", "", "constructor", "w1", "w0", "v0", "v65533", null, "w1", "hasOwnProperty", "v1"]
    for (let r = 0; r < 3; r++) for (const v of beyond) push(0, v), push(1, v)
    for (let i = 0; i < 5_000; i++) push(0, i % 3 === 0 ? null : i % 3 === 1 ? `w${i % 50}` : `v${(i * 13) % 65_534}`)
    cols.forEach((col, c) => {
      expect(col.length).toBe(want[c]!.length)
      const back = Array.from({ length: col.length }, (_, r) => col.at(r))
      expect(back.filter((v, r) => v !== want[c]![r]).length).toBe(0)
    })
  })

  it("an engine of 65,537 symbols: fills, closed trades and ended orders of every symbol read back, restored from a checkpoint chain whose segments meet inside the first 65,537 fills", () => {
    const N = 65_537
    const symbols = Array.from({ length: N }, (_, i) => `S${i}`)
    const e = new TradingSimulationEngine({ symbols, initialCapital: "1000000000", commissionRate: 0, slippageRate: 0, maxPositionSize: 1, dailyStopLoss: null })
    const bars = Object.fromEntries(symbols.map((s) => [s, bar(10)]))
    e.processMarketUpdate({ time: T0, bars })
    for (const s of symbols) e.submitOrder({ symbol: s, side: "buy", type: "market", quantity: 1 })
    e.processMarketUpdate({ time: T0 + MIN, bars })
    const first = JSON.parse(json(e.checkpoint()))
    for (const s of symbols) e.submitOrder({ symbol: s, side: "sell", type: "market", quantity: 1 })
    e.processMarketUpdate({ time: T0 + 2 * MIN, bars })
    // The last symbols again, past the full set: S65536 buys and sells again, S0 too.
    for (const s of ["S65536", "S0", "S65535"]) e.submitOrder({ symbol: s, side: "buy", type: "market", quantity: 2, tag: `again ${s}` })
    e.processMarketUpdate({ time: T0 + 3 * MIN, bars })
    for (const s of ["S65536", "S0"]) e.submitOrder({ symbol: s, side: "sell", type: "market", quantity: 2 })
    e.processMarketUpdate({ time: T0 + 4 * MIN, bars })
    const fills = e.getFills()
    const trades = e.getTrades().filter((t) => !t.open)
    const orders = e.getOrders()
    expect(fills.length).toBe(2 * N + 5)
    expect(trades.length).toBe(N + 2)
    const symbolOf = (i: number) => symbols[i % N]!
    for (let i = 0; i < 2 * N; i++) {
      const f = fills[i]!
      if (f.symbol !== symbolOf(i) || f.orderId !== `O-${String(i + 1).padStart(6, "0")}` || f.side !== (i < N ? "buy" : "sell")) throw new Error(`fill ${i}: ${json(f)}`)
      if (orders[i]!.symbol !== symbolOf(i) || orders[i]!.status !== "filled") throw new Error(`order ${i}: ${json(orders[i])}`)
    }
    for (let i = 0; i < N; i++) if (trades[i]!.symbol !== symbolOf(i) || trades[i]!.id !== `T-${String(i + 1).padStart(6, "0")}`) throw new Error(`trade ${i}: ${json(trades[i])}`)
    expect(fills.slice(-5).map((f) => `${f.symbol} ${f.side} ${f.quantity}`)).toEqual(["S65536 buy 2", "S0 buy 2", "S65535 buy 2", "S65536 sell 2", "S0 sell 2"])
    expect(trades.slice(-2).map((t) => `${t.symbol} ${t.quantity}`)).toEqual(["S65536 2", "S0 2"])
    expect(orders.slice(-5).map((o) => `${o.symbol} ${o.tag}`)).toEqual(["S65536 again S65536", "S0 again S0", "S65535 again S65535", "S65536 null", "S0 null"])
    const second = JSON.parse(json(e.checkpoint(first.live.history)))
    const chained = TradingSimulationEngine.fromCheckpoint(second.live, [first.history, second.history])
    if (chained instanceof Error) throw chained
    // Restored through assembleSnapshot and fromSnapshot: every log rebuilt from its records.
    expect(json(chained.getOrders())).toBe(json(orders))
    expect(json(chained.getFills())).toBe(json(fills))
    expect(json(chained.getTrades())).toBe(json(e.getTrades()))
    // The restored engines go on past the full set alike.
    for (const x of [e, chained]) {
      x.submitOrder({ symbol: "S65534", side: "buy", type: "market", quantity: 1, clientOrderId: "late" })
      x.processMarketUpdate({ time: T0 + 5 * MIN, bars: { S65534: bar(11), S1: bar(11) } })
    }
    const tail = (x: TradingSimulationEngine) => json([x.getFills().slice(-3), x.getOrderByClientOrderId("late"), x.checkpoint(second.live.history).history])
    expect(tail(chained)).toBe(tail(e))
  }, 60_000)
})

// ── 3. No two orders of one id ──────────────────────────────────────────────────────────────────
// The review found that an order displaced by another of its id (an orderSeq lowered below a working order's number, so
// that the next order took its id) was lost differently by each door: snapshot() left it out, a checkpoint chain swapped
// the two (assembleSnapshot sorts ended orders by number, a stable sort that keeps their ending order). Such a snapshot
// is now refused at restore, naming the field, so no book holds two orders of one id.

/** The snapshot of an engine with a working limit order "a" (O-000001, buy 5 at 90), as JSON. */
const withWorkingOrder = (): string => {
  const e = new TradingSimulationEngine(cfg())
  e.processMarketUpdate({ time: T0, bars: { ACME: bar(100) } })
  e.submitOrder({ symbol: "ACME", side: "buy", type: "limit", limitPrice: 90, quantity: 5, clientOrderId: "a" })
  e.processMarketUpdate({ time: T0 + MIN, bars: { ACME: bar(100) } })
  return json(e.snapshot())
}

const refusal = (f: () => unknown): unknown => {
  const error = thrown(f)
  return error instanceof ValidationError ? error.issues : error
}

describe("a restore that would give two orders one id is refused", () => {
  it("an orderSeq lowered below a working order's number: fromSnapshot and fromCheckpoint refuse it naming orderSeq", () => {
    const s = JSON.parse(withWorkingOrder())
    s.orderSeq = 0
    expect(refusal(() => TradingSimulationEngine.fromSnapshot(s))).toEqual([
      { field: "orderSeq", rule: "must be at least 1, the number of orders[0] (O-000001): the engine numbers its next order after it", value: 0 }
    ])
    const e = TradingSimulationEngine.fromSnapshot(JSON.parse(withWorkingOrder()))
    e.cancelOrder("O-000001")
    const cp = JSON.parse(json(e.checkpoint()))
    cp.live.orderSeq = 0
    expect(refusal(() => TradingSimulationEngine.fromCheckpoint(cp.live, [cp.history]))).toEqual([
      { field: "orderSeq", rule: "must be at least 1, the number of orders[0] (O-000001): the engine numbers its next order after it", value: 0 }
    ])
  })

  it("three orders of one id in a hand-made snapshot: the second is named; an id of another form (O-1) is not the engine's O-000001", () => {
    const f = new TradingSimulationEngine(cfg())
    f.processMarketUpdate({ time: T0, bars: { ACME: bar(100) } })
    f.submitOrder({ symbol: "ACME", side: "buy", type: "limit", limitPrice: 90, quantity: 5, clientOrderId: "a" })
    f.submitOrder({ symbol: "ACME", side: "buy", type: "limit", limitPrice: 80, quantity: 2 })
    f.submitOrder({ symbol: "ACME", side: "buy", type: "limit", limitPrice: 70, quantity: 3, clientOrderId: "c" })
    f.processMarketUpdate({ time: T0 + MIN, bars: { ACME: bar(100) } })
    f.cancelOrder("O-000001")
    f.cancelOrder("O-000002")
    const made = json(f.snapshot())
    const t = JSON.parse(made)
    t.orders[1].context.order.id = "O-000001"
    t.orders[1].context.order.clientOrderId = "O-000001"
    t.orders[2].context.order.id = "O-000001"
    t.working = ["O-000001"]
    expect(refusal(() => TradingSimulationEngine.fromSnapshot(t))).toEqual([{ field: "orders[1].context.order.id", rule: "must not be the id of an earlier order", value: "O-000001" }])
    const u = JSON.parse(made)
    u.orders[1].context.order.id = "O-1"
    u.orders[1].context.order.clientOrderId = "O-1"
    const r = TradingSimulationEngine.fromSnapshot(u)
    expect([r.getOrder("O-1").status, r.getOrder("O-000001").clientOrderId, r.getOrderByClientOrderId("c").id]).toEqual(["cancelled", "a", "O-000003"])
    expect(r.submitOrder({ symbol: "ACME", side: "buy", type: "market", quantity: 1 })).toBe("O-000004")
  })

  test.prop([scenarioArb(25), fc.double({ min: 0.3, max: 0.9, noNaN: true }), fc.integer({ min: 1, max: 6 })], { numRuns: 40 })(
    "random scenarios restored with orderSeq lowered: refused exactly when an order is numbered above it; otherwise the restore goes on as the original",
    (scenario, where, lower) => {
      const opts = scenarioOptions(scenario)
      const e = new TradingSimulationEngine(scenario.config, opts)
      const play = scenarioPlayer(scenario, e)
      const split = Math.floor(where * scenario.steps.length)
      for (let k = 0; k < split; k++) play(k)
      const made = json(e.snapshot())
      const s = JSON.parse(made)
      s.orderSeq = Math.max(0, s.orderSeq - lower)
      const numbers = s.orders.map((o: { context: { order: { id: string } } }) => Number(o.context.order.id.slice(2)))
      const above = numbers.findIndex((n: number) => n > s.orderSeq)
      const issues = refusal(() => TradingSimulationEngine.fromSnapshot(s, opts))
      if (above < 0) expect(json(TradingSimulationEngine.fromSnapshot(s, opts).getOrders())).toBe(json(e.getOrders()))
      else expect(issues).toEqual([{ field: "orderSeq", rule: `must be at least ${numbers[above]}, the number of orders[${above}] (${s.orders[above].context.order.id}): the engine numbers its next order after it`, value: s.orderSeq }])
      // Refused or not, the caller's snapshot is as it was given, and the engine it came from goes on.
      const original = JSON.parse(made)
      original.orderSeq = s.orderSeq
      expect(json(s)).toBe(json(original))
      for (let k = split; k < scenario.steps.length; k++) play(k)
    }
  )
})
