import { describe, expect, it } from "vitest"
import type { StoredPoints } from "../../src/engine/equity-curve.ts"
import { parseHistoryRecord } from "../../src/runtime/history-text.ts"

const marks = (updates: number) => ({ orders: 0, fills: 0, trades: 0, updates })
const curve = { times: [1, null, 3], equity: [100, 100.5, 1e-7], longValue: [0, 2, -0], shortValue: [0, 0, 0] }
const record = { seq: 40, history: { from: marks(2), to: marks(5), orders: [], fills: [{ note: ',"equityCurve":{"times":[' }], trades: [], equityCurve: curve } }

/** The record with its stored points read: what JSON.parse of it gives. */
const readBack = (parsed: unknown) => {
  const { history } = parsed as { history: { equityCurve: unknown } }
  const points = history.equityCurve as StoredPoints | typeof curve
  return { ...(parsed as object), history: { ...history, equityCurve: "read" in points ? points.read() : points } }
}

describe("history records read with their equity points left as text", () => {
  it("leaves the points unread, counted by the record's marks, and reads them back as JSON.parse would", () => {
    const json = JSON.stringify(record)
    const parsed = parseHistoryRecord(json) as { history: { equityCurve: StoredPoints } }
    expect(typeof parsed.history.equityCurve.read).toBe("function")
    expect(parsed.history.equityCurve.length).toBe(3)
    expect(JSON.stringify(readBack(parsed))).toBe(json)
    expect(readBack(parsed)).toEqual(JSON.parse(json))
  })

  it("parses any other layout whole", () => {
    const curveFirst = { seq: 40, history: { equityCurve: curve, from: marks(2), to: marks(5), orders: [], fills: [], trades: [] } }
    const withMore = { seq: 40, history: { ...record.history, equityCurve: { ...curve, more: {} } } }
    const noMarks = { seq: 40, history: { orders: [], equityCurve: curve } }
    for (const other of [curveFirst, withMore, noMarks, { seq: 1, history: { equityCurve: { times: [] } } }]) {
      const json = JSON.stringify(other)
      expect(parseHistoryRecord(json)).toEqual(JSON.parse(json))
    }
    expect(() => parseHistoryRecord('{"seq":1,"history":{"equityCurve":{"times":[1]}}}}')).toThrow(SyntaxError)
  })
})
