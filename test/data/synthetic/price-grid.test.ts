import { fc, test } from "@fast-check/vitest"
import { describe, expect, it } from "vitest"
import { MAX_TICKS, PriceGrid, tickDecimals } from "../../../src/data/synthetic/price-grid.ts"

const ticks = [0.01, 0.05, 0.25, 1, 5, 1000, 0.0001, 0.000001, 0.000005, 999.999999] as const
const gridOf = (tick: number): PriceGrid => new PriceGrid(tick, tickDecimals(tick, 6)!)

describe("the tick grid", () => {
  it("knows a tick's decimals, and refuses one with more than allowed", () => {
    expect(ticks.map((t) => tickDecimals(t, 6))).toEqual([2, 2, 2, 0, 0, 0, 4, 6, 6, 6])
    expect(tickDecimals(0.0000001, 6)).toBeNull()
    expect(tickDecimals(1 / 3, 6)).toBeNull()
  })

  test.prop([fc.constantFrom(...ticks), fc.integer({ min: 1, max: MAX_TICKS })])(
    "a whole number of ticks is the double its decimal string parses to",
    (tick, n) => {
      const grid = gridOf(tick)
      const decimals = grid.decimals
      // The decimal of n × tick, made from integers only.
      const units = BigInt(Math.round(tick * 10 ** decimals)) * BigInt(n)
      const digits = units.toString().padStart(decimals + 1, "0")
      const decimal = decimals === 0 ? digits : `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`
      expect(grid.priceOf(n)).toBe(Number(decimal))
    }
  )

  test.prop([fc.constantFrom(...ticks), fc.double({ min: 0, max: 1e16, noNaN: true }), fc.double({ min: 0, max: 1e16, noNaN: true })])(
    "rounding is monotone and stays within one tick and MAX_TICKS ticks",
    (tick, a, b) => {
      const grid = gridOf(tick)
      const [lo, hi] = a <= b ? [a, b] : [b, a]
      expect(grid.round(lo)).toBeLessThanOrEqual(grid.round(hi))
      expect(grid.ticksOf(lo)).toBeGreaterThanOrEqual(1)
      expect(grid.ticksOf(hi)).toBeLessThanOrEqual(MAX_TICKS)
    }
  )
})
