/**
 * The running sums over the working orders (src/engine/working-totals.ts) are exact, whatever
 * the order of the orders that came and went: a snapshot restores them by summing the orders
 * still working, so a sum that rounded (40 significant digits) once would leave the uninterrupted
 * run and the restored one with different buying power. (Found by the orders' snapshot property
 * in CI: a slippage rate of 5e-40 gave reservations whose sum needs 43 digits.) A fill group (an
 * OCO group, a bracket's children) counts once, by its largest member, kept as members change.
 */
import { fc, test } from "@fast-check/vitest"
import { describe, expect, it } from "vitest"
import { Decimal, ZERO } from "../../src/domain/decimal.ts"
import type { OrderSide } from "../../src/domain/order.ts"
import type { OrderList } from "../../src/engine/order-book.ts"
import type { OrderEntry } from "../../src/engine/order-entry.ts"
import { WorkingTotals } from "../../src/engine/working-totals.ts"

/** What the totals read of a working order. */
const entry = (reservation: string, remaining = "1"): OrderEntry =>
  ({ spec: { side: "buy", symbol: "AAA" }, remaining: new Decimal(remaining), reservation: new Decimal(reservation), holdsShare: false, fillGroup: null }) as unknown as OrderEntry

/** Sums without rounding: the truth the running sums must equal. */
const Exact = Decimal.clone({ precision: 1000 })
const exactSum = (values: ReadonlyArray<string>): string => values.reduce((s, v) => s.plus(v), new Exact(0)).toString()

