/**
 * The running sums over the working orders (src/engine/working-totals.ts) are exact, whatever
 * the order of the orders that came and went: a snapshot restores them by summing the orders
 * still working, so a sum that rounded (40 significant digits) once would leave the uninterrupted
 * run and the restored one with different buying power. (Found by the orders' snapshot property
 * in CI: a slippage rate of 5e-40 gave reservations whose sum needs 43 digits.)
 */
import { fc, test } from "@fast-check/vitest"
import { describe, expect, it } from "vitest"
import { Decimal, ZERO } from "../../src/domain/decimal.ts"
import type { OrderEntry } from "../../src/engine/order-entry.ts"
import { WorkingTotals } from "../../src/engine/working-totals.ts"

/** What the totals read of a working order. */
const entry = (reservation: string, remaining = "1"): OrderEntry =>
  ({ spec: { side: "buy", symbol: "AAA" }, remaining: new Decimal(remaining), reservation: new Decimal(reservation), holdsShare: false }) as unknown as OrderEntry

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
})
