import { describe, expect, it } from "vitest"
import { FloatColumn } from "../../src/engine/float-column.ts"

describe("FloatColumn", () => {
  it("gives back every value pushed, across chunks of every size", () => {
    // Past the doubling chunks (31,744 values) and two of the fixed-size ones after them.
    const n = 100_000
    const column = new FloatColumn()
    const value = (i: number) => (i % 9 === 0 ? Number.NaN : i % 13 === 0 ? -0 : i * 1.5 - 7)
    for (let i = 0; i < n; i++) {
      column.push(value(i))
      expect(Object.is(column.last(), value(i))).toBe(true)
    }
    expect(column.length).toBe(n)
    const all = column.toFloat64Array()
    for (let i = 0; i < n; i++) {
      expect(Object.is(column.at(i), value(i))).toBe(true)
      expect(Object.is(all[i], value(i))).toBe(true)
    }
  })

  it("makes zeros, and an empty column", () => {
    expect([...FloatColumn.zeros(3).toFloat64Array()]).toEqual([0, 0, 0])
    expect(new FloatColumn().toFloat64Array().length).toBe(0)
  })
})