describe("working totals", () => {
  it("hold the exact sum after an order whose sum with the others needed more than 40 digits ends", () => {
    const totals = new WorkingTotals()
    const kept = entry("0.0101", "0.0000000000000000000000000000000000000001")
    const gone = entry("1000000000000000000000000000000000000000", "90000")
    totals.add(kept)
    totals.add(gone)
    totals.subtract(gone)
    expect(totals.held?.toString()).toBe("0.0101")
    expect(totals.openQuantity("AAA", "buy").toString()).toBe("0.0000000000000000000000000000000000000001")
    totals.subtract(kept)
    expect(totals.held?.isZero()).toBe(true)
  })

  const amount = fc
    .tuple(fc.bigInt({ min: 1n, max: 10n ** 40n - 1n }), fc.integer({ min: -60, max: 20 }))
    .map(([digits, exponent]) => new Decimal(`${digits}e${exponent}`).toString())

  test.prop([fc.array(fc.tuple(amount, amount), { minLength: 1, maxLength: 12 }), fc.array(fc.nat(), { maxLength: 12 })])(
    "equal the exact sums of the orders still working, whatever came and went before",
    (orders, ending) => {
      const totals = new WorkingTotals()
      const working = orders.map(([reservation, remaining]) => entry(reservation, remaining))
      for (const e of working) totals.add(e)
      for (const k of ending) {
        if (working.length === 0) break
        totals.subtract(working.splice(k % working.length, 1)[0]!)
      }
      expect((totals.held ?? ZERO).toString()).toBe(exactSum(working.map((e) => e.reservation.toString())))
      expect(totals.openQuantity("AAA", "buy").toString()).toBe(exactSum(working.map((e) => e.remaining.toString())))
    }
  )

  describe("with fill groups (each counts once, by its largest member)", () => {
    /** A working order as the totals read it; `watch` set while it is counted. */
    interface Member {
      spec: { side: OrderSide; symbol: string }
      remaining: Decimal
      reservation: Decimal
      holdsShare: false
      fillGroup: OrderList | null
      watch: object | null
    }
    const lists: ReadonlyArray<OrderList> = [0, 1, 2].map((i) => ({ id: `L${i}`, kind: "oco", entry: null, members: [] }))
    const as = (m: Member) => m as unknown as OrderEntry
    // Few values, so that members tie at the largest; and some long ones, so that sums pass 40 digits.
    const value = fc.oneof(fc.constantFrom("0", "1", "2", "2.5", "3"), amount)
    const order = fc.record({
      side: fc.constantFrom<OrderSide>("buy", "sell"),
      symbol: fc.constantFrom("AAA", "BBB"),
      remaining: value,
      reservation: value,
      group: fc.option(fc.nat({ max: 2 }), { nil: null })
    })
    const step = fc.oneof(
      fc.record({ kind: fc.constant("add" as const), order }),
      fc.record({ kind: fc.constant("end" as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant("change" as const), pick: fc.nat(), remaining: value, reservation: value })
    )

    /** Σ of the orders outside groups, plus each group's largest (per side and symbol for quantities). */
    const expected = (working: ReadonlyArray<Member>, figure: (m: Member) => string | null): string => {
      let sum = new Exact(0)
      const largest = new Map<OrderList, InstanceType<typeof Exact>>()
      for (const m of working) {
        const v = figure(m)
        if (v === null) continue
        if (m.fillGroup === null) sum = sum.plus(v)
        else if (!largest.has(m.fillGroup) || largest.get(m.fillGroup)!.lessThan(v)) largest.set(m.fillGroup, new Exact(v))
      }
      for (const v of largest.values()) sum = sum.plus(v)
      return sum.toString()
    }
    const openOf = (symbol: string, side: OrderSide) => (m: Member) => (m.spec.symbol === symbol && m.spec.side === side ? m.remaining.toString() : null)
    const heldOf = (m: Member) => (m.reservation.isZero() ? null : m.reservation.toString())

    test.prop([fc.array(step, { minLength: 1, maxLength: 40 })])(
      "equal Σ of the orders outside groups plus each group's largest, whatever came, changed and went, and a restore's rebuild",
      (steps) => {
        const totals = new WorkingTotals()
        const working: Member[] = []
        for (const s of steps) {
          if (s.kind === "add") {
            const { side, symbol, remaining, reservation, group } = s.order
            const m: Member = { spec: { side, symbol }, remaining: new Decimal(remaining), reservation: new Decimal(reservation), holdsShare: false, fillGroup: group === null ? null : lists[group]!, watch: {} }
            totals.add(as(m))
            working.push(m)
          } else if (working.length > 0) {
            const m = working[s.pick % working.length]!
            totals.subtract(as(m))
            if (s.kind === "end") {
              m.watch = null
              working.splice(working.indexOf(m), 1)
            } else {
              m.remaining = new Decimal(s.remaining)
              m.reservation = new Decimal(s.reservation)
              totals.add(as(m))
            }
          }
        }
        // A restore adds the orders still working, in another order: the same figures, digit for digit.
        const rebuilt = new WorkingTotals()
        for (const m of [...working].reverse()) rebuilt.add(as(m))
        for (const t of [totals, rebuilt]) {
          expect((t.held ?? ZERO).toString()).toBe(expected(working, heldOf))
          for (const symbol of ["AAA", "BBB"])
            for (const side of ["buy", "sell"] as const) expect(t.openQuantity(symbol, side).toString()).toBe(expected(working, openOf(symbol, side)))
        }
        // Beside an order: the others, its group left out whole (a pending member too).
        const pending: Member = { spec: { side: "buy", symbol: "AAA" }, remaining: new Decimal(1), reservation: new Decimal(1), holdsShare: false, fillGroup: lists[0]!, watch: null }
        for (const m of [...working, pending]) {
          const others = working.filter((o) => o !== m && (m.fillGroup === null || o.fillGroup !== m.fillGroup))
          const { symbol, side } = m.spec
          expect(totals.openQuantityBeside(as(m)).toString()).toBe(new Decimal(expected(others, openOf(symbol, side))).toString())
          expect(totals.heldBeside(as(m))?.toString()).toBe(new Decimal(expected(others, heldOf)).toString())
        }
      }
    )
  })
})
